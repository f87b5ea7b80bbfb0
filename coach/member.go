package coach

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Member is one person of a workspace as Slack describes them: the entry of
// the workspace directory. Every date a rep types is read in their zone, and
// every question is asked in their working hours there.
type Member struct {
	Workspace string `json:"workspace"`
	User      string `json:"user"`
	Name      string `json:"name,omitempty"`      // the handle
	RealName  string `json:"real_name,omitempty"` // as shown in Slack
	Email     string `json:"email,omitempty"`
	TZ        string `json:"tz,omitempty"` // IANA zone; "" when Slack gave none
	Admin     bool   `json:"admin,omitempty"`
	Deleted   bool   `json:"deleted,omitempty"`
	Bot       bool   `json:"bot,omitempty"`
	// Status is what the member's Slack status says, until StatusUntil
	// (zero: until changed); presence reads "away" from it.
	StatusEmoji string    `json:"status_emoji,omitempty"`
	StatusText  string    `json:"status_text,omitempty"`
	StatusUntil time.Time `json:"status_until,omitzero"`
	// Updated is when Slack last changed the member. A directory write
	// never replaces an entry with an older one, so a page of a full load
	// read before a change event cannot undo what the event said.
	Updated time.Time `json:"updated"`
}

// slackbotID is Slack's own bot, listed as a member without being marked
// as a bot.
const slackbotID = "USLACKBOT"

// Person reports whether the member is a person: bots (and Slackbot) are
// listed as members but never use the product.
func (m Member) Person() bool { return !m.Bot && m.User != slackbotID }

// Reachable reports whether the member may be asked or nudged: a person
// whose account is not deactivated. A deactivated member keeps their deals
// (a manager still sees them) but hears nothing more.
func (m Member) Reachable() bool { return m.Person() && !m.Deleted }

// Zone returns the member's zone, or fallback when Slack gave none coach
// can compute in.
func (m Member) Zone(fallback string) string {
	if m.TZ != "" && ValidZone(m.TZ) {
		return m.TZ
	}
	return fallback
}

// Validate checks what every stored member must have.
func (m Member) Validate() error {
	if m.Workspace == "" || m.User == "" {
		return fmt.Errorf("member %q of workspace %q: %w", m.User, m.Workspace, ErrInvalid)
	}
	return nil
}

// Members keeps the workspace directory, shared by every replica so that
// one load from Slack serves them all and survives a restart.
type Members interface {
	// Member returns one member, or ErrNotFound.
	Member(ctx context.Context, workspace, user string) (Member, error)
	// SaveMembers writes members of one workspace in one round trip
	// whatever their number. Each is written only when its Updated is not
	// before the stored one's; the others are left as stored.
	SaveMembers(ctx context.Context, workspace string, ms []Member) error
}

// Directory timing: how long a replica reuses a member it read from the
// store (changes other replicas heard of reach it within this), how often
// the whole workspace is loaded again from Slack (events keep it current in
// between; the reload catches what an outage made it miss), and how long one
// replica may hold the load before another takes it over.
const (
	DirectoryCacheFor = time.Minute
	// DirectoryLookEvery is how often a replica looks whether another one
	// changed the directory (KeepFresh): within it, a change heard by
	// another replica reaches this one; between looks, what was read is
	// kept, and no answer reads it again.
	DirectoryLookEvery = 10 * time.Second
	// DirectoryKeepAtMost bounds how long looks may keep a member read
	// once, should a change's mark have been lost (its replica died
	// between saving and marking).
	DirectoryKeepAtMost = 10 * time.Minute
	DirectoryReloadEach = 24 * time.Hour
	DirectoryLoadLease  = 10 * time.Minute
	// directoryAskKeep is how long a users.info lookup of one member is
	// remembered across replicas: once per member, not once per replica.
	directoryAskKeep = 7 * 24 * time.Hour
	// directoryLoadedKeep outlives DirectoryReloadEach, so a directory
	// loaded once is never taken for one never loaded.
	directoryLoadedKeep = 30 * 24 * time.Hour
)

// DirectoryStore is what the directory needs of the store.
type DirectoryStore interface {
	Members
	Ledger
}

// Directory is the workspace's members as the bot knows them. Lookups never
// wait on Slack: they read an in-memory cache, then the store; a member not
// found there is unknown, and the caller answers with the default zone
// while the member is looked up once in the background. What is read is
// kept for DirectoryCacheFor, and for as long as KeepFresh sees no other
// replica change the directory (up to DirectoryKeepAtMost), so that known
// members are answered without a store read.
type Directory struct {
	store DirectoryStore
	clock Clock
	marks *changeMark

	mu        sync.Mutex
	cache     map[string]cached[Member] // workspace/user → member
	changedAt map[string]time.Time      // workspace → the look that last saw a change
}

