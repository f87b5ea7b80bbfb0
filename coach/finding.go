package coach

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Coaching findings: what, in a rep's numbers or deals, calls for a coaching
// conversation with their manager. The rules here are plain functions over
// values and hold no words; bot/render says them.
//
//   - Findings says which findings hold for a team right now, each
//     with its numbers against the team's and the deals that show it;
//   - Briefs (brief.go) gathers a rep's findings into one coaching brief,
//     and PickBriefs decides which briefs go to a manager today.
//
// Noise is the enemy: a manager mutes a bot that mostly says things not
// worth acting on. So a finding is a verdict on evidence (evidence.go), a
// deal has one finding saying everything wrong with it, and a manager hears
// about a rep at most once a week.

// FindingKind is what a finding is about.
type FindingKind string

// The kinds of finding, most important first. Importance is the kind's
// base; the deal kinds add 0–9 for the deal's amount (its decile among the
// team's open opportunities in that currency), so a big stalled deal comes
// before a small one, but never before a rep-level pattern.
const (
	// FindingLowConversion (90): the rep's first meetings rarely lead to a
	// second. It is the root of everything downstream, so it comes first.
	FindingLowConversion FindingKind = "low_conversion"
	// FindingPadded (80): coverage far above what is needed with a low win
	// rate: the pipeline holds deals nobody expects to close, and the
	// forecast with it.
	FindingPadded FindingKind = "padded"
	// FindingSlowLosses (70): the rep loses, but late.
	FindingSlowLosses FindingKind = "slow_losses"
	// FindingStalled (60+): an open opportunity without activity for
	// StalledAfter. A deal that has not moved needs a decision before it
	// needs a framework, so it comes before late qualification.
	FindingStalled FindingKind = "stalled"
	// FindingLateQualification (50+): an opportunity older than
	// LateQualificationDays with less than LateQualificationPart of the
	// framework answered.
	FindingLateQualification FindingKind = "late_qualification"
	// FindingAged (40+): an open opportunity older than the team's won cycle
	// with a margin (Aged).
	FindingAged FindingKind = "aged"
	// FindingPraise (30): a pattern worth praise: losing fast as a habit, or a
	// conversion that rose by ten points or more. Never a brief of its own.
	FindingPraise FindingKind = "praise"
)

var findingBase = map[FindingKind]int{
	FindingLowConversion:     90,
	FindingPadded:            80,
	FindingSlowLosses:        70,
	FindingStalled:           60,
	FindingLateQualification: 50,
	FindingAged:              40,
	FindingPraise:            30,
}

// Problem reports whether the kind is something to fix (every kind but
// praise).
func (k FindingKind) Problem() bool { return k != FindingPraise }

// AboutDeal reports whether the kind is about one deal (its Subject is the
// prospect id) rather than a rep's pattern (Subject is the rep).
func (k FindingKind) AboutDeal() bool {
	return k == FindingStalled || k == FindingLateQualification || k == FindingAged
}

// MaxFindingDeals is the most deals a finding lists; MoreDeals counts the
// rest.
const MaxFindingDeals = 5

// conversionGain is how much conversion must rise (this window against the
// one before, of equal length) to be praised: 10 percentage points, each
// window on twice MinSample first meetings, so the rise is not noise.
const conversionGain = 0.10

