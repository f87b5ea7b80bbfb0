package coach_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// A rep's view reads their open deals and those retired lately, not two
// years of them, and shows what it showed when it read them all: the
// conversion, losses, win rate, recent losses, flags, quota coverage and the
// CRM's deals not taken in. Each case makes another part of the horizon the
// earliest (horizonDates): the quarter, the conversion window, and App
// Home's 30 days of losses.
func TestRepViewReadsRecentDealsAndShowsWhatAllShow(t *testing.T) {
	for _, tc := range horizonDates {
		t.Run(tc.view, func(t *testing.T) { testRepViewHorizon(t, tc.now, tc.quarter, tc.conversion) })
	}
}

// horizonDates are three moments, each making another part of a horizon
// the earliest, named for the part of the rep's view's and of the team's
// digest's: on the last day of a quarter of 92 days, its start is before
// the conversion window; three weeks into a quarter, the conversion window
// is first; ten days into a quarter, with a conversion window of two
// weeks, App Home's 30 days of losses and the digest's trend reach
// furthest.
var horizonDates = []struct {
	view, digest string
	now          time.Time
	quarter      string
	conversion   time.Duration
}{
	{"the quarter", "the quarter", time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC), "2026-Q4", 0},
	{"the conversion window", "the conversion window", time.Date(2027, 1, 20, 15, 0, 0, 0, time.UTC), "2027-Q1", 0},
	{"the recent losses", "the trend", time.Date(2027, 1, 10, 15, 0, 0, 0, time.UTC), "2027-Q1", 14 * 24 * time.Hour},
}

func testRepViewHorizon(t *testing.T, now time.Time, quarter string, conversion time.Duration) {
	ctx := context.Background()
	clock := coachtest.NewClock(now)
	store := coachtest.NewMemStore(clock.Now)
	team := coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1"}, TZ: "UTC", Version: 1,
		Quotas: map[string]coach.Quota{"U1": {Amount: 1_000_000, Currency: "EUR", Period: quarter}}}
	if err := store.SaveTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, uint64(now.Unix())))
	for i := range 400 {
		save(t, store, randomDeal(r, i, now))
	}
	// The edges: won on the quarter's first day; lost within the 30 days
	// App Home lists; lost long ago and reopened, now an opportunity; lost
	// long ago, its CRM deal still open there.
	save(t, store, dealWith("edge-quarter", now.AddDate(0, -4, 0), wonAt(coach.QuarterOf(now).Start.Add(9*time.Hour))))
	save(t, store, dealWith("edge-recent-loss", now.AddDate(0, 0, -40), lostAt(now.AddDate(0, 0, -29))))
	reopened := dealWith("edge-reopened", now.AddDate(-1, 0, 0), lostAt(now.AddDate(-1, 0, 7)))
	reopened.History = append(reopened.History, coach.Entry{At: now.AddDate(0, -1, 0), By: "U1", Event: coach.EventConfirmed, From: coach.Lost, To: coach.Opportunity})
	reopened.State, reopened.SecondMeeting = coach.Opportunity, now.AddDate(0, 0, 3)
	save(t, store, reopened)
	linked := dealWith("edge-crm", now.AddDate(-1, 0, 0), lostAt(now.AddDate(-1, 0, 2)))
	linked.CRM.ID = "D-old"
	save(t, store, linked)
	if err := store.Record(ctx, coach.UnconfirmedKey("T1", "U1"), `[{"id":"D-old","name":"Initech"},{"id":"D-new","name":"Globex"}]`, time.Hour); err != nil {
		t.Fatal(err)
	}

	view := func(s coach.Store) coach.RepView {
		t.Helper()
		svc := coach.NewService(s, &coachtest.Notifier{}, clock, coach.DefaultTiming)
		svc.CRM = pullingCRM{}
		if conversion > 0 {
			svc.Thresholds.ConversionWindow = conversion
		}
		v, err := svc.RepView(ctx, "T1", "U1")
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	got, want := view(store), view(coachtest.ReadsWhole{Store: store})

	all, _ := store.ProspectsOf(ctx, "T1", "U1")
	recent := len(got.Opportunities) + len(got.NotYet) + len(got.GoneQuiet) + len(got.Scheduled) + len(got.Won) + len(got.Lost)
	if recent*3 > len(all) {
		t.Fatalf("the view read %d of the rep's %d deals; want the retired long ago left out", recent, len(all))
	}
	// Won and Lost are the retired deals read, and only those.
	got.Won, got.Lost, want.Won, want.Lost = nil, nil, nil, nil
	if !reflect.DeepEqual(got, want) {
		for _, f := range reflect.VisibleFields(reflect.TypeOf(got)) {
			if g, w := reflect.ValueOf(got).FieldByIndex(f.Index).Interface(), reflect.ValueOf(want).FieldByIndex(f.Index).Interface(); !reflect.DeepEqual(g, w) {
				t.Errorf("%s from the recent deals = %v\nfrom all deals = %v", f.Name, g, w)
			}
		}
	}
	if len(got.InCRM) != 1 || got.InCRM[0].ID != "D-new" {
		t.Errorf("InCRM = %+v; want only D-new: D-old is taken by a deal lost a year ago", got.InCRM)
	}
	if got.Conversion.Den == 0 || len(got.RecentLosses) == 0 || !got.HasCoverage {
		t.Errorf("conversion %+v, %d recent losses, coverage %v: the deals should give each", got.Conversion, len(got.RecentLosses), got.HasCoverage)
	}
}

