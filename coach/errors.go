package coach

import (
	"errors"
	"fmt"
	"time"
)

// Two kinds of error leave coach. A refusal is a rule saying no: what the
// person asked for breaks a rule, or the record is not in a state that
// allows it. Every refusal wraps ErrRefused, so an adapter tells "you
// can't" from "we couldn't" with one errors.Is, and words each refusal by
// its sentinel. Anything else (the store, the network, ErrConflict after
// every retry) is trouble: nothing changed, and trying again may work.
var ErrRefused = errors.New("refused")

// refusal is a sentinel that is a refusal.
type refusal struct{ msg string }

func (e *refusal) Error() string { return e.msg }

// Is makes every refusal an ErrRefused.
func (e *refusal) Is(target error) bool { return target == ErrRefused }

// Sentinel errors for states a caller acts on. The bot turns each into the
// words a person reads; storage returns ErrNotFound and ErrConflict.
var (
	// ErrNotFound: no such prospect (or job, or record). A refusal.
	ErrNotFound error = &refusal{"not found"}
	// ErrConflict: the record changed since it was read; read it again and
	// retry. Not a refusal: it is what the retry loops handle.
	ErrConflict = errors.New("changed concurrently")
	// ErrForbidden: the person is not allowed to act on this record.
	ErrForbidden error = &refusal{"not allowed"}
	// ErrInvalid: what the person typed breaks a rule; the wrapping error says which.
	ErrInvalid error = &refusal{"invalid"}
	// ErrDecided: the prospect was already decided; errors.As a *DecidedError for what.
	ErrDecided error = &refusal{"already decided"}
	// ErrNotOpportunity: winning needs an opportunity, and only a second meeting makes one.
	ErrNotOpportunity error = &refusal{"not an opportunity"}
	// ErrStale: the prospect changed since the person opened the form they
	// submitted; errors.As a *StaleError for what changed.
	ErrStale error = &refusal{"changed since the form was opened"}
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
	FieldTimeZone      = "time_zone"
	FieldCloseDate     = "close_date"
	FieldCycle         = "cycle"
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

// StaleError: someone else changed the prospect since the person opened the
// form they submitted, so nothing was saved: the form showed a deal that is
// no longer the one stored.
type StaleError struct {
	Account string
	Changes []Entry // what others did since, oldest first
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%s changed %d times since the form was opened", e.Account, len(e.Changes))
}

// Unwrap makes every StaleError an ErrStale.
func (e *StaleError) Unwrap() error { return ErrStale }
