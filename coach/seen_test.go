package coach_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"

	"pipelinecoach/coach"
)

// countingStore counts the store calls a service makes.
type countingStore struct {
	coach.Store
	calls atomic.Int64
}

func (c *countingStore) Prospect(ctx context.Context, ws, id string) (coach.Prospect, error) {
	c.calls.Add(1)
	return c.Store.Prospect(ctx, ws, id)
}

func (c *countingStore) Save(ctx context.Context, p coach.Prospect) error {
	c.calls.Add(1)
	return c.Store.Save(ctx, p)
}

func (c *countingStore) ManagerOf(ctx context.Context, ws, rep string) (string, error) {
	c.calls.Add(1)
	return c.Store.ManagerOf(ctx, ws, rep)
}

// TestAFormSubmissionCostsOneStoreCall: the record read to open a form is
// what its submission decides on, so the owner's honest submission is one
// conditional save.
func TestAFormSubmissionCostsOneStoreCall(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, bdate(11, 25, 9, 0))
	cs := &countingStore{Store: f.store}
	svc := coach.NewService(cs, f.notify, f.clock, coach.DefaultTiming)
	ctx := context.Background()
	opened, err := svc.Prospect(ctx, rep, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := cs.calls.Load()
	got, changed, err := svc.ConfirmSeen(ctx, rep, coach.Seen{ID: p.ID, Version: opened.Version}, coach.SecondMeeting{At: bdate(11, 27, 10, 0)})
	if err != nil || !changed || got.State != coach.Opportunity {
		t.Fatalf("ConfirmSeen = %v, %v, %v", got.State, changed, err)
	}
	if n := cs.calls.Load() - before; n != 1 {
		t.Errorf("the submission made %d store calls, want 1 (the save)", n)
	}
	// Without the read of a form opened here (another replica opened it,
	// or it was open too long) it reads first: two calls, same result.
	q := f.log(t, bdate(11, 25, 9, 0))
	before = cs.calls.Load()
	if _, err := svc.LoseSeen(ctx, rep, coach.Seen{ID: q.ID, Version: q.Version}, coach.LossReport{Reason: coach.ReasonNoFit}); err != nil {
		t.Fatal(err)
	}
	if n := cs.calls.Load() - before; n != 2 {
		t.Errorf("a submission without the opening read made %d store calls, want 2", n)
	}
}

// TestASubmissionDecidesOnTheStoredRecord: an id swapped to someone else's
// prospect, or a form opened on a record that changed meanwhile, is decided
// on what is stored.
func TestASubmissionDecidesOnTheStoredRecord(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	ctx := context.Background()
	mine := f.log(t, bdate(11, 25, 9, 0))
	theirs, err := f.svc.LogMeeting(ctx, coach.NewMeeting{Team: "T1", Owner: otherRep.User, Account: "Globex", TZ: "Europe/Berlin", Start: bdate(11, 25, 9, 0)})
	if err != nil {
		t.Fatal(err)
	}
	elsewhere, err := f.svc.LogMeeting(ctx, coach.NewMeeting{Team: "T2", Owner: rep.User, Account: "Initech", TZ: "Europe/Berlin", Start: bdate(11, 25, 9, 0)})
	if err != nil {
		t.Fatal(err)
	}
	// The rep opened their own form, then sends another's id with it.
	if _, err := f.svc.Prospect(ctx, rep, mine.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{theirs.ID, elsewhere.ID} {
		_, err := f.svc.LoseSeen(ctx, rep, coach.Seen{ID: id, Version: 1}, coach.LossReport{Reason: coach.ReasonNoFit})
		if !errors.Is(err, coach.ErrForbidden) && !errors.Is(err, coach.ErrNotFound) {
			t.Errorf("losing %s with a swapped id: %v, want refused", id, err)
		}
	}
	if got := f.get(t, theirs.ID); got.State != coach.Scheduled || got.Owner != otherRep.User || got.Version != 1 {
		t.Errorf("another rep's prospect changed: %s, owner %s, version %d", got.State, got.Owner, got.Version)
	}
	if got, err := f.store.Prospect(ctx, "T2", elsewhere.ID); err != nil || got.Version != 1 {
		t.Errorf("another workspace's prospect changed: version %d, %v", got.Version, err)
	}

	// Stale: the admin answered for the rep after the rep opened the form.
	seen := coach.Seen{ID: mine.ID, Version: mine.Version}
	if _, err := f.svc.NotYet(ctx, admin, "T1", mine.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.ConfirmSeen(ctx, rep, seen, coach.SecondMeeting{At: bdate(11, 27, 10, 0)})
	var stale *coach.StaleError
	if !errors.As(err, &stale) || len(stale.Changes) != 1 || stale.Changes[0].By != admin.User || stale.Changes[0].Event != coach.EventNotYet {
		t.Fatalf("a stale form: %v, want a StaleError naming the admin's 'not yet'", err)
	}
	if got := f.get(t, mine.ID); got.State != coach.Awaiting {
		t.Errorf("a stale form changed the prospect to %s", got.State)
	}
	// What the rep did themselves, and the scheduler's bookkeeping, do not
	// make their own form stale.
	seen.Version = f.get(t, mine.ID).Version
	if _, err := f.svc.NotYet(ctx, rep, "T1", mine.ID); err != nil {
		t.Fatal(err)
	}
	got, changed, err := f.svc.ConfirmSeen(ctx, rep, seen, coach.SecondMeeting{At: bdate(11, 27, 10, 0)})
	if err != nil || !changed || got.State != coach.Opportunity {
		t.Fatalf("confirming after their own 'not yet' = %v, %v, %v", got.State, changed, err)
	}
	var events []coach.Event
	for _, e := range got.History {
		events = append(events, e.Event)
	}
	if !slices.Contains(events, coach.EventNotYet) {
		t.Errorf("history %v lost the 'not yet'", events)
	}

	// Handed to another rep after the form was opened: its old owner is
	// refused.
	opened, err := f.svc.Prospect(ctx, rep, mine.ID)
	if err != nil {
		t.Fatal(err)
	}
	moved := f.get(t, mine.ID)
	moved.Owner, moved.Version = otherRep.User, moved.Version+1
	if err := f.store.Save(ctx, moved); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.UpdateSeen(ctx, rep, coach.Seen{ID: mine.ID, Version: opened.Version}, coach.DealUpdate{})
	if !errors.Is(err, coach.ErrForbidden) {
		t.Fatalf("the old owner's form after the deal changed hands: %v, want ErrForbidden", err)
	}
	if got := f.get(t, mine.ID); got.Version != moved.Version {
		t.Errorf("the refused update saved version %d", got.Version)
	}
}
