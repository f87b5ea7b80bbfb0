package coach

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// No verdict before the evidence. A manager who is told "Rita's first
// meetings rarely lead to a second" after three days and five meetings, and
// sees it come right the week after, stops reading what the coach says. So
// every judgement here rests on a sample that can carry it, and the
// reasoning is kept next to the number:
//
//   - A rate is "low" only when it is below the line even allowing for
//     chance: the upper end of its Wilson interval at confidenceZ is under
//     the line, on at least MinSample items spread over at least minSpan.
//     1 first meeting in 5 converting (20%) is compatible with a true rate
//     near 50% (upper bound 49%): no verdict. 0 in 5 (upper 25%) or 1 in 10
//     (upper 28%) is one against a 30% line.
//   - A median time to lose needs minLossesForMedian losses: with five, the
//     median above the line means three losses or more were slow, a habit
//     rather than one deal.
//   - Praise needs a pattern too: minFastLosses fast losses in the
//     conversion window, and most of the rep's losses fast (median time to
//     lose within FastLossDays). One fast loss is celebrated in the channel
//     the day it happens; it is not yet a way of working.
//   - "Aged" compares with a cycle that can be trusted: the median (not the
//     mean, which one fast or one slow deal pulls) of at least
//     MinWonForCycle won deals, or a cycle the manager set for the team;
//     DefaultCycle until then. Early in a team's life only the fast deals
//     have closed, so the cycle is biased short: a deal is aged only past
//     agedMargin times the cycle, and its age leaves out the waits the rep
//     recorded (legal review, a budget meeting), which are not the rep's
//     delay.

// confidenceZ is the z-score of the interval a rate is judged with: 1.28,
// an 80% two-sided (90% one-sided) interval. Stricter would leave a small
// team without any verdict for a whole quarter; looser flags noise.
const confidenceZ = 1.2816

// minSpan is the fewest days a rate's sample must spread over: one bad
// week, a trade fair or a holiday, is not a habit.
const minSpan = 14 * fullDay

// minLossesForMedian is the fewest losses a median time to lose needs
// before it is a verdict (see above); MinSample when that is larger.
const minLossesForMedian = 5

// minFastLosses is the fewest fast losses in the conversion window that
// make praise a pattern.
const minFastLosses = 3

// agedMargin: a deal is aged past this many times the team's won cycle.
const agedMargin = 1.5

// WilsonUpper is the upper end of the Wilson score interval of r at
// confidenceZ: the highest true rate the sample is still compatible with.
// It is 1 without a sample.
func WilsonUpper(r Rate) float64 {
	if r.Den == 0 {
		return 1
	}
	n, p, z := float64(r.Den), r.Value(), confidenceZ
	centre := p + z*z/(2*n)
	margin := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return math.Min(1, (centre+margin)/(1+z*z/n))
}

// ClearlyBelow reports whether a rate is below line on evidence: at least
// MinSample items, spread over minSpan (span is from the first to the last
// item), and below the line even at the upper end of its interval.
func (t Thresholds) ClearlyBelow(r Rate, span time.Duration, line float64) bool {
	return r.Known(t.MinSample) && span >= minSpan && WilsonUpper(r) < line
}

