package boltstore_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/storage/boltstore"
)

// A write that runs out of room fails cleanly: the caller gets ErrNoSpace,
// nothing of the transaction is written, and the store goes on working.
// A full disk needs a mount (root); a file size limit (RLIMIT_FSIZE) fails
// the same writes with EFBIG, for one process: the helper.
func TestNoSpace(t *testing.T) {
	dir := t.TempDir()
	out, code := helper(t, "nospace", dir)
	t.Logf("helper:\n%s", out)
	if code != 0 {
		t.Fatalf("the helper exited %d", code)
	}
	for _, want := range []string{"save prospect T1/p1: writing", "nothing was written; free some disk space"} {
		if !strings.Contains(out, want) {
			t.Errorf("the failed Save did not say %q", want)
		}
	}
	// The file is whole, and holds what the helper saved once it had room.
	s := open(t, dir, boltstore.Options{})
	boltstore.Check(t, s)
	p, err := s.Prospect(ctx, "T1", "p1")
	if err != nil || p.Version != 2 || p.Account != "after" {
		t.Errorf("after the helper: Prospect = v%d %q, %v; want v2 after", p.Version, p.Account, err)
	}
}

func init() { helpers["nospace"] = noSpace }

func noSpace(dir string) int {
	fail := func(format string, args ...any) int {
		fmt.Printf(format+"\n", args...)
		return 1
	}
	s, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		return fail("Open: %v", err)
	}
	p := prospect("T1", "p1", "U1")
	p.FollowUpAt = t0
	if err := s.Save(ctx, p); err != nil {
		return fail("Save v1: %v", err)
	}
	info, err := os.Stat(s.Path())
	if err != nil {
		return fail("stat: %v", err)
	}
	var limit syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		return fail("getrlimit: %v", err)
	}
	full := syscall.Rlimit{Cur: uint64(info.Size()), Max: limit.Max}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		return fail("setrlimit: %v", err)
	}

	// Too big for the room left: moves the owner and the job, then fails.
	big := p
	big.Version, big.Owner, big.FollowUpAt = 2, "U2", t0.Add(-time.Hour)
	big.NextStep = strings.Repeat("x", 4<<20)
	err = s.Save(ctx, big)
	fmt.Printf("Save without room: %v\n", err)
	if !errors.Is(err, boltstore.ErrNoSpace) {
		return fail("the Save without room returned %v, want ErrNoSpace", err)
	}
	if got, err := s.Prospect(ctx, "T1", "p1"); err != nil || got.Version != 1 || got.NextStep != "" {
		return fail("after the failed Save: Prospect = v%d, %v", got.Version, err)
	}
	if ps, err := s.ProspectsOf(ctx, "T1", "U2"); err != nil || len(ps) != 0 {
		return fail("after the failed Save: U2 has %d prospects, %v", len(ps), err)
	}
	jobs, err := s.ClaimDue(ctx, t0.Add(-time.Minute), time.Minute, 10)
	if err != nil || len(jobs) != 0 {
		return fail("after the failed Save: the job moved: %v, %v", jobs, err)
	}

	// Room again: the store goes on.
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &limit); err != nil {
		return fail("setrlimit: %v", err)
	}
	if jobs, err := s.ClaimDue(ctx, t0, time.Minute, 10); err != nil || len(jobs) != 1 || jobs[0].Key != coach.FollowUpKey("T1", "p1") {
		return fail("after the failed Save: ClaimDue = %v, %v; want the job at t0", jobs, err)
	}
	p.Version, p.Account = 2, "after"
	if err := s.Save(ctx, p); err != nil {
		return fail("Save with room: %v", err)
	}
	if err := s.Close(); err != nil {
		return fail("Close: %v", err)
	}
	return 0
}
