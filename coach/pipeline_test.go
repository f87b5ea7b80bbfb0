package coach_test

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"pipelinecoach/coach"
)

func ids(ps []coach.Prospect) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestGroupPipelineEmpty(t *testing.T) {
	pl := coach.GroupPipeline(nil, firstMeeting)
	if len(pl.Opportunities)+len(pl.NotYet)+len(pl.GoneQuiet)+len(pl.Scheduled)+len(pl.Won)+len(pl.Lost) != 0 {
		t.Errorf("empty input gave %+v", pl)
	}
	if amt := pl.OpenAmount(); amt == nil || len(amt) != 0 {
		t.Errorf("OpenAmount of nothing = %v, want an empty map", amt)
	}
	if len(pl.Open()) != 0 {
		t.Errorf("Open of nothing = %v", pl.Open())
	}
}

func TestGroupPipelineOneOpportunity(t *testing.T) {
	p := coach.Prospect{ID: "a", State: coach.Opportunity, Amount: 1200, Currency: "EUR", SecondMeeting: bdate(12, 1, 10, 0)}
	pl := coach.GroupPipeline([]coach.Prospect{p}, firstMeeting)
	if !reflect.DeepEqual(ids(pl.Opportunities), []string{"a"}) || len(pl.NotYet)+len(pl.GoneQuiet)+len(pl.Scheduled)+len(pl.Won)+len(pl.Lost) != 0 {
		t.Errorf("one opportunity grouped as %+v", pl)
	}
	if got := pl.OpenAmount(); !maps.Equal(got, map[string]int64{"EUR": 1200}) {
		t.Errorf("OpenAmount = %v", got)
	}
}

func TestGroupPipelineOneOfEach(t *testing.T) {
	now := bdate(11, 30, 12, 0)
	tests := []struct {
		name  string
		p     coach.Prospect
		group func(coach.Pipeline) []coach.Prospect
	}{
		{"scheduled, meeting ahead", coach.Prospect{State: coach.Scheduled, FirstMeeting: now.Add(time.Hour)},
			func(pl coach.Pipeline) []coach.Prospect { return pl.Scheduled }},
		{"scheduled, meeting started", coach.Prospect{State: coach.Scheduled, FirstMeeting: now.Add(-time.Minute)},
			func(pl coach.Pipeline) []coach.Prospect { return pl.NotYet }},
		{"scheduled, meeting starts now", coach.Prospect{State: coach.Scheduled, FirstMeeting: now},
			func(pl coach.Pipeline) []coach.Prospect { return pl.NotYet }},
		{"awaiting", coach.Prospect{State: coach.Awaiting, FirstMeeting: now.Add(-48 * time.Hour)},
			func(pl coach.Pipeline) []coach.Prospect { return pl.NotYet }},
		{"gone quiet", coach.Prospect{State: coach.Awaiting, FirstMeeting: now.AddDate(0, -1, 0), QuietSince: now.Add(-time.Hour)},
			func(pl coach.Pipeline) []coach.Prospect { return pl.GoneQuiet }},
		{"opportunity", coach.Prospect{State: coach.Opportunity, SecondMeeting: now.Add(24 * time.Hour)},
			func(pl coach.Pipeline) []coach.Prospect { return pl.Opportunities }},
		{"won", coach.Prospect{State: coach.Won, Amount: 5},
			func(pl coach.Pipeline) []coach.Prospect { return pl.Won }},
		{"lost", coach.Prospect{State: coach.Lost, QuietSince: now.Add(-time.Hour)},
			func(pl coach.Pipeline) []coach.Prospect { return pl.Lost }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.ID = "x"
			pl := coach.GroupPipeline([]coach.Prospect{tc.p}, now)
			if g := tc.group(pl); len(g) != 1 || g[0].ID != "x" {
				t.Fatalf("not in its group: %+v", pl)
			}
			total := len(pl.Opportunities) + len(pl.NotYet) + len(pl.GoneQuiet) + len(pl.Scheduled) + len(pl.Won) + len(pl.Lost)
			if total != 1 {
				t.Errorf("in %d groups: %+v", total, pl)
			}
			open := tc.p.State.Open()
			if got := len(pl.Open()); got != map[bool]int{true: 1, false: 0}[open] {
				t.Errorf("Open() has %d, want the prospect only if open (%v)", got, open)
			}
			if tc.p.State != coach.Opportunity && len(pl.OpenAmount()) != 0 {
				t.Errorf("OpenAmount counts a %s: %v", tc.p.State, pl.OpenAmount())
			}
		})
	}
}

