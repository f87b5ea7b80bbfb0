package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// Nudge buttons; their value is the nudge's key (the deal's id for
// ActionDealCard).
const (
	ActionNudgeDiscussed = "nudge_discussed"
	ActionNudgeSnooze    = "nudge_snooze"
	ActionDealCard       = "deal_card"
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
		var open []slack.BlockElement
		for i, p := range n.Deals {
			open = append(open, button(fmt.Sprintf("%s.%d", ActionDealCard, i), p.ID, Truncate(p.Account, 30), ""))
		}
		blocks = append(blocks, slack.NewActionBlock("nudge_deal_links", open...))
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

// DealCard shows one deal to whoever may see it (its rep, their manager, an
// admin): where it stands, what it needs, and its history.
// Times are shown in the viewer's zone, loc.
func DealCard(p coach.Prospect, fw coach.Framework, loc *time.Location) slack.ModalViewRequest {
	facts := []string{
		fmt.Sprintf("*%s* · <@%s> · %s", safe(p.Account, coach.MaxAccountLen), Escape(p.Owner), stateWords(p.State)),
		"First meeting: " + When(p.FirstMeeting, loc),
	}
	if p.Contact != "" {
		facts = append(facts, "Contact: "+safe(p.Contact, coach.MaxContactLen))
	}
	if !p.SecondMeeting.IsZero() {
		facts = append(facts, "Second meeting: "+When(p.SecondMeeting, loc))
	}
	if p.Amount > 0 {
		facts = append(facts, "Amount: "+Amount(p.Amount, p.Currency))
	}
	if p.NextStep != "" {
		facts = append(facts, "Next step: "+safe(p.NextStep, coach.MaxNextStepLen))
	}
	if p.WaitingOn != "" {
		facts = append(facts, fmt.Sprintf("Waiting on %s until %s", safe(p.WaitingOn, coach.MaxWaitingOn), Day(p.WaitingUntil, loc)))
	}
	blocks := []slack.Block{section("card_facts", strings.Join(facts, "\n"))}
	if len(fw.Items) > 0 {
		var q []string
		for _, it := range fw.Items {
			answer := "_not yet — ask: " + Escape(it.Question) + "_"
			if a := strings.TrimSpace(p.Qualification[it.Key]); a != "" {
				answer = safe(a, coach.MaxAnswerLen)
			}
			q = append(q, fmt.Sprintf("• *%s*: %s", Escape(it.Name), answer))
		}
		blocks = append(blocks, section("card_qualification", fmt.Sprintf("*%s*%s\n%s", Escape(fw.Title), qualified(fw, p), strings.Join(q, "\n"))))
	}
	var hist []string
	for i := len(p.History) - 1; i >= 0 && len(hist) < 20; i-- {
		e := p.History[i]
		who := "Pipeline Coach"
		if e.By != coach.SystemActor {
			who = "<@" + Escape(e.By) + ">"
		}
		hist = append(hist, fmt.Sprintf("%s · %s · %s", When(e.At, loc), who, strings.ReplaceAll(string(e.Event), "_", " ")))
	}
	blocks = append(blocks, section("card_history", "*History* (newest first)\n"+strings.Join(hist, "\n")))
	m := modal("deal_card", "Deal", "Close", p.ID, blocks...)
	m.Submit = nil
	m.Close = plain("Close", maxModalTitle)
	return m
}
