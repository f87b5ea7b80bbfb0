package coach

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// This file holds every metric of the product (the package doc, "Metrics"
// and "Timing"), one definition each, for the digest, the coaching briefs
// and App Home alike. A metric over a window is read from history (the entry that made a
// prospect an opportunity, won or lost, and its time), not from the current
// state, so last quarter's numbers stay what they were.

const fullDay = 24 * time.Hour

// Window is a half-open time range [From, To): consecutive windows never
// count the same event twice.
type Window struct{ From, To time.Time }

// LastDays is the window of the days (of 24 hours) up to now, now included
// (what just happened counts), the instant days ago excluded.
func LastDays(now time.Time, days int) Window {
	return Window{From: now.Add(-time.Duration(days)*fullDay + time.Nanosecond), To: now.Add(time.Nanosecond)}
}

// Contains reports whether t falls in the window.
func (w Window) Contains(t time.Time) bool {
	return !t.IsZero() && !t.Before(w.From) && t.Before(w.To)
}

// Rate is a ratio with its sample, so a caller can refuse a verdict on too
// few.
type Rate struct{ Num, Den int }

// Value is the ratio, 0 when there is no sample.
func (r Rate) Value() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// Known reports whether the sample holds at least min items (and at least
// one: no sample is never a verdict).
func (r Rate) Known(min int) bool { return r.Den > 0 && r.Den >= min }

// String is the rate as people read it: "40% (2 of 5)", or "— (no data)".
func (r Rate) String() string {
	if r.Den == 0 {
		return "— (no data)"
	}
	return fmt.Sprintf("%d%% (%d of %d)", int(math.Round(100*r.Value())), r.Num, r.Den)
}

// Thresholds are the product's metric and timing defaults (the package doc,
// "Timing"); every one is configurable.
type Thresholds struct {
	// ConversionWindow is how far back first→second conversion looks.
	ConversionWindow time.Duration
	// StalledAfter is how long an opportunity may go without activity
	// before it is stalled.
	StalledAfter time.Duration
	// DefaultCycle stands for the team's won sales cycle until
	// MinWonForCycle deals are won (WonCycle). Eight: early wins are the
	// fast ones, and the median of fewer is one or two deals' luck.
	DefaultCycle   time.Duration
	MinWonForCycle int
	// MinSample is the fewest resolved first meetings (or closed
	// opportunities) a rate needs before anyone draws a verdict from it;
	// ClearlyBelow asks more of it (evidence.go).
	MinSample int
	// FastLossDays is the most whole days from first meeting to loss that
	// still counts as a fast loss, celebrated.
	FastLossDays int

	// Coaching: the lines findings are drawn against (finding.go) and how
	// often a manager hears (brief.go).
	LowConversion         float64       // a finding below this first→second rate: 0.30
	SlowLossDays          float64       // a finding above this median time to lose: 30
	PaddedCoverage        float64       // padded: coverage above this… 3.0
	PaddedWinRate         float64       // …with a win rate below this: 0.25
	LateQualificationDays int           // an opportunity this old…: 30
	LateQualificationPart float64       // …with less than this part of the framework answered: 0.5
	NudgeRepeat           time.Duration // a rep's brief not again within: 7 days
	MaxNudgesPerDay       int           // coaching briefs per manager a day: 3
}

// DefaultThresholds are the product's defaults.
var DefaultThresholds = Thresholds{
	ConversionWindow: 90 * fullDay,
	StalledAfter:     14 * fullDay,
	DefaultCycle:     90 * fullDay,
	MinWonForCycle:   8,
	MinSample:        5,
	FastLossDays:     14,

	LowConversion:         0.30,
	SlowLossDays:          30,
	PaddedCoverage:        3.0,
	PaddedWinRate:         0.25,
	LateQualificationDays: 30,
	LateQualificationPart: 0.5,
	NudgeRepeat:           7 * fullDay,
	MaxNudgesPerDay:       3,
}

