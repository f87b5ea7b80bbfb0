package coach

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Coaching nudges (product.md, "Coaching nudges"): a direct message to a
// rep's manager when a rep's numbers or deals call for a coaching
// conversation. The rules here are plain functions over values:
//
//   - NudgeCandidates says which nudges hold for a team right now, each with
//     its numbers against the team's, the deals it is about and the questions
//     a manager can take into the conversation;
//   - ShouldNudge is the decision for one nudge: send it now, or why not (and
//     when to look again);
//   - PickNudges orders a day's candidates, most important first, and keeps
//     what ShouldNudge allows within the daily limit.
//
// Noise is the enemy: a manager mutes a bot that mostly says things not
// worth acting on. So a rate needs a sample before it is a verdict, the same
// nudge is not repeated within NudgeRepeat, a manager gets at most
// MaxNudgesPerDay, a deal gets one nudge saying everything wrong with it
// rather than one per flag, and nothing goes out on a holiday, while the
// manager is away or outside their working hours.

// NudgeKind is what a nudge is about.
type NudgeKind string

// The kinds of nudge, most important first. Importance is the kind's base;
// the deal kinds add 0–9 for the deal's amount (its decile among the team's
// open opportunities in that currency), so a big stalled deal comes before a
// small one, but never before a rep-level pattern.
const (
	// NudgeLowConversion (90): the rep's first meetings rarely lead to a
	// second. It is the root of everything downstream, so it comes first.
	NudgeLowConversion NudgeKind = "low_conversion"
	// NudgePadded (80): coverage far above what is needed with a low win
	// rate: the pipeline holds placeholders, and the forecast with it.
	NudgePadded NudgeKind = "padded"
	// NudgeSlowLosses (70): the rep loses, but late.
	NudgeSlowLosses NudgeKind = "slow_losses"
	// NudgeStalled (60+): an open opportunity without activity for
	// StalledAfter. A deal that has not moved needs a decision before it
	// needs a framework, so it comes before late qualification.
	NudgeStalled NudgeKind = "stalled"
	// NudgeLateQualification (50+): an opportunity older than
	// LateQualificationDays with less than LateQualificationPart of the
	// framework answered.
	NudgeLateQualification NudgeKind = "late_qualification"
	// NudgeAged (40+): an open opportunity older than the team's average won
	// cycle.
	NudgeAged NudgeKind = "aged"
	// NudgePraise (30): a fast loss in the last working day (Monday looks
	// back to Friday), or a conversion that rose by ten points or more. One
	// per rep, so its Subject is the rep. It comes after every problem; see PickNudges for how it still
	// gets through.
	NudgePraise NudgeKind = "praise"
)

var nudgeBase = map[NudgeKind]int{
	NudgeLowConversion:     90,
	NudgePadded:            80,
	NudgeSlowLosses:        70,
	NudgeStalled:           60,
	NudgeLateQualification: 50,
	NudgeAged:              40,
	NudgePraise:            30,
}

// Problem reports whether the kind is something to fix (every kind but
// praise).
func (k NudgeKind) Problem() bool { return k != NudgePraise }

// DealNudge reports whether the kind is about one deal (its Subject is the
// prospect id) rather than a rep's pattern (Subject is the rep).
func (k NudgeKind) DealNudge() bool {
	return k == NudgeStalled || k == NudgeLateQualification || k == NudgeAged
}

// MaxNudgeDeals is the most deals a nudge lists; MoreDeals counts the rest.
const MaxNudgeDeals = 5

// minLossesForMedian is the fewest losses a median time to lose needs before
// it is a verdict: MinSample, and never fewer than this, since the "median"
// of one or two losses is just those deals.
const minLossesForMedian = 3

// conversionGain is how much conversion must rise (this window against the
// one before, of equal length) to be praised: 10 percentage points.
const conversionGain = 0.10

