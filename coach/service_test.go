package coach_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

var (
	rep      = coach.Actor{Workspace: "T1", User: "U1"}
	otherRep = coach.Actor{Workspace: "T1", User: "U2"}
	admin    = coach.Actor{Workspace: "T1", User: "UADMIN", Admin: true}
)

type fixture struct {
	clock  *coachtest.Clock
	store  *coachtest.MemStore
	notify *coachtest.Notifier
	svc    *coach.Service
}

func newFixture(t *testing.T, now time.Time) *fixture {
	t.Helper()
	f := &fixture{clock: coachtest.NewClock(now), notify: &coachtest.Notifier{}}
	f.store = coachtest.NewMemStore(f.clock.Now)
	f.svc = coach.NewService(f.store, f.notify, f.clock, coach.DefaultTiming)
	return f
}

// another returns a second replica over the same store, notifier and clock.
func (f *fixture) another(n coach.Notifier) *coach.Service {
	if n == nil {
		n = f.notify
	}
	return coach.NewService(f.store, n, f.clock, coach.DefaultTiming)
}

func (f *fixture) log(t *testing.T, start time.Time) coach.Prospect {
	t.Helper()
	p, err := f.svc.LogMeeting(context.Background(), coach.NewMeeting{
		Team: "T1", Owner: "U1", Account: "  Acme   GmbH ", Contact: "Ada", TZ: "Europe/Berlin", Start: start,
	})
	if err != nil {
		t.Fatalf("LogMeeting: %v", err)
	}
	return p
}

func (f *fixture) get(t *testing.T, id string) coach.Prospect {
	t.Helper()
	p, err := f.store.Prospect(context.Background(), "T1", id)
	if err != nil {
		t.Fatalf("read %s: %v", id, err)
	}
	return p
}

// runAt moves the clock to at and runs the scheduler once, returning what
// was sent by that run.
func (f *fixture) runAt(t *testing.T, at time.Time) []coachtest.Sent {
	t.Helper()
	f.clock.Set(at)
	before := len(f.notify.Asks())
	if _, err := f.svc.RunDue(context.Background()); err != nil {
		t.Fatalf("RunDue at %s: %v", at, err)
	}
	return f.notify.Asks()[before:]
}

// quietUntil runs the scheduler every step from..to (exclusive) and fails
// if anything is sent.
func (f *fixture) quietUntil(t *testing.T, from, to time.Time, step time.Duration) {
	t.Helper()
	for at := from; at.Before(to); at = at.Add(step) {
		if sent := f.runAt(t, at); len(sent) != 0 {
			t.Fatalf("at %s sent %+v, want nothing before %s", at, sent, to)
		}
	}
}

// runUntil runs the scheduler every step from..to (exclusive).
func (f *fixture) runUntil(t *testing.T, from, to time.Time, step time.Duration) {
	t.Helper()
	for at := from; at.Before(to); at = at.Add(step) {
		f.runAt(t, at)
	}
}

func wantAsk(t *testing.T, sent []coachtest.Sent, id string, kind coach.AskKind, n int) {
	t.Helper()
	want := coachtest.Sent{Team: "T1", Prospect: id, Owner: "U1", Ask: coach.Ask{Kind: kind, N: n}}
	if len(sent) != 1 || sent[0] != want {
		t.Fatalf("sent %+v, want exactly %+v", sent, want)
	}
}

func TestLogMeeting(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting)
	if p.State != coach.Scheduled || p.Account != "Acme GmbH" || p.Version != 1 || p.ID == "" {
		t.Errorf("logged %+v", p)
	}
	if !p.MeetingEnd.Equal(firstMeeting.Add(45 * time.Minute)) {
		t.Errorf("meeting end %s, want start + 45 min", p.MeetingEnd)
	}
	if !p.FollowUpAt.Equal(bdate(11, 25, 15, 15)) {
		t.Errorf("first ask at %s, want 15:15 Berlin", p.FollowUpAt)
	}
	want := []coach.Entry{{At: bdate(11, 25, 10, 0), By: "U1", Event: coach.EventLogged, To: coach.Scheduled, Version: 1}}
	if !reflect.DeepEqual(p.History, want) {
		t.Errorf("history %+v, want %+v", p.History, want)
	}
	if stored := f.get(t, p.ID); !reflect.DeepEqual(normalize(stored), normalize(p)) {
		t.Errorf("stored\n %+v\nreturned\n %+v", stored, p)
	}
	if _, err := f.svc.LogMeeting(context.Background(), coach.NewMeeting{Team: "T1", Owner: "U1", Start: firstMeeting}); !errors.Is(err, coach.ErrInvalid) {
		t.Errorf("logging a meeting without an account: %v, want ErrInvalid", err)
	}
	if ps, _ := f.store.ProspectsOf(context.Background(), "T1", "U1"); len(ps) != 1 {
		t.Errorf("%d prospects stored, want the invalid one not written", len(ps))
	}
}

// normalize drops time zones (a stored record comes back from JSON).
func normalize(p coach.Prospect) string {
	return fmt.Sprintf("%s %s %s %s %s %d %d %s", p.ID, p.State, p.FirstMeeting.UTC(), p.MeetingEnd.UTC(), p.FollowUpAt.UTC(), p.Asks, p.Version, p.Account)
}

