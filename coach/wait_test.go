package coach_test

import (
	"errors"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// TestAWaitNeedsItsDayAndEndsInTheMorning: a recorded wait needs the day
// it ends, and ends at WaitEndsAt on that day in the rep's zone, whatever
// time of day the day was given with.
func TestAWaitNeedsItsDayAndEndsInTheMorning(t *testing.T) {
	p := opportunityProspect(t)
	at := bdate(11, 27, 16, 0)
	legal := "legal review"

	_, err := p.Update(at, "U1", coach.DealUpdate{WaitingOn: &legal})
	var fe *coach.FieldError
	if !errors.As(err, &fe) || fe.Field != coach.FieldWaitingUntil {
		t.Fatalf("a wait without its day: %v, want a %s field error", err, coach.FieldWaitingUntil)
	}

	day := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC) // a date picker's day
	next, err := p.Update(at, "U1", coach.DealUpdate{WaitingOn: &legal, WaitingUntil: day})
	if err != nil {
		t.Fatal(err)
	}
	if want := bdate(12, 4, 9, 0); !next.WaitingUntil.Equal(want) || !next.FollowUpAt.Equal(want) {
		t.Errorf("the wait ends %s (follow-up %s), want %s", next.WaitingUntil, next.FollowUpAt, want)
	}

	today := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) // its morning is past
	if _, err := p.Update(at, "U1", coach.DealUpdate{WaitingOn: &legal, WaitingUntil: today}); !errors.As(err, &fe) || fe.Field != coach.FieldWaitingUntil {
		t.Errorf("a wait ending this morning: %v, want a %s field error", err, coach.FieldWaitingUntil)
	}

	none := ""
	cleared, err := next.Update(at, "U1", coach.DealUpdate{WaitingOn: &none})
	if err != nil || cleared.WaitingOn != "" || !cleared.WaitingUntil.IsZero() {
		t.Errorf("clearing the wait: %q until %s, %v", cleared.WaitingOn, cleared.WaitingUntil, err)
	}
}
