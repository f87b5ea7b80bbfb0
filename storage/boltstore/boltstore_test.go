package boltstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"pipelinecoach/coach"
	"pipelinecoach/storage/boltstore"
	"pipelinecoach/storage/storetest"
)

// TestMain runs this binary as a helper process when asked (see helper).
func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		os.Exit(runHelper(name))
	}
	os.Exit(m.Run())
}

var t0 = time.Date(2031, time.March, 3, 9, 0, 0, 0, time.UTC)

var ctx = context.Background()

func open(t *testing.T, dir string, opts boltstore.Options) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) coach.Store { return open(t, t.TempDir(), boltstore.Options{}) })
}

func prospect(team, id, owner string) coach.Prospect {
	return coach.Prospect{Workspace: team, ID: id, Owner: owner, Account: "Account " + id, State: coach.Scheduled,
		FirstMeeting: t0, CreatedAt: t0, LastActivity: t0, Version: 1}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func claim(t *testing.T, s *boltstore.Store, now time.Time) []string {
	t.Helper()
	jobs, err := s.ClaimDue(ctx, now, time.Hour, 100)
	must(t, "ClaimDue", err)
	var keys []string
	for _, j := range jobs {
		keys = append(keys, fmt.Sprintf("%s@%s", j.Key, j.Due.Sub(t0)))
	}
	return keys
}

func TestOpenCreatesDirAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "data")
	s := open(t, dir, boltstore.Options{})
	if want := filepath.Join(dir, boltstore.FileName); s.Path() != want {
		t.Errorf("Path = %s, want %s", s.Path(), want)
	}
	if _, err := os.Stat(s.Path()); err != nil {
		t.Fatal(err)
	}
	must(t, "Ping", s.Ping(ctx))
	must(t, "Close", s.Close())
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping after Close succeeded")
	}
}

// Everything is kept across a close and an open: prospects, teams, jobs with
// their due times and leases, the ledger.
func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	clock := t0
	now := func() time.Time { return clock }
	s, err := boltstore.Open(dir, boltstore.Options{Now: now})
	must(t, "Open", err)

	a := prospect("T1", "a", "U1")
	a.FollowUpAt = t0.Add(time.Hour)
	b := prospect("T1", "b", "U1")
	b.FollowUpAt = t0.Add(2 * time.Hour)
	other := prospect("T2", "a", "U9")
	for _, p := range []coach.Prospect{a, b, other} {
		must(t, "Save", s.Save(ctx, p))
	}
	b.Version, b.Owner = 2, "U2" // handed over
	must(t, "Save b v2", s.Save(ctx, b))
	must(t, "SaveTeam", s.SaveTeam(ctx, coach.Team{Workspace: "T1", Manager: "M1", Reps: []string{"U1", "U2"}, Version: 1}))
	must(t, "Schedule", s.Schedule(ctx, "digest/T1", t0.Add(3*time.Hour)))
	// a is claimed (leased until t0+1h+1h); b and the digest are not.
	if got := claim(t, s, t0.Add(time.Hour)); !slices.Equal(got, []string{coach.FollowUpKey("T1", "a") + "@1h0m0s"}) {
		t.Fatalf("claim before the restart = %v", got)
	}
	_, _, err = s.Reserve(ctx, "ask/T1/a/1", "pending", 0)
	must(t, "Reserve", err)
	must(t, "Record", s.Record(ctx, "ask/T1/b/1", "sent D1 1.2", time.Hour))
	must(t, "Record", s.Record(ctx, "expires", "soon", time.Minute))
	must(t, "Close", s.Close())

	clock = t0.Add(30 * time.Second)
	s = open(t, dir, boltstore.Options{Now: now})
	got, err := s.Prospect(ctx, "T1", "b")
	if err != nil || got.Version != 2 || got.Owner != "U2" || !got.FollowUpAt.Equal(b.FollowUpAt) {
		t.Errorf("Prospect(T1, b) after reopening = %+v, %v", got, err)
	}
	for owner, want := range map[string]int{"U1": 1, "U2": 1, "U9": 0} {
		ps, err := s.ProspectsOf(ctx, "T1", owner)
		if err != nil || len(ps) != want {
			t.Errorf("ProspectsOf(T1, %s) after reopening = %d prospects, %v; want %d", owner, len(ps), err, want)
		}
	}
	if ps, err := s.WorkspaceProspects(ctx, "T2"); err != nil || len(ps) != 1 || ps[0].Owner != "U9" {
		t.Errorf("WorkspaceProspects(T2) after reopening = %+v, %v", ps, err)
	}
	if m, err := s.ManagerOf(ctx, "T1", "U2"); err != nil || m != "M1" {
		t.Errorf("ManagerOf(T1, U2) after reopening = %q, %v", m, err)
	}
	for key, want := range map[string]string{"ask/T1/a/1": "pending", "ask/T1/b/1": "sent D1 1.2", "expires": "soon"} {
		if v, ok, err := s.Lookup(ctx, key); err != nil || !ok || v != want {
			t.Errorf("Lookup(%s) after reopening = %q, %v, %v; want %q", key, v, ok, err, want)
		}
	}
	clock = t0.Add(time.Minute)
	if v, ok, err := s.Lookup(ctx, "expires"); err != nil || ok {
		t.Errorf("Lookup(expires) after its ttl = %q, %v, %v; want none", v, ok, err)
	}
	// b is due at 2h; a's lease runs until 2h too, and then it is due again
	// at its own due time, earliest first.
	if got := claim(t, s, t0.Add(2*time.Hour-time.Millisecond)); len(got) != 0 {
		t.Errorf("claim while a is leased = %v, want nothing", got)
	}
	want := []string{coach.FollowUpKey("T1", "a") + "@1h0m0s", coach.FollowUpKey("T1", "b") + "@2h0m0s"}
	if got := claim(t, s, t0.Add(2*time.Hour)); !slices.Equal(got, want) {
		t.Errorf("claim when a's lease ended = %v, want %v", got, want)
	}
	// Their new leases end at 3h, when the digest is due.
	if got := claim(t, s, t0.Add(3*time.Hour)); !slices.Equal(got, append(want, "digest/T1@3h0m0s")) {
		t.Errorf("claim at 3h = %v, want %v and the digest", got, want)
	}
}