// Validate checks configured thresholds before they are used.
func (t Thresholds) Validate() error {
	switch {
	case t.ConversionWindow <= 0:
		return fmt.Errorf("conversion window %v: must be positive: %w", t.ConversionWindow, ErrInvalid)
	case t.StalledAfter <= 0:
		return fmt.Errorf("stalled after %v: must be positive: %w", t.StalledAfter, ErrInvalid)
	case t.DefaultCycle <= 0:
		return fmt.Errorf("default sales cycle %v: must be positive: %w", t.DefaultCycle, ErrInvalid)
	case t.MinWonForCycle < 1:
		return fmt.Errorf("won deals for an average cycle %d: must be at least 1: %w", t.MinWonForCycle, ErrInvalid)
	case t.MinSample < 1:
		return fmt.Errorf("minimum sample %d: must be at least 1: %w", t.MinSample, ErrInvalid)
	case t.FastLossDays < 0:
		return fmt.Errorf("fast loss days %d: cannot be negative: %w", t.FastLossDays, ErrInvalid)
	case t.MaxNudgesPerDay < 0:
		return fmt.Errorf("nudges per day %d: cannot be negative: %w", t.MaxNudgesPerDay, ErrInvalid)
	}
	return nil
}

// ConversionPeriod is the window first→second conversion is measured over,
// ending now.
func (t Thresholds) ConversionPeriod(now time.Time) Window {
	return Window{From: now.Add(-t.ConversionWindow + time.Nanosecond), To: now.Add(time.Nanosecond)}
}

// Milestones are the moments of a prospect's life that metrics count, read
// from its history. A zero time means it has not happened.
type Milestones struct {
	FirstMeeting time.Time
	Opportunity  time.Time // a second meeting was confirmed: it became pipeline
	Won          time.Time
	Lost         time.Time
}

// MilestonesOf reads a prospect's milestones from its history: for each,
// the first entry that moved the prospect into that state.
func MilestonesOf(p Prospect) Milestones {
	m := Milestones{FirstMeeting: p.FirstMeeting}
	for _, e := range p.History {
		if e.To == e.From {
			continue
		}
		var into *time.Time
		switch e.To {
		case Opportunity:
			into = &m.Opportunity
		case Won:
			into = &m.Won
		case Lost:
			into = &m.Lost
		default:
			continue
		}
		if into.IsZero() {
			*into = e.At
		}
	}
	return m
}

// Converted reports whether the prospect ever became an opportunity.
func (m Milestones) Converted() bool { return !m.Opportunity.IsZero() }

// Resolved is when the question of a second meeting was settled: when the
// prospect became an opportunity, or when it was lost before becoming one.
// A prospect still scheduled or awaiting (gone quiet included) is not
// resolved.
func (m Milestones) Resolved() (at time.Time, converted, ok bool) {
	switch {
	case m.Converted():
		return m.Opportunity, true, true
	case !m.Lost.IsZero():
		return m.Lost, false, true
	}
	return time.Time{}, false, false
}

// TimeToLose is lost_at − first meeting, never negative; ok is false for a
// prospect not lost.
func (m Milestones) TimeToLose() (d time.Duration, ok bool) {
	if m.Lost.IsZero() {
		return 0, false
	}
	return max(m.Lost.Sub(m.FirstMeeting), 0), true
}

// SalesCycle is won_at − first meeting, never negative; ok is false for a
// deal not won.
func (m Milestones) SalesCycle() (d time.Duration, ok bool) {
	if m.Won.IsZero() {
		return 0, false
	}
	return max(m.Won.Sub(m.FirstMeeting), 0), true
}

// Conversion is first→second conversion: the prospects that became
// opportunities over the prospects resolved (an opportunity, or lost before
// becoming one), counting those resolved within w. A prospect lost after it
// became an opportunity counts as converted, when it converted.
func Conversion(ps []Prospect, w Window) Rate {
	var r Rate
	for _, p := range ps {
		at, converted, ok := MilestonesOf(p).Resolved()
		if !ok || !w.Contains(at) {
			continue
		}
		r.Den++
		if converted {
			r.Num++
		}
	}
	return r
}

// DaysToLose is the time to lose (lost_at − first meeting), in days with
// their fraction, of every loss within w (before or after becoming an
// opportunity), shortest first.
func DaysToLose(ps []Prospect, w Window) []float64 {
	var days []float64
	for _, p := range ps {
		m := MilestonesOf(p)
		if d, ok := m.TimeToLose(); ok && w.Contains(m.Lost) {
			days = append(days, d.Hours()/24)
		}
	}
	slices.Sort(days)
	return days
}