// resolvedSpan is the time between the first and the last first meeting
// resolved within w: how far a conversion sample spreads.
func resolvedSpan(ps []Prospect, w Window) time.Duration {
	var first, last time.Time
	for _, p := range ps {
		at, _, ok := MilestonesOf(p).Resolved()
		if !ok || !w.Contains(at) {
			continue
		}
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	return last.Sub(first)
}

// closedSpan is the time between the first and the last opportunity won or
// lost within w: how far a win-rate sample spreads.
func closedSpan(ps []Prospect, w Window) time.Duration {
	var first, last time.Time
	for _, p := range ps {
		m := MilestonesOf(p)
		at := m.Won
		if at.IsZero() && m.Converted() {
			at = m.Lost
		}
		if !w.Contains(at) {
			continue
		}
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	return last.Sub(first)
}

// WonCycle is the team's won sales cycle: the median time from first
// meeting to a win once at least MinWonForCycle deals are won, DefaultCycle
// until then. Early on only the fast deals have been won, so the median of
// the wins alone is biased short; the open opportunities count too, as
// deals that have taken at least their age so far (a Kaplan–Meier median,
// with open and lost deals censored). When fewer than half would be won by
// the longest time seen, the median is not known yet: DefaultCycle. Pass
// the whole team's prospects, at now.
func (t Thresholds) WonCycle(ps []Prospect, now time.Time) time.Duration {
	type obs struct {
		d   time.Duration
		won bool
	}
	var all []obs
	wins := 0
	for _, p := range ps {
		m := MilestonesOf(p)
		switch {
		case !m.Won.IsZero():
			d, _ := m.SalesCycle()
			all = append(all, obs{d, true})
			wins++
		case !m.Converted() || p.FirstMeeting.IsZero():
		case !m.Lost.IsZero():
			all = append(all, obs{max(m.Lost.Sub(p.FirstMeeting), 0), false})
		case p.State == Opportunity && !now.IsZero():
			all = append(all, obs{DealAge(p, now), false})
		}
	}
	if wins == 0 || wins < t.MinWonForCycle {
		return t.DefaultCycle
	}
	slices.SortFunc(all, func(a, b obs) int {
		if a.d != b.d {
			return cmp.Compare(a.d, b.d)
		}
		if a.won != b.won { // at a tie, the win first: censored at t means it lasted past t
			if a.won {
				return -1
			}
			return 1
		}
		return 0
	})
	survive := 1.0
	for i, o := range all {
		if o.won {
			survive *= 1 - 1/float64(len(all)-i)
			if survive <= 0.5 {
				return o.d
			}
		}
	}
	return t.DefaultCycle
}

// CycleOf is the cycle a team's deals are aged against: the one its
// manager set, else WonCycle of its prospects at now.
func (t Thresholds) CycleOf(team Team, ps []Prospect, now time.Time) time.Duration {
	if set, ok := team.setCycle(); ok {
		return set
	}
	return t.WonCycle(ps, now)
}

// setCycle is the cycle the team's manager set, if any.
func (team Team) setCycle() (time.Duration, bool) {
	return time.Duration(team.CycleDays) * fullDay, team.CycleDays > 0
}

// Waited is how long p spent in the waits its rep recorded, up to now.
func Waited(p Prospect, now time.Time) time.Duration {
	var d time.Duration
	for _, w := range p.Waits {
		end := w.Until
		if now.Before(end) {
			end = now
		}
		if end.After(w.From) {
			d += end.Sub(w.From)
		}
	}
	return d
}

// DealAge is how long p has been open since its first meeting, leaving out
// its recorded waits.
func DealAge(p Prospect, now time.Time) time.Duration {
	return max(now.Sub(p.FirstMeeting)-Waited(p, now), 0)
}

// Aged reports whether p is an open opportunity older (DealAge) than
// agedMargin times the team's cycle (CycleOf).
func Aged(p Prospect, now time.Time, cycle time.Duration) bool {
	return p.State == Opportunity && float64(DealAge(p, now)) > agedMargin*float64(cycle)
}

// AgedPast is the age past which a deal is aged, for the words that say so.
func AgedPast(cycle time.Duration) time.Duration {
	return time.Duration(agedMargin * float64(cycle))
}

// fastPattern reports whether the rep's losses in w make fast losing a
// habit worth praise: minFastLosses fast ones, and the median fast. It
// returns the fast losses, fastest first.
func (t Thresholds) fastPattern(mine []Prospect, w Window) ([]Prospect, bool) {
	var fast []Prospect
	for _, p := range mine {
		if w.Contains(MilestonesOf(p).Lost) && t.LostFast(p) {
			fast = append(fast, p)
		}
	}
	median, ok := Median(DaysToLose(mine, w))
	if len(fast) < minFastLosses || !ok || median > float64(t.FastLossDays) {
		return nil, false
	}
	slices.SortFunc(fast, func(a, b Prospect) int {
		return compareLossDays(a, b)
	})
	return fast, true
}

// MaxCycleDays is the longest sales cycle a manager may set: two years.
const MaxCycleDays = 730

// ParseCycleDays reads the sales cycle a manager sets for a team: "60",
// "60d", "60 days", or "auto" (0: the median of the team's won deals).
func ParseCycleDays(text string) (int, error) {
	s := strings.ToLower(strings.TrimSpace(text))
	if s == "auto" || s == "off" || s == "median" {
		return 0, nil
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "days"), "day"), "d"))
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxCycleDays {
		return 0, invalid(FieldCycle, "is a number of days from 1 to %d, like `60`, or `auto` for the median of the team's won deals", MaxCycleDays)
	}
	return n, nil
}