// A second Open of a file in use fails at once, in this process or another.
func TestSecondOpenFails(t *testing.T) {
	dir := t.TempDir()
	first := open(t, dir, boltstore.Options{})

	start := time.Now()
	s, err := boltstore.Open(dir, boltstore.Options{})
	if err == nil {
		_ = s.Close()
		t.Fatal("a second Open in this process succeeded")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the second Open took %s to fail", d)
	}
	wantInUse(t, err.Error(), dir)
	if !errors.Is(err, boltstore.ErrInUse) {
		t.Errorf("error %v is not ErrInUse", err)
	}

	// From another process.
	start = time.Now()
	out, code := helper(t, "open", dir)
	if d := time.Since(start); d > 5*time.Second { // process start included
		t.Errorf("the other process took %s to fail", d)
	}
	if code != 3 {
		t.Fatalf("the other process exited %d, want 3 (Open failed): %s", code, out)
	}
	wantInUse(t, out, dir)
	if !strings.Contains(out, "open took ") {
		t.Fatalf("helper output %q", out)
	}

	// Once closed, it opens again.
	must(t, "Close", first.Close())
	open(t, dir, boltstore.Options{})
}

func wantInUse(t *testing.T, msg, dir string) {
	t.Helper()
	for _, want := range []string{filepath.Join(dir, boltstore.FileName), "in use by another Pipeline Coach process",
		"set REDIS_URL to run several replicas"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
}

// Files that are not ours are refused, with what to do, and left as they
// were.
func TestForeignFile(t *testing.T) {
	random := func(n int) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			b := make([]byte, n)
			_, _ = rand.Read(b)
			must(t, "write", os.WriteFile(path, b, 0o600))
		}
	}
	withBolt := func(fn func(tx *bolt.Tx) error) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			db, err := bolt.Open(path, 0o600, nil)
			must(t, "bolt.Open", err)
			must(t, "bolt Update", db.Update(fn))
			must(t, "bolt Close", db.Close())
		}
	}
	cases := []struct {
		name, want string
		make       func(t *testing.T, path string)
	}{
		{"random bytes", "not a bbolt database", random(100)},
		{"random pages", "not a bbolt database", random(64 << 10)},
		{"text", "not a bbolt database", func(t *testing.T, path string) {
			must(t, "write", os.WriteFile(path, bytes.Repeat([]byte("DATA_DIR=./data\n"), 1000), 0o600))
		}},
		{"another program's bbolt file", `a bbolt database of another program (buckets "sessions", "users"`,
			withBolt(func(tx *bolt.Tx) error {
				for _, name := range []string{"users", "sessions"} {
					if _, err := tx.CreateBucket([]byte(name)); err != nil {
						return err
					}
				}
				return nil
			})},
		{"a meta bucket of another program", `format "other"`, withBolt(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("meta"))
			if err != nil {
				return err
			}
			return b.Put([]byte("format"), []byte("other"))
		})},
		{"a newer format", "written by a newer Pipeline Coach (format version 2", withBolt(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("meta"))
			if err != nil {
				return err
			}
			if err := b.Put([]byte("format"), []byte("pipelinecoach")); err != nil {
				return err
			}
			return b.Put([]byte("version"), []byte("2"))
		})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, boltstore.FileName)
			tc.make(t, path)
			before, err := os.ReadFile(path)
			must(t, "read", err)
			s, err := boltstore.Open(dir, boltstore.Options{})
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, boltstore.ErrForeign) {
				t.Errorf("error %v is not ErrForeign", err)
			}
			for _, want := range []string{path, tc.want, "move it away"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			after, err := os.ReadFile(path)
			must(t, "read", err)
			if !bytes.Equal(before, after) {
				t.Error("Open changed the file")
			}
		})
	}

	t.Run("an empty bbolt file is taken as new", func(t *testing.T) {
		dir := t.TempDir()
		withBolt(func(*bolt.Tx) error { return nil })(t, filepath.Join(dir, boltstore.FileName))
		s := open(t, dir, boltstore.Options{})
		must(t, "Save", s.Save(ctx, prospect("T1", "p1", "U1")))
	})
	t.Run("an empty file is taken as new", func(t *testing.T) {
		dir := t.TempDir()
		must(t, "write", os.WriteFile(filepath.Join(dir, boltstore.FileName), nil, 0o600))
		open(t, dir, boltstore.Options{})
	})
	t.Run("a directory at the data path", func(t *testing.T) {
		dir := t.TempDir()
		must(t, "mkdir", os.Mkdir(filepath.Join(dir, boltstore.FileName), 0o700))
		_, err := boltstore.Open(dir, boltstore.Options{})
		if !errors.Is(err, boltstore.ErrForeign) || !strings.Contains(err.Error(), "is a directory") {
			t.Errorf("Open = %v, want ErrForeign saying it is a directory", err)
		}
	})
	t.Run("DATA_DIR is a file", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		must(t, "write", os.WriteFile(dir, nil, 0o600))
		_, err := boltstore.Open(dir, boltstore.Options{})
		if err == nil || !strings.Contains(err.Error(), "DATA_DIR "+dir+" is not a directory") {
			t.Errorf("Open = %v, want DATA_DIR is not a directory", err)
		}
	})
}