// NewDirectory returns a directory over the store.
func NewDirectory(store DirectoryStore, clock Clock) *Directory {
	return &Directory{store: store, clock: clock, marks: newChangeMark(store, "directory"),
		cache: map[string]cached[Member]{}, changedAt: map[string]time.Time{}}
}

// Member returns what the directory knows of a member; found is false for
// a member not known yet (or when the store could not be read).
func (d *Directory) Member(ctx context.Context, workspace, user string) (m Member, found bool) {
	key := workspace + "/" + user
	now := d.clock.Now()
	d.mu.Lock()
	e, ok := d.cache[key]
	d.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.v, e.found
	}
	m, err := d.store.Member(ctx, workspace, user)
	if err != nil {
		// Not known yet, or the store is out of reach: either way the
		// answer goes on without it. Only a definite answer is cached.
		return Member{}, false
	}
	d.remember(key, m, now)
	return m, true
}

// remember keeps a member as read from the store, unless this replica learned a
// newer change of them meanwhile: a read that began before Learn saved
// must not undo it here, since this replica's own change is not news to
// its next look (changeMark).
func (d *Directory) remember(key string, m Member, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.cache[key]; ok && e.found && m.Updated.Before(e.v.Updated) {
		return
	}
	if len(d.cache) > 100000 {
		d.cache = map[string]cached[Member]{}
	}
	d.cache[key] = cached[Member]{v: m, found: true, read: now, until: now.Add(DirectoryCacheFor)}
}

// Learn stores what Slack said of members (a page of a load, a change
// event, one lookup) and makes this replica use it at once.
func (d *Directory) Learn(ctx context.Context, workspace string, ms []Member) error {
	if len(ms) == 0 {
		return nil
	}
	for i := range ms {
		ms[i].Workspace = workspace
		if err := ms[i].Validate(); err != nil {
			return err
		}
	}
	marks := d.changesKept(ctx, workspace, ms)
	if err := d.store.SaveMembers(ctx, workspace, ms); err != nil {
		return fmt.Errorf("save %d members of %s: %w", len(ms), workspace, err)
	}
	now := d.clock.Now()
	d.mu.Lock()
	for _, m := range ms {
		// What was written may have lost to a newer entry; the next read
		// after the cache ends sees whichever won.
		if e, ok := d.cache[workspace+"/"+m.User]; !ok || !e.found || !m.Updated.Before(e.v.Updated) {
			d.cache[workspace+"/"+m.User] = cached[Member]{v: m, found: true, read: now, until: now.Add(DirectoryCacheFor)}
		}
	}
	d.mu.Unlock()
	if !marks {
		return nil
	}
	return d.marks.mark(ctx, workspace, now)
}

// changesKept reports whether saving ms changes what replicas keep of the
// workspace, so that all must drop it (the mark). A page of a reload may
// change anyone; a page of the first load may not, since until then
// replicas kept only members they had just learned from Slack one at a
// time (a lookup, an event), which the page says again. One member's
// change does only when it changes what answers read of them: not a status
// alone, which calendars change all day ("In a meeting") and which, marked,
// would have every replica read every person again at each look; presence
// reads statuses afresh (Fresh). A member the store did not hold is kept by
// no replica. When the store cannot say, it marks.
func (d *Directory) changesKept(ctx context.Context, workspace string, ms []Member) bool {
	if len(ms) != 1 {
		_, found, err := d.store.Lookup(ctx, directoryLoadedKey(workspace))
		return err != nil || found
	}
	was, err := d.store.Member(ctx, workspace, ms[0].User)
	if errors.Is(err, ErrNotFound) {
		return false
	}
	return err != nil || was.withoutStatus() != ms[0].withoutStatus()
}

// withoutStatus is the member as answers read it: no status, and no time
// of the last change.
func (m Member) withoutStatus() Member {
	m.StatusEmoji, m.StatusText, m.StatusUntil, m.Updated = "", "", time.Time{}, time.Time{}
	return m
}

// Fresh returns what the store holds of a member now, not what this
// replica kept: for a status, which changes without a mark (changesKept).
func (d *Directory) Fresh(ctx context.Context, workspace, user string) (m Member, found bool) {
	m, err := d.store.Member(ctx, workspace, user)
	if err != nil {
		return Member{}, false
	}
	d.remember(workspace+"/"+user, m, d.clock.Now())
	return m, true
}

// KeepFresh looks, for each workspace this replica keeps members of,
// whether the directory changed since its last look (one ledger read per
// workspace). If it did, what was read before this look is dropped, to be
// read again when asked for; if not, what was read since the last change
// seen is kept for another DirectoryCacheFor, up to DirectoryKeepAtMost
// after it was read. Call it every DirectoryLookEvery; without it, members
// are read again after DirectoryCacheFor.
func (d *Directory) KeepFresh(ctx context.Context) error {
	for _, workspace := range d.workspaces() {
		at := d.clock.Now()
		changed, err := d.marks.changed(ctx, workspace)
		if err != nil {
			return err
		}
		d.keepOrDrop(workspace, at, changed)
	}
	return nil
}

