package coach_test

import (
	"context"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
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

// memberReads counts a replica's reads of members from the store.
type memberReads struct {
	*coachtest.MemStore
	n int
}

func (s *memberReads) Member(ctx context.Context, workspace, user string) (coach.Member, error) {
	s.n++
	return s.MemStore.Member(ctx, workspace, user)
}

// lookFor advances clock a DirectoryLookEvery at a time for d, looking for
// changes (keepFresh) and then reading (read) at each step, as a replica's
// loop does.
func lookFor(t *testing.T, clock *coachtest.Clock, d time.Duration, keepFresh func(context.Context) error, read func()) {
	t.Helper()
	for end := clock.Now().Add(d); clock.Now().Before(end); {
		clock.Advance(coach.DirectoryLookEvery)
		if err := keepFresh(context.Background()); err != nil {
			t.Fatalf("KeepFresh: %v", err)
		}
		read()
	}
}

// replicas are two directories over one store, a and b, that know U1
// (learned through a); bReads counts b's store reads of a member.
type replicas struct {
	f      *fixture
	a, b   *coach.Directory
	bReads *memberReads
}

func newReplicas(t *testing.T) *replicas {
	t.Helper()
	f := newFixture(t, bdate(11, 25, 10, 0))
	r := &replicas{f: f, bReads: &memberReads{MemStore: f.store}}
	r.a = coach.NewDirectory(&memberReads{MemStore: f.store}, f.clock)
	r.b = coach.NewDirectory(r.bReads, f.clock)
	learn(t, r.a, coach.Member{User: "U1", TZ: "Europe/Berlin", Updated: bdate(11, 1, 0, 0)})
	return r
}

// readU1 is U1 as b reads it.
func (r *replicas) readU1(t *testing.T) coach.Member {
	t.Helper()
	m, found := r.b.Member(context.Background(), "T1", "U1")
	if !found {
		t.Fatal("U1 not found")
	}
	return m
}

// A replica that looks for changes every DirectoryLookEvery keeps the
// members it read while no replica changes the directory, so an answer to
// a known member reads nothing; a change another replica heard of reaches
// it at its next look; and a member is read again at most
// DirectoryKeepAtMost after it was read, should a change's mark be lost.
func TestDirectoryKeepsWhatItReadUntilAChange(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	f, a, b, bStore := r.f, r.a, r.b, r.bReads
	lookAndRead := func(d time.Duration) string {
		t.Helper()
		var tz string
		lookFor(t, f.clock, d, b.KeepFresh, func() { tz = r.readU1(t).TZ })
		return tz
	}

	// b's first look cannot tell whether what it read came before the
	// change it sees: it has b read again.
	if tz := lookAndRead(5 * time.Minute); tz != "Europe/Berlin" || bStore.n != 2 {
		t.Fatalf("over 5 minutes of looks b read U1 %d times (%q); want twice: its first look, then nothing changed", bStore.n, tz)
	}
	learn(t, a, coach.Member{User: "U1", TZ: "Asia/Tokyo", Updated: bdate(11, 25, 10, 5)})
	if tz := lookAndRead(coach.DirectoryLookEvery); tz != "Asia/Tokyo" || bStore.n != 3 {
		t.Fatalf("at the look after a's change b reads %q (%d reads); want Asia/Tokyo, read again once", tz, bStore.n)
	}
	if tz := lookAndRead(coach.DirectoryKeepAtMost + coach.DirectoryLookEvery); tz != "Asia/Tokyo" || bStore.n != 4 {
		t.Errorf("over %s of looks without a change b read U1 %d times in all; want one more, when it had been kept the longest it may",
			coach.DirectoryKeepAtMost, bStore.n)
	}
	// Without looks, a member is kept for DirectoryCacheFor, as ever.
	f.clock.Advance(coach.DirectoryCacheFor)
	b.Member(ctx, "T1", "U1")
	if bStore.n != 5 {
		t.Errorf("a cache period without looks: %d reads; want one more", bStore.n)
	}
}

// A status changes all day (calendars set "In a meeting"): a change to it
// alone, or a member no replica knew, leaves what other replicas kept of
// the workspace, so their answers read no one again; presence still reads
// the new status (Fresh). A change answers read (a zone) reaches them at
// their next look.
func TestStatusChangeLeavesWhatReplicasKept(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	f, a, b, bStore := r.f, r.a, r.b, r.bReads
	read := func() { r.readU1(t) }
	lookFor(t, f.clock, time.Minute, b.KeepFresh, read)
	before := bStore.n

	learn(t, a, coach.Member{User: "U1", TZ: "Europe/Berlin", StatusEmoji: ":palm_tree:", StatusText: "On vacation",
		Updated: bdate(11, 25, 10, 1)})
	learn(t, a, coach.Member{User: "U2", TZ: "Asia/Tokyo", Updated: bdate(11, 25, 10, 1)})
	lookFor(t, f.clock, time.Minute, b.KeepFresh, read)
	if bStore.n != before {
		t.Errorf("after a status change and a new member, b read U1 %d more times; want none", bStore.n-before)
	}
	if m, found := b.Fresh(ctx, "T1", "U1"); !found || m.StatusText != "On vacation" {
		t.Errorf("b.Fresh(U1) = %+v, %v; want the new status", m, found)
	}

	learn(t, a, coach.Member{User: "U1", TZ: "America/Chicago", StatusEmoji: ":palm_tree:", StatusText: "On vacation",
		Updated: bdate(11, 25, 10, 2)})
	lookFor(t, f.clock, coach.DirectoryLookEvery, b.KeepFresh, func() {}) // one look
	if m := r.readU1(t); m.TZ != "America/Chicago" {
		t.Errorf("at the look after a's change of zone b reads %q; want America/Chicago", m.TZ)
	}
}

// The first load's pages leave what replicas kept (members they had just
// learned from Slack, which the pages say again); a reload's pages may
// change anyone and are marked.
func TestOnlyAReloadDropsWhatReplicasKept(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	f, a, b, bStore := r.f, r.a, r.b, r.bReads
	read := func() { r.readU1(t) }
	lookFor(t, f.clock, time.Minute, b.KeepFresh, read)
	page := []coach.Member{{User: "U1", TZ: "Europe/Berlin", Updated: bdate(11, 1, 0, 0)}, {User: "U2", TZ: "Asia/Tokyo"}}

	before := bStore.n
	learn(t, a, page...)
	if err := a.LoadDone(ctx, "T1", true); err != nil {
		t.Fatal(err)
	}
	lookFor(t, f.clock, time.Minute, b.KeepFresh, read)
	if bStore.n != before {
		t.Errorf("after the first load b read U1 %d more times; want none", bStore.n-before)
	}
	learn(t, a, page...)
	lookFor(t, f.clock, coach.DirectoryLookEvery, b.KeepFresh, read)
	if bStore.n != before+1 {
		t.Errorf("after a reload's page b read U1 %d more times; want once", bStore.n-before)
	}
}

// A replica's own change of a member is not news to it: it keeps what it
// read of everyone else and reads nothing again. When another replica
// marked a change before it, its next look still drops what it kept, and
// it reads that change.
func TestOwnChangeLeavesWhatTheReplicaKept(t *testing.T) {
	ctx := context.Background()
	r := newReplicas(t)
	f, a, b, bStore := r.f, r.a, r.b, r.bReads
	learn(t, a, coach.Member{User: "U2", TZ: "Asia/Tokyo", Updated: bdate(11, 1, 0, 0)})
	zoneOf := func(d *coach.Directory, user string) string {
		t.Helper()
		m, found := d.Member(ctx, "T1", user)
		if !found {
			t.Fatalf("%s not found", user)
		}
		return m.TZ
	}
	readBoth := func() { zoneOf(b, "U1"); zoneOf(b, "U2") }
	lookFor(t, f.clock, time.Minute, b.KeepFresh, readBoth)
	lookFor(t, f.clock, time.Minute, a.KeepFresh, func() { zoneOf(a, "U1") })

	learn(t, b, coach.Member{User: "U1", TZ: "America/Chicago", Updated: bdate(11, 25, 10, 1)})
	before := bStore.n // Learn read what the store held, to tell a change
	lookFor(t, f.clock, time.Minute, b.KeepFresh, readBoth)
	if bStore.n != before {
		t.Errorf("after its own change of U1, b read members %d more times; want none", bStore.n-before)
	}
	if tz := zoneOf(b, "U1"); tz != "America/Chicago" {
		t.Errorf("b reads U1 in %q after its own change; want America/Chicago", tz)
	}
	lookFor(t, f.clock, coach.DirectoryLookEvery, a.KeepFresh, func() {}) // one look
	if tz := zoneOf(a, "U1"); tz != "America/Chicago" {
		t.Errorf("at its next look a reads U1 in %q; want b's change, America/Chicago", tz)
	}

	// a marks a change of U2, then b marks one of U1 before looking: b's
	// mark replaces a's, and b must still drop what it kept.
	learn(t, a, coach.Member{User: "U2", TZ: "Europe/Lisbon", Updated: bdate(11, 25, 10, 2)})
	learn(t, b, coach.Member{User: "U1", TZ: "America/Denver", Updated: bdate(11, 25, 10, 3)})
	lookFor(t, f.clock, coach.DirectoryLookEvery, b.KeepFresh, func() {}) // one look
	if tz := zoneOf(b, "U2"); tz != "Europe/Lisbon" {
		t.Errorf("at the look after a's change and its own, b reads U2 in %q; want a's change, Europe/Lisbon", tz)
	}
}

// slowReads lets a test act while a read is in flight, after the store
// answered: what a replica does meanwhile comes after what the read saw.
type slowReads struct {
	*coachtest.MemStore
	during func()
}

func (s *slowReads) meanwhile() {
	if fn := s.during; fn != nil {
		s.during = nil
		fn()
	}
}

func (s *slowReads) Member(ctx context.Context, workspace, user string) (coach.Member, error) {
	m, err := s.MemStore.Member(ctx, workspace, user)
	s.meanwhile()
	return m, err
}

func (s *slowReads) TeamOf(ctx context.Context, workspace, user string) (coach.Team, error) {
	t, err := s.MemStore.TeamOf(ctx, workspace, user)
	s.meanwhile()
	return t, err
}

// A read that began before this replica's own change does not undo it in
// what the replica keeps: its own change is not news to its next look, so
// nothing else would.
func TestReadBeforeOwnChangeIsNotKept(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	reads := &slowReads{MemStore: f.store}

	d := coach.NewDirectory(reads, f.clock)
	learn(t, coach.NewDirectory(f.store, f.clock), coach.Member{User: "U1", TZ: "Europe/Berlin", Updated: bdate(11, 1, 0, 0)})
	reads.during = func() {
		learn(t, d, coach.Member{User: "U1", TZ: "America/Chicago", Updated: bdate(11, 25, 10, 1)})
	}
	d.Member(ctx, "T1", "U1") // read Berlin; meanwhile this replica learned Chicago
	if m, _ := d.Member(ctx, "T1", "U1"); m.TZ != "America/Chicago" {
		t.Errorf("after a read that began before its own change, the replica keeps U1 in %q; want America/Chicago", m.TZ)
	}

	f.svc = coach.NewService(reads, f.notify, f.clock, coach.DefaultTiming)
	manager := managerOfU1(t, f)
	reads.during = func() {
		if _, err := f.svc.EditTeam(ctx, manager, func(t coach.Team) (coach.Team, error) { t.Framework = "meddicc"; return t, nil }); err != nil {
			t.Fatal(err)
		}
	}
	f.svc.FrameworkFor(ctx, "T1", "U1") // read BANT; meanwhile the team chose MEDDICC here
	if fw := f.svc.FrameworkFor(ctx, "T1", "U1"); fw.Name != "meddicc" {
		t.Errorf("after a read that began before its own change, the replica keeps the team's framework %q; want meddicc", fw.Name)
	}
}
