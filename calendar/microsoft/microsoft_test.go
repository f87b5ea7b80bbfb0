package microsoft_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"pipelinecoach/calendar/graphsim"
	"pipelinecoach/calendar/microsoft"
	"pipelinecoach/coach"
)

const rita = "rita@ourco.com"

var monday = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func setup(t *testing.T) (*graphsim.Server, *microsoft.Client) {
	t.Helper()
	sim := graphsim.New()
	t.Cleanup(sim.Close)
	sim.AddUser(rita)
	c := microsoft.New(microsoft.Config{Tenant: graphsim.Tenant, ClientID: graphsim.ClientID, ClientSecret: graphsim.ClientSecret,
		GraphURL: sim.GraphURL(), LoginURL: sim.LoginURL()}, nil, func() time.Time { return monday })
	return sim, c
}

func intro(id string, at time.Time) graphsim.Event {
	return graphsim.Event{ID: id, Subject: "Acme intro", Start: at, End: at.Add(time.Hour), Body: "secret notes",
		Attendees: []graphsim.Attendee{{Email: rita, Response: "organizer"}, {Email: "jane@acme.com", Name: "Jane Doe", Response: "accepted"}, {Email: "room@ourco.com", Resource: true}}}
}

func TestFullThenDelta(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	sim.Put(rita, intro("e1", monday.Add(2*time.Hour)))
	sim.Put(rita, graphsim.Event{ID: "old", Subject: "Long ago", Start: monday.AddDate(-1, 0, 0), End: monday.AddDate(-1, 0, 0).Add(time.Hour)})
	full, err := c.Changes(ctx, rita, "", monday.AddDate(0, 0, -180))
	if err != nil {
		t.Fatal(err)
	}
	if !full.Full || !strings.HasPrefix(full.Cursor, sim.GraphURL()) || len(full.Events) != 1 {
		t.Fatalf("full read = %+v", full)
	}
	ev := full.Events[0]
	if ev.ID != "e1" || !ev.Organizer || !ev.Start.Equal(monday.Add(2*time.Hour)) || len(ev.Attendees) != 1 || ev.Attendees[0] != (coach.Attendee{Email: "jane@acme.com", Name: "Jane Doe"}) {
		t.Errorf("event = %+v", ev)
	}
	sim.Put(rita, graphsim.Event{ID: "e2", Subject: "Weekly", Start: monday.Add(48 * time.Hour), End: monday.Add(49 * time.Hour), Organizer: "bob@globex.com",
		SeriesMasterID: "m1", Attendees: []graphsim.Attendee{{Email: rita, Response: "declined"}, {Email: "bob@globex.com"}}})
	sim.Delete(rita, "e1")
	inc, err := c.Changes(ctx, rita, full.Cursor, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if inc.Full || len(inc.Events) != 2 || inc.Cursor == full.Cursor {
		t.Fatalf("delta read = %+v", inc)
	}
	if e := inc.Events[0]; e.ID != "e2" || !e.Declined || e.Organizer || !e.Recurring {
		t.Errorf("declined occurrence read as %+v", e)
	}
	if e := inc.Events[1]; e.ID != "e1" || !e.Cancelled {
		t.Errorf("removed event read as %+v", e)
	}
}

func TestPaging(t *testing.T) {
	sim, c := setup(t)
	c.PageSize = 2
	for i := range 5 {
		sim.Put(rita, intro(string(rune('a'+i)), monday.Add(time.Duration(i)*time.Hour)))
	}
	got, err := c.Changes(context.Background(), rita, "", monday.AddDate(0, -1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 5 || got.Requests != 3 || got.Cursor == "" {
		t.Fatalf("paged read: %d events in %d requests", len(got.Events), got.Requests)
	}
}

func TestExpiredDelta(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	first, err := c.Changes(ctx, rita, "", monday)
	if err != nil {
		t.Fatal(err)
	}
	sim.ExpireDeltaTokens()
	if _, err := c.Changes(ctx, rita, first.Cursor, time.Time{}); !errors.Is(err, coach.ErrCursorExpired) {
		t.Fatalf("expired delta link: %v", err)
	}
	if _, err := c.Changes(ctx, rita, "https://elsewhere.example/steal", time.Time{}); !errors.Is(err, coach.ErrCursorExpired) {
		t.Fatalf("a cursor off Graph must not be followed: %v", err)
	}
}

func TestRetryLaterAndGone(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	for _, f := range []graphsim.Fault{{Status: 429, RetryAfter: 9 * time.Second}, {Status: 503}} {
		sim.FailNext(f)
		_, err := c.Changes(ctx, rita, "", monday)
		var later *coach.RetryLaterError
		if !errors.As(err, &later) || later.After != f.RetryAfter {
			t.Fatalf("%+v: %v", f, err)
		}
	}
	sim.RemoveUser(rita)
	if _, err := c.Changes(ctx, rita, "", monday); !errors.Is(err, coach.ErrMailboxGone) {
		t.Fatalf("removed mailbox: %v", err)
	}
}

func TestBadSecret(t *testing.T) {
	sim := graphsim.New()
	defer sim.Close()
	sim.AddUser(rita)
	c := microsoft.New(microsoft.Config{Tenant: graphsim.Tenant, ClientID: graphsim.ClientID, ClientSecret: "wrong",
		GraphURL: sim.GraphURL(), LoginURL: sim.LoginURL()}, nil, time.Now)
	_, err := c.Changes(context.Background(), rita, "", monday)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") || errors.Is(err, coach.ErrMailboxGone) {
		t.Fatalf("bad secret: %v", err)
	}
}