// Nudge is one coaching nudge to a manager: why (the numbers against the
// team's), what to do (Questions), and the deals it is about.
type Nudge struct {
	Kind      NudgeKind
	Workspace string
	Manager   string
	Rep       string
	// Subject is what the nudge is about: the rep for a rep's pattern (low
	// conversion, slow losses, padded, praise), the prospect id for a deal
	// (stalled, late qualification, aged).
	Subject string
	// Importance orders a day's nudges, higher first (see NudgeKind).
	Importance int

	// Why is one line of the numbers, against the team's, ready to show.
	Why string

	// RepRate and TeamRate: first→second conversion over the conversion
	// window (low conversion, praise), or win rate (padded).
	RepRate, TeamRate Rate
	// PreviousRate is the rep's conversion over the window of equal length
	// before (praise and low conversion, when known).
	PreviousRate Rate
	// Improved: praise for a conversion that rose by ten points or more.
	Improved bool
	// Sample is how many items the rep's number rests on: resolved first
	// meetings, losses, or closed opportunities.
	Sample int
	// RepMedian and TeamMedian are median days to lose (slow losses; the
	// team's is 0 with HasTeamMedian false when the team has no loss).
	RepMedian, TeamMedian float64
	HasTeamMedian         bool
	// Coverage is open opportunity amount over remaining quota (padded), in
	// Currency.
	Coverage float64
	Currency string

	// Deal nudges: every flag that holds for the deal, whatever the kind,
	// and the days behind them.
	Stalled, Aged, LateQualification bool
	DaysStalled                      int // days on the stalled clock
	DaysOpen                         int // days since the first meeting
	DaysAsOpportunity                int // days since the second meeting was confirmed
	CycleDays                        int // the team's average won cycle
	// Framework is the team framework's title; Part the part of it the deal
	// has answered; Missing the items unanswered, each with the question
	// that uncovers it (set when LateQualification holds).
	Framework string
	Part      float64
	Missing   []FrameworkItem

	// Deals are the deals the nudge is about, at most MaxNudgeDeals: the
	// recent first meetings that led nowhere (low conversion), the slowest
	// losses (slow losses), the deals lacking a next step or second meeting
	// (padded), the deal itself (deal nudges), the fast losses (praise),
	// or for praise of a rise alone the first meetings that led to a second.
	Deals     []Prospect
	MoreDeals int // how many more there were than listed

	// Questions are two or three coaching questions for this situation.
	Questions []string
}

// Key is the nudge's key in the nudge log, "<workspace>/<manager>/<kind>/<subject>":
// the same nudge is not sent twice within NudgeRepeat.
func (n Nudge) Key() string {
	return n.Workspace + "/" + n.Manager + "/" + string(n.Kind) + "/" + n.Subject
}

// amount is the amount of a deal nudge's deal, to order equal nudges.
func (n Nudge) amount() int64 {
	if !n.Kind.DealNudge() || len(n.Deals) == 0 {
		return 0
	}
	return n.Deals[0].Amount
}

// compareNudges orders nudges most important first; ties by the bigger
// deal (deal nudges), then by key, so the order is the same on every replica.
func compareNudges(a, b Nudge) int {
	return cmp.Or(cmp.Compare(b.Importance, a.Importance), cmp.Compare(b.amount(), a.amount()),
		strings.Compare(a.Workspace, b.Workspace), strings.Compare(a.Manager, b.Manager),
		strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Subject, b.Subject))
}

// NudgeCandidates evaluates a team's reps and open deals and returns every
// nudge whose condition holds at now, most important first. ps are the
// team's prospects (others are ignored), of all time: the average won cycle
// behind Aged is read from them. fw is the team's framework.
//
// Rates look over the conversion window ending now; a rate or median is a
// verdict only on MinSample items (at least minLossesForMedian losses for a
// median). A deal waiting on something the rep recorded (WaitingUntil ahead)
// gets no nudge until the wait is over. The work is linear in len(ps).
func (t Thresholds) NudgeCandidates(team Team, fw Framework, ps []Prospect, now time.Time) []Nudge {
	// Group by rep in two passes, so each rep's slice is allocated once.
	counts := make(map[string]int, len(team.Reps))
	var reps []string
	for _, rep := range team.Reps {
		if _, dup := counts[rep]; rep != "" && !dup {
			counts[rep] = 0
			reps = append(reps, rep)
		}
	}
	ours := func(p Prospect) bool {
		_, ok := counts[p.Owner]
		return ok && (team.Workspace == "" || p.Workspace == team.Workspace)
	}
	total := 0
	for _, p := range ps {
		if ours(p) {
			counts[p.Owner]++
			total++
		}
	}
	all := make([]Prospect, 0, total)
	byRep := make(map[string][]Prospect, len(reps))
	for _, rep := range reps {
		byRep[rep] = make([]Prospect, 0, counts[rep])
	}
	for _, p := range ps {
		if ours(p) {
			byRep[p.Owner] = append(byRep[p.Owner], p)
			all = append(all, p)
		}
	}

	e := nudgeEval{
		t: t, team: team, fw: fw, now: now,
		window: t.ConversionPeriod(now),
		cycle:  t.AverageWonCycle(all),
		ranks:  amountRanks(all),
	}
	e.previous = Window{From: e.window.From.Add(-t.ConversionWindow), To: e.window.From}
	e.teamConversion = Conversion(all, e.window)
	e.teamWinRate = WinRate(all, e.window)
	e.teamMedian, e.hasTeamMedian = Median(DaysToLose(all, e.window))
	local := now.In(team.Location())
	e.local, e.quarter = local, QuarterOf(local)

	var out []Nudge
	for _, rep := range reps {
		out = e.rep(out, rep, byRep[rep])
	}
	slices.SortFunc(out, compareNudges)
	return out
}