// TestFollowUpSequence is the rule end to end: the first ask after the
// meeting, two reminders two working days apart, the close-out, then quiet.
func TestFollowUpSequence(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting) // Wednesday 14:00 Berlin

	f.quietUntil(t, bdate(11, 25, 10, 0), bdate(11, 25, 15, 15), 5*time.Minute)
	f.quietUntil(t, bdate(11, 25, 15, 14), bdate(11, 25, 15, 15), time.Second)

	wantAsk(t, f.runAt(t, bdate(11, 25, 15, 15)), p.ID, coach.AskFirst, 1)
	got := f.get(t, p.ID)
	if got.State != coach.Awaiting || got.Asks != 1 || got.Prompt.IsZero() || !got.LastAsked.Equal(bdate(11, 25, 15, 15)) {
		t.Fatalf("after the first ask: state %s asks %d prompt %+v last asked %s", got.State, got.Asks, got.Prompt, got.LastAsked)
	}
	if e := lastEntry(got); e != (coach.Entry{At: e.At, By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting, Version: got.Version}) || !e.At.Equal(bdate(11, 25, 15, 15)) {
		t.Errorf("ask entry %+v", e)
	}
	if sent := f.runAt(t, bdate(11, 25, 15, 15)); len(sent) != 0 {
		t.Fatalf("RunDue again sent %+v", sent)
	}

	// Reminders: two working days after each ask, at the same time of day.
	steps := []struct {
		at   time.Time
		kind coach.AskKind
		n    int
	}{
		{bdate(11, 27, 15, 15), coach.AskReminder, 2}, // Friday
		{bdate(12, 1, 15, 15), coach.AskReminder, 3},  // Tuesday, over the weekend
		{bdate(12, 3, 15, 15), coach.AskCloseOut, 4},  // Thursday
	}
	last := bdate(11, 25, 15, 15)
	for _, s := range steps {
		f.quietUntil(t, last.Add(time.Minute), s.at, 3*time.Hour)
		f.quietUntil(t, s.at.Add(-time.Minute), s.at, time.Second*20)
		wantAsk(t, f.runAt(t, s.at), p.ID, s.kind, s.n)
		got := f.get(t, p.ID)
		if got.Asks != s.n || got.State != coach.Awaiting || got.GoneQuiet() {
			t.Fatalf("after ask %d: asks %d state %s quiet %v", s.n, got.Asks, got.State, got.GoneQuiet())
		}
		if sent := f.runAt(t, s.at.Add(time.Second)); len(sent) != 0 {
			t.Fatalf("sent twice: %+v", sent)
		}
		last = s.at
	}

	// Two working days after the close-out: gone quiet, nothing sent.
	quietAt := bdate(12, 7, 15, 15) // Monday
	f.quietUntil(t, last.Add(time.Minute), quietAt, time.Hour)
	if got := f.get(t, p.ID); got.GoneQuiet() {
		t.Fatalf("gone quiet at %s, before %s", got.QuietSince, quietAt)
	}
	if sent := f.runAt(t, quietAt); len(sent) != 0 {
		t.Fatalf("after the close-out sent %+v", sent)
	}
	got = f.get(t, p.ID)
	if !got.GoneQuiet() || !got.QuietSince.Equal(quietAt) || !got.FollowUpAt.IsZero() {
		t.Fatalf("after the close-out: quiet %v since %s, follow-up %s; want gone quiet at %s and no follow-up",
			got.GoneQuiet(), got.QuietSince, got.FollowUpAt, quietAt)
	}
	if e := lastEntry(got); e.Event != coach.EventQuiet || e.From != coach.Awaiting || e.To != coach.Awaiting || e.By != coach.SystemActor {
		t.Errorf("quiet entry %+v", e)
	}

	// Months later: still nothing sent, still not pipeline.
	f.quietUntil(t, quietAt.Add(time.Hour), quietAt.AddDate(0, 6, 0), 24*time.Hour)
	got = f.get(t, p.ID)
	if got.State != coach.Awaiting || !got.GoneQuiet() || got.Asks != 4 {
		t.Errorf("six months on: state %s quiet %v asks %d", got.State, got.GoneQuiet(), got.Asks)
	}
	if n := len(f.notify.Asks()); n != 4 {
		t.Errorf("%d questions in total, want 4", n)
	}
	pl, err := f.svc.Pipeline(ctx, "T1", "U1")
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Opportunities) != 0 || len(pl.GoneQuiet) != 1 || len(pl.NotYet) != 0 || len(pl.OpenAmount()) != 0 {
		t.Errorf("pipeline %+v: want the prospect gone quiet and no opportunity", pl)
	}
	// History holds every step, in order, and one entry per saved change.
	var events []coach.Event
	for _, e := range got.History {
		events = append(events, e.Event)
	}
	wantEvents := []coach.Event{coach.EventLogged, coach.EventAsked, coach.EventAsked, coach.EventAsked, coach.EventAsked, coach.EventQuiet}
	if !reflect.DeepEqual(events, wantEvents) || int(got.Version) != len(got.History) {
		t.Errorf("history %v (version %d), want %v", events, got.Version, wantEvents)
	}
}

