package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"pipelinecoach/coach"
	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
	"pipelinecoach/storage/storetest"
)

var prefixes atomic.Int64

// fresh is a store with a prefix no other store in this process uses.
func fresh(client redis.UniversalClient) *redisstore.Store {
	return redisstore.New(client, fmt.Sprintf("test%d", prefixes.Add(1)))
}

func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	client := srv.Client(t)
	storetest.Run(t, func(t *testing.T) coach.Store { return fresh(client) })
}

var t0 = time.Date(2031, time.March, 3, 9, 0, 0, 0, time.UTC)

func prospect(team, id, owner string) coach.Prospect {
	return coach.Prospect{Workspace: team, ID: id, Owner: owner, Account: "Account " + id, State: coach.Scheduled,
		FirstMeeting: t0, CreatedAt: t0, LastActivity: t0, Version: 1}
}

func TestPrefixesAreIsolated(t *testing.T) {
	ctx := context.Background()
	client := redistest.Start(t).Client(t)
	a, b := redisstore.New(client, "a"), redisstore.New(client, "b")

	pa, pb := prospect("T1", "p1", "U1"), prospect("T1", "p1", "U1")
	pa.Account, pb.Account = "in a", "in b"
	pa.FollowUpAt = t0
	for _, x := range []struct {
		s *redisstore.Store
		p coach.Prospect
	}{{a, pa}, {b, pb}} {
		if err := x.s.Save(ctx, x.p); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := b.Prospect(ctx, "T1", "p1"); err != nil || got.Account != "in b" {
		t.Errorf("b.Prospect = %q, %v; want in b", got.Account, err)
	}
	if jobs, err := b.ClaimDue(ctx, t0.Add(time.Hour), time.Minute, 10); err != nil || len(jobs) != 0 {
		t.Errorf("b.ClaimDue = %v, %v; want no jobs", jobs, err)
	}
	if jobs, err := a.ClaimDue(ctx, t0.Add(time.Hour), time.Minute, 10); err != nil || len(jobs) != 1 {
		t.Errorf("a.ClaimDue = %v, %v; want the follow-up", jobs, err)
	}
	if _, ok, err := a.Reserve(ctx, "k", "a", time.Minute); err != nil || !ok {
		t.Fatalf("a.Reserve = %v, %v", ok, err)
	}
	if _, ok, err := b.Reserve(ctx, "k", "b", time.Minute); err != nil || !ok {
		t.Errorf("b.Reserve of a key a holds = %v, %v; want reserved", ok, err)
	}

	// Every key is under the prefix's hash tag.
	keys, err := client.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "{a}:") && !strings.HasPrefix(k, "{b}:") {
			t.Errorf("key %q is outside {a}: and {b}:", k)
		}
	}
}

func TestPrefix(t *testing.T) {
	if err := redisstore.CheckPrefix("pipeline{coach}"); err == nil {
		t.Error("CheckPrefix accepted braces")
	}
	if err := redisstore.CheckPrefix(redisstore.DefaultPrefix); err != nil {
		t.Error(err)
	}
	defer func() {
		if recover() == nil {
			t.Error("New with braces in the prefix did not panic")
		}
	}()
	redisstore.New(nil, "a}b")
}

func TestSaveNeedsTeamIDAndOwner(t *testing.T) {
	s := fresh(redistest.Start(t).Client(t))
	for _, p := range []coach.Prospect{prospect("", "p1", "U1"), prospect("T1", "", "U1"), prospect("T1", "p1", "")} {
		if err := s.Save(context.Background(), p); !errors.Is(err, coach.ErrInvalid) {
			t.Errorf("Save(%q, %q, owner %q) = %v, want ErrInvalid", p.Workspace, p.ID, p.Owner, err)
		}
	}
}

