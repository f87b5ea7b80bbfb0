package coachtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

var t0 = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)

func keys(jobs []coach.Job) []string {
	out := []string{}
	for _, j := range jobs {
		out = append(out, j.Key)
	}
	return out
}

func TestClock(t *testing.T) {
	c := coachtest.NewClock(t0)
	c.Advance(90 * time.Minute)
	if !c.Now().Equal(t0.Add(90 * time.Minute)) {
		t.Errorf("Advance: %s", c.Now())
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Errorf("Set: %s", c.Now())
	}
}

func TestMemStoreSaveVersions(t *testing.T) {
	ctx := context.Background()
	s := coachtest.NewMemStore(func() time.Time { return t0 })
	p := coach.Prospect{Workspace: "T1", ID: "a", Owner: "U1", State: coach.Scheduled, Version: 1,
		History: []coach.Entry{{At: t0, By: "U1", Event: coach.EventLogged, To: coach.Scheduled}}}
	if _, err := s.Prospect(ctx, "T1", "a"); !errors.Is(err, coach.ErrNotFound) {
		t.Fatalf("missing prospect: %v", err)
	}
	if err := s.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, v := range []int64{1, 3, 0} {
		q := p
		q.Version = v
		if err := s.Save(ctx, q); !errors.Is(err, coach.ErrConflict) {
			t.Errorf("save at version %d over 1: %v, want ErrConflict", v, err)
		}
	}
	got, err := s.Prospect(ctx, "T1", "a")
	if err != nil || got.Version != 1 {
		t.Fatalf("read: %v v%d", err, got.Version)
	}
	got.History[0].By = "mutated"
	again, _ := s.Prospect(ctx, "T1", "a")
	if again.History[0].By != "U1" {
		t.Error("the store shares memory with what it returned")
	}
	if _, err := s.Prospect(ctx, "T2", "a"); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("another team's read: %v, want ErrNotFound", err)
	}
	other := coach.Prospect{Workspace: "T1", ID: "b", Owner: "U2", Version: 1}
	if err := s.Save(ctx, other); err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.ProspectsOf(ctx, "T1", "U1"); len(ps) != 1 || ps[0].ID != "a" {
		t.Errorf("ProspectsOf U1 = %v", ps)
	}
}

func TestMemStoreFollowUpJobs(t *testing.T) {
	ctx := context.Background()
	s := coachtest.NewMemStore(func() time.Time { return t0 })
	key := coach.FollowUpKey("T1", "a")
	p := coach.Prospect{Workspace: "T1", ID: "a", Version: 1, FollowUpAt: t0.Add(time.Hour)}
	if err := s.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.ClaimDue(ctx, t0.Add(59*time.Minute), time.Minute, 10); len(jobs) != 0 {
		t.Fatalf("claimed before due: %v", jobs)
	}
	jobs, _ := s.ClaimDue(ctx, t0.Add(time.Hour), time.Minute, 10)
	if len(jobs) != 1 || jobs[0].Key != key || !jobs[0].Due.Equal(p.FollowUpAt) {
		t.Fatalf("claim at due: %+v", jobs)
	}
	if jobs, _ := s.ClaimDue(ctx, t0.Add(time.Hour+59*time.Second), time.Minute, 10); len(jobs) != 0 {
		t.Fatalf("claimed twice within the lease: %v", jobs)
	}
	// Saving without moving the follow-up keeps the lease.
	p.Version, p.Account = 2, "renamed"
	if err := s.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.ClaimDue(ctx, t0.Add(time.Hour+30*time.Second), time.Minute, 10); len(jobs) != 0 {
		t.Fatalf("an unrelated save freed the lease: %v", jobs)
	}
	// The lease ends: due again.
	if jobs, _ := s.ClaimDue(ctx, t0.Add(time.Hour+time.Minute), time.Minute, 10); len(jobs) != 1 {
		t.Fatalf("not reclaimed after the lease: %v", jobs)
	}
	// Moving the follow-up drops the lease and reschedules.
	p.Version, p.FollowUpAt = 3, t0.Add(48*time.Hour)
	if err := s.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.ClaimDue(ctx, t0.Add(47*time.Hour), time.Minute, 10); len(jobs) != 0 {
		t.Fatalf("claimed before the moved due time: %v", jobs)
	}
	if jobs, _ := s.ClaimDue(ctx, t0.Add(48*time.Hour), time.Minute, 10); len(jobs) != 1 {
		t.Fatalf("not due at the moved time: %v", jobs)
	}
	// Release hands it over at once.
	if err := s.Release(ctx, key); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.ClaimDue(ctx, t0.Add(48*time.Hour), time.Minute, 10); len(jobs) != 1 {
		t.Fatalf("released job not due: %v", jobs)
	}
	// Clearing the follow-up removes the job, claimed or not.
	p.Version, p.FollowUpAt = 4, time.Time{}
	if err := s.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.ClaimDue(ctx, t0.AddDate(1, 0, 0), time.Minute, 10); len(jobs) != 0 {
		t.Fatalf("cleared follow-up still claimed: %v", jobs)
	}
}

