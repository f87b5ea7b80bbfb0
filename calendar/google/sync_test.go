package google_test

// Calendar reading end to end below Slack: coach's service reads
// googlesim through the real client, over an in-memory store and a fake
// clock, and runs its jobs as the scheduler would.

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pipelinecoach/calendar/google"
	"pipelinecoach/calendar/googlesim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// directory knows the reps' emails and zones.
type directory map[string]string

func (d directory) Email(_ context.Context, _, user string) (string, error) { return d[user], nil }
func (d directory) Zone(context.Context, string, string) string             { return "Europe/Berlin" }

const (
	ws      = "T0SIM"
	ritaID  = "U0RITA"
	omarID  = "U0OMAR"
	omar    = "omar@ourco.com"
	acme    = "jane@acme.com"
	globex  = "bob@globex.com"
	poll    = 2 * time.Minute
	monday9 = "2026-11-30T09:00:00+01:00"
)

type fixture struct {
	t      *testing.T
	ctx    context.Context
	sim    *googlesim.Server
	clock  *coachtest.Clock
	store  *coachtest.MemStore
	notify *coachtest.Notifier
	svc    *coach.Service
	reads  atomic.Int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	start, _ := time.Parse(time.RFC3339, monday9)
	f := &fixture{t: t, ctx: context.Background(), clock: coachtest.NewClock(start), notify: &coachtest.Notifier{}}
	f.sim = googlesim.New()
	t.Cleanup(f.sim.Close)
	f.sim.AddUser(rita)
	f.sim.AddUser(omar)
	f.store = coachtest.NewMemStore(f.clock.Now)
	f.svc = f.service()
	return f
}

