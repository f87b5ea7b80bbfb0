package storetest

import (
	"reflect"
	"sync"
	"testing"
	"time"

	"pipelinecoach/coach"
)

func calendarSync(ws, rep string, version int64) coach.CalendarSync {
	return coach.CalendarSync{Workspace: ws, Rep: rep, Mailbox: rep + "@ourco.example", Since: t0, Cursor: "CPDAlvWDx70CEPDAlvWDx70CGAU=",
		FullAt: t0, LastRead: t0.Add(time.Minute), Reads: 3, Events: 12, LastError: "429 rateLimitExceeded", ErrorAt: t0,
		Failures: 1, Met: map[string]time.Time{"acme.example": t0.Add(-time.Hour)}, Ignored: []string{"partner.example"},
		NextRead: t0.Add(2 * time.Minute), Version: version}
}

// CalendarSyncs: a rep's calendar sync round-trips, is saved only over the
// version it was read at (so two replicas never both record a read), and
// workspaces are apart.
func testCalendarSyncs(t *testing.T, newStore func(t *testing.T) coach.Store) {
	s := newStore(t)
	_, err := s.CalendarSync(ctx(), "T1", "U1")
	wantErr(t, "CalendarSync of nobody", err, coach.ErrNotFound)
	wantErr(t, "new calendar sync at version 2", s.SaveCalendarSync(ctx(), calendarSync("T1", "U1", 2)), coach.ErrConflict)

	c := calendarSync("T1", "U1", 1)
	must(t, "SaveCalendarSync", s.SaveCalendarSync(ctx(), c))
	got, err := s.CalendarSync(ctx(), "T1", "U1")
	must(t, "CalendarSync", err)
	if !sameCalendarSync(got, c) {
		t.Fatalf("CalendarSync = %+v, want %+v", got, c)
	}
	wantErr(t, "SaveCalendarSync at the same version", s.SaveCalendarSync(ctx(), c), coach.ErrConflict)
	c.Version, c.Cursor = 2, "next"
	must(t, "SaveCalendarSync v2", s.SaveCalendarSync(ctx(), c))
	must(t, "SaveCalendarSync other workspace", s.SaveCalendarSync(ctx(), calendarSync("T2", "U1", 1)))
	must(t, "SaveCalendarSync other rep", s.SaveCalendarSync(ctx(), calendarSync("T1", "U2", 1)))

	all, err := s.CalendarSyncs(ctx(), "T1")
	must(t, "CalendarSyncs", err)
	if len(all) != 2 {
		t.Fatalf("CalendarSyncs(T1) = %d records, want 2", len(all))
	}
	for _, x := range all {
		if x.Workspace != "T1" {
			t.Errorf("CalendarSyncs(T1) returned %s/%s", x.Workspace, x.Rep)
		}
	}

	// Two replicas saving over the same version: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			next := c
			next.Version = 3
			next.Cursor = string(rune('a' + i))
			errs[i] = s.SaveCalendarSync(ctx(), next)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			wantErr(t, "concurrent SaveCalendarSync", err, coach.ErrConflict)
		}
	}
	if won != 1 {
		t.Fatalf("%d of 8 concurrent saves over one version won, want 1", won)
	}
}

func sameCalendarSync(a, b coach.CalendarSync) bool {
	norm := func(c coach.CalendarSync) coach.CalendarSync {
		for _, t := range []*time.Time{&c.Since, &c.FullAt, &c.LastRead, &c.ErrorAt, &c.NextRead} {
			*t = t.UTC()
		}
		for k, v := range c.Met {
			c.Met[k] = v.UTC()
		}
		return c
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
