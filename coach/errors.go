package coach

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors for states a caller acts on. The bot turns each into the
// words a rep reads; storage returns ErrNotFound and ErrConflict.
var (
	// ErrNotFound: no such prospect (or job, or record).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the record changed since it was read; read it again and retry.
	ErrConflict = errors.New("changed concurrently")
	// ErrForbidden: the person is not allowed to act on this record.
	ErrForbidden = errors.New("not allowed")
	// ErrInvalid: what the person typed breaks a rule; the wrapping error says which.
	ErrInvalid = errors.New("invalid")
	// ErrDecided: the prospect was already decided; errors.As a *DecidedError for what.
	ErrDecided = errors.New("already decided")
	// ErrNotOpportunity: winning needs an opportunity, and only a second meeting makes one.
	ErrNotOpportunity = errors.New("not an opportunity")
)

// FieldError is a rule broken by one input, so the bot can show it next to
// that field in a modal.
type FieldError struct {
	Field   string // one of the Field* constants
	Message string // what a rep reads
}

// Fields a FieldError can name.
const (
	FieldAccount       = "account"
	FieldContact       = "contact"
	FieldFirstMeeting  = "first_meeting"
	FieldSecondMeeting = "second_meeting"
	FieldAmount        = "amount"
	FieldNextStep      = "next_step"
	FieldReason        = "reason"
	FieldLesson        = "lesson"
	FieldSaveMoment    = "save_moment"
	FieldWaitingOn     = "waiting_on"
	FieldWaitingUntil  = "waiting_until"
	FieldQualification = "qualification"
	FieldCloseDate     = "close_date"
)

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes every FieldError an ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// DecidedError says what a prospect had already become, and when, so a late
// button press can be answered with what actually happened.
type DecidedError struct {
	State State
	At    time.Time
	By    string
}

func (e *DecidedError) Error() string {
	return fmt.Sprintf("already %s at %s", e.State, e.At.Format(time.RFC3339))
}

// Unwrap makes every DecidedError an ErrDecided.
func (e *DecidedError) Unwrap() error { return ErrDecided }
