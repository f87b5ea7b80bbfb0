package coach_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// recentTeamReads counts a store's reads of a team's deals: all of them, and
// those its digest's windows count (how many deals those returned).
type recentTeamReads struct {
	*coachtest.MemStore
	whole, recent, recentDeals atomic.Int32
}

func (s *recentTeamReads) ProspectsOfOwners(ctx context.Context, workspace string, owners []string) ([]coach.Prospect, error) {
	s.whole.Add(1)
	return s.MemStore.ProspectsOfOwners(ctx, workspace, owners)
}

func (s *recentTeamReads) ProspectsOfOwnersSince(ctx context.Context, workspace string, owners []string, since time.Time) ([]coach.Prospect, error) {
	ps, err := s.MemStore.ProspectsOfOwnersSince(ctx, workspace, owners, since)
	s.recent.Add(1)
	s.recentDeals.Add(int32(len(ps)))
	return ps, err
}

// A manager's digest (`/pipeline team`, App Home, the weekly post) reads the
// team's open deals and those retired lately, not two years of them, and
// shows what it showed when it read them all: this week's numbers and
// losses, conversion and time to lose, coverage of the quarter's quota,
// stalled and aged deals, and the trend. Each case makes another part of
// the horizon the earliest (horizonDates): the quarter, the conversion
// window, the trend's first week with its four weeks of conversion.
func TestDigestReadsRecentDealsAndShowsWhatAllShow(t *testing.T) {
	for _, tc := range horizonDates {
		t.Run(tc.digest, func(t *testing.T) { testDigestHorizon(t, tc.now, tc.quarter, tc.conversion) })
	}
}

func testDigestHorizon(t *testing.T, now time.Time, quarter string, conversion time.Duration) {
	ctx := context.Background()
	clock := coachtest.NewClock(now)
	store := &recentTeamReads{MemStore: coachtest.NewMemStore(clock.Now)}
	reps := []string{"U1", "U2", "U3"}
	team := coach.Team{Workspace: "T1", Manager: "UM", Reps: reps, TZ: "UTC", Version: 1,
		Quotas: map[string]coach.Quota{"U1": {Amount: 1_000_000, Currency: "EUR", Period: quarter}}}
	if err := store.SaveTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(11, uint64(now.Unix())))
	for i := range 450 {
		p := randomDeal(r, i, now)
		p.Owner = reps[i%len(reps)]
		if p.State == coach.Lost && r.IntN(2) == 0 {
			p.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Shared: true}
		}
		save(t, store, p)
	}
	// The edges: won on the quarter's first day; lost within the week,
	// shared; lost at the start of the trend's first conversion window.
	save(t, store, dealWith("edge-quarter", now.AddDate(0, -4, 0), wonAt(coach.QuarterOf(now).Start.Add(9*time.Hour))))
	shared := dealWith("edge-week", now.AddDate(0, 0, -20), lostAt(now.AddDate(0, 0, -6)))
	shared.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Shared: true}
	save(t, store, shared)
	save(t, store, dealWith("edge-trend", now.AddDate(0, 0, -100), lostAt(now.AddDate(0, 0, -7*7-28).Add(time.Minute))))

	svc := coach.NewService(store, &coachtest.Notifier{}, clock, coach.DefaultTiming)
	if conversion > 0 {
		svc.Thresholds.ConversionWindow = conversion
	}
	manager := coach.Actor{Workspace: "T1", User: "UM"}
	cold, err := svc.TeamDigest(ctx, manager) // no history stored: reads all, stores it
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.TeamDigest(ctx, manager)
	if err != nil {
		t.Fatal(err)
	}
	all, err := store.MemStore.ProspectsOfOwners(ctx, "T1", reps)
	if err != nil {
		t.Fatal(err)
	}
	want := svc.Thresholds.BuildDigest(team, all, now)
	want.Numbers = got.Numbers
	if store.whole.Load() != 1 || store.recent.Load() != 1 {
		t.Fatalf("%d reads of all the team's deals and %d of recent ones; want one of each (the first digest stored the history)", store.whole.Load(), store.recent.Load())
	}
	if n := int(store.recentDeals.Load()); n*2 > len(all) {
		t.Fatalf("the digest read %d of the team's %d deals; want those retired long ago left out", n, len(all))
	}
	for name, d := range map[string]coach.Digest{"from the recent deals": got, "from all deals, storing the history": cold} {
		if !reflect.DeepEqual(d, want) {
			for _, f := range reflect.VisibleFields(reflect.TypeOf(d)) {
				if g, w := reflect.ValueOf(d).FieldByIndex(f.Index).Interface(), reflect.ValueOf(want).FieldByIndex(f.Index).Interface(); !reflect.DeepEqual(g, w) {
					t.Errorf("%s: %s = %+v\nfrom BuildDigest over all deals = %+v", name, f.Name, g, w)
				}
			}
		}
	}
	if len(want.SharedLosses) == 0 || len(want.Aged) == 0 || len(want.Trend) != coach.TrendWeeks || !want.Rows[0].HasCoverage {
		t.Errorf("%d shared losses, %d aged, %d trend weeks, coverage %v: the deals should give each",
			len(want.SharedLosses), len(want.Aged), len(want.Trend), want.Rows[0].HasCoverage)
	}
}

// The trend starts with the first week the team had a deal. A team whose
// only deal before the last three weeks was lost a year ago still shows all
// its weeks, though its digest no longer reads that deal.
func TestDigestTrendStartsWithTheTeamsFirstDealThoughOld(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	clock := coachtest.NewClock(now)
	store := &recentTeamReads{MemStore: coachtest.NewMemStore(clock.Now)}
	if err := store.SaveTeam(ctx, coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1"}, TZ: "UTC", Version: 1}); err != nil {
		t.Fatal(err)
	}
	save(t, store, dealWith("old", now.AddDate(-1, 0, 0), lostAt(now.AddDate(-1, 0, 3))))
	save(t, store, dealWith("new", now.AddDate(0, 0, -20), steps(stateStep{now.AddDate(0, 0, -19), coach.EventAsked, coach.Awaiting})))
	svc := coach.NewService(store, &coachtest.Notifier{}, clock, coach.DefaultTiming)
	manager := coach.Actor{Workspace: "T1", User: "UM"}
	for _, read := range []string{"all deals", "recent deals"} {
		d, err := svc.TeamDigest(ctx, manager)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Trend) != coach.TrendWeeks {
			t.Errorf("from %s: the trend shows %d weeks, want %d: the team has had a deal for a year", read, len(d.Trend), coach.TrendWeeks)
		}
	}
	if store.recent.Load() != 1 || store.recentDeals.Load() != 1 {
		t.Fatalf("%d reads of recent deals, %d deals read; want the second digest to read the new deal alone", store.recent.Load(), store.recentDeals.Load())
	}
}
