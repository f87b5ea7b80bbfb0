package coach_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// cycleTeam is a team whose won cycle is 20 days (U2's eight wins), and
// U1's opportunity first met 40 days before now: aged against that cycle
// (open past 1.5 × 20 days), not against the 90-day default.
type cycleTeam struct {
	ctx   context.Context
	clock *coachtest.Clock
	store *teamReadCounter
	opp   string
}

func newCycleTeam(t *testing.T) *cycleTeam {
	t.Helper()
	f := &cycleTeam{ctx: context.Background(), clock: coachtest.NewClock(on(100))}
	f.store = &teamReadCounter{MemStore: coachtest.NewMemStore(f.clock.Now)}
	if err := f.store.SaveTeam(f.ctx, coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1", "U2"}, Version: 1}); err != nil {
		t.Fatal(err)
	}
	f.win(t, "w20-", 8, 20)
	p := mProspect("open", on(60), opp(on(61)))
	p.Version = 1
	if err := f.store.Save(f.ctx, p); err != nil {
		t.Fatal(err)
	}
	f.opp = p.ID
	return f
}

// win saves n wins of U2, each won days after its first meeting.
func (f *cycleTeam) win(t *testing.T, prefix string, n, days int) {
	t.Helper()
	for i := range n {
		p := mProspect(fmt.Sprintf("%s%d", prefix, i), on(i), opp(on(i+1)), won(on(i+days)))
		p.Owner, p.Version = "U2", 1
		if err := f.store.Save(f.ctx, p); err != nil {
			t.Fatal(err)
		}
	}
}

// replica is a service over the team's store, as one replica runs it.
func (f *cycleTeam) replica() *coach.Service {
	return coach.NewService(f.store, &coachtest.Notifier{}, f.clock, coach.DefaultTiming)
}

// aged is whether U1's opportunity shows as aged in their view on svc.
func (f *cycleTeam) aged(t *testing.T, svc *coach.Service) bool {
	t.Helper()
	v, err := svc.RepView(f.ctx, "T1", "U1")
	if err != nil {
		t.Fatal(err)
	}
	return v.Flags[f.opp].Aged
}

func (f *cycleTeam) reads() int32 { return f.store.teamReads.Load() }

// A rep's answer shows aged deals against the team's won cycle, measured on
// all the team's deals; it reads them only when no replica has stored a
// cycle this week. A stale stored cycle is shown while the scheduler
// measures it again, and the answers after show the new one.
func TestRepAnswersUseTheStoredTeamCycle(t *testing.T) {
	f := newCycleTeam(t)
	first, second := f.replica(), f.replica()

	if !f.aged(t, first) {
		t.Fatal("U1's 40-day opportunity is not aged against the team's 20-day cycle")
	}
	if f.reads() != 1 {
		t.Fatalf("the first answer read the team's deals %d times, want 1: no cycle was stored", f.reads())
	}
	if !f.aged(t, second) {
		t.Fatal("another replica does not show the stored 20-day cycle")
	}
	if f.reads() != 1 {
		t.Fatalf("another replica read the team's deals (%d reads), want the stored cycle", f.reads())
	}

	// Nine wins of 80 days make the median 80: 40 days is not aged.
	f.win(t, "w80-", 9, 80)
	f.clock.Set(f.clock.Now().Add(time.Hour))
	if !f.aged(t, first) {
		t.Fatal("a stale stored cycle was not shown while it is measured again")
	}
	if f.reads() != 1 {
		t.Fatalf("an answer read the team's deals over a stale stored cycle (%d reads), want none", f.reads())
	}
	if n, err := second.RunDue(f.ctx); err != nil || n != 1 {
		t.Fatalf("the scheduler ran %d jobs (%v), want the cycle's", n, err)
	}
	if f.reads() != 2 {
		t.Fatalf("the cycle's job read the team's deals %d times in all, want 2", f.reads()-1)
	}
	if f.aged(t, second) {
		t.Fatal("after the scheduler measured 80 days, its replica still shows the deal aged")
	}
	f.clock.Set(f.clock.Now().Add(2 * time.Minute)) // past the stale cycle's minute in memory
	if f.aged(t, first) {
		t.Fatal("the replica that saw the stale cycle still shows it after its minute")
	}
	if f.reads() != 2 {
		t.Fatalf("%d team reads, want 2", f.reads())
	}
	if n, err := first.RunDue(f.ctx); err != nil || n != 0 {
		t.Fatalf("the scheduler ran %d jobs (%v) with a fresh cycle stored, want none", n, err)
	}
}

// With no cycle stored this week (the scheduler stopped), an answer
// measures the team itself rather than show a cycle that old.
func TestRepAnswerMeasuresACycleStoredTooLongAgo(t *testing.T) {
	f := newCycleTeam(t)
	svc := f.replica()
	f.aged(t, svc)
	f.win(t, "w80-", 9, 80)
	f.clock.Set(f.clock.Now().Add(8 * 24 * time.Hour))
	if f.aged(t, f.replica()) {
		t.Fatal("a cycle stored eight days ago was shown: the deal is aged against 20 days, not 80")
	}
	if f.reads() != 2 {
		t.Fatalf("%d team reads, want 2: the answer measured the cycle", f.reads())
	}
}

// A cycle the manager set is the team's: nothing is read or stored.
func TestRepAnswerUsesTheCycleTheManagerSet(t *testing.T) {
	f := newCycleTeam(t)
	tm, err := f.store.Team(f.ctx, "T1", "UM")
	if err != nil {
		t.Fatal(err)
	}
	tm.CycleDays, tm.Version = 20, tm.Version+1
	if err := f.store.SaveTeam(f.ctx, tm); err != nil {
		t.Fatal(err)
	}
	f.win(t, "w80-", 9, 80)
	if !f.aged(t, f.replica()) {
		t.Fatal("the deal is not aged against the 20 days the manager set")
	}
	if f.reads() != 0 {
		t.Fatalf("%d team reads with a cycle the manager set, want none", f.reads())
	}
}

// The morning's coaching briefs read all the team's deals: what they say is
// stored, and the day's answers read no deal of the team's to show it.
func TestBriefsStoreTheTeamHistory(t *testing.T) {
	f := newCycleTeam(t)
	svc := f.replica()
	if err := f.store.Schedule(f.ctx, coach.NudgesKey("T1", "UM"), f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.RunDue(f.ctx); err != nil || n != 1 {
		t.Fatalf("the scheduler ran %d jobs (%v), want the briefs'", n, err)
	}
	if f.reads() != 1 {
		t.Fatalf("the briefs read the team's deals %d times, want 1", f.reads())
	}
	if !f.aged(t, f.replica()) {
		t.Fatal("U1's 40-day opportunity is not aged against the 20-day cycle the briefs stored")
	}
	if f.reads() != 1 {
		t.Fatalf("a rep's answer read the team's deals after the briefs stored what they say (%d reads)", f.reads())
	}
}
