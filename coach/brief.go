package coach

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"pipelinecoach/coach/phrase"
)

// A coaching brief is everything that calls for a conversation about one
// rep, in one message: the patterns (conversion, padding, slow losses) and
// the deals that show them (stalled, late qualification, aged), most
// important first, with what is going well. A manager holds that
// conversation about a person, once a week, not about a deal three times a
// day; so a rep gets at most one brief in NudgeRepeat, a deal that shows a
// pattern is listed in the rep's brief rather than sent on its own, and a
// manager gets at most MaxNudgesPerDay briefs a day. Praise alone makes no
// brief: a rep with nothing to fix is not a conversation to schedule.

// Brief is one rep's coaching brief to their manager.
type Brief struct {
	Workspace, Manager, Rep string
	// Findings are the problems, most important first: the rep's patterns,
	// then the deals.
	Findings []Finding
	// Praise is what is going well, when it is a pattern (nil otherwise).
	Praise *Finding
	// Numbers is how the manager's team writes amounts; the Service fills
	// it in before the brief is sent.
	Numbers phrase.Convention
}

// Key is the brief's key in the nudge log, "<workspace>/<manager>/brief/<rep>".
func (b Brief) Key() string { return b.Workspace + "/" + b.Manager + "/brief/" + b.Rep }

// Importance is the importance of the brief's first finding.
func (b Brief) Importance() int {
	if len(b.Findings) == 0 {
		return 0
	}
	return b.Findings[0].Importance
}

// Patterns are the findings about the rep's numbers; Deals the findings
// about single deals, without those a pattern already lists.
func (b Brief) Patterns() []Finding {
	var out []Finding
	for _, n := range b.Findings {
		if !n.Kind.AboutDeal() {
			out = append(out, n)
		}
	}
	return out
}

// DealFindings are the brief's deal findings not already listed as the
// example of one of its patterns.
func (b Brief) DealFindings() []Finding {
	shown := map[string]bool{}
	for _, n := range b.Findings {
		if !n.Kind.AboutDeal() {
			for _, p := range n.Deals {
				shown[p.ID] = true
			}
		}
	}
	var out []Finding
	for _, n := range b.Findings {
		if n.Kind.AboutDeal() && !shown[n.Subject] {
			out = append(out, n)
		}
	}
	return out
}

// Briefs gathers findings (Findings) into one brief per rep who has
// a problem, findings most important first; quiet says which findings the
// manager quieted (discussed or snoozed): they are left out. Briefs are
// ordered by their first finding, most important first.
func Briefs(cands []Finding, quiet func(Finding) bool) []Brief {
	byRep := map[string]*Brief{}
	var order []string
	for _, n := range cands {
		if quiet != nil && quiet(n) {
			continue
		}
		k := n.Workspace + "/" + n.Manager + "/" + n.Rep
		b := byRep[k]
		if b == nil {
			b = &Brief{Workspace: n.Workspace, Manager: n.Manager, Rep: n.Rep}
			byRep[k] = b
			order = append(order, k)
		}
		if n.Kind == FindingPraise {
			if b.Praise == nil {
				p := n
				b.Praise = &p
			}
			continue
		}
		b.Findings = append(b.Findings, n)
	}
	var out []Brief
	for _, k := range order {
		b := byRep[k]
		if len(b.Findings) == 0 {
			continue
		}
		slices.SortStableFunc(b.Findings, compareFindings)
		out = append(out, *b)
	}
	slices.SortStableFunc(out, func(a, b Brief) int {
		return cmp.Or(compareFindings(a.Findings[0], b.Findings[0]), strings.Compare(a.Rep, b.Rep))
	})
	return out
}

// BriefReason is why a brief goes now, or why it waits.
type BriefReason string

// The reasons ShouldBrief gives. Every one but SendBrief holds the brief.
const (
	SendBrief BriefReason = "send"
	// HeldSnoozed: the manager snoozed the rep's brief.
	HeldSnoozed BriefReason = "snoozed"
	// HeldTooSoon: the rep had a brief within NudgeRepeat.
	HeldTooSoon BriefReason = "repeat_too_soon"
	// HeldHoliday: today is one of the team's holidays where the manager is.
	HeldHoliday BriefReason = "holiday"
	// HeldManagerAway: the manager's Slack status says vacation or out of
	// office, or Do Not Disturb is on.
	HeldManagerAway BriefReason = "manager_away"
	// HeldOutsideHours: outside the manager's working hours.
	HeldOutsideHours BriefReason = "outside_working_hours"
	// HeldDailyLimit: the manager already had MaxNudgesPerDay briefs today.
	HeldDailyLimit BriefReason = "daily_limit"
)

