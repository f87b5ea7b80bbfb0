package render

import (
	"fmt"
	"math"
	"strings"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// The words of a coaching brief. coach decides what holds and why, with the
// numbers; this file says it to a manager who reads it once: what the
// pattern is, the numbers against the team's, the deals that show it,
// and questions to coach the how with.

// Brief is a rep's weekly coaching brief to their manager: the patterns
// first, then the deals, what is going well, the questions, and buttons.
func Brief(b coach.Brief) Message {
	rep := "<@" + Escape(b.Rep) + ">"
	if len(b.Findings) == 0 { // coach.Briefs makes none; say nothing wrong if one comes
		return Notice(rep + " has nothing to talk about this week.")
	}
	blocks := []slack.Block{
		header("Coaching brief"),
		section("brief_title", briefTitle(rep, len(b.Findings))),
	}
	var questions []string
	for i, n := range b.Patterns() {
		blocks = append(blocks, section(fmt.Sprintf("brief_pattern_%d", i), patternText(n, b.Numbers)))
		questions = append(questions, findingQuestions(n)...)
	}
	if deals := b.DealFindings(); len(deals) > 0 {
		var lines []string
		for _, n := range deals {
			lines = append(lines, dealFindingLine(n, b.Numbers))
			if len(questions) < 6 {
				questions = append(questions, findingQuestions(n)[0])
			}
		}
		blocks = append(blocks, packLines("brief_deals", append([]string{"*Deals to look at*"}, lines...), 3)...)
	}
	var links []slack.BlockElement
	seen := map[string]bool{}
	for _, n := range b.Findings {
		for _, p := range n.Deals {
			if !seen[p.ID] && len(links) < 25 {
				seen[p.ID] = true
				links = append(links, button(fmt.Sprintf("%s.%d", ActionDealCard, len(links)), p.ID, Truncate(p.Account, 30), ""))
			}
		}
	}
	if len(links) > 0 {
		blocks = append(blocks, slack.NewActionBlock("brief_deal_links", links...))
	}
	if b.Praise != nil {
		blocks = append(blocks, section("brief_praise", ":sparkles: *Going well* — start with it\n"+praiseText(*b.Praise)))
	}
	if len(questions) > 0 {
		var lines []string
		for i, q := range questions {
			if i == 5 {
				break
			}
			lines = append(lines, "• "+Escape(q))
		}
		blocks = append(blocks, section("brief_questions", Truncate("*Questions to coach the how* — ask, don't tell:\n"+strings.Join(lines, "\n"), maxSectionText)))
	}
	blocks = append(blocks,
		slack.NewActionBlock("brief_actions",
			button(ActionNudgeDiscussed, b.Key(), "Discussed", "primary"),
			button(ActionNudgeSnooze, b.Key(), "Snooze a week", "")),
		contextText("brief_note", "One brief per rep a week at most. “Discussed” keeps these points quiet for two weeks; anything new still comes up."))
	return Message{Text: fmt.Sprintf("Coaching brief about %s: %s", rep, findingName(b.Findings[0].Kind)), Blocks: blocks}
}

// findingName is a finding's kind in a few words, for the fallback text.
func findingName(k coach.FindingKind) string {
	switch k {
	case coach.FindingLowConversion:
		return "first meetings rarely lead to a second"
	case coach.FindingPadded:
		return "more pipeline than it can win"
	case coach.FindingSlowLosses:
		return "deals lost late"
	case coach.FindingStalled:
		return "a deal has stalled"
	case coach.FindingLateQualification:
		return "a deal is still mostly unqualified"
	case coach.FindingAged:
		return "a deal is open far longer than won deals take"
	}
	return "what is going well"
}

// patternText is one of the rep's patterns: the headline, the numbers
// against the team's and why it matters, and the deals that show it.
func patternText(n coach.Finding, numbers phrase.Convention) string {
	var head, why string
	switch n.Kind {
	case coach.FindingLowConversion:
		head = ":mag: *First meetings rarely lead to a second*"
		why = fmt.Sprintf("%s of the last %d days' first meetings led to a second; the team's: %s. Even allowing for chance, that is at most %s, under the %s a healthy first meeting reaches.",
			rateWords(n.RepRate), n.WindowDays, rateWords(n.TeamRate), pct(n.RepUpper), pct(n.Line))
	case coach.FindingPadded:
		head = ":balloon: *More pipeline than the rep wins*"
		why = fmt.Sprintf("Open deals cover %.1f× what is left of the quota, yet %s of closed deals were won (the team: %s); even allowing for chance, under %s. When cover is high and wins are rare, more deals stand in for winning them. %s no next step or second meeting.",
			n.Coverage, rateWords(n.RepRate), rateWords(n.TeamRate), pct(n.Line), capital(plural(n.Thin, "deal has", "deals have")))
	case coach.FindingSlowLosses:
		head = ":snail: *Deals are lost late*"
		team := "the team has no loss to compare with"
		if n.HasTeamMedian {
			team = "the team's: " + days(n.TeamMedian)
		}
		why = fmt.Sprintf("Half of the rep's last %d losses took longer than %s from the first meeting; %s. Past %s, the time is spent before the no comes.",
			n.Sample, days(n.RepMedian), team, days(n.Line))
	}
	lines := []string{head, why}
	for _, p := range n.Deals {
		lines = append(lines, "• "+exampleLine(n.Kind, p, numbers))
	}
	if n.MoreDeals > 0 {
		lines = append(lines, fmt.Sprintf("…and %d more", n.MoreDeals))
	}
	return Truncate(strings.Join(lines, "\n"), maxSectionText)
}

// exampleLine is one deal that shows a pattern, with what it shows.
func exampleLine(k coach.FindingKind, p coach.Prospect, numbers phrase.Convention) string {
	name := "*" + safe(p.Account, 80) + "*"
	m := coach.MilestonesOf(p)
	switch k {
	case coach.FindingLowConversion:
		return fmt.Sprintf("%s · first met %s, no second meeting", name, Day(p.FirstMeeting, p.Location()))
	case coach.FindingSlowLosses:
		return fmt.Sprintf("%s · lost %s after the first meeting", name, afterDays(coach.DaysBetween(m.FirstMeeting, m.Lost)))
	case coach.FindingPadded:
		line := name
		if p.Amount > 0 {
			line += " · " + Money(p.Amount, p.Currency, numbers)
		}
		if p.SecondMeeting.IsZero() {
			return line + " · no second meeting"
		}
		return line + " · no next step"
	}
	return name
}

// dealFindingLine is a deal that needs a look, with everything wrong with
// it and the numbers it is compared with.
func dealFindingLine(n coach.Finding, numbers phrase.Convention) string {
	p := n.Deals[0]
	var parts []string
	if n.Stalled {
		parts = append(parts, fmt.Sprintf(":warning: nothing recorded for %s (stalled after %s)", days(float64(n.DaysStalled)), days(float64(n.StalledAfterDays))))
	}
	if n.LateQualification {
		missing := make([]string, len(n.Missing))
		for i, it := range n.Missing {
			missing[i] = Escape(it.Name)
		}
		parts = append(parts, fmt.Sprintf(":clipboard: an opportunity for %s with %s of %s unknown: %s",
			days(float64(n.DaysAsOpportunity)), plural(len(n.Missing), "item", "items"), Escape(n.Framework), strings.Join(missing, ", ")))
	}
	if n.Aged {
		cycle := fmt.Sprintf("won deals take %s (the team's median)", days(float64(n.CycleDays)))
		if n.CycleSet {
			cycle = fmt.Sprintf("the team's cycle is %s", days(float64(n.CycleDays)))
		}
		open := fmt.Sprintf(":hourglass: open %s", days(float64(n.DaysOpen)))
		if n.DaysWaited > 0 {
			open += fmt.Sprintf(" not counting %s of recorded waits", days(float64(n.DaysWaited)))
		}
		parts = append(parts, fmt.Sprintf("%s; %s", open, cycle))
	}
	if strings.TrimSpace(p.NextStep) == "" {
		parts = append(parts, "no next step recorded")
	}
	line := "• *" + safe(p.Account, 80) + "*"
	if p.Amount > 0 {
		line += " · " + Money(p.Amount, p.Currency, numbers)
	}
	return line + "\n   " + strings.Join(parts, "\n   ")
}

// praiseText is what is going well, with the numbers.
func praiseText(n coach.Finding) string {
	var lines []string
	if n.FastHabit {
		team := ""
		if n.HasTeamMedian {
			team = fmt.Sprintf(" (the team: %s)", days(n.TeamMedian))
		}
		lines = append(lines, fmt.Sprintf("Loses fast: %d losses within %s of the first meeting, half of all losses within %s%s. Honest noes early free time for deals that close.",
			n.Sample, days(n.Line), days(n.RepMedian), team))
		for _, p := range n.Deals {
			m := coach.MilestonesOf(p)
			lines = append(lines, fmt.Sprintf("• *%s* · lost %s", safe(p.Account, 80), afterDays(coach.DaysBetween(m.FirstMeeting, m.Lost))))
		}
	}
	if n.Improved {
		lines = append(lines, fmt.Sprintf("First→second conversion rose to %s from %s in the %d days before (the team: %s).",
			rateWords(n.RepRate), rateWords(n.PreviousRate), n.WindowDays, rateWords(n.TeamRate)))
	}
	return strings.Join(lines, "\n")
}

// findingQuestions are two or three questions a manager can ask in the
// coaching conversation, so they coach how to sell and not only what to do.
func findingQuestions(n coach.Finding) []string {
	switch n.Kind {
	case coach.FindingLowConversion:
		return []string{
			fmt.Sprintf("%d of the last %d first meetings led to no second one. Pick one together: what did the buyer learn in that hour that they did not know before?", n.RepRate.Den-n.RepRate.Num, n.RepRate.Den),
			"How does the first meeting open: how much is about the buyer's world, and how much about our product? Rehearse the first ten minutes as a role play.",
			"What reason to meet again does the rep offer at the end, something the buyer would want for themselves, with a date?",
		}
	case coach.FindingPadded:
		qs := []string{fmt.Sprintf("With %.1f× cover: which deals would the rep bet on closing this quarter, and what makes those different?", n.Coverage)}
		if n.Thin > 0 {
			qs = append(qs, fmt.Sprintf("For the %s without a next step or second meeting: what would make each real this week, or should it be closed out?", plural(n.Thin, "deal", "deals")))
		}
		return append(qs, "If the pipeline held only deals the rep expects to win, where would the time saved go?")
	case coach.FindingSlowLosses:
		return []string{
			"Take the slowest loss: when did the first sign of a poor fit show, and what stopped the rep saying so then?",
			"Does the rep name fit concerns out loud early — \"here is where we may not be right for you, can we test that first?\" Rehearse that sentence.",
			"When does the price range come up? What would change if the buyer heard it by the second meeting?",
		}
	case coach.FindingStalled:
		return []string{
			fmt.Sprintf("*%s*: what did the buyer last agree to do, and when? What one step this week would show the deal is alive?", n.Deals[0].Account),
		}
	case coach.FindingLateQualification:
		first := "the first missing item"
		if len(n.Missing) > 0 {
			first = strings.ToLower(n.Missing[0].Name)
		}
		return []string{fmt.Sprintf("*%s*: rehearse the question about %s together — how would the rep ask it in their own words, and in which meeting?", n.Deals[0].Account, first)}
	case coach.FindingAged:
		return []string{fmt.Sprintf("*%s*: who on the buyer's side has committed to change, and by what date? If it were lost today, what would the lesson be?", n.Deals[0].Account)}
	}
	return nil
}

// rateWords is a rate as people read it: "1 in 12 (8%)"; "none yet" with no
// sample.
func rateWords(r coach.Rate) string {
	if r.Den == 0 {
		return "none yet"
	}
	return fmt.Sprintf("%d in %d (%s)", r.Num, r.Den, pct(r.Value()))
}

func pct(x float64) string { return fmt.Sprintf("%d%%", int(math.Round(100*x))) }

// days is a number of days in words: "the same day" for none.
func days(d float64) string {
	n := int(math.Round(d))
	if n == 0 {
		return "less than a day"
	}
	return plural(n, "day", "days")
}

// afterDays says when something happened after the first meeting: "the
// same day", "after 1 day", "after 12 days".
func afterDays(n int) string {
	if n <= 0 {
		return "the same day"
	}
	return "after " + plural(n, "day", "days")
}

// lostIn says how long a loss took: "the same day", "in 3 days".
func lostIn(n int) string {
	if n <= 0 {
		return "the same day"
	}
	return "in " + plural(n, "day", "days")
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func briefTitle(rep string, n int) string {
	if n == 1 {
		return rep + " — one thing to talk about this week."
	}
	return fmt.Sprintf("%s — %d things to talk about this week, most important first.", rep, n)
}

// CycleSet confirms the sales cycle a manager set for the team.
func CycleSet(days int) string {
	if days == 0 {
		return "Deals now age against the median of the team's won deals, once enough are won."
	}
	return fmt.Sprintf("The team's sales cycle is %s: a deal open half as long again (not counting recorded waits) is aged.", plural(days, "day", "days"))
}