func TestGroupPipelineOrder(t *testing.T) {
	now := bdate(11, 30, 12, 0)
	d := func(days int) time.Time { return now.AddDate(0, 0, days) }
	ps := []coach.Prospect{
		{ID: "opp-late", State: coach.Opportunity, SecondMeeting: d(9)},
		{ID: "opp-b", State: coach.Opportunity, SecondMeeting: d(2)},
		{ID: "opp-a", State: coach.Opportunity, SecondMeeting: d(2)},
		{ID: "opp-soon", State: coach.Opportunity, SecondMeeting: d(1).UTC()},
		{ID: "ny-new", State: coach.Awaiting, FirstMeeting: d(-1)},
		{ID: "ny-old", State: coach.Awaiting, FirstMeeting: d(-10)},
		{ID: "ny-sched", State: coach.Scheduled, FirstMeeting: d(-3)},
		{ID: "q-new", State: coach.Awaiting, FirstMeeting: d(-20), QuietSince: d(-1)},
		{ID: "q-old", State: coach.Awaiting, FirstMeeting: d(-40), QuietSince: d(-20)},
		{ID: "s-far", State: coach.Scheduled, FirstMeeting: d(7)},
		{ID: "s-near", State: coach.Scheduled, FirstMeeting: d(1)},
		{ID: "won-old", State: coach.Won, LastActivity: d(-30)},
		{ID: "won-new", State: coach.Won, LastActivity: d(-1)},
		{ID: "lost-mid", State: coach.Lost, LastActivity: d(-5)},
		{ID: "lost-new", State: coach.Lost, LastActivity: d(0)},
		{ID: "lost-old", State: coach.Lost, LastActivity: d(-50)},
	}
	// Whatever order they come in (a store gives any), the view is the same.
	for _, order := range [][]int{nil, {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, {3, 7, 1, 15, 0, 9, 2, 12, 4, 14, 6, 11, 5, 13, 8, 10}} {
		in := ps
		if order != nil {
			in = make([]coach.Prospect, len(ps))
			for i, j := range order {
				in[i] = ps[j]
			}
		}
		pl := coach.GroupPipeline(in, now)
		checks := []struct {
			name string
			got  []coach.Prospect
			want []string
		}{
			{"opportunities by second meeting", pl.Opportunities, []string{"opp-soon", "opp-a", "opp-b", "opp-late"}},
			{"not yet by first meeting", pl.NotYet, []string{"ny-old", "ny-sched", "ny-new"}},
			{"gone quiet by first meeting", pl.GoneQuiet, []string{"q-old", "q-new"}},
			{"scheduled by first meeting", pl.Scheduled, []string{"s-near", "s-far"}},
			{"won newest first", pl.Won, []string{"won-new", "won-old"}},
			{"lost newest first", pl.Lost, []string{"lost-new", "lost-mid", "lost-old"}},
		}
		for _, c := range checks {
			if !reflect.DeepEqual(ids(c.got), c.want) {
				t.Errorf("%s (input order %v): %v, want %v", c.name, order, ids(c.got), c.want)
			}
		}
		wantOpen := []string{"opp-soon", "opp-a", "opp-b", "opp-late", "ny-old", "ny-sched", "ny-new", "q-old", "q-new", "s-near", "s-far"}
		if got := ids(pl.Open()); !reflect.DeepEqual(got, wantOpen) {
			t.Errorf("Open() = %v, want %v", got, wantOpen)
		}
	}
}

// The groups share one array; appending to one must not write into the
// next, and grouping a rep's deals takes two allocations, not one per deal.
func TestGroupPipelineGroupsApart(t *testing.T) {
	now := bdate(11, 30, 12, 0)
	ps := []coach.Prospect{
		{ID: "opp", State: coach.Opportunity, SecondMeeting: now.AddDate(0, 0, 2)},
		{ID: "ny-1", State: coach.Awaiting, FirstMeeting: now.AddDate(0, 0, -2)},
		{ID: "ny-2", State: coach.Awaiting, FirstMeeting: now.AddDate(0, 0, -1)},
		{ID: "won", State: coach.Won, LastActivity: now},
	}
	pl := coach.GroupPipeline(ps, now)
	before := [][]string{ids(pl.Opportunities), ids(pl.NotYet), ids(pl.Won)}
	_ = append(pl.Opportunities, coach.Prospect{ID: "added"})
	_ = append(pl.NotYet, coach.Prospect{ID: "added"})
	after := [][]string{ids(pl.Opportunities), ids(pl.NotYet), ids(pl.Won)}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("appending to one group changed the others: %v, then %v", before, after)
	}

	many := make([]coach.Prospect, 22)
	for i := range many {
		many[i] = ps[i%len(ps)]
	}
	if allocs := testing.AllocsPerRun(20, func() { coach.GroupPipeline(many, now) }); allocs > 2 {
		t.Errorf("grouping 22 deals allocated %.0f times, want at most 2", allocs)
	}
}

func TestOpenAmountPerCurrency(t *testing.T) {
	ps := []coach.Prospect{
		{ID: "1", State: coach.Opportunity, Amount: 100, Currency: "EUR"},
		{ID: "2", State: coach.Opportunity, Amount: 50, Currency: "EUR"},
		{ID: "3", State: coach.Opportunity, Amount: 70, Currency: "USD"},
		{ID: "4", State: coach.Opportunity, Amount: 10},
		{ID: "5", State: coach.Opportunity, Amount: 0, Currency: "GBP"}, // no amount given
		{ID: "6", State: coach.Won, Amount: 1000, Currency: "EUR"},
		{ID: "7", State: coach.Lost, Amount: 1000, Currency: "USD", Loss: &coach.Loss{Stage: coach.Opportunity}},
		{ID: "8", State: coach.Awaiting, Amount: 1000, Currency: "EUR"},
	}
	got := coach.GroupPipeline(ps, firstMeeting).OpenAmount()
	want := map[string]int64{"EUR": 150, "USD": 70, "": 10}
	if !maps.Equal(got, want) {
		t.Errorf("OpenAmount = %v, want %v", got, want)
	}
}