func save(t *testing.T, s coach.Store, p coach.Prospect) {
	t.Helper()
	if err := s.Save(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

// dealWith is a rep's deal first met at first, shaped by how.
func dealWith(id string, first time.Time, how func(*coach.Prospect)) coach.Prospect {
	p := coach.Prospect{Workspace: "T1", ID: id, Owner: "U1", Account: "Account " + id, TZ: "UTC",
		FirstMeeting: first, MeetingEnd: first.Add(time.Hour), State: coach.Scheduled,
		CreatedAt: first.Add(-24 * time.Hour), LastActivity: first.Add(-24 * time.Hour), Version: 1,
		History: []coach.Entry{{At: first.Add(-24 * time.Hour), By: "U1", Event: coach.EventLogged, To: coach.Scheduled}}}
	how(&p)
	return p
}

func (step stateStep) apply(p *coach.Prospect) {
	p.History = append(p.History, coach.Entry{At: step.at, By: "U1", Event: step.event, From: p.State, To: step.to})
	p.State, p.LastActivity = step.to, step.at
}

type stateStep struct {
	at    time.Time
	event coach.Event
	to    coach.State
}

func steps(ss ...stateStep) func(*coach.Prospect) {
	return func(p *coach.Prospect) {
		for _, s := range ss {
			s.apply(p)
		}
	}
}

func wonAt(at time.Time) func(*coach.Prospect) {
	return func(p *coach.Prospect) {
		steps(stateStep{p.MeetingEnd, coach.EventAsked, coach.Awaiting},
			stateStep{p.MeetingEnd.Add(time.Hour), coach.EventConfirmed, coach.Opportunity},
			stateStep{at, coach.EventWon, coach.Won})(p)
		p.SecondMeeting, p.Amount, p.Currency = p.MeetingEnd.Add(72*time.Hour), 50_000, "EUR"
	}
}

func lostAt(at time.Time) func(*coach.Prospect) {
	return steps(stateStep{at, coach.EventLost, coach.Lost})
}

// randomDeal is one of two years of a rep's deals, in any state the view
// groups: ahead, asked, gone quiet, an opportunity (some stalled or aged),
// won, lost before or after a second meeting, withdrawn.
func randomDeal(r *rand.Rand, i int, now time.Time) coach.Prospect {
	first := now.Add(-time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))).Add(7 * 24 * time.Hour).Truncate(time.Minute)
	day := func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	after := func(max int) time.Time {
		at := first.Add(time.Hour + time.Duration(r.Int64N(int64(day(max)))))
		if at.After(now) {
			return now.Add(-time.Minute)
		}
		return at
	}
	p := dealWith(fmt.Sprintf("d%03d", i), first, func(*coach.Prospect) {})
	if first.After(now) {
		return p
	}
	asked := stateStep{p.MeetingEnd, coach.EventAsked, coach.Awaiting}
	confirmed := stateStep{after(10), coach.EventConfirmed, coach.Opportunity}
	outcome := r.IntN(8)
	if now.Sub(first) > day(180) && r.IntN(20) > 0 {
		outcome = 3 + r.IntN(5) // most deals of a year ago are closed
	}
	switch outcome {
	case 0:
		steps(asked)(&p)
		if r.IntN(2) == 0 {
			p.QuietSince = p.MeetingEnd.Add(day(5))
		}
	case 1, 2:
		steps(asked, confirmed)(&p)
		p.SecondMeeting, p.Amount, p.Currency = confirmed.at.Add(day(2)), int64(10_000+r.IntN(90_000)), "EUR"
	case 3, 4:
		steps(asked, confirmed, stateStep{confirmed.at.Add(day(1 + r.IntN(120))), coach.EventWon, coach.Won})(&p)
		p.SecondMeeting, p.Amount, p.Currency = confirmed.at.Add(day(2)), int64(10_000+r.IntN(90_000)), "EUR"
	case 5:
		steps(asked, stateStep{after(20), coach.EventLost, coach.Lost})(&p)
	case 6:
		steps(asked, confirmed, stateStep{confirmed.at.Add(day(1 + r.IntN(60))), coach.EventLost, coach.Lost})(&p)
	default:
		steps(stateStep{p.MeetingEnd, coach.EventWithdrawn, coach.Withdrawn})(&p)
	}
	if p.LastActivity.After(now) {
		p.LastActivity = now
	}
	return p
}

