package coach_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// teamReadCounter counts reads of a team's deals.
type teamReadCounter struct {
	*coachtest.MemStore
	teamReads atomic.Int32
}

func (c *teamReadCounter) ProspectsOfOwners(ctx context.Context, team string, owners []string) ([]coach.Prospect, error) {
	c.teamReads.Add(1)
	return c.MemStore.ProspectsOfOwners(ctx, team, owners)
}

// A manager's App Home asks for the team's deals (its team section) and for
// the manager's own view, whose "aged" uses the team's won cycle: the team's
// deals are read once for both, and the cycle is reused after.
func TestManagerViewReadsTheTeamOnce(t *testing.T) {
	ctx := context.Background()
	clock := coachtest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	store := &teamReadCounter{MemStore: coachtest.NewMemStore(clock.Now)}
	svc := coach.NewService(store, &coachtest.Notifier{}, clock, coach.DefaultTiming)
	if err := store.SaveTeam(ctx, coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1", "U2"}, Version: 1}); err != nil {
		t.Fatal(err)
	}
	manager := coach.Actor{Workspace: "T1", User: "UM"}

	_, err := svc.TeamDigest(ctx, manager)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RepView(ctx, "T1", "UM"); err != nil {
		t.Fatal(err)
	}
	if n := store.teamReads.Load(); n != 1 {
		t.Fatalf("the team's deals were read %d times for the team section and the manager's view, want 1", n)
	}
	// A rep of the team reuses the cycle too.
	if _, err := svc.RepView(ctx, "T1", "U1"); err != nil {
		t.Fatal(err)
	}
	if n := store.teamReads.Load(); n != 1 {
		t.Fatalf("a rep's view read the team's deals again (%d reads), want the cached cycle", n)
	}
	// Once the cache has run out, a rep's answer uses the stored cycle and
	// the scheduler measures it again (teamhistory_test.go).
	clock.Set(clock.Now().Add(time.Hour))
	if _, err := svc.RepView(ctx, "T1", "U1"); err != nil {
		t.Fatal(err)
	}
	if n := store.teamReads.Load(); n != 1 {
		t.Fatalf("%d team reads after the cycle's cache ran out, want 1: the answer reads the stored cycle", n)
	}
	if _, err := svc.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.teamReads.Load(); n != 2 {
		t.Fatalf("%d team reads after the scheduler ran, want 2: it measures the cycle again", n)
	}
}