// Finding is one finding about a rep: what it is, the numbers against the
// team's and the lines they crossed, and the deals that show it.
type Finding struct {
	Kind      FindingKind
	Workspace string
	Manager   string
	Rep       string
	// Subject is what the finding is about: the rep for a rep's pattern
	// (low conversion, slow losses, padded, praise), the prospect id for a
	// deal (stalled, late qualification, aged).
	Subject string
	// Importance orders findings, higher first (see FindingKind).
	Importance int

	// WindowDays is how far back the rates and medians look.
	WindowDays int
	// Line is the threshold crossed: the conversion (low conversion), win
	// rate (padded) or median days to lose (slow losses) a verdict is drawn
	// against.
	Line float64

	// RepRate and TeamRate: first→second conversion over the window (low
	// conversion, praise), or win rate (padded).
	RepRate, TeamRate Rate
	// RepUpper is the highest rate the rep's sample is still compatible
	// with (WilsonUpper): below Line, it is why this is a verdict.
	RepUpper float64
	// PreviousRate is the rep's conversion over the window of equal length
	// before (praise and low conversion, when known).
	PreviousRate Rate
	// Improved: praise for a conversion that rose by ten points or more;
	// FastHabit: praise for losing fast as a habit.
	Improved, FastHabit bool
	// Sample is how many items the rep's number rests on: resolved first
	// meetings, losses, or closed opportunities.
	Sample int
	// RepMedian and TeamMedian are median days to lose (slow losses,
	// praise; the team's is 0 with HasTeamMedian false when the team has no
	// loss).
	RepMedian, TeamMedian float64
	HasTeamMedian         bool
	// Coverage is open opportunity amount over remaining quota (padded), in
	// Currency; Thin counts the open deals without a next step or second
	// meeting.
	Coverage float64
	Currency string
	Thin     int

	// Deal findings: every flag that holds for the deal, whatever the kind,
	// and the days behind them.
	Stalled, Aged, LateQualification bool
	DaysStalled                      int // days on the stalled clock
	StalledAfterDays                 int // the stalled line
	DaysOpen                         int // days open since the first meeting, recorded waits left out
	DaysWaited                       int // the recorded waits left out of DaysOpen
	DaysAsOpportunity                int // days since the second meeting was confirmed
	CycleDays                        int // the team's won cycle
	AgedAfterDays                    int // the aged line: the cycle with its margin
	CycleSet                         bool
	LateAfterDays                    int // the late-qualification line
	// Framework is the team framework's title; Part the part of it the deal
	// has answered; Missing the items unanswered, each with the question
	// that uncovers it (set when LateQualification holds).
	Framework string
	Part      float64
	Missing   []FrameworkItem

	// Deals are the deals the finding is about, at most MaxFindingDeals: the
	// recent first meetings that led nowhere (low conversion), the slowest
	// losses (slow losses), the deals lacking a next step or second meeting
	// (padded), the deal itself (deal findings), the fast losses (praise),
	// or for praise of a rise alone the first meetings that led to a second.
	Deals     []Prospect
	MoreDeals int // how many more there were than listed
}

// Key is the finding's key in the nudge log,
// "<workspace>/<manager>/<kind>/<subject>".
func (n Finding) Key() string {
	return n.Workspace + "/" + n.Manager + "/" + string(n.Kind) + "/" + n.Subject
}

// amount is the amount of a deal finding's deal, to order equal findings.
func (n Finding) amount() int64 {
	if !n.Kind.AboutDeal() || len(n.Deals) == 0 {
		return 0
	}
	return n.Deals[0].Amount
}

// compareFindings orders findings most important first; ties by the bigger
// deal (deal findings), then by key, so the order is the same on every
// replica.
func compareFindings(a, b Finding) int {
	return cmp.Or(cmp.Compare(b.Importance, a.Importance), cmp.Compare(b.amount(), a.amount()),
		strings.Compare(a.Workspace, b.Workspace), strings.Compare(a.Manager, b.Manager),
		strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.Subject, b.Subject))
}

// Findings evaluates a team's reps and open deals and returns every
// finding that holds at now, most important first. ps are the team's
// prospects (others are ignored), of all time: the won cycle behind Aged is
// read from them. fw is the team's framework.
//
// Rates look over the conversion window ending now and are judged on
// evidence (evidence.go). A deal waiting on something the rep recorded
// (WaitingUntil ahead) has no finding until the wait is over. The work is
// linear in len(ps).
func (t Thresholds) Findings(team Team, fw Framework, ps []Prospect, now time.Time) []Finding {
	reps, byRep, all := groupByRep(team, ps)
	e := findingEval{
		t: t, team: team, fw: fw, now: now,
		window: t.ConversionPeriod(now),
		cycle:  t.CycleOf(team, all, now),
		ranks:  amountRanks(all),
	}
	e.previous = Window{From: e.window.From.Add(-t.ConversionWindow), To: e.window.From}
	e.teamConversion = Conversion(all, e.window)
	e.teamWinRate = WinRate(all, e.window)
	e.teamMedian, e.hasTeamMedian = Median(DaysToLose(all, e.window))
	local := now.In(team.Location())
	e.local, e.quarter = local, QuarterOf(local)

	var out []Finding
	for _, rep := range reps {
		out = e.rep(out, rep, byRep[rep])
	}
	slices.SortFunc(out, compareFindings)
	return out
}

// groupByRep groups the team's prospects by rep, in two passes so each
// rep's slice is allocated once; reps are in the team's order.
func groupByRep(team Team, ps []Prospect) (reps []string, byRep map[string][]Prospect, all []Prospect) {
	counts := make(map[string]int, len(team.Reps))
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
	all = make([]Prospect, 0, total)
	byRep = make(map[string][]Prospect, len(reps))
	for _, rep := range reps {
		byRep[rep] = make([]Prospect, 0, counts[rep])
	}
	for _, p := range ps {
		if ours(p) {
			byRep[p.Owner] = append(byRep[p.Owner], p)
			all = append(all, p)
		}
	}
	return reps, byRep, all
}

