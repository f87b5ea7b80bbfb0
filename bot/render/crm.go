package render

import (
	"fmt"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// CRMRefused tells a rep, once, that their deal is saved here but the CRM
// refused it, in the CRM's words, and who can fix it.
func CRMRefused(p coach.Prospect, crm, reason string) Message {
	text := fmt.Sprintf(":warning: *%s* is saved here; %s refused it: %s — ask your admin. I'll send it again with your next change to the deal.",
		safe(p.Account, coach.MaxAccountLen), Escape(crm), safe(reason, 1500))
	return Message{Text: text, Blocks: []slack.Block{section("crm_refused", text)}}
}
