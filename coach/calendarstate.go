package coach

import (
	"context"
	"maps"
	"slices"
	"time"
)

// CalendarSync is how far the bot has read one rep's calendar, and what it
// learned there. It lives in the store, so a restart or another replica
// carries on where the last read stopped.
type CalendarSync struct {
	Workspace string `json:"workspace"`
	Rep       string `json:"rep"`
	Mailbox   string `json:"mailbox"` // the email in the rep's Slack profile
	// Off: the rep turned reading off (/pipeline calendar off).
	Off bool `json:"off,omitempty"`
	// Since is when reading began: meetings before it are evidence of a
	// company met, never prospects, so connecting a calendar does not ask
	// about last month.
	Since    time.Time `json:"since"`
	Cursor   string    `json:"cursor,omitempty"`
	FullAt   time.Time `json:"full_at,omitzero"`   // the last full read
	LastRead time.Time `json:"last_read,omitzero"` // the last successful read
	// Reads counts successful reads, Events the events they brought.
	Reads  int64 `json:"reads,omitempty"`
	Events int64 `json:"events,omitempty"`
	// LastError is the last failure in words, at ErrorAt; Failures counts
	// failures since the last success (the backoff grows with it).
	LastError string    `json:"last_error,omitempty"`
	ErrorAt   time.Time `json:"error_at,omitzero"`
	Failures  int       `json:"failures,omitempty"`
	// Gone: the mailbox does not exist or cannot be read. It is retried
	// rarely (CalendarGoneRetry), and at once when the rep turns reading on.
	Gone bool `json:"gone,omitempty"`
	// Met is, by company key, the earliest meeting with that company the
	// calendar showed over the lookback.
	Met map[string]time.Time `json:"met,omitempty"`
	// Ignored are the companies the rep marked "Not a sales meeting".
	Ignored []string `json:"ignored,omitempty"`
	// NextRead is when the next read is due.
	NextRead time.Time `json:"next_read,omitzero"`
	Version  int64     `json:"version"`
}

// Status is the state of reading in one word: off, gone, failing, waiting
// (never read yet) or ok.
func (c CalendarSync) Status() string {
	switch {
	case c.Off:
		return "off"
	case c.Gone:
		return "gone"
	case c.Failures > 0:
		return "failing"
	case c.LastRead.IsZero():
		return "waiting"
	}
	return "ok"
}

func (c CalendarSync) clone() CalendarSync {
	next := c
	next.Met = maps.Clone(c.Met)
	next.Ignored = slices.Clone(c.Ignored)
	return next
}

// CalendarSyncs keeps each rep's CalendarSync.
type CalendarSyncs interface {
	// CalendarSync returns a rep's, or ErrNotFound.
	CalendarSync(ctx context.Context, workspace, rep string) (CalendarSync, error)
	// CalendarSyncs returns every rep's of a workspace, in any order.
	CalendarSyncs(ctx context.Context, workspace string) ([]CalendarSync, error)
	// SaveCalendarSync writes c atomically if the stored version is
	// c.Version-1 (none when c.Version is 1); ErrConflict otherwise.
	SaveCalendarSync(ctx context.Context, c CalendarSync) error
}
