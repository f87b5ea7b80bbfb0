package render

import (
	"fmt"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// Celebration is a shared loss in the team channel: who, what, how fast, the
// reason and the lesson, without blame. Faster losses get more praise.
func Celebration(p coach.Prospect) Message {
	l := p.Loss
	if l == nil {
		l = &coach.Loss{}
	}
	account := safe(p.Account, coach.MaxAccountLen)
	in := lostIn(l.DaysToLose)
	var headline string
	switch {
	case l.DaysToLose <= 3:
		headline = fmt.Sprintf(":zap: <@%s> lost *%s* %s. Lightning fast: that is time back for deals that will close.", p.Owner, account, in)
	case l.DaysToLose <= 14:
		headline = fmt.Sprintf(":tada: <@%s> lost *%s* fast, %s. An honest no beats a hopeful maybe.", p.Owner, account, in)
	case l.DaysToLose <= 30:
		headline = fmt.Sprintf(":clap: <@%s> closed out *%s* %s. Clean pipeline, clear head.", p.Owner, account, afterDays(l.DaysToLose))
	default:
		headline = fmt.Sprintf(":broom: <@%s> cleared *%s* out %s. Late, but honest — and the lesson is worth sharing.", p.Owner, account, afterDays(l.DaysToLose))
	}
	blocks := []slack.Block{section("celebration", headline)}
	details := fmt.Sprintf("*Why:* %s", l.Reason.Label())
	if l.Stage != "" {
		details += fmt.Sprintf(" · lost while %s", stateWords(l.Stage))
	}
	if l.SaveMoment != "" {
		details += "\n*Could have been saved:* " + safe(l.SaveMoment, coach.MaxSaveMoment)
	}
	blocks = append(blocks, section("celebration_details", details))
	if l.Lesson != "" {
		blocks = append(blocks, section("celebration_lesson", "*Lesson:* "+safe(l.Lesson, 2800)))
	}
	blocks = append(blocks, contextText("celebration_note", "React, or reply in the thread with what you would have tried."))
	return Message{Text: fmt.Sprintf("A loss shared: %s, %s", account, in), Blocks: blocks}
}
