package coach_test

import (
	"context"
	"testing"
	"time"

	"pipelinecoach/coach"
)

var losAngeles, _ = time.LoadLocation("America/Los_Angeles")

// withDirectory gives the fixture's service a directory over its store and
// returns it.
func (f *fixture) withDirectory() *coach.Directory {
	d := coach.NewDirectory(f.store, f.clock)
	f.svc.Members = d
	return d
}

func learn(t *testing.T, d *coach.Directory, ms ...coach.Member) {
	t.Helper()
	if err := d.Learn(context.Background(), "T1", ms); err != nil {
		t.Fatalf("Learn: %v", err)
	}
}

func TestMovedRepIsAskedInTheNewZone(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	d := f.withDirectory()
	learn(t, d, coach.Member{User: "U1", TZ: "Europe/Berlin", Updated: bdate(11, 1, 0, 0)})
	p := f.log(t, firstMeeting) // Wednesday 14:00 Berlin; first ask due 15:15 Berlin

	// The rep moves to Los Angeles before the question: 15:15 in Berlin is
	// 06:15 there, so the question waits for their 09:00.
	learn(t, d, coach.Member{User: "U1", TZ: "America/Los_Angeles", Updated: bdate(11, 25, 11, 0)})
	laNine := time.Date(2026, 11, 25, 9, 0, 0, 0, losAngeles)
	f.quietUntil(t, bdate(11, 25, 15, 15), laNine, 15*time.Minute)
	if got := f.get(t, p.ID); got.TZ != "America/Los_Angeles" || !got.FollowUpAt.Equal(laNine) {
		t.Fatalf("after the move: zone %q, next question %s; want Los Angeles, %s", got.TZ, got.FollowUpAt, laNine)
	}
	wantAsk(t, f.runAt(t, laNine), p.ID, coach.AskFirst, 1)
	// The reminder two working days later, at the same time of day there.
	if got := f.get(t, p.ID); !got.FollowUpAt.Equal(laNine.AddDate(0, 0, 2)) {
		t.Errorf("reminder at %s, want %s", got.FollowUpAt.In(losAngeles), laNine.AddDate(0, 0, 2))
	}
}

func TestDeactivatedRepIsNeverAsked(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	d := f.withDirectory()
	p := f.log(t, firstMeeting)
	learn(t, d, coach.Member{User: "U1", TZ: "Europe/Berlin", Deleted: true, Updated: bdate(11, 25, 11, 0)})
	f.quietUntil(t, bdate(11, 25, 15, 0), bdate(12, 10, 15, 0), time.Hour)
	if got := f.get(t, p.ID); !got.FollowUpAt.IsZero() || got.State != coach.Scheduled {
		t.Errorf("a deactivated rep's prospect: follow-up %s, state %s; want none, still scheduled", got.FollowUpAt, got.State)
	}
}

func TestUnknownRepIsAskedAsLogged(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	f.withDirectory()
	p := f.log(t, firstMeeting)
	wantAsk(t, f.runAt(t, bdate(11, 25, 15, 15)), p.ID, coach.AskFirst, 1)
}

func TestDirectoryLoadIsShared(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	a, b := coach.NewDirectory(f.store, f.clock), coach.NewDirectory(f.store, f.clock)

	claim := func(d *coach.Directory, holder string, want bool) {
		t.Helper()
		got, err := d.ClaimLoad(ctx, "T1", holder)
		if err != nil || got != want {
			t.Fatalf("ClaimLoad by %s = %v, %v; want %v", holder, got, err, want)
		}
	}
	claim(a, "a", true)
	claim(b, "b", false) // a is loading
	learn(t, a, coach.Member{User: "U1", TZ: "Asia/Tokyo", Updated: bdate(11, 1, 0, 0)})
	if err := a.LoadDone(ctx, "T1", true); err != nil {
		t.Fatal(err)
	}
	claim(b, "b", false) // loaded: b uses it
	if m, found := b.Member(ctx, "T1", "U1"); !found || m.TZ != "Asia/Tokyo" {
		t.Errorf("b reads %+v, %v; want the member a loaded", m, found)
	}
	f.clock.Advance(coach.DirectoryReloadEach)
	claim(b, "b", true) // a day later: reloaded, by one of them
	claim(a, "a", false)
	if err := b.LoadDone(ctx, "T1", false); err != nil { // failed: someone may try again
		t.Fatal(err)
	}
	claim(a, "a", true)

	// A replica that crashed mid-load does not hold it for ever.
	f.clock.Advance(coach.DirectoryLoadLease + time.Second)
	claim(b, "b", true)
}

func TestDirectoryLooksUpEachMemberOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	a, b := coach.NewDirectory(f.store, f.clock), coach.NewDirectory(f.store, f.clock)
	if !a.ClaimLookup(ctx, "T1", "U7") {
		t.Fatal("first lookup of U7 refused")
	}
	if a.ClaimLookup(ctx, "T1", "U7") || b.ClaimLookup(ctx, "T1", "U7") {
		t.Error("U7 looked up twice")
	}
	if !b.ClaimLookup(ctx, "T1", "U8") {
		t.Error("lookup of another member refused")
	}
}

func TestDirectoryChangeSeenByOtherReplicaWithinItsCache(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	a, b := coach.NewDirectory(f.store, f.clock), coach.NewDirectory(f.store, f.clock)
	learn(t, a, coach.Member{User: "U1", TZ: "Europe/Berlin", Updated: bdate(11, 1, 0, 0)})
	if m, _ := b.Member(ctx, "T1", "U1"); m.TZ != "Europe/Berlin" {
		t.Fatalf("b reads %q", m.TZ)
	}
	learn(t, a, coach.Member{User: "U1", TZ: "Asia/Tokyo", Updated: bdate(11, 25, 9, 0)})
	if m, _ := a.Member(ctx, "T1", "U1"); m.TZ != "Asia/Tokyo" {
		t.Errorf("a, which heard the change, reads %q", m.TZ)
	}
	f.clock.Advance(coach.DirectoryCacheFor)
	if m, _ := b.Member(ctx, "T1", "U1"); m.TZ != "Asia/Tokyo" {
		t.Errorf("b, a cache period later, reads %q", m.TZ)
	}
	// An older word (a load page read before the change) changes nothing.
	learn(t, b, coach.Member{User: "U1", TZ: "Europe/Berlin", Updated: bdate(11, 1, 0, 0)})
	f.clock.Advance(coach.DirectoryCacheFor)
	if m, _ := b.Member(ctx, "T1", "U1"); m.TZ != "Asia/Tokyo" {
		t.Errorf("after a stale write, b reads %q", m.TZ)
	}
}

func TestMemberRules(t *testing.T) {
	for _, tc := range []struct {
		m         coach.Member
		reachable bool
	}{
		{coach.Member{User: "U1"}, true},
		{coach.Member{User: "U1", Deleted: true}, false},
		{coach.Member{User: "B1", Bot: true}, false},
		{coach.Member{User: "USLACKBOT"}, false},
	} {
		if got := tc.m.Reachable(); got != tc.reachable {
			t.Errorf("%+v reachable = %v", tc.m, got)
		}
	}
	if z := (coach.Member{TZ: "Mars/Olympus"}).Zone("UTC"); z != "UTC" {
		t.Errorf("an unknown zone gives %q, want the fallback", z)
	}
}