// nudgeEval holds what every rep's evaluation shares: the team's numbers.
type nudgeEval struct {
	t                Thresholds
	team             Team
	fw               Framework
	now, local       time.Time
	window, previous Window
	quarter          Period
	cycle            time.Duration
	ranks            map[string][]int64 // open opportunity amounts by currency, ascending

	teamConversion, teamWinRate Rate
	teamMedian                  float64
	hasTeamMedian               bool
}

func (e *nudgeEval) nudge(kind NudgeKind, rep, subject string) Nudge {
	return Nudge{Kind: kind, Workspace: e.team.Workspace, Manager: e.team.Manager, Rep: rep, Subject: subject, Importance: nudgeBase[kind]}
}

// rep appends the nudges that hold for one rep and their deals.
func (e *nudgeEval) rep(out []Nudge, rep string, mine []Prospect) []Nudge {
	t := e.t
	conversion := Conversion(mine, e.window)
	previous := Conversion(mine, e.previous)
	low := conversion.Known(t.MinSample) && conversion.Value() < t.LowConversion
	if low {
		n := e.nudge(NudgeLowConversion, rep, rep)
		n.RepRate, n.TeamRate, n.Sample = conversion, e.teamConversion, conversion.Den
		if previous.Known(t.MinSample) {
			n.PreviousRate = previous
		}
		n.Deals, n.MoreDeals = nudgeFirstN(e.ledNowhere(mine), MaxNudgeDeals)
		n.Why = fmt.Sprintf("First→second conversion %s over the last %d days; the team's is %s. Below %s, most first meetings give the buyer no reason to meet again.",
			conversion, nudgeDays(t.ConversionWindow), e.teamConversion, nudgePct(t.LowConversion))
		n.Questions = lowConversionQuestions(conversion)
		out = append(out, n)
	}

	if n, ok := e.padded(rep, mine); ok {
		out = append(out, n)
	}

	losses := DaysToLose(mine, e.window)
	if median, ok := Median(losses); ok && len(losses) >= max(t.MinSample, minLossesForMedian) && median > t.SlowLossDays {
		n := e.nudge(NudgeSlowLosses, rep, rep)
		n.RepMedian, n.Sample = median, len(losses)
		n.TeamMedian, n.HasTeamMedian = e.teamMedian, e.hasTeamMedian
		slow := e.slowLosses(mine)
		n.Deals, n.MoreDeals = nudgeFirstN(slow, MaxNudgeDeals)
		team := "the team has no loss to compare with"
		if e.hasTeamMedian {
			team = fmt.Sprintf("the team's is %s", nudgeDayCount(e.teamMedian))
		}
		n.Why = fmt.Sprintf("Median time to lose %s over %d losses in the last %d days; %s. Above %s, losses are found late, after the time is spent.",
			nudgeDayCount(median), len(losses), nudgeDays(t.ConversionWindow), team, nudgeDayCount(t.SlowLossDays))
		slowest := median
		if len(slow) > 0 {
			d, _ := MilestonesOf(slow[0]).TimeToLose()
			slowest = d.Hours() / 24
		}
		n.Questions = slowLossQuestions(slowest)
		out = append(out, n)
	}

	for _, p := range mine {
		if n, ok := e.deal(rep, p); ok {
			out = append(out, n)
		}
	}

	if n, ok := e.praise(rep, mine, conversion, previous, low); ok {
		out = append(out, n)
	}
	return out
}

// ledNowhere are the rep's first meetings resolved in the window without a
// second meeting, newest first.
func (e *nudgeEval) ledNowhere(mine []Prospect) []Prospect {
	var out []Prospect
	for _, p := range mine {
		at, converted, ok := MilestonesOf(p).Resolved()
		if ok && !converted && e.window.Contains(at) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Prospect) int {
		return cmp.Or(b.FirstMeeting.Compare(a.FirstMeeting), strings.Compare(a.ID, b.ID))
	})
	return out
}