// findingEval holds what every rep's evaluation shares: the team's numbers.
type findingEval struct {
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

func (e *findingEval) finding(kind FindingKind, rep, subject string) Finding {
	return Finding{Kind: kind, Workspace: e.team.Workspace, Manager: e.team.Manager, Rep: rep, Subject: subject,
		Importance: findingBase[kind], WindowDays: wholeDays(e.t.ConversionWindow)}
}

// rep appends the findings that hold for one rep and their deals.
func (e *findingEval) rep(out []Finding, rep string, mine []Prospect) []Finding {
	conversion := Conversion(mine, e.window)
	previous := Conversion(mine, e.previous)
	low := e.t.ClearlyBelow(conversion, resolvedSpan(mine, e.window), e.t.LowConversion)
	if low {
		out = append(out, e.lowConversion(rep, mine, conversion, previous))
	}
	if n, ok := e.padded(rep, mine); ok {
		out = append(out, n)
	}
	if n, ok := e.slowLosses(rep, mine); ok {
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

func (e *findingEval) lowConversion(rep string, mine []Prospect, conversion, previous Rate) Finding {
	n := e.finding(FindingLowConversion, rep, rep)
	n.RepRate, n.TeamRate, n.Sample = conversion, e.teamConversion, conversion.Den
	n.RepUpper, n.Line = WilsonUpper(conversion), e.t.LowConversion
	if previous.Known(e.t.MinSample) {
		n.PreviousRate = previous
	}
	n.Deals, n.MoreDeals = firstN(e.resolved(mine, false), MaxFindingDeals)
	return n
}

// resolved are the rep's first meetings resolved in the window that led to
// a second meeting (converted) or not, newest first.
func (e *findingEval) resolved(mine []Prospect, converted bool) []Prospect {
	var out []Prospect
	for _, p := range mine {
		at, conv, ok := MilestonesOf(p).Resolved()
		if ok && conv == converted && e.window.Contains(at) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Prospect) int {
		return cmp.Or(b.FirstMeeting.Compare(a.FirstMeeting), strings.Compare(a.ID, b.ID))
	})
	return out
}

// slowLosses is the slow-losses finding: a median time to lose above
// SlowLossDays over at least minLossesForMedian losses.
func (e *findingEval) slowLosses(rep string, mine []Prospect) (Finding, bool) {
	t := e.t
	losses := DaysToLose(mine, e.window)
	median, ok := Median(losses)
	if !ok || len(losses) < max(t.MinSample, minLossesForMedian) || median <= t.SlowLossDays {
		return Finding{}, false
	}
	n := e.finding(FindingSlowLosses, rep, rep)
	n.RepMedian, n.Sample, n.Line = median, len(losses), t.SlowLossDays
	n.TeamMedian, n.HasTeamMedian = e.teamMedian, e.hasTeamMedian
	var slow []Prospect
	for _, p := range mine {
		m := MilestonesOf(p)
		if d, ok := m.TimeToLose(); ok && e.window.Contains(m.Lost) && d.Hours()/24 > t.SlowLossDays {
			slow = append(slow, p)
		}
	}
	slices.SortFunc(slow, func(a, b Prospect) int { return compareLossDays(b, a) })
	n.Deals, n.MoreDeals = firstN(slow, MaxFindingDeals)
	return n, true
}

// compareLossDays orders losses by time to lose, shortest first, then id.
func compareLossDays(a, b Prospect) int {
	da, _ := MilestonesOf(a).TimeToLose()
	db, _ := MilestonesOf(b).TimeToLose()
	return cmp.Or(cmp.Compare(da, db), strings.Compare(a.ID, b.ID))
}

// padded is the padded-pipeline finding: coverage of the rep's
// current-quarter quota (as the digest reads it) above PaddedCoverage with a
// win rate clearly below PaddedWinRate.
func (e *findingEval) padded(rep string, mine []Prospect) (Finding, bool) {
	t := e.t
	q, ok := e.team.Quotas[rep]
	if !ok || q.Amount <= 0 {
		return Finding{}, false
	}
	if p, err := ParseQuarter(q.Period, e.local); err != nil || p.Name != e.quarter.Name {
		return Finding{}, false
	}
	win := WinRate(mine, e.window)
	if !t.ClearlyBelow(win, closedSpan(mine, e.window), t.PaddedWinRate) {
		return Finding{}, false
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
		return Finding{}, false
	}
	n := e.finding(FindingPadded, rep, rep)
	n.RepRate, n.TeamRate, n.Sample = win, e.teamWinRate, win.Den
	n.RepUpper, n.Line = WilsonUpper(win), t.PaddedWinRate
	n.Coverage, n.Currency, n.Thin = coverage, q.Currency, len(thin)
	slices.SortFunc(thin, func(a, b Prospect) int { return cmp.Or(cmp.Compare(b.Amount, a.Amount), strings.Compare(a.ID, b.ID)) })
	n.Deals, n.MoreDeals = firstN(thin, MaxFindingDeals)
	return n, true
}

// deal is the one finding for an open opportunity, of the most important
// kind that holds (stalled, late qualification, aged), carrying every flag.
// A deal in a recorded wait has none.
func (e *findingEval) deal(rep string, p Prospect) (Finding, bool) {
	t := e.t
	if p.State != Opportunity || p.WaitingUntil.After(e.now) {
		return Finding{}, false
	}
	since := MilestonesOf(p).Opportunity
	if since.IsZero() {
		since = p.CreatedAt
	}
	n := Finding{
		Stalled:           t.Stalled(p, e.now),
		Aged:              Aged(p, e.now, e.cycle),
		DaysStalled:       t.DaysSinceActivity(p, e.now),
		StalledAfterDays:  wholeDays(t.StalledAfter),
		DaysOpen:          int(DealAge(p, e.now) / fullDay),
		DaysWaited:        int(Waited(p, e.now) / fullDay),
		DaysAsOpportunity: DaysBetween(since, e.now),
		CycleDays:         wholeDays(e.cycle),
		AgedAfterDays:     wholeDays(AgedPast(e.cycle)),
		CycleSet:          e.team.CycleDays > 0,
		LateAfterDays:     t.LateQualificationDays,
	}
	if len(e.fw.Items) > 0 {
		n.Framework = cmp.Or(e.fw.Title, e.fw.Name)
		n.Part = e.fw.Part(p.Qualification)
		n.LateQualification = n.DaysAsOpportunity > t.LateQualificationDays && n.Part < t.LateQualificationPart
		if n.LateQualification {
			n.Missing = e.fw.Missing(p.Qualification)
		}
	}
	var kind FindingKind
	switch {
	case n.Stalled:
		kind = FindingStalled
	case n.LateQualification:
		kind = FindingLateQualification
	case n.Aged:
		kind = FindingAged
	default:
		return Finding{}, false
	}
	n.Kind, n.Workspace, n.Manager, n.Rep, n.Subject = kind, e.team.Workspace, e.team.Manager, rep, p.ID
	n.Importance = findingBase[kind] + e.amountBonus(p)
	n.WindowDays = wholeDays(t.ConversionWindow)
	n.Deals = []Prospect{p}
	return n, true
}

// praise is the one praise for a rep: losing fast as a habit (fastPattern),
// and a conversion that rose by conversionGain or more, each window on
// twice MinSample. A rise still clearly low is not praised.
func (e *findingEval) praise(rep string, mine []Prospect, conversion, previous Rate, low bool) (Finding, bool) {
	t := e.t
	fast, habit := t.fastPattern(mine, e.window)
	improved := !low && conversion.Known(2*t.MinSample) && previous.Known(2*t.MinSample) &&
		conversion.Value()-previous.Value() >= conversionGain-1e-9
	if !habit && !improved {
		return Finding{}, false
	}
	n := e.finding(FindingPraise, rep, rep)
	n.RepRate, n.PreviousRate, n.TeamRate = conversion, previous, e.teamConversion
	n.Improved, n.FastHabit = improved, habit
	n.TeamMedian, n.HasTeamMedian = e.teamMedian, e.hasTeamMedian
	n.Line = float64(t.FastLossDays)
	if habit {
		n.RepMedian, _ = Median(DaysToLose(mine, e.window))
		n.Sample = len(fast)
		n.Deals, n.MoreDeals = firstN(fast, MaxFindingDeals)
	} else {
		n.Sample = conversion.Den
		n.Deals, n.MoreDeals = firstN(e.resolved(mine, true), MaxFindingDeals)
	}
	return n, true
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
func (e *findingEval) amountBonus(p Prospect) int {
	amounts := e.ranks[p.Currency]
	if p.Amount <= 0 || len(amounts) == 0 {
		return 0
	}
	below, _ := slices.BinarySearch(amounts, p.Amount)
	return 10 * below / len(amounts)
}

func firstN(ps []Prospect, n int) ([]Prospect, int) {
	if len(ps) <= n {
		return ps, 0
	}
	return ps[:n:n], len(ps) - n
}

func wholeDays(d time.Duration) int { return int(math.Round(d.Hours() / 24)) }