func TestNotYetRebasesTheReminder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting)
	wantAsk(t, f.runAt(t, bdate(11, 25, 15, 15)), p.ID, coach.AskFirst, 1)

	f.clock.Set(bdate(11, 26, 10, 30)) // Thursday
	got, err := f.svc.NotYet(ctx, rep, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := bdate(11, 30, 10, 30); !got.FollowUpAt.Equal(want) { // Friday, Monday
		t.Errorf("next reminder at %s, want %s", got.FollowUpAt, want)
	}
	if e := lastEntry(got); e != (coach.Entry{At: e.At, By: "U1", Event: coach.EventNotYet, From: coach.Awaiting, To: coach.Awaiting, Version: got.Version}) || !e.At.Equal(bdate(11, 26, 10, 30)) {
		t.Errorf("not-yet entry %+v", e)
	}
	// The old reminder time (Friday 15:15) passes without a word.
	f.quietUntil(t, bdate(11, 26, 10, 31), bdate(11, 30, 10, 30), 15*time.Minute)
	wantAsk(t, f.runAt(t, bdate(11, 30, 10, 30)), p.ID, coach.AskReminder, 2)

	// Not yet, again, after a gone-quiet: the rep is back; it is no longer quiet.
	for _, at := range []time.Time{bdate(12, 2, 10, 30), bdate(12, 4, 10, 30), bdate(12, 8, 10, 30)} {
		f.runAt(t, at)
	}
	if got := f.get(t, p.ID); !got.GoneQuiet() {
		t.Fatalf("want gone quiet, got asks %d quiet %v follow-up %s", got.Asks, got.GoneQuiet(), got.FollowUpAt)
	}
	f.clock.Set(bdate(12, 9, 11, 0))
	got, err = f.svc.NotYet(ctx, rep, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.GoneQuiet() || got.FollowUpAt.IsZero() {
		t.Errorf("after not yet: quiet %v follow-up %s", got.GoneQuiet(), got.FollowUpAt)
	}
	if got.State == coach.Opportunity {
		t.Error("not yet made an opportunity")
	}
}

func TestConfirmStopsFollowUps(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		confirmAt time.Time
		wantAsks  int
	}{
		{"before the first ask", bdate(11, 25, 14, 50), 0},
		{"after the first ask", bdate(11, 26, 9, 30), 1},
		{"after a reminder", bdate(11, 30, 9, 30), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, bdate(11, 25, 10, 0))
			p := f.log(t, firstMeeting)
			f.runUntil(t, bdate(11, 25, 10, 0), tc.confirmAt, 15*time.Minute)
			if n := len(f.notify.Asks()); n != tc.wantAsks {
				t.Fatalf("%d asks before confirming, want %d", n, tc.wantAsks)
			}
			f.clock.Set(tc.confirmAt)
			sm := coach.SecondMeeting{At: bdate(12, 2, 10, 0), Amount: 30000, Currency: "EUR", NextStep: "demo"}
			got, changed, err := f.svc.Confirm(ctx, rep, "T1", p.ID, sm)
			if err != nil || !changed {
				t.Fatalf("Confirm: changed %v err %v", changed, err)
			}
			if got.State != coach.Opportunity || !got.FollowUpAt.IsZero() {
				t.Fatalf("state %s follow-up %s", got.State, got.FollowUpAt)
			}
			f.quietUntil(t, tc.confirmAt, tc.confirmAt.AddDate(0, 3, 0), 6*time.Hour)
			if n := len(f.notify.Asks()); n != tc.wantAsks {
				t.Errorf("%d asks in total, want %d: none after confirming", n, tc.wantAsks)
			}
			stored := f.get(t, p.ID)
			if stored.State != coach.Opportunity || stored.Version != got.Version {
				t.Errorf("stored %s v%d, want opportunity v%d untouched since", stored.State, stored.Version, got.Version)
			}
			// Confirming again changes nothing.
			again, changed, err := f.svc.Confirm(ctx, rep, "T1", p.ID, coach.SecondMeeting{At: bdate(12, 9, 10, 0)})
			if err != nil || changed || again.Version != got.Version || !again.SecondMeeting.Equal(sm.At) {
				t.Errorf("second Confirm: changed %v err %v version %d second meeting %s", changed, err, again.Version, again.SecondMeeting)
			}
		})
	}
}

