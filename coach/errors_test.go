package coach_test

import (
	"errors"
	"fmt"
	"testing"

	"pipelinecoach/coach"
)

// TestRefusalsCarryTheirClass: every error a rule returns is an
// ErrRefused, wrapped or not; the store's and the retry loop's are not.
func TestRefusalsCarryTheirClass(t *testing.T) {
	refusals := []error{coach.ErrNotFound, coach.ErrForbidden, coach.ErrInvalid, coach.ErrDecided, coach.ErrNotOpportunity,
		coach.ErrStale, coach.ErrNotQuiet, coach.ErrNotOnTeam, coach.ErrRepTaken, coach.ErrNotYourNudge, coach.ErrCalendarOff,
		&coach.FieldError{Field: coach.FieldAmount, Message: "cannot be negative"}, &coach.DecidedError{State: coach.Won},
		&coach.StaleError{Account: "Acme"}, &coach.RepTakenError{Rep: "U1", Manager: "M1"}, &coach.RoleError{Need: coach.RoleAdmin}}
	for _, err := range refusals {
		if !errors.Is(err, coach.ErrRefused) || !errors.Is(fmt.Errorf("lose p1: %w", err), coach.ErrRefused) {
			t.Errorf("%T %v is not an ErrRefused", err, err)
		}
	}
	for _, err := range []error{coach.ErrConflict, coach.ErrUndeliverable, coach.ErrMailboxGone, coach.ErrCursorExpired, coach.ErrProfileUnread, coach.ErrNotIgnored, errors.New("dial tcp: connection refused")} {
		if errors.Is(err, coach.ErrRefused) {
			t.Errorf("%v is an ErrRefused: it is trouble, not a rule", err)
		}
	}
	if errors.Is(coach.ErrNotFound, coach.ErrForbidden) {
		t.Error("two refusal classes are the same")
	}
}