// A damaged file of ours is refused, naming the file and what to do.
func TestCorruptFile(t *testing.T) {
	// filled is a closed data file with some pages in it.
	filled := func(t *testing.T) (dir, path string) {
		dir = t.TempDir()
		s, err := boltstore.Open(dir, boltstore.Options{})
		must(t, "Open", err)
		for i := range 300 {
			p := prospect("T1", fmt.Sprintf("p%03d", i), "U1")
			p.NextStep = strings.Repeat("x", 200)
			p.FollowUpAt = t0.Add(time.Duration(i) * time.Minute)
			must(t, "Save", s.Save(ctx, p))
		}
		must(t, "Close", s.Close())
		return dir, s.Path()
	}
	check := func(t *testing.T, dir, path string, want string) {
		t.Helper()
		s, err := boltstore.Open(dir, boltstore.Options{})
		if err == nil {
			_ = s.Close()
			t.Fatal("Open succeeded")
		}
		if !errors.Is(err, boltstore.ErrCorrupt) {
			t.Errorf("error %v is not ErrCorrupt", err)
		}
		for _, w := range []string{path, want, "restore it from a backup"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	}

	t.Run("both meta pages", func(t *testing.T) {
		dir, path := filled(t)
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		must(t, "open", err)
		pageSize := os.Getpagesize()
		for _, page := range []int{0, 1} {
			// past the page header and the magic: the checksum no longer matches
			_, err := f.WriteAt([]byte{0xff, 0xee}, int64(page*pageSize+16+8+8))
			must(t, "write", err)
		}
		must(t, "close", f.Close())
		check(t, dir, path, "checksum")
	})
	t.Run("truncated", func(t *testing.T) {
		dir, path := filled(t)
		info, err := os.Stat(path)
		must(t, "stat", err)
		must(t, "truncate", os.Truncate(path, info.Size()/4))
		check(t, dir, path, "corrupt")
	})
}

// A Save that fails leaves nothing of itself: not the record, not the owner
// lists, not the job.
func TestFailedSaveWritesNothing(t *testing.T) {
	s := open(t, t.TempDir(), boltstore.Options{})
	p := prospect("T1", "p1", "U1")
	p.FollowUpAt = t0
	must(t, "Save", s.Save(ctx, p))
	if got := claim(t, s, t0); len(got) != 1 {
		t.Fatalf("claim = %v", got)
	}
	stale := p // version 1 again: a conflict, found after nothing else
	stale.Owner, stale.FollowUpAt, stale.Account = "U2", t0.Add(-time.Hour), "stale"
	if err := s.Save(ctx, stale); !errors.Is(err, coach.ErrConflict) {
		t.Fatalf("stale Save = %v, want ErrConflict", err)
	}
	if ps, _ := s.ProspectsOf(ctx, "T1", "U2"); len(ps) != 0 {
		t.Errorf("the failed Save moved the prospect to U2")
	}
	if got, _ := s.Prospect(ctx, "T1", "p1"); got.Account != p.Account {
		t.Errorf("the failed Save wrote the record")
	}
	// The job is still claimed: not moved earlier, lease kept.
	if got := claim(t, s, t0.Add(time.Hour-time.Millisecond)); len(got) != 0 {
		t.Errorf("claim during the lease = %v: the failed Save moved the job", got)
	}
}

func TestSaveNeedsTeamIDAndOwner(t *testing.T) {
	s := open(t, t.TempDir(), boltstore.Options{})
	for _, p := range []coach.Prospect{prospect("", "p1", "U1"), prospect("T1", "", "U1"), prospect("T1", "p1", "")} {
		if err := s.Save(ctx, p); !errors.Is(err, coach.ErrInvalid) {
			t.Errorf("Save(%q, %q, owner %q) = %v, want ErrInvalid", p.Workspace, p.ID, p.Owner, err)
		}
	}
	if err := s.Schedule(ctx, "", t0); !errors.Is(err, coach.ErrInvalid) {
		t.Errorf("Schedule with no key = %v, want ErrInvalid", err)
	}
	if _, _, err := s.Reserve(ctx, "", "v", 0); !errors.Is(err, coach.ErrInvalid) {
		t.Errorf("Reserve with no key = %v, want ErrInvalid", err)
	}
	if _, err := s.ClaimDue(ctx, t0, 0, 1); !errors.Is(err, coach.ErrInvalid) {
		t.Errorf("ClaimDue with no lease = %v, want ErrInvalid", err)
	}
}

func TestCanceledContext(t *testing.T) {
	s := open(t, t.TempDir(), boltstore.Options{})
	c, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Save(c, prospect("T1", "p1", "U1")); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with a canceled context = %v", err)
	}
	if _, err := s.Prospect(ctx, "T1", "p1"); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("the canceled Save wrote: %v", err)
	}
}