func TestLoseAndWinThroughTheService(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	lost := f.log(t, firstMeeting)
	won := f.log(t, firstMeeting.Add(time.Hour))
	f.runAt(t, bdate(11, 25, 17, 0))

	f.clock.Set(bdate(11, 26, 11, 0))
	if _, err := f.svc.Win(ctx, rep, "T1", won.ID); !errors.Is(err, coach.ErrNotOpportunity) {
		t.Errorf("Win before a second meeting: %v, want ErrNotOpportunity", err)
	}
	got, err := f.svc.Lose(ctx, rep, "T1", lost.ID, coach.LossReport{Reason: coach.ReasonNoFit, Lesson: "fit first", Shared: true})
	if err != nil || got.State != coach.Lost || got.Loss.Stage != coach.Awaiting || got.Loss.DaysToLose != 0 {
		t.Fatalf("Lose: %v %+v", err, got.Loss)
	}
	if _, err := f.svc.Lose(ctx, rep, "T1", lost.ID, coach.LossReport{Reason: coach.ReasonNoFit}); !errors.Is(err, coach.ErrDecided) {
		t.Errorf("losing twice: %v, want ErrDecided", err)
	}
	if _, _, err := f.svc.Confirm(ctx, rep, "T1", won.ID, coach.SecondMeeting{At: bdate(12, 1, 10, 0)}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(bdate(12, 20, 11, 0))
	if got, err := f.svc.Win(ctx, admin, "T1", won.ID); err != nil || got.State != coach.Won || lastEntry(got).By != "UADMIN" {
		t.Errorf("admin Win: %v %s %+v", err, got.State, lastEntry(got))
	}
	if _, err := f.svc.NotYet(ctx, rep, "T1", won.ID); !errors.Is(err, coach.ErrDecided) {
		t.Errorf("not yet on a won deal: %v, want ErrDecided", err)
	}
	if _, err := f.svc.Lose(ctx, rep, "T1", "nope", coach.LossReport{Reason: coach.ReasonNoFit}); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("losing an unknown prospect: %v, want ErrNotFound", err)
	}
	// Nothing more is asked of decided prospects.
	f.quietUntil(t, bdate(11, 26, 11, 0), bdate(12, 31, 0, 0), 6*time.Hour)
}

func TestFridayEveningIsAskedMonday(t *testing.T) {
	for _, tc := range []struct {
		name      string
		loggedAt  time.Time
		start     time.Time
		wantFirst time.Time
	}{
		{"meeting at 17:50, logged as it starts", bdate(11, 27, 17, 50), bdate(11, 27, 17, 50), bdate(11, 30, 9, 0)},
		{"meeting at 17:00, end + 30 min is 18:15", bdate(11, 27, 9, 0), bdate(11, 27, 17, 0), bdate(11, 30, 9, 0)},
		{"meeting at 11:00, logged 17:50 after it happened: asked at once", bdate(11, 27, 17, 50), bdate(11, 27, 11, 0), bdate(11, 27, 17, 50)},
		{"meeting at 11:00, logged 18:10 after it happened: asked monday", bdate(11, 27, 18, 10), bdate(11, 27, 11, 0), bdate(11, 30, 9, 0)},
		{"meeting on saturday", bdate(11, 27, 12, 0), bdate(11, 28, 10, 0), bdate(11, 30, 9, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.loggedAt)
			p := f.log(t, tc.start)
			if !p.FollowUpAt.Equal(tc.wantFirst) {
				t.Errorf("first ask due %s, want %s", p.FollowUpAt, tc.wantFirst)
			}
			f.quietUntil(t, tc.loggedAt, tc.wantFirst, 20*time.Minute)
			wantAsk(t, f.runAt(t, tc.wantFirst), p.ID, coach.AskFirst, 1)
		})
	}
}

func TestOthersCannotAct(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting)
	f.runAt(t, bdate(11, 25, 15, 15))
	f.clock.Set(bdate(11, 26, 10, 0))
	before := f.get(t, p.ID)

	sm := coach.SecondMeeting{At: bdate(12, 1, 10, 0)}
	loss := coach.LossReport{Reason: coach.ReasonNoFit}
	outsiderAdmin := coach.Actor{Workspace: "T2", User: "U1", Admin: true} // same user id, admin, other workspace
	type op struct {
		name string
		do   func(a coach.Actor, team string) error
	}
	ops := []op{
		{"confirm", func(a coach.Actor, team string) error {
			_, _, err := f.svc.Confirm(ctx, a, team, p.ID, sm)
			return err
		}},
		{"lose", func(a coach.Actor, team string) error { _, err := f.svc.Lose(ctx, a, team, p.ID, loss); return err }},
		{"not yet", func(a coach.Actor, team string) error { _, err := f.svc.NotYet(ctx, a, team, p.ID); return err }},
		{"win", func(a coach.Actor, team string) error { _, err := f.svc.Win(ctx, a, team, p.ID); return err }},
	}
	for _, o := range ops {
		for _, tc := range []struct {
			name  string
			actor coach.Actor
			team  string
			want  error
		}{
			{"another rep of the team", otherRep, "T1", coach.ErrForbidden},
			// The team comes from the request: naming the prospect's team
			// reads it and refuses; naming its own finds nothing.
			{"another team, naming the prospect's team", outsiderAdmin, "T1", coach.ErrForbidden},
			{"another team, naming its own", outsiderAdmin, "T2", coach.ErrNotFound},
		} {
			t.Run(o.name+"/"+tc.name, func(t *testing.T) {
				if err := o.do(tc.actor, tc.team); !errors.Is(err, tc.want) {
					t.Errorf("%s by %+v on team %s: %v, want %v", o.name, tc.actor, tc.team, err, tc.want)
				}
				if after := f.get(t, p.ID); !reflect.DeepEqual(after, before) {
					t.Errorf("a refused %s changed the prospect:\n%+v\n%+v", o.name, before, after)
				}
			})
		}
	}
	if _, err := f.svc.Prospect(ctx, otherRep, p.ID); !errors.Is(err, coach.ErrForbidden) {
		t.Errorf("another rep reading: %v, want ErrForbidden", err)
	}
	if _, err := f.svc.Prospect(ctx, outsiderAdmin, p.ID); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("another team's admin reading: %v, want ErrNotFound", err)
	}
	if got, err := f.svc.Prospect(ctx, admin, p.ID); err != nil || got.ID != p.ID {
		t.Errorf("the team's admin reading: %v", err)
	}
	// The follow-ups go on as if nothing happened.
	wantAsk(t, f.runAt(t, bdate(11, 27, 15, 15)), p.ID, coach.AskReminder, 2)
}

