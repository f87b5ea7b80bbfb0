package coach

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"pipelinecoach/coach/phrase"
)

// The weekly digest, posted to the team's channel: pipeline integrity, each
// rep's numbers, the team's trend over the last weeks (trend.go), the deals
// that need a look and the losses the team celebrates.
// It is computed here from values; the bot renders it and keeps it within
// Block Kit's limits.

// digestDays is the span of the digest's week, up to the moment it is built.
const digestDays = 7

// DigestRow is one rep's line in the digest.
type DigestRow struct {
	Rep string
	// This week.
	FirstMeetings, NewOpportunities, Won, Lost int
	// Conversion is first→second over the conversion window
	// (Thresholds.ConversionPeriod).
	Conversion Rate
	// MedianDaysToLose is the median time to lose over the conversion
	// window; HasMedian is false when nothing was lost in it.
	MedianDaysToLose float64
	HasMedian        bool
	// OpenAmount sums the amounts of the rep's open opportunities in
	// Currency: the currency of the rep's quota for the current quarter, or
	// without one the currency most of the rep's priced opportunities use.
	// There are no exchange rates: OtherCurrency counts the open
	// opportunities priced in another currency, left out of OpenAmount.
	OpenAmount    int64
	Currency      string
	OtherCurrency int
	// Coverage is Coverage(OpenAmount, RemainingQuota) for the current
	// quarter; HasCoverage is false without a quota for it, or once the
	// quota is met.
	Coverage    float64
	HasCoverage bool
}

// Integrity is the honest shape of the team's pipeline now: what is
// pipeline and what is not, and how many placeholders went this week.
type Integrity struct {
	Opportunities int // open opportunities: the only pipeline
	NotYet        int // first meeting held, no second meeting yet
	GoneQuiet     int // never answered; still not pipeline
	// Removed counts the placeholders removed this week: prospects lost
	// this week before they ever became an opportunity.
	Removed int
}

// Digest is a team's weekly digest.
type Digest struct {
	Team      Team
	Week      Window // the 7 days up to the moment it was built
	Integrity Integrity
	// Rows holds one row per rep on the team, by rep id.
	Rows []DigestRow
	// Stalled lists the team's stalled open opportunities, most days
	// without activity first; Aged those open longer than the team's
	// won cycle, oldest first. A deal can be in both.
	Stalled, Aged []Prospect
	// SharedLosses are this week's losses their reps shared (with or
	// without a lesson), newest first. Private losses are never in it.
	SharedLosses []Prospect
	// InCRM are the team's deals in the CRM without a second meeting, as
	// the last pull found them (none without a CRM).
	InCRM CRMBacklog
	// Trend is the team's conversion and pipeline over the last
	// TrendWeeks weeks, oldest first.
	Trend []TrendPoint
	// Numbers is how the team writes amounts; the Service fills it in
	// (Team.Convention with the workspace's defaults).
	Numbers phrase.Convention
}

// BuildDigest computes the weekly digest of a team at now from the
// workspace's prospects: only those owned by the team's reps (and, when the
// team names its workspace, of that workspace) count. The week is
// LastDays(now, 7); conversion and time to lose look over the conversion
// window; quotas are for the current quarter in the team's zone; Aged
// compares with the won cycle of all the team's prospects.
//
// The prospects listed (Stalled, Aged, SharedLosses) are copies sharing
// their history and answers with ps: read them, do not change them.
//
// It groups the prospects by owner (two linear passes, each prospect copied
// once) and then works rep by rep: its time is linear in the number of
// prospects, plus sorting what it lists.
func (t Thresholds) BuildDigest(team Team, ps []Prospect, now time.Time) Digest {
	return t.buildDigest(team, ps, now, nil)
}