// String is the reason as a sentence for logs.
func (r BriefReason) String() string {
	switch r {
	case SendBrief:
		return "send now"
	case HeldSnoozed:
		return "held: the manager snoozed it"
	case HeldTooSoon:
		return "held: the rep had a brief less than a week ago"
	case HeldHoliday:
		return "held: it is a holiday for the team"
	case HeldManagerAway:
		return "held: the manager is away, out of office or in Do Not Disturb"
	case HeldOutsideHours:
		return "held: outside the manager's working hours"
	case HeldDailyLimit:
		return "held: the manager has had today's briefs"
	}
	return string(r)
}

// BriefDecision is ShouldBrief's answer. Retry, for a brief held by
// something that ends, is when it may go: look again then (zero: at the
// next daily evaluation).
type BriefDecision struct {
	Send   bool
	Reason BriefReason
	Retry  time.Time
}

// DiscussedQuiet is how long findings the manager marked "Discussed" stay
// quiet: the rep needs time to change before the numbers can show it.
func (t Thresholds) DiscussedQuiet() time.Duration { return 2 * t.NudgeRepeat }

// BriefState is what ShouldBrief needs to know beyond the brief: the rep's
// record in the nudge log, and the manager's day.
type BriefState struct {
	// The rep's brief (by Key) in the nudge log; zero for never.
	LastSent     time.Time // when the rep's last brief went out
	SnoozedUntil time.Time // "Snooze a week" pressed: held until then

	// The manager.
	SentToday int          // briefs sent to them since their local midnight
	TZ        string       // their Slack zone; "" is UTC
	Hours     WorkingHours // their working hours; zero is DefaultWorkingHours
	Holidays  []string     // the team's configured holidays, "2006-01-02", read in TZ
	// Away: their Slack status says vacation or out of office, or Do Not
	// Disturb is on. AwayUntil is when that ends (zero if unknown); a time
	// ahead counts as away even without Away.
	Away      bool
	AwayUntil time.Time
}

func (s BriefState) hours() WorkingHours {
	if s.Hours.Days == [7]bool{} {
		return DefaultWorkingHours
	}
	return s.Hours
}

// nextOpen is the first moment at or after t within working hours and not
// on a holiday.
func (s BriefState) nextOpen(t time.Time) time.Time {
	wh := s.hours()
	loc := t.Location()
	for range 400 {
		t = wh.Next(t)
		if !IsHoliday(s.Holidays, t, loc) {
			return t
		}
		t = midnight(t).AddDate(0, 0, 1)
	}
	return t
}

// ShouldBrief decides whether a rep's brief goes to the manager now, and
// why (or why not). It is pure: the nudge log and the manager's day come in
// s. Checks in order: the manager's answer (snoozed) and the log (a brief
// within NudgeRepeat); the manager's day (holiday, away, outside working
// hours); the daily limit. MaxNudgesPerDay 0 sends nothing.
func (t Thresholds) ShouldBrief(s BriefState, now time.Time) BriefDecision {
	hold := func(r BriefReason, retry time.Time) BriefDecision {
		return BriefDecision{Reason: r, Retry: retry}
	}
	if now.Before(s.SnoozedUntil) {
		return hold(HeldSnoozed, s.SnoozedUntil)
	}
	if !s.LastSent.IsZero() && now.Sub(s.LastSent) < t.NudgeRepeat {
		return hold(HeldTooSoon, s.LastSent.Add(t.NudgeRepeat))
	}
	local := now.In(ZoneLocation(s.TZ))
	if IsHoliday(s.Holidays, local, local.Location()) {
		return hold(HeldHoliday, s.nextOpen(midnight(local).AddDate(0, 0, 1)))
	}
	if now.Before(s.AwayUntil) {
		return hold(HeldManagerAway, s.AwayUntil)
	}
	if s.Away {
		return hold(HeldManagerAway, time.Time{})
	}
	if next := s.hours().Next(local); !next.Equal(local) {
		return hold(HeldOutsideHours, s.nextOpen(next))
	}
	if s.SentToday >= t.MaxNudgesPerDay {
		return hold(HeldDailyLimit, s.nextOpen(midnight(local).AddDate(0, 0, 1)))
	}
	return BriefDecision{Send: true, Reason: SendBrief}
}

// PickBriefs keeps the briefs ShouldBrief allows, most important first,
// counting those it keeps against each manager's daily limit (state's
// SentToday plus those kept before). It returns what to send, in order, and
// every brief held, by Key, with the decision. state is asked once per
// brief.
func (t Thresholds) PickBriefs(briefs []Brief, state func(Brief) BriefState, now time.Time) (send []Brief, held map[string]BriefDecision) {
	held = map[string]BriefDecision{}
	kept := map[string]int{}
	for _, b := range briefs {
		s := state(b)
		s.SentToday += kept[b.Manager]
		d := t.ShouldBrief(s, now)
		if !d.Send {
			held[b.Key()] = d
			continue
		}
		kept[b.Manager]++
		send = append(send, b)
	}
	return send, held
}