// TestRefusalDoesNotLeakTheProspect: "Only the deal's owner, the owner's
// manager and admins may ... see a deal."
func TestRefusalDoesNotLeakTheProspect(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting)
	outsider := coach.Actor{Workspace: "T2", User: "U9"}
	for _, a := range []coach.Actor{otherRep, outsider} {
		got, _, err := f.svc.Confirm(ctx, a, "T1", p.ID, coach.SecondMeeting{At: bdate(12, 1, 10, 0)})
		if !errors.Is(err, coach.ErrForbidden) {
			t.Fatalf("Confirm by %+v: %v", a, err)
		}
		if got.Account != "" || got.ID != "" || got.History != nil {
			t.Errorf("Confirm by %+v refused, but returned the prospect: account %q, %d history entries", a, got.Account, len(got.History))
		}
		lost, err := f.svc.Lose(ctx, a, "T1", p.ID, coach.LossReport{Reason: coach.ReasonNoFit})
		if !errors.Is(err, coach.ErrForbidden) || lost.Account != "" {
			t.Errorf("Lose by %+v refused (%v), but returned account %q", a, err, lost.Account)
		}
	}
}

// countingNotifier counts every attempt per question, failures included,
// and can run a hook inside Ask.
type countingNotifier struct {
	inner    *coachtest.Notifier
	mu       sync.Mutex
	attempts map[string]int
	hook     func(p coach.Prospect, a coach.Ask)
}

func newCounting(inner *coachtest.Notifier) *countingNotifier {
	return &countingNotifier{inner: inner, attempts: map[string]int{}}
}

func (c *countingNotifier) Ask(ctx context.Context, p coach.Prospect, a coach.Ask) (coach.MessageRef, error) {
	c.mu.Lock()
	c.attempts[fmt.Sprintf("%s/%d", p.ID, a.N)]++
	hook := c.hook
	c.mu.Unlock()
	if hook != nil {
		hook(p, a)
	}
	return c.inner.Ask(ctx, p, a)
}

func (c *countingNotifier) tries(id string, n int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts[fmt.Sprintf("%s/%d", id, n)]
}

func TestTransientFailureIsRetriedAfterTheLease(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	counting := newCounting(f.notify)
	f.svc = f.another(counting)
	p := f.log(t, firstMeeting)

	f.clock.Set(bdate(11, 25, 15, 15))
	f.notify.Fail = errors.New("slack: 503 service unavailable")
	n, err := f.svc.RunDue(context.Background())
	if n != 1 || err == nil {
		t.Fatalf("RunDue with a failing notifier: %d jobs, err %v; want 1 job and its error", n, err)
	}
	if got := f.get(t, p.ID); got.Asks != 0 || got.State != coach.Scheduled {
		t.Fatalf("a failed send was recorded: asks %d state %s", got.Asks, got.State)
	}
	// Within the lease nobody takes it again.
	f.quietUntil(t, bdate(11, 25, 15, 15), bdate(11, 25, 15, 15).Add(f.svc.Lease), 10*time.Second)
	if c := counting.tries(p.ID, 1); c != 1 {
		t.Fatalf("%d attempts within the lease, want 1", c)
	}
	retry := bdate(11, 25, 15, 15).Add(f.svc.Lease + time.Second)
	wantAsk(t, f.runAt(t, retry), p.ID, coach.AskFirst, 1)
	f.quietUntil(t, retry, bdate(11, 27, 15, 14), 5*time.Minute)
	if c := counting.tries(p.ID, 1); c != 2 {
		t.Errorf("%d attempts in total, want the failure and one retry", c)
	}
	if sent := f.notify.Asks(); len(sent) != 1 {
		t.Errorf("sent %d times, want exactly once", len(sent))
	}
	if got := f.get(t, p.ID); got.Asks != 1 || got.State != coach.Awaiting {
		t.Errorf("after the retry: asks %d state %s", got.Asks, got.State)
	}
}