// service is one replica over the fixture's store, calendar and clock.
func (f *fixture) service() *coach.Service {
	client, err := google.New(f.sim.CredentialsJSON(), f.sim.APIURL(), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	timing := coach.DefaultTiming
	timing.WorkingHours, _ = coach.ParseWorkingHours("00:00-23:59", "Mon-Sun")
	svc := coach.NewService(f.store, f.notify, f.clock, timing)
	svc.Calendar = coach.CalendarSettings{Source: client, Poll: poll, Internal: []string{"ourco.de"},
		Mailboxes: directory{ritaID: rita, omarID: omar},
		OnRead:    func(coach.CalendarSync, coach.CalendarChanges, error) { f.reads.Add(1) }}
	return svc
}

func (f *fixture) enrol(reps ...string) {
	f.t.Helper()
	for _, r := range reps {
		if err := f.svc.EnrolCalendar(f.ctx, ws, r); err != nil {
			f.t.Fatal(err)
		}
	}
}

// runFor moves the clock through d a poll at a time, running due jobs.
func (f *fixture) runFor(d time.Duration) {
	f.t.Helper()
	end := f.clock.Now().Add(d)
	for {
		if _, err := f.svc.RunDue(f.ctx); err != nil {
			f.t.Fatal(err)
		}
		if !f.clock.Now().Before(end) {
			return
		}
		f.clock.Advance(min(poll, end.Sub(f.clock.Now())))
	}
}

func (f *fixture) prospects(rep string) []coach.Prospect {
	f.t.Helper()
	ps, err := f.store.ProspectsOf(f.ctx, ws, rep)
	if err != nil {
		f.t.Fatal(err)
	}
	return ps
}

func (f *fixture) only(rep string) coach.Prospect {
	f.t.Helper()
	ps := f.prospects(rep)
	if len(ps) != 1 {
		f.t.Fatalf("%s has %d prospects, want 1: %+v", rep, len(ps), ps)
	}
	return ps[0]
}

func (f *fixture) sync(rep string) coach.CalendarSync {
	f.t.Helper()
	c, err := f.store.CalendarSync(f.ctx, ws, rep)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) apiCalls() int {
	n := 0
	for _, r := range f.sim.Requests() {
		if r.User != "" {
			n++
		}
	}
	return n
}

func meeting(id, title string, at time.Time, with ...googlesim.Attendee) googlesim.Event {
	return googlesim.Event{ID: id, Summary: title, Start: at, End: at.Add(time.Hour), Description: "confidential",
		Attendees: append([]googlesim.Attendee{{Email: rita, Response: "accepted"}}, with...)}
}

var jane = googlesim.Attendee{Email: acme, Name: "Jane Doe", Response: "accepted"}

func TestFirstMeetingWithEvidenceOfTheSecond(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	f.sim.Put(rita, meeting("old", "Globex QBR", now.AddDate(0, -1, 0), googlesim.Attendee{Email: globex}))
	f.sim.Put(rita, meeting("intro", "Acme intro", now.Add(26*time.Hour), jane))
	f.sim.Put(rita, meeting("internal", "1:1", now.Add(3*time.Hour), googlesim.Attendee{Email: omar}))
	f.enrol(ritaID)
	f.runFor(poll)

	p := f.only(ritaID)
	if p.Account != "Acme" || p.Contact != "Jane Doe" || p.State != coach.Scheduled || p.Calendar == nil ||
		p.Calendar.Title != "Acme intro" || p.Calendar.Company != "acme.com" || !p.FirstMeeting.Equal(now.Add(26*time.Hour)) ||
		!p.MeetingEnd.Equal(now.Add(27*time.Hour)) || p.NextMeeting != nil {
		t.Fatalf("prospect from the calendar = %+v", p)
	}
	if p.ID != coach.CalendarProspectID(ws, ritaID, "intro") {
		t.Errorf("prospect id %s is not the event's", p.ID)
	}
	if n := len(f.notify.Asks()); n != 0 {
		t.Fatalf("%d messages at detection, want none", n)
	}
	f.runFor(3 * poll)
	for _, r := range f.sim.Requests() {
		if r.Status != 200 {
			t.Fatalf("an unchanged calendar read with an error: %+v", r)
		}
	}

	// The follow-up is booked on the calendar a day later.
	f.sim.Put(rita, meeting("followup", "Acme — follow-up", now.Add(8*24*time.Hour), jane))
	f.runFor(poll)
	p = f.only(ritaID)
	if p.NextMeeting == nil || p.NextMeeting.EventID != "followup" || p.NextMeeting.Title != "Acme — follow-up" {
		t.Fatalf("evidence of the second meeting = %+v", p.NextMeeting)
	}

	// After the meeting, the question carries it.
	f.runFor(28 * time.Hour)
	asks := f.notify.Asks()
	if len(asks) != 1 || asks[0].Prospect != p.ID || asks[0].Ask.Kind != coach.AskFirst {
		t.Fatalf("questions after the meeting: %+v", asks)
	}
	if p = f.only(ritaID); p.State != coach.Awaiting || p.NextMeeting == nil {
		t.Fatalf("asked prospect = %+v", p)
	}
	got, changed, err := f.svc.ConfirmNextMeeting(f.ctx, coach.Actor{Workspace: ws, User: ritaID}, ws, p.ID)
	if err != nil || !changed || got.State != coach.Opportunity || !got.SecondMeeting.Equal(now.Add(8*24*time.Hour)) {
		t.Fatalf("one-click confirm: %+v, %v, %v", got, changed, err)
	}
}

func TestChangesFollowTheCalendar(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	f.sim.Put(rita, meeting("a", "Acme intro", now.Add(48*time.Hour), jane))
	f.sim.Put(rita, meeting("g", "Globex intro", now.Add(50*time.Hour), googlesim.Attendee{Email: globex, Name: "Bob"}))
	f.enrol(ritaID)
	f.runFor(poll)
	if n := len(f.prospects(ritaID)); n != 2 {
		t.Fatalf("%d prospects, want 2", n)
	}
	id := coach.CalendarProspectID(ws, ritaID, "a")
	before, _ := f.store.Prospect(f.ctx, ws, id)

	moved := meeting("a", "Acme intro (moved)", now.Add(72*time.Hour), jane)
	f.sim.Put(rita, moved)
	f.sim.Cancel(rita, "g")
	f.runFor(poll)
	p, _ := f.store.Prospect(f.ctx, ws, id)
	if !p.FirstMeeting.Equal(moved.Start) || !p.FollowUpAt.After(before.FollowUpAt) || p.Calendar.Title != "Acme intro (moved)" {
		t.Fatalf("moved meeting: %+v, question at %v (was %v)", p, p.FollowUpAt, before.FollowUpAt)
	}
	g, _ := f.store.Prospect(f.ctx, ws, coach.CalendarProspectID(ws, ritaID, "g"))
	if g.State != coach.Withdrawn || !g.FollowUpAt.IsZero() {
		t.Fatalf("cancelled meeting: %+v", g)
	}
	if n := coach.FirstMeetings(f.prospects(ritaID), coach.Window{From: now, To: now.AddDate(0, 1, 0)}); n != 1 {
		t.Errorf("FirstMeetings counts %d, want the withdrawn one left out", n)
	}

	// Once answered, the calendar changes nothing the rep said.
	f.runFor(75 * time.Hour)
	actor := coach.Actor{Workspace: ws, User: ritaID}
	if _, err := f.svc.NotYet(f.ctx, actor, ws, id); err != nil {
		t.Fatal(err)
	}
	f.sim.Cancel(rita, "a")
	f.runFor(poll)
	if p, _ := f.store.Prospect(f.ctx, ws, id); p.State != coach.Awaiting {
		t.Fatalf("answered prospect became %s after a cancel", p.State)
	}
}

func TestSyncTokenExpiryResyncsWithoutDuplicates(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	f.sim.Put(rita, meeting("a", "Acme intro", now.Add(48*time.Hour), jane))
	f.enrol(ritaID)
	f.runFor(poll)
	f.sim.ExpireSyncTokens()
	f.sim.Put(rita, meeting("g", "Globex intro", now.Add(50*time.Hour), googlesim.Attendee{Email: globex}))
	f.runFor(poll)
	if n := len(f.prospects(ritaID)); n != 2 {
		t.Fatalf("%d prospects after the resync, want 2 (one each)", n)
	}
	gone, full := false, false
	for _, r := range f.sim.Requests() {
		if r.Status == 410 {
			gone = true
		} else if gone && r.User != "" && r.Status == 200 {
			full = true
		}
	}
	if !gone || !full {
		t.Fatalf("want a 410 then a full read; requests: %+v", f.sim.Requests())
	}
	if c := f.sync(ritaID); c.Failures != 0 || c.Cursor == "" {
		t.Fatalf("after the resync: %+v", c)
	}
}

func TestBackoffHonoursRetryAfter(t *testing.T) {
	f := newFixture(t)
	f.enrol(ritaID)
	f.runFor(poll)

	f.sim.FailNext(googlesim.Fault{Status: 429, RetryAfter: 10 * time.Minute})
	f.runFor(poll)
	c := f.sync(ritaID)
	if c.Failures != 1 || c.Status() != "failing" || c.LastError == "" {
		t.Fatalf("after a 429: %+v", c)
	}
	failedAt := c.ErrorAt
	if want := failedAt.Add(10 * time.Minute); !c.NextRead.Equal(want) {
		t.Fatalf("next read at %v, want Retry-After's %v", c.NextRead, want)
	}
	calls := f.apiCalls()
	f.runFor(8 * time.Minute)
	if n := f.apiCalls() - calls; n != 0 {
		t.Fatalf("%d calls before Retry-After ended", n)
	}
	// 5xx without Retry-After: the wait doubles from the poll.
	f.sim.FailNext(googlesim.Fault{Status: 503}, googlesim.Fault{Status: 500})
	f.runFor(2 * time.Minute)
	c = f.sync(ritaID)
	if c.Failures != 2 || !c.NextRead.Equal(c.ErrorAt.Add(2*poll)) {
		t.Fatalf("after a second failure: failures %d, next read %v after the error", c.Failures, c.NextRead.Sub(c.ErrorAt))
	}
	f.runFor(2 * poll)
	c = f.sync(ritaID)
	if c.Failures != 3 || !c.NextRead.Equal(c.ErrorAt.Add(4*poll)) {
		t.Fatalf("after a third failure: failures %d, next read %v after", c.Failures, c.NextRead.Sub(c.ErrorAt))
	}
	f.runFor(4 * poll)
	if c = f.sync(ritaID); c.Failures != 0 || c.Status() != "ok" {
		t.Fatalf("after recovery: %+v", c)
	}
}

func TestDeletedMailbox(t *testing.T) {
	f := newFixture(t)
	f.enrol(ritaID, omarID)
	f.runFor(poll)
	f.sim.RemoveUser(rita)
	f.runFor(poll)
	c := f.sync(ritaID)
	if c.Status() != "gone" || c.LastError == "" {
		t.Fatalf("deleted mailbox: %+v", c)
	}
	calls := 0
	for _, r := range f.sim.Requests() {
		if r.User == rita || r.User == "" {
			calls++
		}
	}
	f.runFor(5 * time.Hour)
	after := 0
	for _, r := range f.sim.Requests() {
		if r.User == rita || r.User == "" {
			after++
		}
	}
	if after != calls {
		t.Fatalf("a gone mailbox was tried %d more times within 5 hours", after-calls)
	}
	if o := f.sync(omarID); o.Status() != "ok" {
		t.Fatalf("the other rep's calendar: %+v", o)
	}
	// Turning it on again tries at once.
	if _, err := f.svc.SetCalendar(f.ctx, coach.Actor{Workspace: ws, User: ritaID}, true); err != nil {
		t.Fatal(err)
	}
	f.runFor(0)
	if c := f.sync(ritaID); c.Failures != 1 || !c.ErrorAt.Equal(f.clock.Now()) {
		t.Fatalf("turned on again: %+v", c)
	}
}

func TestNotASalesMeeting(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	f.sim.Put(rita, meeting("a", "Acme audit", now.Add(48*time.Hour), jane))
	f.enrol(ritaID)
	f.runFor(poll)
	p := f.only(ritaID)
	if _, err := f.svc.NotSalesMeeting(f.ctx, coach.Actor{Workspace: ws, User: ritaID}, ws, p.ID); err != nil {
		t.Fatal(err)
	}
	f.sim.Put(rita, meeting("b", "Acme audit, part 2", now.Add(24*24*time.Hour), jane))
	f.runFor(poll)
	ps := f.prospects(ritaID)
	if len(ps) != 1 || ps[0].State != coach.Withdrawn {
		t.Fatalf("after 'not a sales meeting': %+v", ps)
	}
}

func TestManualLogMerges(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	f.sim.Put(rita, meeting("a", "Acme intro", now.Add(48*time.Hour), jane))
	f.enrol(ritaID)
	f.runFor(poll)
	p, err := f.svc.LogMeeting(f.ctx, coach.NewMeeting{Team: ws, Owner: ritaID, Account: "ACME", TZ: "Europe/Berlin", Start: now.Add(49 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.prospects(ritaID)); n != 1 || p.Calendar == nil {
		t.Fatalf("logging the calendar's meeting made %d prospects", n)
	}
	// And the other way round: logged first, then found on the calendar.
	if _, err := f.svc.LogMeeting(f.ctx, coach.NewMeeting{Team: ws, Owner: ritaID, Account: "Globex", TZ: "Europe/Berlin", Start: now.Add(72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	f.sim.Put(rita, meeting("g", "Globex intro", now.Add(72*time.Hour), googlesim.Attendee{Email: globex}))
	f.runFor(poll)
	if n := len(f.prospects(ritaID)); n != 2 {
		t.Fatalf("%d prospects, want the logged Globex meeting merged with its event", n)
	}
}

// tickingClock moves ten seconds at every reading, so leases taken by one
// replica end while it still works and another replica claims the same
// reads.
type tickingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(10 * time.Second)
	return c.now
}

func TestTwoReplicasMakeOneProspectPerEvent(t *testing.T) {
	f := newFixture(t)
	clock := &tickingClock{now: f.clock.Now()}
	dir := directory{}
	for i := range 20 {
		rep, mail := "U"+string(rune('A'+i)), string(rune('a'+i))+"@ourco.com"
		dir[rep] = mail
		f.sim.AddUser(mail)
		for j := range 3 {
			f.sim.Put(mail, googlesim.Event{ID: string(rune('a'+j)) + mail, Summary: "Intro", Start: clock.now.Add(time.Duration(j+1) * 24 * time.Hour),
				End: clock.now.Add(time.Duration(j+1)*24*time.Hour + time.Hour), Attendees: []googlesim.Attendee{{Email: "x@customer" + string(rune('a'+j)) + ".com"}}})
		}
	}
	replicas := make([]*coach.Service, 2)
	for i := range replicas {
		client, _ := google.New(f.sim.CredentialsJSON(), f.sim.APIURL(), nil)
		replicas[i] = coach.NewService(f.store, f.notify, clock, coach.DefaultTiming)
		replicas[i].Lease = 5 * time.Second // on the clock that ticks 10s a reading: over by the next claim
		replicas[i].Calendar = coach.CalendarSettings{Source: client, Poll: time.Millisecond, Mailboxes: dir}
	}
	for rep := range dir {
		if err := replicas[0].EnrolCalendar(f.ctx, ws, rep); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for _, r := range replicas {
		wg.Go(func() {
			for range 20 {
				if _, err := r.RunDue(f.ctx); err != nil && !onlyConflicts(err) {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	reads := map[string]int{}
	for _, r := range f.sim.Requests() {
		if r.User != "" {
			reads[r.User]++
		}
	}
	for rep, mail := range dir {
		ps, _ := f.store.ProspectsOf(f.ctx, ws, rep)
		if len(ps) != 3 {
			c, _ := f.store.CalendarSync(f.ctx, ws, rep)
			t.Errorf("%s has %d prospects, want 3 (one per event); its calendar: %+v", rep, len(ps), c)
		}
		if reads[mail] < 2 {
			t.Errorf("%s was read %d times: the replicas never overlapped", mail, reads[mail])
		}
	}
}

func TestSecondMeetingAfterNotYetChangesTheReminder(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	f.sim.Put(rita, meeting("a", "Acme intro", now.Add(2*time.Hour), jane))
	f.enrol(ritaID)
	f.runFor(4 * time.Hour)
	p := f.only(ritaID)
	if p.State != coach.Awaiting || p.NextMeeting != nil {
		t.Fatalf("asked without evidence: %+v", p)
	}
	if _, err := f.svc.NotYet(f.ctx, coach.Actor{Workspace: ws, User: ritaID}, ws, p.ID); err != nil {
		t.Fatal(err)
	}
	f.sim.Put(rita, meeting("b", "Acme demo", now.Add(10*24*time.Hour), jane))
	f.runFor(poll)
	if p = f.only(ritaID); p.NextMeeting == nil || p.NextMeeting.EventID != "b" {
		t.Fatalf("the meeting booked after 'not yet' is not offered: %+v", p.NextMeeting)
	}
	f.runFor(3 * 24 * time.Hour)
	asks := f.notify.Asks()
	if len(asks) != 2 || asks[1].Ask.Kind != coach.AskReminder {
		t.Fatalf("questions: %+v", asks)
	}
	// A cancelled follow-up is no longer offered.
	f.sim.Cancel(rita, "b")
	f.runFor(poll)
	if p = f.only(ritaID); p.NextMeeting != nil {
		t.Fatalf("a cancelled meeting is still offered: %+v", p.NextMeeting)
	}
}

// onlyConflicts reports whether every error joined in err is a conflict
// (a replica lost a race, as it may).
func onlyConflicts(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyConflicts(e) {
				return false
			}
		}
		return true
	}
	return errors.Is(err, coach.ErrConflict)
}

func TestRosterEnrolsTheRepsOnTeams(t *testing.T) {
	f := newFixture(t)
	if err := f.store.SaveTeam(f.ctx, coach.Team{Workspace: ws, Manager: "U0MIA", Reps: []string{ritaID, omarID}, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.StartCalendar(f.ctx, ws); err != nil {
		t.Fatal(err)
	}
	f.runFor(poll)
	for _, rep := range []string{ritaID, omarID} {
		if c := f.sync(rep); c.Status() != "ok" || c.Reads == 0 {
			t.Fatalf("%s after the roster: %+v", rep, c)
		}
	}
	// A rep who turned it off stays off when the roster comes round again.
	if _, err := f.svc.SetCalendar(f.ctx, coach.Actor{Workspace: ws, User: omarID}, false); err != nil {
		t.Fatal(err)
	}
	f.runFor(coach.CalendarRosterEvery + poll)
	if c := f.sync(omarID); !c.Off {
		t.Fatalf("the roster turned a calendar back on: %+v", c)
	}
}
