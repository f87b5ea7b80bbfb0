package coach_test

import (
	"testing"

	"pipelinecoach/coach"
)

func TestTrend(t *testing.T) {
	ps := []coach.Prospect{
		ndDeal("opp", "R", ndAgo(20), ndOpp(ndAgo(19))),                   // pipeline from 19 days ago
		ndDeal("lost", "R", ndAgo(10), ndLost(ndAgo(8))),                  // met 10 days ago, lost 8 days ago
		ndDeal("waiting", "R", ndAgo(3)),                                  // met, not yet pipeline
		ndDeal("won", "R", ndAgo(30), ndOpp(ndAgo(29)), ndWon(ndAgo(2))),  // pipeline until 2 days ago
		ndDeal("later", "R", ndNow.Add(ndDay), ndOpp(ndNow.Add(2*ndDay))), // not met yet: logged today
	}
	pts := coach.Trend(ps, ndNow, 6)
	// The first week with a prospect is the one ending 28 days ago (the
	// won deal was logged 31 days ago); the weeks before are left out.
	if len(pts) != 5 || !pts[0].End.Equal(ndAgo(28)) || !pts[4].End.Equal(ndNow) {
		t.Fatalf("points %+v", pts)
	}
	type want struct {
		opps, notYet int
		conv         coach.Rate
	}
	for i, w := range []want{
		{1, 0, coach.Rate{Num: 1, Den: 1}}, // 28 days ago: the won deal, an opportunity since 29 days ago
		{1, 0, coach.Rate{Num: 1, Den: 1}}, // 21 days ago: "opp" is logged at that instant, so not yet
		{2, 0, coach.Rate{Num: 2, Den: 2}}, // 14 days ago
		{2, 0, coach.Rate{Num: 2, Den: 3}}, // 7 days ago: "lost" resolved
		{1, 1, coach.Rate{Num: 1, Den: 2}}, // now: won closed, "waiting" not yet pipeline; 4 weeks back: opp (19) and lost (8)
	} {
		p := pts[i]
		if p.Opportunities != w.opps || p.NotYet != w.notYet || p.Conversion != w.conv {
			t.Errorf("week %d (to %s): %d opportunities, %d not yet, conversion %v; want %d, %d, %v",
				i, p.End.Format("Jan 2"), p.Opportunities, p.NotYet, p.Conversion, w.opps, w.notYet, w.conv)
		}
	}
	if got := coach.Trend(nil, ndNow, 8); got != nil {
		t.Errorf("no prospects: %v", got)
	}
}