func TestUndeliverableIsNotRetried(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	counting := newCounting(f.notify)
	f.svc = f.another(counting)
	p := f.log(t, firstMeeting)

	f.notify.Fail = fmt.Errorf("post to U1: user_not_found: %w", coach.ErrUndeliverable)
	f.clock.Set(bdate(11, 25, 15, 15))
	if _, err := f.svc.RunDue(context.Background()); err != nil {
		t.Logf("RunDue reported %v", err)
	}
	// Past the lease, through the day: the same question is never tried again.
	f.quietUntil(t, bdate(11, 25, 15, 16), bdate(11, 27, 15, 15), 30*time.Second*7)
	if c := counting.tries(p.ID, 1); c != 1 {
		t.Errorf("the undeliverable question was tried %d times, want once", c)
	}
	got := f.get(t, p.ID)
	if got.Asks != 1 || !got.Prompt.IsZero() {
		t.Errorf("after an undeliverable ask: asks %d prompt %+v; want it counted, no message", got.Asks, got.Prompt)
	}
	if len(f.notify.Asks()) != 0 {
		t.Errorf("sent %+v", f.notify.Asks())
	}
}

// TestTwoReplicasSendEachQuestionOnce runs the scheduler on two services over
// one store, several goroutines each, through the whole follow-up sequence.
func TestTwoReplicasSendEachQuestionOnce(t *testing.T) {
	f := newFixture(t, bdate(11, 23, 8, 0))
	a, b := f.svc, f.another(nil)
	a.Batch, b.Batch = 3, 2
	const prospects = 30
	ids := map[string]bool{}
	for i := range prospects {
		start := bdate(11, 23, 9, 0).Add(time.Duration(i%9) * 24 * time.Hour).Add(time.Duration(i) * 17 * time.Minute)
		ids[f.log(t, start).ID] = true
	}
	ctx := context.Background()
	for at := bdate(11, 23, 8, 0); at.Before(bdate(12, 31, 0, 0)); at = at.Add(45 * time.Minute) {
		f.clock.Set(at)
		var wg sync.WaitGroup
		for i, svc := range []*coach.Service{a, b, a, b} {
			wg.Go(func() {
				for range 50 {
					n, err := svc.RunDue(ctx)
					if err != nil {
						t.Errorf("replica %d at %s: %v", i, at, err)
						return
					}
					if n == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			return
		}
	}
	count := map[string]int{}
	for _, s := range f.notify.Asks() {
		count[fmt.Sprintf("%s/%d/%s", s.Prospect, s.Ask.N, s.Ask.Kind)]++
	}
	for id := range ids {
		for n, kind := range []coach.AskKind{coach.AskFirst, coach.AskReminder, coach.AskReminder, coach.AskCloseOut} {
			k := fmt.Sprintf("%s/%d/%s", id, n+1, kind)
			if count[k] != 1 {
				t.Errorf("question %s sent %d times, want once", k, count[k])
			}
			delete(count, k)
		}
		if p := f.get(t, id); !p.GoneQuiet() || p.Asks != 4 || int(p.Version) < len(p.History) {
			t.Errorf("%s: quiet %v asks %d version %d history %d", id, p.GoneQuiet(), p.Asks, p.Version, len(p.History))
		}
	}
	if len(count) != 0 {
		t.Errorf("unexpected questions: %v", count)
	}
}

// TestConcurrentConfirmAndNotYet races the two answers on one prospect, from
// two replicas: whichever order they land in, nothing is lost.
func TestConcurrentConfirmAndNotYet(t *testing.T) {
	ctx := context.Background()
	for i := range 40 {
		f := newFixture(t, bdate(11, 25, 10, 0))
		a, b := f.svc, f.another(nil)
		p := f.log(t, firstMeeting)
		f.runAt(t, bdate(11, 25, 15, 15))
		f.clock.Set(bdate(11, 26, 10, 0))

		var (
			wg             sync.WaitGroup
			start          = make(chan struct{})
			confirmErr     error
			changed        bool
			notYetErr      error
			notYetReturned coach.Prospect
		)
		wg.Go(func() {
			<-start
			_, changed, confirmErr = a.Confirm(ctx, rep, "T1", p.ID, coach.SecondMeeting{At: bdate(12, 2, 10, 0), Amount: 5000, Currency: "EUR"})
		})
		wg.Go(func() {
			<-start
			notYetReturned, notYetErr = b.NotYet(ctx, rep, "T1", p.ID)
		})
		close(start)
		wg.Wait()

		if confirmErr != nil || !changed {
			t.Fatalf("run %d: Confirm: changed %v err %v", i, changed, confirmErr)
		}
		got := f.get(t, p.ID)
		if got.State != coach.Opportunity || !got.FollowUpAt.IsZero() || got.Amount != 5000 {
			t.Fatalf("run %d: state %s follow-up %s amount %d; want an opportunity, no follow-up", i, got.State, got.FollowUpAt, got.Amount)
		}
		var events []coach.Event
		for _, e := range got.History {
			events = append(events, e.Event)
		}
		want := []coach.Event{coach.EventLogged, coach.EventAsked, coach.EventConfirmed}
		switch {
		case notYetErr == nil:
			// Not yet landed first; Confirm re-read and applied over it.
			want = []coach.Event{coach.EventLogged, coach.EventAsked, coach.EventNotYet, coach.EventConfirmed}
			if notYetReturned.State != coach.Awaiting {
				t.Errorf("run %d: not yet returned %s", i, notYetReturned.State)
			}
		case !errors.Is(notYetErr, coach.ErrDecided):
			t.Fatalf("run %d: NotYet: %v, want nil or ErrDecided", i, notYetErr)
		}
		if !reflect.DeepEqual(events, want) || int(got.Version) != len(got.History) {
			t.Errorf("run %d: history %v version %d, want %v", i, events, got.Version, want)
		}
		f.quietUntil(t, bdate(11, 26, 10, 0), bdate(12, 20, 0, 0), 12*time.Hour)
	}
}

func TestConcurrentConfirmsChangeOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting)
	f.runAt(t, bdate(11, 25, 15, 15))
	var wg sync.WaitGroup
	var mu sync.Mutex
	changes := 0
	for i := range 8 {
		svc := f.svc
		if i%2 == 1 {
			svc = f.another(nil)
		}
		wg.Go(func() {
			_, changed, err := svc.Confirm(ctx, rep, "T1", p.ID, coach.SecondMeeting{At: bdate(12, 2, 10, 0)})
			if err != nil {
				t.Errorf("Confirm: %v", err)
			}
			if changed {
				mu.Lock()
				changes++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if changes != 1 {
		t.Errorf("%d Confirms report a change, want exactly 1", changes)
	}
	if got := f.get(t, p.ID); got.Version != 3 || len(got.History) != 3 {
		t.Errorf("version %d, %d history entries; want 3 and 3", got.Version, len(got.History))
	}
}

// TestAnsweredWhileAsking: the rep answers while the question is on its way.
// The answer is kept; the question is counted; nothing more is asked.
func TestAnsweredWhileAsking(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	counting := newCounting(f.notify)
	f.svc = f.another(counting)
	p := f.log(t, firstMeeting)
	counting.hook = func(cp coach.Prospect, a coach.Ask) {
		if _, _, err := f.svc.Confirm(ctx, rep, "T1", cp.ID, coach.SecondMeeting{At: bdate(12, 2, 10, 0)}); err != nil {
			t.Errorf("Confirm during Ask: %v", err)
		}
	}
	wantAsk(t, f.runAt(t, bdate(11, 25, 15, 15)), p.ID, coach.AskFirst, 1)
	counting.hook = nil
	got := f.get(t, p.ID)
	if got.State != coach.Opportunity || !got.FollowUpAt.IsZero() || got.Asks != 1 {
		t.Errorf("state %s follow-up %s asks %d; want the opportunity kept, no follow-up", got.State, got.FollowUpAt, got.Asks)
	}
	f.quietUntil(t, bdate(11, 25, 15, 16), bdate(12, 31, 0, 0), 6*time.Hour)
}

// TestOverdueAskWaitsForWorkingHours: after an outage (or a retry after the
// lease) a question found due outside the rep's working hours must wait for
// the next working window (the package doc, "Timing").
func TestOverdueAskWaitsForWorkingHours(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting)
	// The scheduler was down from 15:00 to 23:00.
	if sent := f.runAt(t, bdate(11, 25, 23, 0)); len(sent) != 0 {
		t.Errorf("at 23:00 Berlin sent %+v; want it held until 09:00", sent)
	}
	f.quietUntil(t, bdate(11, 25, 23, 0), bdate(11, 26, 9, 0), 30*time.Minute)
	wantAsk(t, f.runAt(t, bdate(11, 26, 9, 0)), p.ID, coach.AskFirst, 1)
}

func TestRetryAfterLeaseStaysInWorkingHours(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, bdate(11, 25, 16, 44)) // first ask due 17:59:00 Berlin
	f.notify.Fail = errors.New("slack: 503")
	f.clock.Set(bdate(11, 25, 17, 59))
	if _, err := f.svc.RunDue(context.Background()); err == nil {
		t.Fatal("want the transient failure reported")
	}
	if sent := f.runAt(t, bdate(11, 25, 18, 0).Add(f.svc.Lease)); len(sent) != 0 {
		t.Errorf("retried after hours: %+v", sent)
	}
	f.quietUntil(t, bdate(11, 25, 18, 30), bdate(11, 26, 9, 0), time.Hour)
	wantAsk(t, f.runAt(t, bdate(11, 26, 9, 0)), p.ID, coach.AskFirst, 1)
}

// TestNotYetBeforeTheMeetingDoesNotAskEarly: "not yet" before the first
// meeting happened must not make the first question come before it.
func TestNotYetBeforeTheMeetingDoesNotAskEarly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 23, 10, 0))               // Monday
	p := f.log(t, bdate(11, 27, 14, 0))                    // Friday 14:00, first ask due 15:15
	got, err := f.svc.NotYet(ctx, rep, "T1", p.ID)         // a stray "not yet" on Monday
	if err == nil && got.FollowUpAt.Before(p.MeetingEnd) { // Wednesday 10:00
		t.Errorf("not yet before the meeting moved the first ask to %s, before the meeting ends at %s", got.FollowUpAt, p.MeetingEnd)
	}
	f.quietUntil(t, bdate(11, 23, 10, 0), bdate(11, 27, 15, 15), 30*time.Minute)
}