// converted are the rep's first meetings that led to a second one within
// the window, newest first.
func (e *nudgeEval) converted(mine []Prospect) []Prospect {
	var out []Prospect
	for _, p := range mine {
		at, converted, ok := MilestonesOf(p).Resolved()
		if ok && converted && e.window.Contains(at) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Prospect) int {
		return cmp.Or(b.FirstMeeting.Compare(a.FirstMeeting), strings.Compare(a.ID, b.ID))
	})
	return out
}

// slowLosses are the rep's losses in the window slower than SlowLossDays,
// slowest first.
func (e *nudgeEval) slowLosses(mine []Prospect) []Prospect {
	type loss struct {
		p Prospect
		d time.Duration
	}
	var slow []loss
	for _, p := range mine {
		m := MilestonesOf(p)
		if d, ok := m.TimeToLose(); ok && e.window.Contains(m.Lost) && d.Hours()/24 > e.t.SlowLossDays {
			slow = append(slow, loss{p, d})
		}
	}
	slices.SortFunc(slow, func(a, b loss) int { return cmp.Or(cmp.Compare(b.d, a.d), strings.Compare(a.p.ID, b.p.ID)) })
	out := make([]Prospect, len(slow))
	for i, l := range slow {
		out[i] = l.p
	}
	return out
}

// padded is the padded-pipeline nudge: coverage of the rep's current-quarter
// quota (as the digest reads it) above PaddedCoverage with a known win rate
// below PaddedWinRate.
func (e *nudgeEval) padded(rep string, mine []Prospect) (Nudge, bool) {
	t := e.t
	q, ok := e.team.Quotas[rep]
	if !ok || q.Amount <= 0 {
		return Nudge{}, false
	}
	if p, err := ParseQuarter(q.Period, e.local); err != nil || p.Name != e.quarter.Name {
		return Nudge{}, false
	}
	win := WinRate(mine, e.window)
	if !win.Known(t.MinSample) || win.Value() >= t.PaddedWinRate {
		return Nudge{}, false
	}
	var open int64
	var thin []Prospect
	for _, p := range mine {
		if p.State != Opportunity {
			continue
		}
		if p.Amount > 0 && p.Currency == q.Currency {
			open += p.Amount
		}
		if p.SecondMeeting.IsZero() || strings.TrimSpace(p.NextStep) == "" {
			thin = append(thin, p)
		}
	}
	coverage, ok := Coverage(open, RemainingQuota(q, mine, e.quarter))
	if !ok || coverage <= t.PaddedCoverage {
		return Nudge{}, false
	}
	n := e.nudge(NudgePadded, rep, rep)
	n.RepRate, n.TeamRate, n.Sample = win, e.teamWinRate, win.Den
	n.Coverage, n.Currency = coverage, q.Currency
	slices.SortFunc(thin, func(a, b Prospect) int { return cmp.Or(cmp.Compare(b.Amount, a.Amount), strings.Compare(a.ID, b.ID)) })
	n.Deals, n.MoreDeals = nudgeFirstN(thin, MaxNudgeDeals)
	n.Why = fmt.Sprintf("Coverage %.1f× the remaining quota with a win rate of %s; the team's win rate is %s. Above %.0f× with a win rate under %s, more deals stand in for winning them; %d lack a next step or second meeting.",
		coverage, win, e.teamWinRate, t.PaddedCoverage, nudgePct(t.PaddedWinRate), len(thin))
	n.Questions = paddedQuestions(coverage, win, len(thin))
	return n, true
}

// deal is the one nudge for an open opportunity, of the most important kind
// that holds (stalled, late qualification, aged), carrying every flag. A
// deal in a recorded wait gets none.
func (e *nudgeEval) deal(rep string, p Prospect) (Nudge, bool) {
	t := e.t
	if p.State != Opportunity || p.WaitingUntil.After(e.now) {
		return Nudge{}, false
	}
	since := MilestonesOf(p).Opportunity
	if since.IsZero() {
		since = p.CreatedAt
	}
	n := Nudge{
		Stalled:           t.Stalled(p, e.now),
		Aged:              Aged(p, e.now, e.cycle),
		DaysStalled:       t.DaysSinceActivity(p, e.now),
		DaysOpen:          DaysBetween(p.FirstMeeting, e.now),
		DaysAsOpportunity: DaysBetween(since, e.now),
		CycleDays:         nudgeDays(e.cycle),
	}
	if len(e.fw.Items) > 0 {
		n.Framework = cmp.Or(e.fw.Title, e.fw.Name)
		n.Part = e.fw.Part(p.Qualification)
		n.LateQualification = n.DaysAsOpportunity > t.LateQualificationDays && n.Part < t.LateQualificationPart
		if n.LateQualification {
			n.Missing = e.fw.Missing(p.Qualification)
		}
	}
	var kind NudgeKind
	switch {
	case n.Stalled:
		kind = NudgeStalled
	case n.LateQualification:
		kind = NudgeLateQualification
	case n.Aged:
		kind = NudgeAged
	default:
		return Nudge{}, false
	}
	n.Kind, n.Workspace, n.Manager, n.Rep, n.Subject = kind, e.team.Workspace, e.team.Manager, rep, p.ID
	n.Importance = nudgeBase[kind] + e.amountBonus(p)
	n.Deals = []Prospect{p}
	n.Why = dealWhy(n, p, t)
	n.Questions = dealQuestions(n)
	return n, true
}

