package render

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// CRMRefused tells a rep, once, that their deal is saved here but the CRM
// refused it, in the CRM's words, and who can fix it.
func CRMRefused(p coach.Prospect, crm, reason string) Message {
	text := fmt.Sprintf(":warning: *%s* is saved here; %s refused it: %s — ask your admin. I'll send it again with your next change to the deal.",
		safe(p.Account, coach.MaxAccountLen), Escape(crm), safe(reason, 1500))
	return Message{Text: text, Blocks: []slack.Block{section("crm_refused", text)}}
}

// Buttons on a deal found in the CRM without a second meeting; the value is
// the CRM's deal id.
const (
	ActionCRMConfirm = "crm_confirm"
	ActionCRMLose    = "crm_lose"
)

// crmCleanupMax caps the CRM's deals listed in one clean-up message.
const crmCleanupMax = 10

// crmCleanup lists the rep's deals in the CRM that never had a confirmed
// second meeting, each to confirm (taken in and linked) or lose fast
// (closed lost there).
func crmCleanup(v coach.RepView, loc *time.Location) []slack.Block {
	if len(v.InCRM) == 0 {
		return nil
	}
	crm := Escape(v.CRMName)
	blocks := []slack.Block{slack.NewDividerBlock(),
		section("cleanup_crm", fmt.Sprintf("*In %s without a second meeting*: %d — not pipeline until a second meeting is booked. Confirm it, or lose it fast (closed lost in %s).", crm, len(v.InCRM), crm))}
	for i, d := range v.InCRM {
		if i == crmCleanupMax {
			blocks = append(blocks, contextText("cleanup_crm_more", fmt.Sprintf("…and %d more: deal with these first, then run `/pipeline cleanup` again.", len(v.InCRM)-i)))
			break
		}
		line := "*" + safe(d.Name, 80) + "*"
		if d.Amount > 0 {
			line += " · " + Money(d.Amount, d.Currency, v.Numbers)
		}
		if !d.CreatedAt.IsZero() {
			line += fmt.Sprintf(" · in %s since %s", crm, Day(d.CreatedAt, loc))
		}
		blocks = append(blocks, section("cleanup_crm_"+d.ID, line), slack.NewActionBlock("cleanup_crm_actions_"+d.ID,
			button(ActionCRMLose, d.ID, "Lose it", "danger"), button(ActionCRMConfirm, d.ID, "Confirm — second meeting booked", "primary")))
	}
	return blocks
}

// crmHome is App Home's line about the CRM's deals without a second
// meeting, pointing at the clean-up.
func crmHome(v coach.RepView) []slack.Block {
	if len(v.InCRM) == 0 {
		return nil
	}
	amounts := map[string]int64{}
	for _, d := range v.InCRM {
		amounts[d.Currency] += d.Amount
	}
	var parts []string
	for cur, a := range amounts {
		if a > 0 {
			parts = append(parts, Money(a, cur, v.Numbers))
		}
	}
	slices.Sort(parts)
	total := ""
	if len(parts) > 0 {
		total = " (" + strings.Join(parts, " + ") + ")"
	}
	return []slack.Block{slack.NewDividerBlock(), section("home_crm", fmt.Sprintf("*In %s without a second meeting*: %s%s — `/pipeline cleanup` asks about each.",
		Escape(v.CRMName), plural(len(v.InCRM), "deal", "deals"), total))}
}

// AdminCRM is /pipeline admin crm: how deals are mapped onto the CRM and
// how the writes stand.
func AdminCRM(st coach.CRMStatus, loc *time.Location) Message {
	if st.Name == "" {
		return Notice("No CRM is configured. Set `CRM=hubspot` or `CRM=salesforce` (see the README), and opportunities land there when, and only when, a rep confirms a second meeting.")
	}
	name := Escape(st.Name)
	var mapping []string
	for _, m := range st.Mapping {
		mapping = append(mapping, fmt.Sprintf("`%s` → %s", Escape(m.Name), Escape(m.Value)))
	}
	blocks := []slack.Block{header("CRM: " + st.Name)}
	if len(mapping) > 0 {
		blocks = append(blocks, section("admin_crm_mapping", "*Mapping*\n"+strings.Join(mapping, "\n")))
	}
	status := fmt.Sprintf("*Sync*\n%s in step with %s", plural(st.Synced, "deal", "deals"), name)
	if !st.LastSynced.IsZero() {
		status += fmt.Sprintf(" · last write %s", When(st.LastSynced, loc))
	}
	if st.Pending > 0 {
		status += fmt.Sprintf("\n%s waiting to be written, the oldest since %s", plural(st.Pending, "deal", "deals"), When(st.OldestPending, loc))
		if st.Retrying > 0 {
			status += fmt.Sprintf("\n:hourglass: %d retrying after a failure; last: %s", st.Retrying, safe(st.LastError, 300))
		}
	}
	blocks = append(blocks, section("admin_crm_status", status))
	if st.RefusedCount > 0 {
		lines := []string{fmt.Sprintf(":warning: *%s refused %s* — saved here; fix it in %s, and the rep's next change sends it again:", name, plural(st.RefusedCount, "deal", "deals"), name)}
		for _, p := range st.Refused {
			lines = append(lines, fmt.Sprintf("• *%s* (<@%s>): %s", safe(p.Account, 80), p.Owner, safe(p.CRM.Refused, 300)))
		}
		if st.RefusedCount > len(st.Refused) {
			lines = append(lines, fmt.Sprintf("…and %d more", st.RefusedCount-len(st.Refused)))
		}
		blocks = append(blocks, section("admin_crm_refused", strings.Join(lines, "\n")))
	}
	return Message{Text: fmt.Sprintf("CRM: %s · %d in step · %d waiting · %d refused", st.Name, st.Synced, st.Pending, st.RefusedCount), Blocks: blocks}
}

// crmBacklog is the digest's line on the team's deals in the CRM without a
// second meeting, "" when there are none.
func crmBacklog(b coach.CRMBacklog, numbers phrase.Convention) string {
	if b.Deals == 0 {
		return ""
	}
	var parts []string
	for cur, a := range b.Amounts {
		if a > 0 {
			parts = append(parts, Money(a, cur, numbers))
		}
	}
	slices.Sort(parts)
	total := ""
	if len(parts) > 0 {
		total = ", " + strings.Join(parts, " + ")
	}
	return fmt.Sprintf("\n%s in %s without a second meeting%s — not pipeline until confirmed (`/pipeline cleanup`)", plural(b.Deals, "deal", "deals"), Escape(b.Name), total)
}
