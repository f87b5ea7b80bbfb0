package render

import (
	"fmt"

	"github.com/slack-go/slack"
)

// ZoneGuessed adds to an answer that shows dates the zone they are in, for
// someone whose own zone is not known yet: what they typed was read in it,
// and the answer shows the time it understood, so nothing is misread
// unseen.
func ZoneGuessed(m Message, tz string) Message {
	note := fmt.Sprintf(":globe_with_meridians: Times here are in *%s*, the workspace's default: I don't know your Slack time zone yet (I will in a minute).", Escape(tz))
	out := Message{Text: m.Text, Blocks: append([]slack.Block(nil), m.Blocks...)}
	if len(out.Blocks) < maxMessageBlks {
		out.Blocks = append(out.Blocks, contextText("zone_guessed", note))
	} else {
		out.Text += "\n" + note
	}
	return out
}
