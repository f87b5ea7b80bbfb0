package microsoft_test

import (
	"context"
	"testing"
	"time"

	"pipelinecoach/calendar/graphsim"
	"pipelinecoach/calendar/microsoft"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

type directory map[string]string

func (d directory) Email(_ context.Context, _, user string) (string, error) { return d[user], nil }
func (d directory) Zone(context.Context, string, string) string             { return "UTC" }

// An expired delta link reads everything again, without a second prospect
// of any event; a gone mailbox is reported.
func TestSyncThroughGraph(t *testing.T) {
	ctx := context.Background()
	clock := coachtest.NewClock(monday)
	sim := graphsim.New()
	defer sim.Close()
	sim.AddUser(rita)
	store := coachtest.NewMemStore(clock.Now)
	svc := coach.NewService(store, &coachtest.Notifier{}, clock, coach.DefaultTiming)
	client := microsoft.New(microsoft.Config{Tenant: graphsim.Tenant, ClientID: graphsim.ClientID, ClientSecret: graphsim.ClientSecret,
		GraphURL: sim.GraphURL(), LoginURL: sim.LoginURL()}, nil, clock.Now)
	client.PageSize = 2
	svc.Calendar = coach.CalendarSettings{Source: client, Poll: time.Minute, Mailboxes: directory{"U1": rita}}
	if err := svc.EnrolCalendar(ctx, "T1", "U1"); err != nil {
		t.Fatal(err)
	}
	run := func(d time.Duration) {
		for end := clock.Now().Add(d); clock.Now().Before(end); clock.Advance(30 * time.Second) {
			if _, err := svc.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, company := range []string{"acme.com", "globex.com", "initech.com"} {
		at := monday.Add(time.Duration(24*(i+1)) * time.Hour)
		sim.Put(rita, graphsim.Event{ID: company, Subject: "Intro", Start: at, End: at.Add(time.Hour),
			Attendees: []graphsim.Attendee{{Email: rita}, {Email: "x@" + company}}})
	}
	run(2 * time.Minute)
	sim.ExpireDeltaTokens()
	sim.Put(rita, graphsim.Event{ID: "umbrella.com", Subject: "Intro", Start: monday.Add(96 * time.Hour), End: monday.Add(97 * time.Hour),
		Attendees: []graphsim.Attendee{{Email: rita}, {Email: "x@umbrella.com"}}})
	run(2 * time.Minute)
	ps, _ := store.ProspectsOf(ctx, "T1", "U1")
	if len(ps) != 4 {
		t.Fatalf("%d prospects after the delta link expired, want 4", len(ps))
	}
	gone := false
	for _, r := range sim.Requests() {
		gone = gone || r.Status == 410
	}
	if !gone {
		t.Fatal("the delta link never expired: the test proves nothing")
	}
	sim.RemoveUser(rita)
	run(2 * time.Minute)
	if c, _ := store.CalendarSync(ctx, "T1", "U1"); c.Status() != "gone" {
		t.Fatalf("removed mailbox: %+v", c)
	}
}