// exercise runs every operation of the store once.
func exercise(t *testing.T, s *redisstore.Store, version int64) {
	t.Helper()
	ctx := context.Background()
	p := prospect("T1", "p1", "U1")
	p.Version = version
	p.FollowUpAt = t0.Add(time.Duration(version) * time.Minute)
	steps := []struct {
		name string
		run  func() error
	}{
		{"Save", func() error { return s.Save(ctx, p) }},
		{"Prospect", func() error { _, err := s.Prospect(ctx, "T1", "p1"); return err }},
		{"ProspectsOf", func() error { _, err := s.ProspectsOf(ctx, "T1", "U1"); return err }},
		{"ClaimDue", func() error { _, err := s.ClaimDue(ctx, t0.Add(time.Hour), time.Minute, 10); return err }},
		{"Schedule", func() error { return s.Schedule(ctx, "digest", t0) }},
		{"Release", func() error { return s.Release(ctx, "digest", "other") }},
		{"Done", func() error { return s.Done(ctx, "digest") }},
		{"Reserve", func() error { _, _, err := s.Reserve(ctx, "k", "v", time.Minute); return err }},
		{"Record", func() error { return s.Record(ctx, "k", "v", time.Minute) }},
		{"Forget", func() error { return s.Forget(ctx, "k") }},
	}
	for _, step := range steps {
		if err := step.run(); err != nil {
			t.Fatalf("%s (version %d): %v", step.name, version, err)
		}
	}
}

func TestScriptsSurviveScriptFlush(t *testing.T) {
	client := redistest.Start(t).Client(t)
	s := fresh(client)
	exercise(t, s, 1)
	if err := client.ScriptFlush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	exercise(t, s, 2)
	exercise(t, s, 3)
}

// counter is a client hook counting round trips: one per command sent
// alone, one per pipeline.
type counter struct {
	mu   sync.Mutex
	sent []string
}

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.add(cmd.Name())
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		names := make([]string, len(cmds))
		for i, cmd := range cmds {
			names[i] = cmd.Name()
		}
		c.add("pipeline(" + strings.Join(names, " ") + ")")
		return next(ctx, cmds)
	}
}

func (c *counter) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, name)
}

func (c *counter) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	sent := c.sent
	c.sent = nil
	return sent
}

func TestOneRoundTripEach(t *testing.T) {
	client := redistest.Start(t).Client(t)
	hook := &counter{}
	client.AddHook(hook)
	oneRoundTripEach(t, fresh(client), hook)
}

// oneRoundTripEach checks that each operation of s takes one round trip, as
// hook counts them on s's client.
func oneRoundTripEach(t *testing.T, s *redisstore.Store, hook *counter) {
	t.Helper()
	ctx := context.Background()
	exercise(t, s, 1) // loads the scripts (EVALSHA, NOSCRIPT, EVAL)
	hook.take()

	p := prospect("T1", "p1", "U1")
	p.Version = 2
	p.FollowUpAt = t0
	ops := []struct {
		name string
		run  func() error
	}{
		{"Save", func() error { return s.Save(ctx, p) }},
		{"Save conflicting", func() error {
			if err := s.Save(ctx, p); !errors.Is(err, coach.ErrConflict) {
				return fmt.Errorf("got %v, want ErrConflict", err)
			}
			return nil
		}},
		{"Prospect", func() error { _, err := s.Prospect(ctx, "T1", "p1"); return err }},
		{"ProspectsOf", func() error { _, err := s.ProspectsOf(ctx, "T1", "U1"); return err }},
		{"ClaimDue", func() error {
			jobs, err := s.ClaimDue(ctx, t0.Add(time.Hour), time.Minute, 10)
			if err == nil && len(jobs) != 1 {
				err = fmt.Errorf("claimed %v, want the follow-up", jobs)
			}
			return err
		}},
		{"Release", func() error { return s.Release(ctx, coach.FollowUpKey("T1", "p1"), "other") }},
		{"Schedule", func() error { return s.Schedule(ctx, "digest", t0) }},
		{"Done", func() error { return s.Done(ctx, "digest") }},
		{"Reserve", func() error { _, _, err := s.Reserve(ctx, "k2", "v", time.Minute); return err }},
		{"Reserve taken", func() error { _, _, err := s.Reserve(ctx, "k2", "v", time.Minute); return err }},
		{"Record", func() error { return s.Record(ctx, "k2", "v", time.Minute) }},
		{"Forget", func() error { return s.Forget(ctx, "k2") }},
	}
	for _, op := range ops {
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if sent := hook.take(); len(sent) != 1 {
			t.Errorf("%s took %d round trips: %v", op.name, len(sent), sent)
		}
	}
}