// praise is the one praise for a rep: their fast losses in the last
// (working) day, and a conversion that rose by conversionGain or more (both
// windows known). A rise still under LowConversion is not praised while it is
// flagged as low.
func (e *nudgeEval) praise(rep string, mine []Prospect, conversion, previous Rate, low bool) (Nudge, bool) {
	t := e.t
	day := e.lastWorkingDay()
	var fast []Prospect
	for _, p := range mine {
		if day.Contains(MilestonesOf(p).Lost) && t.LostFast(p) {
			fast = append(fast, p)
		}
	}
	improved := !low && conversion.Known(t.MinSample) && previous.Known(t.MinSample) &&
		conversion.Value()-previous.Value() >= conversionGain-1e-9
	if len(fast) == 0 && !improved {
		return Nudge{}, false
	}
	n := e.nudge(NudgePraise, rep, rep)
	n.RepRate, n.PreviousRate, n.TeamRate, n.Improved = conversion, previous, e.teamConversion, improved
	if improved {
		n.Sample = conversion.Den
	}
	slices.SortFunc(fast, func(a, b Prospect) int {
		return cmp.Or(cmp.Compare(nudgeDaysToLose(a), nudgeDaysToLose(b)), strings.Compare(a.ID, b.ID))
	})
	n.Deals, n.MoreDeals = nudgeFirstN(fast, MaxNudgeDeals)
	if len(fast) == 0 {
		n.Deals, n.MoreDeals = nudgeFirstN(e.converted(mine), MaxNudgeDeals)
	}
	var why []string
	if len(fast) > 0 {
		why = append(why, fmt.Sprintf("%s lost fast: %s from first meeting to an honest no (fast is %d days or less).",
			nudgePlural(len(fast), "deal", "deals"), nudgeDayCount(float64(nudgeDaysToLose(fast[0]))), t.FastLossDays))
	}
	if improved {
		why = append(why, fmt.Sprintf("First→second conversion rose to %s from %s the %d days before; the team's is %s.",
			conversion, previous, nudgeDays(t.ConversionWindow), e.teamConversion))
	}
	n.Why = strings.Join(why, " ")
	n.Questions = praiseQuestions(len(fast) > 0, improved, conversion, previous)
	return n, true
}

// lastWorkingDay is the last day up to now, stretched back over the days
// off before it (default working days, in the team's zone), so Monday's
// evaluation still sees Friday afternoon's fast loss.
func (e *nudgeEval) lastWorkingDay() Window {
	from := e.now.Add(-fullDay)
	loc := e.team.Location()
	for range 6 {
		if DefaultWorkingHours.isWorkingDay(from.In(loc)) {
			break
		}
		from = from.Add(-fullDay)
	}
	return Window{From: from, To: e.now.Add(time.Nanosecond)}
}

// amountRanks lists the team's open opportunity amounts by currency,
// ascending, for amountBonus.
func amountRanks(all []Prospect) map[string][]int64 {
	ranks := map[string][]int64{}
	for _, p := range all {
		if p.State == Opportunity && p.Amount > 0 {
			ranks[p.Currency] = append(ranks[p.Currency], p.Amount)
		}
	}
	for _, amounts := range ranks {
		slices.Sort(amounts)
	}
	return ranks
}

// amountBonus is 0–9: the decile of the deal's amount among the team's open
// opportunities in its currency; 0 for a deal without an amount.
func (e *nudgeEval) amountBonus(p Prospect) int {
	amounts := e.ranks[p.Currency]
	if p.Amount <= 0 || len(amounts) == 0 {
		return 0
	}
	below, _ := slices.BinarySearch(amounts, p.Amount)
	return 10 * below / len(amounts)
}

func nudgeDaysToLose(p Prospect) int {
	m := MilestonesOf(p)
	return DaysBetween(m.FirstMeeting, m.Lost)
}

