package render

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// Nudge buttons; their value is the nudge's key.
const (
	ActionNudgeDiscussed = "nudge_discussed"
	ActionNudgeSnooze    = "nudge_snooze"
)

// nudgeTitle is a nudge's headline, by kind.
func nudgeTitle(n coach.Nudge) string {
	rep := "<@" + Escape(n.Rep) + ">"
	deal := ""
	if len(n.Deals) > 0 {
		deal = "*" + safe(n.Deals[0].Account, 80) + "*"
	}
	switch n.Kind {
	case coach.NudgeLowConversion:
		return fmt.Sprintf(":mag: %s's first meetings rarely lead to a second", rep)
	case coach.NudgeSlowLosses:
		return fmt.Sprintf(":snail: %s loses deals slowly", rep)
	case coach.NudgeStalled:
		return fmt.Sprintf(":warning: %s (%s) has stalled", deal, rep)
	case coach.NudgeAged:
		return fmt.Sprintf(":hourglass: %s (%s) is older than your average won deal", deal, rep)
	case coach.NudgePadded:
		return fmt.Sprintf(":balloon: %s's pipeline looks padded", rep)
	case coach.NudgeLateQualification:
		return fmt.Sprintf(":clipboard: %s (%s) is still mostly unqualified", deal, rep)
	case coach.NudgePraise:
		return fmt.Sprintf(":tada: Something to praise in %s's week", rep)
	}
	return "Coaching nudge about " + rep
}

// Nudge is a coaching nudge to a manager: why (the numbers against the
// team's), what to do (questions to coach with), the deals, and buttons.
func Nudge(n coach.Nudge) Message {
	blocks := []slack.Block{
		section("nudge_title", nudgeTitle(n)),
		section("nudge_why", "*Why:* "+Escape(Truncate(n.Why, 2500))),
	}
	if len(n.Deals) > 0 {
		var lines []string
		for _, p := range n.Deals {
			line := fmt.Sprintf("• *%s* · first met %s", safe(p.Account, 80), Day(p.FirstMeeting, p.Location()))
			if p.Amount > 0 {
				line += " · " + Amount(p.Amount, p.Currency)
			}
			if p.NextStep != "" {
				line += " · next: " + safe(p.NextStep, 120)
			}
			lines = append(lines, line)
		}
		if n.MoreDeals > 0 {
			lines = append(lines, fmt.Sprintf("…and %d more", n.MoreDeals))
		}
		blocks = append(blocks, section("nudge_deals", "*The deals:*\n"+strings.Join(lines, "\n")))
	}
	if len(n.Missing) > 0 {
		var lines []string
		for _, it := range n.Missing {
			lines = append(lines, fmt.Sprintf("• *%s* — ask: _%s_", Escape(it.Name), Escape(it.Question)))
		}
		blocks = append(blocks, section("nudge_missing", fmt.Sprintf("*Missing from %s:*\n%s", Escape(n.Framework), strings.Join(lines, "\n"))))
	}
	if len(n.Questions) > 0 {
		var lines []string
		for _, q := range n.Questions {
			lines = append(lines, "• "+Escape(q))
		}
		title := "*Coach the how — ask in your next 1:1:*"
		if n.Kind == coach.NudgePraise {
			title = "*Make it stick:*"
		}
		blocks = append(blocks, section("nudge_questions", title+"\n"+strings.Join(lines, "\n")))
	}
	blocks = append(blocks,
		slack.NewActionBlock("nudge_actions",
			button(ActionNudgeDiscussed, n.Key(), "Discussed", "primary"),
			button(ActionNudgeSnooze, n.Key(), "Snooze a week", "")),
		contextText("nudge_note", "Nudges are rare on purpose: the same one comes back after a week at the earliest, and never more than a few a day."))
	return Message{Text: "Coaching nudge: " + string(n.Kind), Blocks: blocks}
}

// NudgeAnswered replaces a nudge's buttons with the manager's answer.
func NudgeAnswered(original []slack.Block, answer string) Message {
	var kept []slack.Block
	for _, b := range original {
		if b.ID() == "nudge_actions" || b.ID() == "nudge_note" {
			continue
		}
		kept = append(kept, b)
	}
	kept = append(kept, contextText("nudge_answer", answer))
	return Message{Text: answer, Blocks: kept}
}
