package crm

import (
	"strings"
	"sync"
	"time"
)

// How long a CRM user found by email is remembered, and how long that none
// was: an admin may be adding them.
const (
	OwnerFor   = time.Hour
	NoOwnerFor = time.Minute
)

// Owners remembers which CRM user has each email (any case), so a batch of
// deals costs no lookup. The zero value is ready; it is safe for
// concurrent use.
type Owners struct {
	mu sync.Mutex
	by map[string]owner
}

type owner struct {
	id    string // "" when no user has the email
	until time.Time
}

// Lookup returns the user remembered for email at now; known is false
// when the email must be looked up (never, or too long ago). A known
// email may have no user (id "").
func (o *Owners) Lookup(email string, now time.Time) (id string, known bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	e, ok := o.by[strings.ToLower(email)]
	if !ok || !now.Before(e.until) {
		return "", false
	}
	return e.id, true
}

// Remember keeps what a lookup at now found for email: the user's id, or
// "" for none.
func (o *Owners) Remember(email, id string, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.by == nil {
		o.by = map[string]owner{}
	}
	until := now.Add(OwnerFor)
	if id == "" {
		until = now.Add(NoOwnerFor)
	}
	o.by[strings.ToLower(email)] = owner{id: id, until: until}
}
