package google_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"pipelinecoach/calendar/google"
	"pipelinecoach/calendar/googlesim"
	"pipelinecoach/coach"
)

const rita = "rita@ourco.com"

var monday = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

func setup(t *testing.T) (*googlesim.Server, *google.Client) {
	t.Helper()
	sim := googlesim.New()
	t.Cleanup(sim.Close)
	sim.AddUser(rita)
	c, err := google.New(sim.CredentialsJSON(), sim.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func intro(id string, at time.Time) googlesim.Event {
	return googlesim.Event{ID: id, Summary: "Acme intro", Start: at, End: at.Add(time.Hour), Description: "secret notes",
		Attendees: []googlesim.Attendee{{Email: rita, Response: "accepted"}, {Email: "jane@acme.com", Name: "Jane Doe", Response: "accepted"}, {Email: "room-1@resource.calendar.google.com", Name: "Room 1", Resource: true}}}
}

func TestFullThenIncremental(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	sim.Put(rita, intro("e1", monday))
	sim.Put(rita, googlesim.Event{ID: "allday", Summary: "Offsite", Start: monday, End: monday.AddDate(0, 0, 1), AllDay: true})
	full, err := c.Changes(ctx, rita, "", monday.AddDate(0, 0, -180))
	if err != nil {
		t.Fatal(err)
	}
	if !full.Full || full.Cursor == "" || len(full.Events) != 2 {
		t.Fatalf("full read = %+v", full)
	}
	ev := full.Events[0]
	if ev.ID != "e1" || !ev.Organizer || ev.Declined || !ev.Start.Equal(monday) || len(ev.Attendees) != 1 || ev.Attendees[0] != (coach.Attendee{Email: "jane@acme.com", Name: "Jane Doe"}) {
		t.Errorf("event = %+v; want the rep and the room left out of the attendees", ev)
	}
	if !full.Events[1].AllDay {
		t.Errorf("all-day event read as %+v", full.Events[1])
	}
	for _, r := range sim.Requests() {
		if r.User != "" && r.Query == "" {
			t.Errorf("request without a query: %+v", r)
		}
	}

	sim.Put(rita, googlesim.Event{ID: "e2", Summary: "Globex", Start: monday.Add(48 * time.Hour), End: monday.Add(49 * time.Hour), Organizer: "bob@globex.com",
		Attendees: []googlesim.Attendee{{Email: rita, Response: "declined"}, {Email: "bob@globex.com"}}, RecurringEventID: "series1"})
	sim.Cancel(rita, "e1")
	inc, err := c.Changes(ctx, rita, full.Cursor, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if inc.Full || len(inc.Events) != 2 || inc.Cursor == "" || inc.Cursor == full.Cursor {
		t.Fatalf("incremental read = %+v", inc)
	}
	if e := inc.Events[0]; e.ID != "e2" || !e.Declined || e.Organizer || !e.Recurring {
		t.Errorf("invited and declined instance of a series read as %+v", e)
	}
	if e := inc.Events[1]; e.ID != "e1" || !e.Cancelled {
		t.Errorf("cancelled event read as %+v", e)
	}
	again, err := c.Changes(ctx, rita, inc.Cursor, time.Time{})
	if err != nil || len(again.Events) != 0 {
		t.Fatalf("nothing changed, read %+v, %v", again, err)
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
		t.Fatalf("paged read: %d events in %d requests, cursor %q", len(got.Events), got.Requests, got.Cursor)
	}
}

func TestExpiredSyncToken(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	first, err := c.Changes(ctx, rita, "", monday)
	if err != nil {
		t.Fatal(err)
	}
	sim.ExpireSyncTokens()
	if _, err := c.Changes(ctx, rita, first.Cursor, time.Time{}); !errors.Is(err, coach.ErrCursorExpired) {
		t.Fatalf("expired sync token: %v, want ErrCursorExpired", err)
	}
}

func TestRetryLater(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	for _, f := range []googlesim.Fault{
		{Status: 429, RetryAfter: 7 * time.Second},
		{Status: 403, Reason: "userRateLimitExceeded"},
		{Status: 403, Reason: "rateLimitExceeded"},
		{Status: 503},
	} {
		sim.FailNext(f)
		_, err := c.Changes(ctx, rita, "", monday)
		var later *coach.RetryLaterError
		if !errors.As(err, &later) {
			t.Fatalf("%+v: %v, want a RetryLaterError", f, err)
		}
		if later.After != f.RetryAfter {
			t.Errorf("%+v: retry after %v", f, later.After)
		}
	}
}

func TestMailboxGone(t *testing.T) {
	sim, c := setup(t)
	ctx := context.Background()
	if _, err := c.Changes(ctx, "nobody@ourco.com", "", monday); !errors.Is(err, coach.ErrMailboxGone) {
		t.Fatalf("unknown user: %v, want ErrMailboxGone", err)
	}
	if _, err := c.Changes(ctx, rita, "", monday); err != nil {
		t.Fatal(err)
	}
	sim.RemoveUser(rita) // with a token still cached
	if _, err := c.Changes(ctx, rita, "", monday); !errors.Is(err, coach.ErrMailboxGone) {
		t.Fatalf("removed user: %v, want ErrMailboxGone", err)
	}
}