// Expired ledger entries are deleted as later writes come by, so the file
// does not keep every reservation ever made.
func TestExpiredLedgerEntriesAreSwept(t *testing.T) {
	clock := t0
	s := open(t, t.TempDir(), boltstore.Options{Now: func() time.Time { return clock }})
	for i := range 100 {
		must(t, "Record", s.Record(ctx, fmt.Sprintf("ask/%d", i), "sent", time.Minute))
	}
	must(t, "Record", s.Record(ctx, "kept", "forever", 0))
	clock = clock.Add(time.Hour)
	for i := range 10 {
		_, _, err := s.Reserve(ctx, fmt.Sprintf("new/%d", i), "pending", time.Hour)
		must(t, "Reserve", err)
	}
	if n := boltstore.LedgerSize(t, s); n != 1+10 {
		t.Errorf("%d ledger entries after the sweep, want the 11 that hold", n)
	}
	if v, ok, err := s.Lookup(ctx, "kept"); err != nil || !ok || v != "forever" {
		t.Errorf("Lookup(kept) = %q, %v, %v", v, ok, err)
	}
}

// ClaimDue reads what is due and stops at the first pending job: among
// 50,000 pending jobs it claims the 1,000 due ones, earliest first, and
// leaves the rest. (The scan's bound is in the code; this checks the results.)
func TestClaimDueAmongManyPending(t *testing.T) {
	const pending, due = 50_000, 1_000
	s := open(t, t.TempDir(), boltstore.Options{})
	now := t0.Add(24 * time.Hour)
	boltstore.AddJobs(t, s, pending+due,
		func(i int) string { return fmt.Sprintf("job/%06d", i) },
		func(i int) time.Time {
			if i < due { // due, from the latest to the earliest
				return now.Add(-time.Duration(i) * time.Second)
			}
			return now.Add(time.Duration(i) * time.Second)
		})
	start := time.Now()
	jobs, err := s.ClaimDue(ctx, now, time.Minute, 5_000)
	must(t, "ClaimDue", err)
	t.Logf("claimed %d of %d jobs in %s", len(jobs), pending+due, time.Since(start))
	if len(jobs) != due {
		t.Fatalf("claimed %d jobs, want %d", len(jobs), due)
	}
	for k, j := range jobs {
		i := due - 1 - k // earliest first
		if want := fmt.Sprintf("job/%06d", i); j.Key != want || !j.Due.Equal(now.Add(-time.Duration(i)*time.Second)) {
			t.Fatalf("job %d is %s due %s, want %s", k, j.Key, j.Due, want)
		}
	}
	if d, l := boltstore.QueueSizes(t, s); d != pending || l != due {
		t.Errorf("after the claim: %d due, %d leased; want %d, %d", d, l, pending, due)
	}
	if jobs, err := s.ClaimDue(ctx, now, time.Minute, 5_000); err != nil || len(jobs) != 0 {
		t.Errorf("second claim = %d jobs, %v; want none", len(jobs), err)
	}
}

// helperEnv names the helper a re-executed test binary runs (see TestMain).
const helperEnv = "BOLTSTORE_TEST_HELPER"

// helper runs this test binary as another process doing name on dir, and
// returns its output and exit code.
func helper(t *testing.T, name, dir string, env ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, helperEnv+"="+name, "BOLTSTORE_TEST_DIR="+dir)...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run helper %s: %v", name, err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

// runHelper is the other process's side; it returns the exit code.
func runHelper(name string) int {
	dir := os.Getenv("BOLTSTORE_TEST_DIR")
	switch name {
	case "open":
		start := time.Now()
		s, err := boltstore.Open(dir, boltstore.Options{})
		if err != nil {
			fmt.Printf("open took %s: %v\n", time.Since(start), err)
			return 3
		}
		_ = s.Close()
		return 0
	default:
		if run, ok := helpers[name]; ok {
			return run(dir)
		}
	}
	fmt.Println("no helper", name)
	return 2
}

// helpers are the helper processes of other files (some only on some
// systems).
var helpers = map[string]func(dir string) int{}