func TestMemStoreClaimOrderAndMax(t *testing.T) {
	ctx := context.Background()
	s := coachtest.NewMemStore(func() time.Time { return t0 })
	_ = s.Schedule(ctx, "c", t0.Add(3*time.Minute))
	_ = s.Schedule(ctx, "a", t0.Add(1*time.Minute))
	_ = s.Schedule(ctx, "b", t0.Add(1*time.Minute))
	_ = s.Schedule(ctx, "later", t0.Add(time.Hour))
	jobs, _ := s.ClaimDue(ctx, t0.Add(10*time.Minute), time.Minute, 2)
	if got := keys(jobs); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("first claim %v, want [a b]", got)
	}
	jobs, _ = s.ClaimDue(ctx, t0.Add(10*time.Minute), time.Minute, 2)
	if got := keys(jobs); len(got) != 1 || got[0] != "c" {
		t.Errorf("second claim %v, want [c]", got)
	}
	_ = s.Done(ctx, "c")
	if jobs, _ := s.ClaimDue(ctx, t0.Add(30*time.Minute), time.Minute, 10); len(jobs) != 2 {
		t.Errorf("after lease: %v, want a and b again, not c", keys(jobs))
	}
}

func TestMemStoreLedger(t *testing.T) {
	ctx := context.Background()
	clock := coachtest.NewClock(t0)
	s := coachtest.NewMemStore(clock.Now)
	if _, ok, _ := s.Reserve(ctx, "k", "pending", time.Minute); !ok {
		t.Fatal("first reserve refused")
	}
	if v, ok, _ := s.Reserve(ctx, "k", "pending", time.Minute); ok || v != "pending" {
		t.Errorf("second reserve: %q %v", v, ok)
	}
	clock.Advance(time.Minute)
	if _, ok, _ := s.Reserve(ctx, "k", "again", time.Minute); !ok {
		t.Error("an expired reservation still holds")
	}
	_ = s.Record(ctx, "k", "sent D1 1.0", time.Hour)
	if v, ok, _ := s.Reserve(ctx, "k", "x", time.Minute); ok || v != "sent D1 1.0" {
		t.Errorf("after record: %q %v", v, ok)
	}
	_ = s.Forget(ctx, "k")
	if _, ok, _ := s.Reserve(ctx, "k", "x", time.Minute); !ok {
		t.Error("forgotten key still held")
	}
}

func TestNotifierFailsOnce(t *testing.T) {
	ctx := context.Background()
	n := &coachtest.Notifier{Fail: errors.New("boom")}
	p := coach.Prospect{Workspace: "T1", ID: "a", Owner: "U1"}
	if _, err := n.Ask(ctx, p, coach.Ask{Kind: coach.AskFirst, N: 1}); err == nil {
		t.Fatal("want the failure")
	}
	ref, err := n.Ask(ctx, p, coach.Ask{Kind: coach.AskFirst, N: 1})
	if err != nil || ref.IsZero() {
		t.Fatalf("second ask: %v %+v", err, ref)
	}
	if got := n.Asks(); len(got) != 1 || got[0].Prospect != "a" || got[0].Owner != "U1" {
		t.Errorf("sent %+v", got)
	}
}
