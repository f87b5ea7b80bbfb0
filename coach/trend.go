package coach

import "time"

// TrendWeeks is how many weeks the digest's trend covers.
const TrendWeeks = 8

// trendConversionDays is the span each week's conversion looks back over:
// four weeks, so a week with two first meetings does not swing the line.
const trendConversionDays = 28

// TrendPoint is the team at the end of one week: its first→second
// conversion over the four weeks before, and its pipeline then.
type TrendPoint struct {
	End        time.Time // the week's end (exclusive)
	Conversion Rate      // first→second over the trendConversionDays up to End
	// Opportunities and NotYet are the open opportunities and the
	// prospects met but not (yet) pipeline at End: pipeline integrity is
	// how much of what a rep works on is real pipeline.
	Opportunities, NotYet int
}

// Trend is the team's weekly trend over up to weeks weeks ending now,
// oldest first, read from history alone (what a prospect was at each
// week's end), starting with the first week the team had a prospect.
func Trend(ps []Prospect, now time.Time, weeks int) []TrendPoint {
	var out []TrendPoint
	for i := weeks - 1; i >= 0; i-- {
		end := now.Add(-time.Duration(i) * 7 * fullDay)
		pt := TrendPoint{End: end, Conversion: Conversion(ps, Window{From: end.Add(-trendConversionDays * fullDay), To: end})}
		existed := false
		for _, p := range ps {
			s, ok := stateAt(p, end)
			if !ok {
				continue
			}
			existed = true
			switch {
			case s == Opportunity:
				pt.Opportunities++
			case s.Open() && p.FirstMeeting.Before(end):
				pt.NotYet++
			}
		}
		if existed || len(out) > 0 {
			out = append(out, pt)
		}
	}
	return out
}

// stateAt is the state p was in just before t, from its history; ok is
// false when p did not exist yet.
func stateAt(p Prospect, t time.Time) (State, bool) {
	var s State
	ok := false
	for _, e := range p.History {
		if !e.At.Before(t) {
			break
		}
		s, ok = e.To, true
	}
	return s, ok
}