// noWholeReads fails any read of every deal a rep ever had.
type noWholeReads struct {
	*coachtest.MemStore
	t *testing.T
}

func (s noWholeReads) ProspectsOf(ctx context.Context, team, owner string) ([]coach.Prospect, error) {
	s.t.Errorf("every deal of %s/%s was read", team, owner)
	return s.MemStore.ProspectsOf(ctx, team, owner)
}

// noCalendarEvents is a calendar with nothing on it: the calendar is on.
type noCalendarEvents struct{}

func (noCalendarEvents) Changes(context.Context, string, string, time.Time) (coach.CalendarChanges, error) {
	return coach.CalendarChanges{}, nil
}

// What answers a rep on a team reads their open deals, not the deals of
// years past: the view, an answer in words (Pipeline), a deal named in a
// command, a first meeting logged with the calendar on (checked for the
// calendar's own copy of it). Each still finds what it looks for.
func TestAnswersReadOpenDealsNotAllDeals(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	clock := coachtest.NewClock(now)
	mem := coachtest.NewMemStore(clock.Now)
	if err := mem.SaveTeam(ctx, coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1"}, Version: 1}); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 5))
	for i := range 100 {
		save(t, mem, randomDeal(r, i, now))
	}
	acme := dealWith("acme", now.AddDate(0, 0, -20), wonAt(now.AddDate(0, 0, -2)))
	acme.Account, acme.State = "Acme", coach.Opportunity // confirmed, not yet won
	acme.History = acme.History[:len(acme.History)-1]
	save(t, mem, acme)
	calendared := dealWith("cal", now.Add(2*time.Hour), func(p *coach.Prospect) {
		p.Account = "Globex"
		p.Calendar = &coach.CalendarMeeting{EventID: "evt-1", Start: p.FirstMeeting, End: p.MeetingEnd}
	})
	save(t, mem, calendared)

	svc := coach.NewService(noWholeReads{mem, t}, &coachtest.Notifier{}, clock, coach.DefaultTiming)
	svc.Calendar.Source = noCalendarEvents{}
	if _, err := svc.RepView(ctx, "T1", "U1"); err != nil {
		t.Fatal(err)
	}
	if pl, err := svc.Pipeline(ctx, "T1", "U1"); err != nil || len(pl.Waiting()) == 0 {
		t.Fatalf("Pipeline: %d waiting (%v); want the rep's deals asked about", len(pl.Waiting()), err)
	}
	matches, _, err := svc.FindDeal(ctx, coach.Actor{Workspace: "T1", User: "U1"}, coach.WinDeal, "acme")
	if err != nil || len(matches) != 1 || matches[0].ID != "acme" {
		t.Fatalf("FindDeal(won, acme) = %v (%v); want the Acme opportunity", ids(matches), err)
	}
	twin, err := svc.LogMeeting(ctx, coach.NewMeeting{Team: "T1", Owner: "U1", Account: "Globex", TZ: "UTC", Start: calendared.FirstMeeting})
	if err != nil || twin.ID != "cal" {
		t.Fatalf("LogMeeting of the calendar's meeting = %s (%v); want its prospect, cal", twin.ID, err)
	}
}