// Median is the middle value (the mean of the two middle ones for an even
// count); ok is false when there is none.
func Median(xs []float64) (median float64, ok bool) {
	if len(xs) == 0 {
		return 0, false
	}
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

// WinRate is won / (won + lost), opportunities only: the deals won within w
// over those won or lost within w after becoming an opportunity. A prospect
// lost before it became an opportunity is not counted.
func WinRate(ps []Prospect, w Window) Rate {
	var r Rate
	for _, p := range ps {
		m := MilestonesOf(p)
		switch {
		case w.Contains(m.Won):
			r.Num++
			r.Den++
		case m.Converted() && w.Contains(m.Lost):
			r.Den++
		}
	}
	return r
}

// SalesCycles is the sales cycle (won_at − first meeting) of every deal won
// within w, shortest first.
func SalesCycles(ps []Prospect, w Window) []time.Duration {
	var cycles []time.Duration
	for _, p := range ps {
		m := MilestonesOf(p)
		if d, ok := m.SalesCycle(); ok && w.Contains(m.Won) {
			cycles = append(cycles, d)
		}
	}
	slices.Sort(cycles)
	return cycles
}

// Coverage is open opportunity amount / remaining quota of the period, both
// in one currency. ok is false when no quota remains (zero or less): there
// is nothing to cover.
func Coverage(openAmount, remainingQuota int64) (ratio float64, ok bool) {
	if remainingQuota <= 0 {
		return 0, false
	}
	return float64(openAmount) / float64(remainingQuota), true
}

// activitySince is when the stalled clock of an opportunity starts: its
// last activity, or the end of a legitimate wait, whichever is later. A
// prospect without a recorded last activity falls back on its latest
// history entry.
func activitySince(p Prospect) time.Time {
	since := p.LastActivity
	if n := len(p.History); since.IsZero() && n > 0 {
		since = p.History[n-1].At
	}
	if p.WaitingUntil.After(since) {
		since = p.WaitingUntil
	}
	return since
}

// Stalled reports whether p is an open opportunity with no activity for
// StalledAfter. A legitimate wait pauses the clock: it counts from the
// later of the last activity and the end of the wait.
func (t Thresholds) Stalled(p Prospect, now time.Time) bool {
	return p.State == Opportunity && now.Sub(activitySince(p)) >= t.StalledAfter
}

// DaysSinceActivity is the whole days on Stalled's clock: since the last
// activity, or since a wait ended; 0 while waiting.
func (t Thresholds) DaysSinceActivity(p Prospect, now time.Time) int {
	return DaysBetween(activitySince(p), now)
}

// LostFast reports whether p was lost within FastLossDays whole days of its
// first meeting: a fast loss, celebrated. The days are those DaysBetween
// counts, the same a loss debrief shows.
func (t Thresholds) LostFast(p Prospect) bool {
	m := MilestonesOf(p)
	return !m.Lost.IsZero() && DaysBetween(m.FirstMeeting, m.Lost) <= t.FastLossDays
}

// FirstMeetings counts the first meetings held within w. A window that
// reaches past now also counts meetings still ahead.
func FirstMeetings(ps []Prospect, w Window) int {
	n := 0
	for _, p := range ps {
		if p.State != Withdrawn && w.Contains(p.FirstMeeting) {
			n++
		}
	}
	return n
}

// NewOpportunities counts the prospects that became opportunities within w,
// whatever became of them since.
func NewOpportunities(ps []Prospect, w Window) int {
	n := 0
	for _, p := range ps {
		if w.Contains(MilestonesOf(p).Opportunity) {
			n++
		}
	}
	return n
}

// Closed counts the deals won and the prospects lost within w. Lost counts
// every loss, before or after becoming an opportunity; WinRate counts only
// the latter.
func Closed(ps []Prospect, w Window) (won, lost int) {
	for _, p := range ps {
		m := MilestonesOf(p)
		if w.Contains(m.Won) {
			won++
		}
		if w.Contains(m.Lost) {
			lost++
		}
	}
	return won, lost
}