// slowNotifier blocks in Ask until released, like a Slack call held up by a
// rate limit.
type slowNotifier struct {
	inner   *coachtest.Notifier
	entered chan struct{}
	release chan struct{}
}

func (s *slowNotifier) Ask(ctx context.Context, p coach.Prospect, a coach.Ask) (coach.MessageRef, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.inner.Ask(ctx, p, a)
}

// TestSlowSendPastTheLeaseIsNotDuplicated: a replica whose Slack call outlasts
// its lease must not let another replica post the same question.
func TestSlowSendPastTheLeaseIsNotDuplicated(t *testing.T) {
	f := newFixture(t, bdate(11, 25, 10, 0))
	slow := &slowNotifier{inner: f.notify, entered: make(chan struct{}, 1), release: make(chan struct{})}
	a := f.another(slow)
	p := f.log(t, firstMeeting)
	f.clock.Set(bdate(11, 25, 15, 15))
	done := make(chan error, 1)
	go func() { _, err := a.RunDue(context.Background()); done <- err }()
	<-slow.entered
	f.clock.Advance(a.Lease + time.Second)
	if _, err := f.svc.RunDue(context.Background()); err != nil {
		t.Logf("replica b: %v", err)
	}
	close(slow.release)
	if err := <-done; err != nil {
		t.Logf("replica a: %v", err)
	}
	if sent := f.notify.Asks(); len(sent) != 1 {
		t.Errorf("question sent %d times: %+v", len(sent), sent)
	}
	_ = p
}