func nudgeFirstN(ps []Prospect, n int) ([]Prospect, int) {
	if len(ps) <= n {
		return ps, 0
	}
	return ps[:n:n], len(ps) - n
}

// NudgeReason is why a nudge goes now, or why it waits.
type NudgeReason string

// The reasons ShouldNudge gives. Every one but SendNudge holds the nudge.
const (
	SendNudge NudgeReason = "send"
	// HeldSampleTooSmall: the number rests on too few items to be a verdict.
	HeldSampleTooSmall NudgeReason = "sample_too_small"
	// HeldDiscussed: the manager marked it discussed, within DiscussedQuiet.
	HeldDiscussed NudgeReason = "discussed"
	// HeldSnoozed: the manager snoozed it.
	HeldSnoozed NudgeReason = "snoozed"
	// HeldTooSoon: the same nudge went out within NudgeRepeat.
	HeldTooSoon NudgeReason = "repeat_too_soon"
	// HeldHoliday: today is one of the team's holidays where the manager is.
	HeldHoliday NudgeReason = "holiday"
	// HeldManagerAway: the manager's Slack status says vacation or out of
	// office, or Do Not Disturb is on.
	HeldManagerAway NudgeReason = "manager_away"
	// HeldOutsideHours: outside the manager's working hours.
	HeldOutsideHours NudgeReason = "outside_working_hours"
	// HeldDailyLimit: the manager already had MaxNudgesPerDay today.
	HeldDailyLimit NudgeReason = "daily_limit"
)

// String is the reason as a sentence for logs.
func (r NudgeReason) String() string {
	switch r {
	case SendNudge:
		return "send now"
	case HeldSampleTooSmall:
		return "held: too few meetings or deals to draw a verdict from"
	case HeldDiscussed:
		return "held: the manager marked it discussed recently"
	case HeldSnoozed:
		return "held: the manager snoozed it"
	case HeldTooSoon:
		return "held: the same nudge went out less than a week ago"
	case HeldHoliday:
		return "held: it is a holiday for the team"
	case HeldManagerAway:
		return "held: the manager is away, out of office or in Do Not Disturb"
	case HeldOutsideHours:
		return "held: outside the manager's working hours"
	case HeldDailyLimit:
		return "held: the manager has had today's nudges"
	}
	return string(r)
}

// NudgeDecision is ShouldNudge's answer. Retry, for a nudge held by
// something that ends, is when it may go: look again then (zero: at the next
// daily evaluation, or never if the condition does not hold then).
type NudgeDecision struct {
	Send   bool
	Reason NudgeReason
	Retry  time.Time
}

// DiscussedQuiet is how long a nudge the manager marked "Discussed" stays
// quiet: the rep needs time to change before the numbers can show it.
func (t Thresholds) DiscussedQuiet() time.Duration { return 2 * t.NudgeRepeat }

// NudgeState is what ShouldNudge needs to know beyond the nudge: its record
// in the nudge log, and the manager's day.
type NudgeState struct {
	// This nudge (by Key) in the nudge log; zero for never.
	LastSent     time.Time // when it last went out
	SnoozedUntil time.Time // "Snooze a week" pressed: held until then
	Discussed    time.Time // "Discussed" pressed: held for DiscussedQuiet

	// The manager.
	SentToday  int          // nudges sent to them since their local midnight
	LastPraise time.Time    // the last praise they got, any subject (PickNudges)
	TZ         string       // their Slack zone; "" is UTC
	Hours      WorkingHours // their working hours; zero is DefaultWorkingHours
	Holidays   []string     // the team's configured holidays, "2006-01-02", read in TZ
	// Away: their Slack status says vacation or out of office, or Do Not
	// Disturb is on. AwayUntil is when that ends (zero if unknown); a time
	// ahead counts as away even without Away.
	Away      bool
	AwayUntil time.Time
}

func (s NudgeState) hours() WorkingHours {
	if s.Hours.Days == [7]bool{} {
		return DefaultWorkingHours
	}
	return s.Hours
}

