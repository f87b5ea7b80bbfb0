package coach

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Reading reps' calendars. A rep forgets to log a first meeting far more
// often than they forget to hold one, and a rep who never logs is never
// asked: the rule stops working without anyone noticing. So the bot reads
// each rep's calendar, knows a first meeting when it sees one (Classify),
// and makes the prospect itself. Nothing is said at detection; the only
// message is the question after the meeting, which also carries the
// calendar's evidence of a second meeting when there is one. That evidence
// is offered for one click, never taken: only the rep's confirmation makes
// an opportunity.

// CalendarEvent is one event of a rep's calendar as a CalendarSource reads
// it. It is never stored whole: a prospect keeps its id, times, a cut title,
// the company's domain and the contact's name (CalendarMeeting).
type CalendarEvent struct {
	ID         string
	Title      string
	Start, End time.Time
	AllDay     bool
	// Cancelled: deleted or cancelled. An incremental read reports a
	// deleted event with its id only.
	Cancelled bool
	// Recurring: one occurrence of a series (a weekly check-in is not a
	// first meeting).
	Recurring bool
	// Organizer: the rep organises it. Declined: the rep declined it.
	Organizer, Declined bool
	// Attendees are the other people invited, the rep not among them.
	Attendees []Attendee
}

// Attendee is a person invited to an event.
type Attendee struct {
	Email, Name string
}

// CalendarChanges is what one read of a rep's calendar returned.
type CalendarChanges struct {
	Events []CalendarEvent
	// Cursor continues from here next time (a sync token, a delta link).
	Cursor string
	// Full: a full read (no cursor, or the cursor had expired).
	Full bool
	// Requests is how many API requests the read took (pages included),
	// for the quota arithmetic the benchmark checks.
	Requests int
}

// CalendarSource reads reps' calendars. calendar/google and
// calendar/microsoft implement it.
type CalendarSource interface {
	// Changes returns the events of mailbox's primary calendar changed since
	// cursor, or, with cursor "", every event from since on. A cursor the
	// provider no longer knows is an error wrapping ErrCursorExpired; a
	// mailbox that does not exist or cannot be read wraps ErrMailboxGone; a
	// quota hit or an outage is a *RetryLaterError.
	Changes(ctx context.Context, mailbox, cursor string, since time.Time) (CalendarChanges, error)
}

// Errors a CalendarSource returns.
var (
	// ErrCursorExpired: the provider forgot the cursor (Google's 410 Gone);
	// read everything again.
	ErrCursorExpired = errors.New("calendar sync cursor expired")
	// ErrMailboxGone: no such mailbox, or no right to read it (403/404): a
	// rep who left, a mailbox never licensed, delegation not granted.
	ErrMailboxGone = errors.New("mailbox not found or not readable")
)

// RetryLaterError: the provider asked us to slow down (429) or is down
// (5xx). After is how long it asked us to wait (Retry-After), zero when it
// did not say.
type RetryLaterError struct {
	After time.Duration
	Err   error
}

func (e *RetryLaterError) Error() string {
	if e.After > 0 {
		return fmt.Sprintf("%v (retry after %v)", e.Err, e.After)
	}
	return e.Err.Error()
}

func (e *RetryLaterError) Unwrap() error { return e.Err }

// CalendarMeeting is what a prospect keeps of a calendar event: the
// product shows these and nothing else of the calendar.
type CalendarMeeting struct {
	EventID string    `json:"event_id"`
	Title   string    `json:"title,omitempty"` // cut to MaxEventTitleLen
	Start   time.Time `json:"start"`
	End     time.Time `json:"end,omitzero"`
	// Company is the company's key: its mail domain, or the whole address
	// of a contact at a personal mail domain.
	Company string `json:"company,omitempty"`
}

// MaxEventTitleLen cuts an event's title before it is stored.
const MaxEventTitleLen = 120

// meetingOf is what is kept of ev.
func meetingOf(ev CalendarEvent, company string) CalendarMeeting {
	title := cleanText(ev.Title)
	if r := []rune(title); len(r) > MaxEventTitleLen {
		title = string(r[:MaxEventTitleLen-1]) + "…"
	}
	return CalendarMeeting{EventID: ev.ID, Title: title, Start: ev.Start, End: ev.End, Company: company}
}
