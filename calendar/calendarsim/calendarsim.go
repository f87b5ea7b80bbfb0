// Package calendarsim is what the two calendar simulators keep alike
// (googlesim for Google Calendar, graphsim for Microsoft Graph): every
// user's calendar, each change to it numbered, and listings by those
// numbers, on which both APIs' paging and sync tokens (Google's
// nextSyncToken, Graph's deltaLink) stand; and the state each keeps under
// its lock besides (State: faults asked for, calls answered, tokens
// issued). Each simulator keeps its own event type, wire format, auth and
// the words of its faults.
package calendarsim

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
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

// Request is one call a simulator answered.
type Request struct {
	User   string // the user the call was for, "" for the token endpoint
	Path   string
	Query  string
	Status int
	At     time.Time
}

// State is what a simulator keeps under its one lock: the calendars, the
// faults asked for (of its own type F), the calls answered and the tokens
// issued. A simulator's Server embeds it, so that its AddUser, RemoveUser,
// FailNext, Requests and TokensIssued are these; its handlers hold Mu
// while they run.
type State[E any, P Numbered[E], F any] struct {
	Mu       sync.Mutex
	Cals     *Calendars[E, P]
	faults   []F
	requests []Request
	issued   int
}

// NewState returns the state of a simulator with no user.
func NewState[E any, P Numbered[E], F any]() *State[E, P, F] {
	return &State[E, P, F]{Cals: New[E, P]()}
}

// AddUser gives a user an empty calendar.
func (s *State[E, P, F]) AddUser(email string) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.Cals.AddUser(email)
}

// RemoveUser deletes a user (they left): tokens for them are refused and
// their calendar answers 404.
func (s *State[E, P, F]) RemoveUser(email string) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.Cals.RemoveUser(email)
}

// FailNext makes the next API calls fail, one fault per call, in order.
func (s *State[E, P, F]) FailNext(f ...F) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.faults = append(s.faults, f...)
}

// Requests returns every call answered so far.
func (s *State[E, P, F]) Requests() []Request {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return slices.Clone(s.requests)
}

// TokensIssued counts access tokens granted.
func (s *State[E, P, F]) TokensIssued() int {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return s.issued
}

// Record notes a call answered; the caller holds Mu.
func (s *State[E, P, F]) Record(user string, r *http.Request, status int) {
	s.requests = append(s.requests, Request{User: user, Path: r.URL.Path, Query: r.URL.RawQuery, Status: status, At: time.Now()})
}

// TakeFault returns the next fault asked for, if any; the caller holds Mu.
func (s *State[E, P, F]) TakeFault() (F, bool) {
	var f F
	if len(s.faults) == 0 {
		return f, false
	}
	f, s.faults = s.faults[0], s.faults[1:]
	return f, true
}

// Issue counts a token granted and returns its number; the caller holds Mu.
func (s *State[E, P, F]) Issue() int {
	s.issued++
	return s.issued
}