// keepOrDrop applies one look at workspace's mark, begun at at.
func (d *Directory) keepOrDrop(workspace string, at time.Time, changed bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if changed {
		d.changedAt[workspace] = at
	}
	keepOrDrop(d.cache, workspace, at, d.changedAt[workspace], changed, DirectoryCacheFor, DirectoryKeepAtMost)
}

// workspaces are those this replica keeps members of.
func (d *Directory) workspaces() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return cachedWorkspaces(d.cache)
}

func directoryLoadedKey(workspace string) string { return "directory/" + workspace + "/loaded" }
func directoryLoadKey(workspace string) string   { return "directory/" + workspace + "/loading" }
func directoryAskKey(workspace, user string) string {
	return "directory/" + workspace + "/asked/" + user
}

// ClaimLoad reports whether this replica should load the whole workspace
// from Slack now: it has never been loaded, or not for DirectoryReloadEach,
// and no other replica is loading it. A true answer holds the load for
// DirectoryLoadLease; LoadDone ends it.
func (d *Directory) ClaimLoad(ctx context.Context, workspace, holder string) (bool, error) {
	if at, ok := d.LoadedAt(ctx, workspace); ok && d.clock.Now().Sub(at) < DirectoryReloadEach {
		return false, nil
	}
	_, reserved, err := d.store.Reserve(ctx, directoryLoadKey(workspace), holder, DirectoryLoadLease)
	if err != nil {
		return false, fmt.Errorf("claim the directory load of %s: %w", workspace, err)
	}
	if !reserved {
		return false, nil
	}
	// A load may have ended between the look above and the claim: it is
	// recorded before its claim is given up, so a second look sees it.
	if at, ok := d.LoadedAt(ctx, workspace); ok && d.clock.Now().Sub(at) < DirectoryReloadEach {
		return false, d.store.Forget(ctx, directoryLoadKey(workspace))
	}
	return true, nil
}

// LoadDone records a finished load (ok) or gives the claim up so another
// replica may try (a failed load).
func (d *Directory) LoadDone(ctx context.Context, workspace string, ok bool) error {
	var errs []error
	if ok {
		errs = append(errs, d.store.Record(ctx, directoryLoadedKey(workspace), d.clock.Now().UTC().Format(time.RFC3339Nano), directoryLoadedKeep))
	}
	errs = append(errs, d.store.Forget(ctx, directoryLoadKey(workspace)))
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("end the directory load of %s: %w", workspace, err)
		}
	}
	return nil
}

// LoadedAt returns when the workspace was last loaded in full, if ever.
func (d *Directory) LoadedAt(ctx context.Context, workspace string) (time.Time, bool) {
	v, found, err := d.store.Lookup(ctx, directoryLoadedKey(workspace))
	if err != nil || !found {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	return at, err == nil
}

// ClaimLookup reports whether a member the directory does not know should
// be looked up in Slack now: once per member across replicas (for a week,
// after which a member still unknown is tried again).
func (d *Directory) ClaimLookup(ctx context.Context, workspace, user string) bool {
	_, reserved, err := d.store.Reserve(ctx, directoryAskKey(workspace, user), "asked", directoryAskKeep)
	return err == nil && reserved
}

// Reachable reports whether user may be asked or nudged. A member the
// directory does not know may: their own command is how most people first
// appear, and Slack refuses a post to a deactivated account anyway.
func (d *Directory) Reachable(ctx context.Context, workspace, user string) bool {
	m, found := d.Member(ctx, workspace, user)
	return !found || m.Reachable()
}

// MemberSource tells what the workspace directory knows of a member;
// *Directory is one.
type MemberSource interface {
	Member(ctx context.Context, workspace, user string) (m Member, found bool)
}

// reachable reports whether user may be asked or nudged: not a member the
// directory knows to be deactivated (or a bot). A member it does not know
// may: Slack refuses a post to a deactivated account anyway.
func (s *Service) reachable(ctx context.Context, workspace, user string) bool {
	if s.Members == nil {
		return true
	}
	m, found := s.Members.Member(ctx, workspace, user)
	return !found || m.Reachable()
}

// currentZone returns p with its owner's zone as the directory knows it
// now, saved when it changed since the prospect was logged: a rep who moved
// is asked in their working hours where they are.
func (s *Service) currentZone(ctx context.Context, p Prospect) (Prospect, error) {
	if s.Members == nil {
		return p, nil
	}
	m, found := s.Members.Member(ctx, p.Workspace, p.Owner)
	tz := m.Zone("")
	if !found || tz == "" || tz == p.TZ {
		return p, nil
	}
	next, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
		if p.TZ == tz {
			return p, false, nil
		}
		moved := p.clone()
		moved.TZ = tz
		return moved, true, nil
	})
	if err != nil {
		return p, fmt.Errorf("move %s to %s: %w", p.ID, tz, err)
	}
	return next, nil
}