// buildDigest is BuildDigest from the team's recent deals (those
// digestHorizon counts, or more) and h, what all its deals say; with no h,
// ps is all of them and h is measured on them.
func (t Thresholds) buildDigest(team Team, ps []Prospect, now time.Time, h *teamHistory) Digest {
	d := Digest{Team: team, Week: LastDays(now, digestDays)}
	g := groupDigest(team, ps)
	if h == nil {
		all := t.historyOf(g.all, now)
		h = &all
	}
	local := now.In(team.Location())
	b := digestBuild{
		t: t, team: team, now: now, week: d.Week,
		period:  t.ConversionPeriod(now),
		local:   local,
		quarter: QuarterOf(local),
		cycle:   h.cycle(team),
	}
	d.Rows = make([]DigestRow, 0, len(g.reps))
	for _, rep := range g.reps {
		b.addRep(&d, rep, g.open(rep), g.mine(rep))
	}
	d.Stalled = digestList(b.stalled, false) // the longest without activity first
	d.Aged = digestList(b.aged, false)       // the oldest first
	d.SharedLosses = digestList(b.shared, true)
	d.Trend = trendSince(g.all, now, TrendWeeks, h.first)
	return d
}

// digestHorizon is how far back a team's digest counts retired deals: its
// week, its conversion window, the quarter of its quotas (in the team's
// zone, loc), and its trend's weeks, each with the weeks of conversion the
// trend counts at its end. A deal retired before it shows in none of them.
func (t Thresholds) digestHorizon(now time.Time, loc *time.Location) time.Time {
	return earliestOf(LastDays(now, digestDays).From, t.ConversionPeriod(now).From, QuarterOf(now.In(loc)).Start, trendFrom(now, TrendWeeks))
}

// digestGroups is a team's prospects grouped by rep into one array, each
// copied once (a prospect is large: copying as slices grow would cost more
// than every metric). all is the team's prospects, for the average won
// cycle; each rep has a span of it, open prospects first, so their
// pipeline groups are made from the open ones alone.
type digestGroups struct {
	all   []Prospect
	reps  []string // the team's reps, by id
	spans map[string]*digestSpan
}

// groupDigest groups the prospects of the team's reps (and, when the team
// names its workspace, of that workspace): one pass counts each rep's, the
// second copies them into their span.
func groupDigest(team Team, ps []Prospect) digestGroups {
	spans := make(map[string]*digestSpan, len(team.Reps))
	for _, rep := range team.Reps {
		if rep != "" && spans[rep] == nil {
			spans[rep] = &digestSpan{}
		}
	}
	ours := func(p *Prospect) *digestSpan {
		if team.Workspace != "" && p.Workspace != team.Workspace {
			return nil
		}
		return spans[p.Owner]
	}
	total := 0
	for i := range ps {
		if s := ours(&ps[i]); s != nil {
			s.n++
			total++
		}
	}
	reps := slices.Sorted(maps.Keys(spans))
	for i, start := 0, 0; i < len(reps); i++ {
		s := spans[reps[i]]
		s.start, s.open, s.closed = start, start, start+s.n
		start += s.n
	}
	all := make([]Prospect, total)
	for i := range ps {
		p := &ps[i]
		s := ours(p)
		switch {
		case s == nil:
		case p.State.Open():
			all[s.open] = *p
			s.open++
		default:
			s.closed--
			all[s.closed] = *p
		}
	}
	return digestGroups{all: all, reps: reps, spans: spans}
}

// mine is all the rep's prospects.
func (g digestGroups) mine(rep string) []Prospect {
	s := g.spans[rep]
	return g.all[s.start : s.start+s.n]
}

// open is the rep's open prospects.
func (g digestGroups) open(rep string) []Prospect {
	s := g.spans[rep]
	return g.all[s.start:s.open]
}

// digestBuild is what every rep's part of the digest is computed with,
// and the deals listed so far.
type digestBuild struct {
	t       Thresholds
	team    Team
	now     time.Time
	week    Window
	period  Window    // the conversion window
	local   time.Time // now in the team's zone
	quarter Period
	cycle   time.Duration // the team's won cycle, for Aged

	stalled, aged, shared []digestEntry
}

// addRep adds a rep to the digest: their pipeline to its integrity, their
// row, and their stalled, aged and shared lost deals to the lists.
func (b *digestBuild) addRep(d *Digest, rep string, open, mine []Prospect) {
	pl := GroupPipeline(open, b.now)
	d.Integrity.Opportunities += len(pl.Opportunities)
	d.Integrity.NotYet += len(pl.NotYet)
	d.Integrity.GoneQuiet += len(pl.GoneQuiet)
	d.Rows = append(d.Rows, b.row(rep, pl.Opportunities, mine))
	b.listOpen(pl.Opportunities)
	d.Integrity.Removed += b.listLosses(mine)
}