func TestForeignAndOrphanJobs(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	_ = f.store.Schedule(ctx, "digest/T1", bdate(11, 25, 9, 0))
	_ = f.store.Schedule(ctx, coach.FollowUpKey("T1", "gone"), bdate(11, 25, 9, 0))
	n, err := f.svc.RunDue(ctx)
	if n != 2 || err == nil {
		t.Errorf("RunDue over a foreign job: %d jobs, err %v; want 2 and the foreign key reported", n, err)
	}
	// Both are dropped, not claimed again and again.
	f.clock.Advance(time.Hour)
	if n, err := f.svc.RunDue(ctx); n != 0 || err != nil {
		t.Errorf("after dropping: %d jobs, %v", n, err)
	}
	if len(f.notify.Asks()) != 0 {
		t.Errorf("sent %+v", f.notify.Asks())
	}
}

// TestSendInFlightElsewhere: another replica has reserved the question and is
// posting it; this one leaves it alone, and takes over once that reservation
// has lapsed with the lease.
func TestSendInFlightElsewhere(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting)
	f.clock.Set(bdate(11, 25, 15, 15))
	key := fmt.Sprintf("ask/T1/%s/1", p.ID)
	if _, ok, _ := f.store.Reserve(ctx, key, "pending", f.svc.Lease); !ok {
		t.Fatal("reserve")
	}
	if n, err := f.svc.RunDue(ctx); n != 1 || err != nil {
		t.Fatalf("RunDue: %d %v", n, err)
	}
	if len(f.notify.Asks()) != 0 || f.get(t, p.ID).Asks != 0 {
		t.Fatal("sent although another replica holds the send")
	}
	wantAsk(t, f.runAt(t, bdate(11, 25, 15, 15).Add(f.svc.Lease+time.Second)), p.ID, coach.AskFirst, 1)

	// A send recorded by a replica that died before saving is not sent again,
	// and its message is kept.
	q := f.log(t, bdate(11, 25, 16, 0))
	_ = f.store.Record(ctx, fmt.Sprintf("ask/T1/%s/1", q.ID), "sent DU1 42.000000", 30*24*time.Hour)
	f.clock.Set(bdate(11, 25, 17, 15))
	if sent := f.runAt(t, bdate(11, 25, 17, 15)); len(sent) != 0 {
		t.Fatalf("re-sent a recorded question: %+v", sent)
	}
	got := f.get(t, q.ID)
	if got.Asks != 1 || got.Prompt != (coach.MessageRef{Channel: "DU1", TS: "42.000000"}) || got.State != coach.Awaiting {
		t.Errorf("after a recorded send: asks %d prompt %+v state %s", got.Asks, got.Prompt, got.State)
	}
}

func (c *countingNotifier) Celebrate(ctx context.Context, p coach.Prospect) (coach.MessageRef, error) {
	return c.inner.Celebrate(ctx, p)
}

func (s *slowNotifier) Celebrate(ctx context.Context, p coach.Prospect) (coach.MessageRef, error) {
	return s.inner.Celebrate(ctx, p)
}

func (c *countingNotifier) Digest(ctx context.Context, t coach.Team, d coach.Digest) (coach.MessageRef, error) {
	return c.inner.Digest(ctx, t, d)
}

func (c *countingNotifier) Brief(ctx context.Context, n coach.Brief) (coach.MessageRef, error) {
	return c.inner.Brief(ctx, n)
}

func (s *slowNotifier) Digest(ctx context.Context, t coach.Team, d coach.Digest) (coach.MessageRef, error) {
	return s.inner.Digest(ctx, t, d)
}

func (s *slowNotifier) Brief(ctx context.Context, n coach.Brief) (coach.MessageRef, error) {
	return s.inner.Brief(ctx, n)
}
