package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// Brief buttons; their value is the brief's key (the deal's id for
// ActionDealCard).
const (
	ActionNudgeDiscussed = "nudge_discussed"
	ActionNudgeSnooze    = "nudge_snooze"
	ActionDealCard       = "deal_card"
)

// NudgeAnswered replaces a brief's buttons with the manager's answer.
func NudgeAnswered(original []slack.Block, answer string) Message {
	var kept []slack.Block
	for _, b := range original {
		if b.ID() == "brief_actions" || b.ID() == "brief_note" {
			continue
		}
		kept = append(kept, b)
	}
	kept = append(kept, contextText("brief_answer", answer))
	return Message{Text: answer, Blocks: kept}
}

// DealCard shows one deal to whoever may see it (its rep, their manager, an
// admin): where it stands, what it needs, and its history.
// Times are shown in the viewer's zone, loc; the amount as the deal's team
// writes amounts (numbers).
func DealCard(p coach.Prospect, fw coach.Framework, numbers phrase.Convention, loc *time.Location) slack.ModalViewRequest {
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
		facts = append(facts, "Amount: "+Money(p.Amount, p.Currency, numbers))
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