// row is the rep's line: this week's numbers, conversion and time to lose
// over the conversion window, open amount and coverage.
func (b *digestBuild) row(rep string, opps, mine []Prospect) DigestRow {
	row := DigestRow{
		Rep:              rep,
		FirstMeetings:    FirstMeetings(mine, b.week),
		NewOpportunities: NewOpportunities(mine, b.week),
		Conversion:       Conversion(mine, b.period),
	}
	row.Won, row.Lost = Closed(mine, b.week)
	row.MedianDaysToLose, row.HasMedian = Median(DaysToLose(mine, b.period))
	row.openAmount(opps, b.team.Quotas, mine, b.quarter, b.local)
	return row
}

// listOpen lists the rep's stalled and aged opportunities.
func (b *digestBuild) listOpen(opps []Prospect) {
	for i := range opps {
		p := &opps[i]
		if b.t.Stalled(*p, b.now) {
			b.stalled = append(b.stalled, digestEntry{activitySince(*p), p})
		}
		if Aged(*p, b.now, b.cycle) {
			b.aged = append(b.aged, digestEntry{p.FirstMeeting, p})
		}
	}
}

// listLosses lists the rep's losses of the week they shared, and returns
// how many placeholders went: those lost before they became an opportunity.
func (b *digestBuild) listLosses(mine []Prospect) (removed int) {
	for i := range mine {
		p := &mine[i]
		m := MilestonesOf(*p)
		if !b.week.Contains(m.Lost) {
			continue
		}
		if !m.Converted() {
			removed++
		}
		if p.Loss != nil && p.Loss.Shared {
			b.shared = append(b.shared, digestEntry{m.Lost, p})
		}
	}
	return removed
}

// digestSpan is where a rep's prospects are in the digest's array: n of
// them from start, the open ones before open (once filled), the closed ones
// from closed on.
type digestSpan struct{ n, start, open, closed int }

// digestEntry is a prospect to list in the digest with the time it is
// ordered by. Lists are sorted as entries and copied once: moving whole
// prospects while sorting costs more than the rest of the digest.
type digestEntry struct {
	at time.Time
	p  *Prospect
}

// digestList orders entries by time (newest first, or oldest), then by
// prospect id, and returns their prospects; nil when there are none.
func digestList(es []digestEntry, newestFirst bool) []Prospect {
	if len(es) == 0 {
		return nil
	}
	slices.SortFunc(es, func(a, b digestEntry) int {
		c := a.at.Compare(b.at)
		if newestFirst {
			c = -c
		}
		return cmp.Or(c, strings.Compare(a.p.ID, b.p.ID))
	})
	out := make([]Prospect, len(es))
	for i, e := range es {
		out[i] = *e.p
	}
	return out
}

// openAmount fills the row's open amount, its currency and coverage from
// the rep's open opportunities and quota for the quarter (local is now in
// the team's zone). A quota counts when its period, read by ParseQuarter,
// is the current quarter.
func (row *DigestRow) openAmount(opps []Prospect, quotas map[string]Quota, mine []Prospect, quarter Period, local time.Time) {
	q, hasQuota := quotas[row.Rep]
	if hasQuota {
		p, err := ParseQuarter(q.Period, local)
		hasQuota = err == nil && p.Name == quarter.Name
	}
	if hasQuota {
		row.Currency = q.Currency
	} else {
		row.Currency = commonCurrency(opps)
	}
	for _, p := range opps {
		switch {
		case p.Amount <= 0:
		case p.Currency == row.Currency:
			row.OpenAmount += p.Amount
		default:
			row.OtherCurrency++
		}
	}
	if hasQuota {
		row.Coverage, row.HasCoverage = Coverage(row.OpenAmount, RemainingQuota(q, mine, quarter))
	}
}

// commonCurrency is the currency most priced opportunities use; on a tie
// the first in alphabetical order, "" (no currency given) last.
func commonCurrency(opps []Prospect) string {
	counts := map[string]int{}
	for _, p := range opps {
		if p.Amount > 0 {
			counts[p.Currency]++
		}
	}
	best, bestN := "", 0
	for cur, n := range counts {
		better := n > bestN || n == bestN && (best == "" || cur != "" && cur < best)
		if better {
			best, bestN = cur, n
		}
	}
	return best
}
