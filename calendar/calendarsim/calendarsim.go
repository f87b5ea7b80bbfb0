// Package calendarsim is what the two calendar simulators keep alike
// (googlesim for Google Calendar, graphsim for Microsoft Graph): every
// user's calendar, each change to it numbered, and listings by those
// numbers, on which both APIs' paging and sync tokens (Google's
// nextSyncToken, Graph's deltaLink) stand. Each simulator keeps its own
// event type, wire format, auth and faults.
package calendarsim

import (
	"slices"
	"strings"
)

// Change is the number of an event's last change. A simulator's event
// type embeds it, and Calendars sets it on every change.
type Change struct{ seq int64 }

// Seq is the number of the event's last change.
func (c *Change) Seq() int64 { return c.seq }

func (c *Change) stamp(n int64) { c.seq = n }

// Numbered is a pointer to an event type that embeds Change.
type Numbered[E any] interface {
	*E
	Seq() int64
	stamp(n int64)
}

// Calendars is every user's calendar of events, by email (any case) and
// event id. It is not safe for concurrent use: a simulator holds its own
// lock around it and the rest of its state.
type Calendars[E any, P Numbered[E]] struct {
	seq     int64 // the last change's number
	expired int64 // tokens up to this number are gone
	users   map[string]map[string]P
}

// New returns calendars with no user.
func New[E any, P Numbered[E]]() *Calendars[E, P] {
	return &Calendars[E, P]{seq: 1, users: map[string]map[string]P{}}
}

// AddUser gives a user an empty calendar, unless they have one.
func (c *Calendars[E, P]) AddUser(email string) {
	if c.users[strings.ToLower(email)] == nil {
		c.users[strings.ToLower(email)] = map[string]P{}
	}
}

// RemoveUser deletes a user and their calendar.
func (c *Calendars[E, P]) RemoveUser(email string) { delete(c.users, strings.ToLower(email)) }

// Calendar returns a user's events by id; ok is false for no such user.
func (c *Calendars[E, P]) Calendar(email string) (events map[string]P, ok bool) {
	events, ok = c.users[strings.ToLower(email)]
	return events, ok
}

// Put adds or replaces the event id in a user's calendar, as a change. It
// returns false, changing nothing, for no such user.
func (c *Calendars[E, P]) Put(email, id string, ev E) bool {
	cal := c.users[strings.ToLower(email)]
	if cal == nil {
		return false
	}
	p := P(&ev)
	c.seq++
	p.stamp(c.seq)
	cal[id] = p
	return true
}

// Change applies change to the event id of a user, as a change; it does
// nothing when there is no such event.
func (c *Calendars[E, P]) Change(email, id string, change func(P)) {
	ev := c.users[strings.ToLower(email)][id]
	if ev == nil {
		return
	}
	change(ev)
	c.seq++
	ev.stamp(c.seq)
}

// ExpireTokens makes every token issued so far name changes that are gone
// (Expired), as both services do after a while.
func (c *Calendars[E, P]) ExpireTokens() {
	c.expired = c.seq
	c.seq++ // tokens issued from now on are newer
}

// Seq is the number of the last change: a listing begun now is a snapshot
// at it.
func (c *Calendars[E, P]) Seq() int64 { return c.seq }

// Expired reports whether a token for the changes since since is gone.
func (c *Calendars[E, P]) Expired(since int64) bool { return since <= c.expired }

// Listing is what a listing covers of a calendar, by change number: the
// events last changed at or before snapshot and, when incremental, after
// since; of those, the ones keep keeps.
func Listing[E any, P Numbered[E]](cal map[string]P, snapshot, since int64, incremental bool, keep func(P) bool) []P {
	var matching []P
	for _, ev := range cal {
		switch {
		case ev.Seq() > snapshot:
		case incremental && ev.Seq() <= since:
		case keep(ev):
			matching = append(matching, ev)
		}
	}
	slices.SortFunc(matching, func(a, b P) int { return int(a.Seq() - b.Seq()) })
	return matching
}

// Page is up to size of the matching events (by change number) after the
// change after.
func Page[P interface{ Seq() int64 }](matching []P, after int64, size int) []P {
	var page []P
	for _, ev := range matching {
		if ev.Seq() > after && len(page) < size {
			page = append(page, ev)
		}
	}
	return page
}

// More reports whether pages of matching come after page.
func More[P interface{ Seq() int64 }](page, matching []P) bool {
	return len(page) > 0 && page[len(page)-1].Seq() < matching[len(matching)-1].Seq()
}