// nextOpen is the first moment at or after t within working hours and not
// on a holiday.
func (s NudgeState) nextOpen(t time.Time) time.Time {
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

// ShouldNudge decides whether n goes to its manager now, and why (or why
// not). It is pure: the nudge log and the manager's day come in s. Checks in
// order: the nudge's own sample; the manager's answers and the log (discussed,
// snoozed, sent within NudgeRepeat); the manager's day (holiday, away,
// outside working hours); the daily limit. MaxNudgesPerDay 0 sends nothing.
func (t Thresholds) ShouldNudge(n Nudge, s NudgeState, now time.Time) NudgeDecision {
	hold := func(r NudgeReason, retry time.Time) NudgeDecision {
		return NudgeDecision{Reason: r, Retry: retry}
	}
	if !t.enoughSample(n) {
		return hold(HeldSampleTooSmall, time.Time{})
	}
	if !s.Discussed.IsZero() && now.Before(s.Discussed.Add(t.DiscussedQuiet())) {
		return hold(HeldDiscussed, s.Discussed.Add(t.DiscussedQuiet()))
	}
	if now.Before(s.SnoozedUntil) {
		return hold(HeldSnoozed, s.SnoozedUntil)
	}
	if !s.LastSent.IsZero() && now.Sub(s.LastSent) < t.NudgeRepeat {
		return hold(HeldTooSoon, s.LastSent.Add(t.NudgeRepeat))
	}
	local := now.In(loadLocation(s.TZ))
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
	return NudgeDecision{Send: true, Reason: SendNudge}
}

// enoughSample reports whether the numbers behind n are a verdict: the rates
// need MinSample items, a median of time to lose at least
// minLossesForMedian. Deal nudges and praise for fast losses rest on no rate.
func (t Thresholds) enoughSample(n Nudge) bool {
	switch n.Kind {
	case NudgeLowConversion, NudgePadded:
		return n.RepRate.Known(t.MinSample)
	case NudgeSlowLosses:
		return n.Sample > 0 && n.Sample >= max(t.MinSample, minLossesForMedian)
	case NudgePraise:
		return !n.Improved || n.RepRate.Known(t.MinSample) && n.PreviousRate.Known(t.MinSample)
	}
	return true
}

// PickNudges orders the candidates most important first (as
// NudgeCandidates does) and keeps those ShouldNudge allows, counting the
// nudges it keeps against each manager's daily limit (state's SentToday plus
// those kept before). It returns what to send, in order, and every candidate
// held, by Key, with the decision. state is asked once per candidate.
//
// Praise never crowds out a problem, with one exception so it is not starved
// forever: when a manager has had no praise for NudgeRepeat (LastPraise) and
// at least two of today's slots are left, their best praise keeps the last
// slot. Problems keep until tomorrow; today's fast loss does not.
func (t Thresholds) PickNudges(cands []Nudge, state func(Nudge) NudgeState, now time.Time) (send []Nudge, held map[string]NudgeDecision) {
	sorted := slices.Clone(cands)
	slices.SortStableFunc(sorted, compareNudges)
	states := make([]NudgeState, len(sorted))
	for i, n := range sorted {
		states[i] = state(n)
	}
	held = map[string]NudgeDecision{}

	// The praise that keeps a slot, by manager.
	reserved := map[string]string{}
	for i, n := range sorted {
		s := states[i]
		if n.Kind.Problem() || reserved[n.Manager] != "" || t.MaxNudgesPerDay-s.SentToday < 2 {
			continue
		}
		if !s.LastPraise.IsZero() && now.Sub(s.LastPraise) < t.NudgeRepeat {
			continue
		}
		if t.ShouldNudge(n, s, now).Send {
			reserved[n.Manager] = n.Key()
		}
	}

	seen := map[string]bool{}
	kept := map[string]int{}
	for i, n := range sorted {
		key := n.Key()
		if seen[key] {
			continue
		}
		seen[key] = true
		s := states[i]
		s.SentToday += kept[n.Manager]
		if r := reserved[n.Manager]; r != "" && r != key {
			s.SentToday++ // the reserved praise's slot
		}
		d := t.ShouldNudge(n, s, now)
		if !d.Send {
			held[key] = d
			continue
		}
		if reserved[n.Manager] == key {
			delete(reserved, n.Manager)
		}
		kept[n.Manager]++
		send = append(send, n)
	}
	return send, held
}

// The questions: what a manager can ask in the coaching conversation, so
// they coach how to sell and not only what to do. Each kind has its own,
// with the rep's numbers where they help.

func lowConversionQuestions(r Rate) []string {
	return []string{
		fmt.Sprintf("%d of the last %d first meetings led to no second one. Pick one together: what did the buyer learn in that hour that they did not know before?",
			r.Den-r.Num, r.Den),
		"How does the first meeting open: how much is about the buyer's world, and how much about our product? Rehearse the first ten minutes as a role play.",
		"What reason to meet again does the rep offer at the end, something the buyer would want for themselves, with a date?",
	}
}

func slowLossQuestions(slowest float64) []string {
	return []string{
		fmt.Sprintf("The slowest loss here took %s. Looking back, when did the first sign of a poor fit show, and what stopped the rep saying so then?", nudgeDayCount(slowest)),
		"Does the rep name fit concerns out loud early, \"here is where we may not be right for you, can we test that first?\" Rehearse that sentence before the next meeting.",
		"When does the price range come up? What would change if the buyer heard it by the second meeting?",
	}
}

func paddedQuestions(coverage float64, win Rate, thin int) []string {
	qs := []string{
		fmt.Sprintf("With %.1f× coverage and a %s win rate: which deals would the rep bet on closing this quarter, and what makes those different?", coverage, nudgePct(win.Value())),
	}
	if thin > 0 {
		qs = append(qs, fmt.Sprintf("For the %s without a next step or second meeting: what would make each real this week, or is it a placeholder to remove?", nudgePlural(thin, "deal", "deals")))
	}
	qs = append(qs, "If the pipeline held only deals the rep expects to win, where would the time saved go?")
	return qs
}

func dealQuestions(n Nudge) []string {
	switch n.Kind {
	case NudgeStalled:
		return []string{
			fmt.Sprintf("Nothing has moved in %s. What did the buyer last agree to do, and when?", nudgeDayCount(float64(n.DaysStalled))),
			"Move it or lose it: what one step this week would show the deal is alive, and will the rep close it as lost if that step fails?",
			"Knowing what they know now, would the rep open this deal today, or is the time already spent what keeps it open?",
		}
	case NudgeLateQualification:
		first := "the first missing item"
		if len(n.Missing) > 0 {
			first = strings.ToLower(n.Missing[0].Name)
		}
		return []string{
			fmt.Sprintf("An opportunity for %s with %.0f%% of %s answered: which gap worries the rep most, and in which meeting will they ask?", nudgeDayCount(float64(n.DaysAsOpportunity)), 100*n.Part, n.Framework),
			fmt.Sprintf("Rehearse the question about %s together: how would the rep ask it naturally, in their own words?", first),
			"If the answers turn out badly, would the rep rather learn it this week or at the forecast call?",
		}
	}
	return []string{
		fmt.Sprintf("Open %s against a won cycle of %s: what makes this deal different from the ones that closed sooner?", nudgeDayCount(float64(n.DaysOpen)), nudgeDayCount(float64(n.CycleDays))),
		"Who on the buyer's side has committed to change, and to what date?",
		"If it were lost today, what would the lesson be, and can the rep test that now instead of later?",
	}
}

func praiseQuestions(fast, improved bool, now, before Rate) []string {
	var qs []string
	if fast {
		qs = append(qs,
			"What did the rep notice early that let them end it fast, and how could the others spot it?",
			"Thank them for the honest no in front of the team: would they share the lesson at the next team meeting?")
	}
	if improved {
		qs = append(qs, fmt.Sprintf("Conversion went from %s to %s: what does the rep do differently in first meetings now, so they keep doing it?", nudgePct(before.Value()), nudgePct(now.Value())))
	}
	if len(qs) < 2 {
		qs = append(qs, "Which part of this could the rest of the team try next week?")
	}
	return qs
}

func dealWhy(n Nudge, p Prospect, t Thresholds) string {
	var parts []string
	if n.Stalled {
		parts = append(parts, fmt.Sprintf("no activity for %s (stalled after %s)", nudgeDayCount(float64(n.DaysStalled)), nudgeDayCount(t.StalledAfter.Hours()/24)))
	}
	if n.LateQualification {
		parts = append(parts, fmt.Sprintf("an opportunity for %s with %.0f%% of %s answered (%d missing)", nudgeDayCount(float64(n.DaysAsOpportunity)), 100*n.Part, n.Framework, len(n.Missing)))
	}
	if n.Aged {
		parts = append(parts, fmt.Sprintf("open %s since the first meeting, past the team's won cycle of %s", nudgeDayCount(float64(n.DaysOpen)), nudgeDayCount(float64(n.CycleDays))))
	}
	if p.NextStep == "" {
		parts = append(parts, "no next step recorded")
	}
	return p.Account + ": " + strings.Join(parts, "; ") + "."
}

func nudgeDays(d time.Duration) int { return int(math.Round(d.Hours() / 24)) }

func nudgePct(x float64) string { return fmt.Sprintf("%d%%", int(math.Round(100*x))) }

func nudgeDayCount(d float64) string {
	n := int(math.Round(d))
	return nudgePlural(n, "day", "days")
}

func nudgePlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
