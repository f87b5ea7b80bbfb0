package coach_test

import (
	"context"
	"errors"
	"testing"

	"pipelinecoach/coach"
)

// A first meeting logged at the wrong time is put right before the rep is
// asked about it, and the question moves with it; after that it stays.
func TestCorrectMeeting(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bdate(11, 25, 10, 0))
	p := f.log(t, firstMeeting) // Wednesday 14:00 Berlin
	fix := coach.NewMeeting{Account: "Acme GmbH", Contact: "Ada Lovelace", Start: bdate(11, 26, 10, 0)}

	got, err := f.svc.CorrectMeeting(ctx, rep, "T1", p.ID, fix)
	if err != nil {
		t.Fatal(err)
	}
	if !got.FirstMeeting.Equal(bdate(11, 26, 10, 0)) || got.Contact != "Ada Lovelace" || got.Version != 2 || got.State != coach.Scheduled {
		t.Fatalf("corrected to %+v", got)
	}
	if !got.FollowUpAt.Equal(bdate(11, 26, 11, 15)) {
		t.Errorf("the question is at %s, want 30 minutes after the corrected meeting's end", got.FollowUpAt)
	}
	if last := got.History[len(got.History)-1]; last.Event != coach.EventUpdated || last.By != "U1" {
		t.Errorf("history ends with %+v", last)
	}
	// The same again changes nothing.
	if again, err := f.svc.CorrectMeeting(ctx, rep, "T1", p.ID, fix); err != nil || again.Version != 2 {
		t.Errorf("the same correction again: version %d, %v", again.Version, err)
	}
	// Nobody else's, and nothing invalid.
	if _, err := f.svc.CorrectMeeting(ctx, otherRep, "T1", p.ID, fix); !errors.Is(err, coach.ErrForbidden) {
		t.Errorf("another rep corrects it: %v, want ErrForbidden", err)
	}
	if _, err := f.svc.CorrectMeeting(ctx, rep, "T1", p.ID, coach.NewMeeting{Account: " ", Start: fix.Start}); !errors.Is(err, coach.ErrInvalid) {
		t.Errorf("an empty company: %v, want ErrInvalid", err)
	}
	// Once asked about, it stays as logged.
	f.runAt(t, bdate(11, 26, 11, 15))
	var fe *coach.FieldError
	if _, err := f.svc.CorrectMeeting(ctx, rep, "T1", p.ID, coach.NewMeeting{Account: "Acme", Start: bdate(11, 27, 10, 0)}); !errors.As(err, &fe) || fe.Field != coach.FieldFirstMeeting {
		t.Errorf("correcting after the question: %v, want a first-meeting field error", err)
	}
}

// A first meeting the calendar brought follows its event: it is moved on
// the calendar, not corrected here, and a withdrawn one is decided.
func TestCalendarMeetingIsNotCorrectedByHand(t *testing.T) {
	at := bdate(11, 26, 10, 0)
	p := coach.Prospect{Workspace: "T1", ID: "p1", Owner: "U1", Account: "Acme", State: coach.Scheduled, FirstMeeting: at,
		Calendar: &coach.CalendarMeeting{EventID: "ev1", Start: at, Company: "acme.com"}}
	var fe *coach.FieldError
	if err := p.CanCorrectMeeting(); !errors.As(err, &fe) || fe.Field != coach.FieldFirstMeeting {
		t.Errorf("correcting the calendar's meeting: %v, want a first-meeting field error", err)
	}
	p.State = coach.Withdrawn
	if err := p.CanCorrectMeeting(); !errors.Is(err, coach.ErrDecided) {
		t.Errorf("correcting a withdrawn meeting: %v, want ErrDecided", err)
	}
}