func TestClaimDueAmongManyPending(t *testing.T) {
	const pending, due = 50_000, 1_000
	ctx := context.Background()
	srv := redistest.Start(t)
	client := srv.Client(t)
	s := fresh(client)
	now := t0.Add(24 * time.Hour)
	err := redisstore.AddJobs(ctx, s, pending+due,
		func(i int) string { return fmt.Sprintf("job/%06d", i) },
		func(i int) time.Time {
			if i < due { // due, from the latest to the earliest
				return now.Add(-time.Duration(i) * time.Second)
			}
			return now.Add(time.Duration(i) * time.Second)
		})
	if err != nil {
		t.Fatal(err)
	}
	// Warm the script up, then count what one claim runs on the server.
	if _, err := s.ClaimDue(ctx, t0, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	before := srv.Commands(t)
	jobs, err := s.ClaimDue(ctx, now, time.Minute, 5_000)
	if err != nil {
		t.Fatal(err)
	}
	if ran, want := srv.Commands(t)-before, int64(1+2+2*due); ran != want {
		t.Errorf("claiming %d jobs ran %d commands, want %d (EVALSHA, 2 range reads, ZREM+ZADD each)", due, ran, want)
	}
	if len(jobs) != due {
		t.Fatalf("claimed %d jobs, want %d", len(jobs), due)
	}
	for k, j := range jobs {
		i := due - 1 - k // earliest first
		if want := fmt.Sprintf("job/%06d", i); j.Key != want || !j.Due.Equal(now.Add(-time.Duration(i)*time.Second)) {
			t.Fatalf("job %d is %s due %s, want %s due %s", k, j.Key, j.Due, want, now.Add(-time.Duration(i)*time.Second))
		}
	}
	dueKey, leasedKey, _ := redisstore.JobKeys(s)
	if n := client.ZCard(ctx, dueKey).Val(); n != pending {
		t.Errorf("%d jobs pending after the claim, want %d", n, pending)
	}
	if n := client.ZCard(ctx, leasedKey).Val(); n != due {
		t.Errorf("%d jobs leased after the claim, want %d", n, due)
	}
	if jobs, err := s.ClaimDue(ctx, now, time.Minute, 5_000); err != nil || len(jobs) != 0 {
		t.Errorf("second claim = %d jobs, %v; want none", len(jobs), err)
	}
}

// ProspectsOf reads big lists too (the script reads them in chunks).
func TestProspectsOfMany(t *testing.T) {
	const n, workers = 1_234, 16
	ctx := context.Background()
	s := fresh(redistest.Start(t).Client(t))
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := s.Save(ctx, prospect("T1", fmt.Sprintf("p%04d", i), "U1")); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ps, err := s.ProspectsOf(ctx, "T1", "U1")
	if err != nil {
		t.Fatal(err)
	}
	ids := slices.Compact(storetest.SortedIDs(ps))
	if len(ids) != n || ids[0] != "p0000" || ids[n-1] != fmt.Sprintf("p%04d", n-1) {
		t.Errorf("ProspectsOf = %d distinct prospects, want %d", len(ids), n)
	}
}

// What Save wrote survives a crash of an append-only server that syncs
// every write, job queue included.
func TestSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	client := srv.Client(t)
	s := fresh(client)
	p := prospect("T1", "p1", "U1")
	p.FollowUpAt = t0
	if err := s.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	srv.Restart(t)
	got, err := s.Prospect(ctx, "T1", "p1")
	if err != nil || got.Version != 1 || got.Account != p.Account {
		t.Fatalf("after restart: Prospect = %+v, %v", got, err)
	}
	jobs, err := s.ClaimDue(ctx, t0, time.Minute, 10)
	if err != nil || len(jobs) != 1 || jobs[0].Key != coach.FollowUpKey("T1", "p1") {
		t.Fatalf("after restart: ClaimDue = %v, %v; want the follow-up", jobs, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}
