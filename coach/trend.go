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
// week's end), starting with the first week the team had a prospect. Each
// prospect is read once, its history walked once across the weeks.
func Trend(ps []Prospect, now time.Time, weeks int) []TrendPoint {
	return trendSince(ps, now, weeks, time.Time{})
}

// trendFrom is the earliest moment a trend of weeks weeks ending now counts:
// the conversion window of its first week.
func trendFrom(now time.Time, weeks int) time.Time {
	return trendEnd(now, weeks, 0).Add(-trendConversionDays * fullDay)
}

// trendEnd is the end of week i of a trend of weeks weeks ending now.
func trendEnd(now time.Time, weeks, i int) time.Time {
	return now.Add(-time.Duration(weeks-1-i) * 7 * fullDay)
}

// trendSince is Trend of the team's recent deals ps, whose first deal
// began at first (zero: none of theirs before ps): the trend starts with
// the week the team had a deal, though ps may leave that deal out.
func trendSince(ps []Prospect, now time.Time, weeks int, first time.Time) []TrendPoint {
	if weeks <= 0 {
		return nil
	}
	pts := make([]TrendPoint, weeks)
	existed := make([]bool, weeks)
	for i := range pts {
		pts[i].End = trendEnd(now, weeks, i)
		existed[i] = !first.IsZero() && first.Before(pts[i].End)
	}
	for _, p := range ps {
		at, converted, resolved := MilestonesOf(p).Resolved()
		j := 0 // history entries before the week's end
		var s State
		for i := range pts {
			end := pts[i].End
			if resolved && (Window{From: end.Add(-trendConversionDays * fullDay), To: end}).Contains(at) {
				pts[i].Conversion.Den++
				if converted {
					pts[i].Conversion.Num++
				}
			}
			for j < len(p.History) && p.History[j].At.Before(end) {
				s = p.History[j].To
				j++
			}
			if j == 0 {
				continue
			}
			existed[i] = true
			switch {
			case s == Opportunity:
				pts[i].Opportunities++
			case s.Open() && p.FirstMeeting.Before(end):
				pts[i].NotYet++
			}
		}
	}
	for i, e := range existed {
		if e {
			return pts[i:]
		}
	}
	return nil
}
