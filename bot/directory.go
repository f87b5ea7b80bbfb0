package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

// directorySlack is what the directory asks Slack; bot/sender implements it.
type directorySlack interface {
	AuthTest(ctx context.Context) (*slack.AuthTestResponse, error)
	UsersPage(ctx context.Context, cursor string, limit int) ([]slack.User, string, error)
	UserInfo(ctx context.Context, userID string) (*slack.User, error)
}

// person is what the bot knows of a Slack user.
type person struct {
	TZ    string
	Admin bool
	// Known is false for someone the directory does not know yet: TZ is
	// then the workspace's default, and an answer that shows dates says so.
	Known bool
	loc   *time.Location // TZ loaded (once per process: coach.ZoneLocation)
}

// Directory paging: members per users.list page (Slack advises at most
// 200), how often the background refresh looks whether a reload is due,
// and how many unknown members may wait for their one users.info.
const (
	usersPageSize   = 200
	directoryCheck  = time.Hour
	directoryAsks   = 4096
	directoryFailed = time.Minute // pause after a failed load or lookup
)

// directory is coach's Directory on Slack: it loads the workspace with
// users.list at start (one replica does, the others read the store), keeps
// it current from user_change and team_join, refreshes it in the
// background, and looks up in users.info, once, a member it does not know.
// Nothing on an answer's path waits for Slack here.
type directory struct {
	dir       *coach.Directory // nil: no store to keep it in; everyone gets the defaults
	slack     directorySlack   // nil: Slack is never asked
	defaultTZ string
	admins    []string
	log       zerolog.Logger
	holder    string // who holds a load, for the store's claim

	asks    chan memberAsk
	askMu   sync.Mutex
	asking  map[string]bool // members queued for a lookup
	ready   chan struct{}   // closed once the workspace is loaded (here or elsewhere) or the load gave up
	readyMu sync.Once
}

type memberAsk struct{ team, user string }

func newDirectory(dir *coach.Directory, s directorySlack, defaultTZ string, admins []string, log zerolog.Logger) *directory {
	return &directory{dir: dir, slack: s, defaultTZ: defaultTZ, admins: admins, log: log,
		holder: fmt.Sprintf("replica-%d", time.Now().UnixNano()),
		asks:   make(chan memberAsk, directoryAsks),
		asking: map[string]bool{}, ready: make(chan struct{})}
}

// lookup returns the user's zone and rights from the directory, at once. A
// member it does not know gets the default zone and is looked up in the
// background for next time.
func (d *directory) lookup(ctx context.Context, team, user string) person {
	p := person{TZ: d.defaultTZ, Admin: slices.Contains(d.admins, user)}
	var m coach.Member
	if d.dir != nil {
		m, p.Known = d.dir.Member(ctx, team, user)
	}
	if p.Known {
		p.TZ = m.Zone(d.defaultTZ)
		p.Admin = p.Admin || m.Admin
	} else {
		d.askLater(team, user)
	}
	p.loc = coach.ZoneLocation(p.TZ)
	return p
}

func (d *directory) actor(ctx context.Context, team, user string) (coach.Actor, *time.Location) {
	p := d.lookup(ctx, team, user)
	return p.actor(team, user), p.loc
}

// actor is the person acting in team as user.
func (p person) actor(team, user string) coach.Actor {
	return coach.Actor{Workspace: team, User: user, Admin: p.Admin}
}

// errNotInDirectory: another replica is looking the member up; coach asks
// again on its next run.
var errNotInDirectory = errors.New("not in the workspace directory yet")

// Email is a member's profile email (scope users:read.email): the mailbox
// whose calendar is read (coach.Mailboxes) and the CRM owner's address
// (coach.Emails). It is "" for a bot, a member who left or a profile that
// shows none. Its callers are background jobs and the rep's own "read my
// calendar" button, so a member the directory does not know yet is looked
// up here and now, still once per member across replicas.
func (d *directory) Email(ctx context.Context, team, user string) (string, error) {
	if d.dir == nil {
		return "", nil
	}
	m, found := d.dir.Member(ctx, team, user)
	if !found {
		var err error
		if m, err = d.lookupNow(ctx, team, user); err != nil {
			return "", fmt.Errorf("email of %s: %w", user, err)
		}
	}
	if m.Deleted || !m.Person() {
		return "", nil
	}
	return m.Email, nil
}

// lookupNow asks users.info for a member the directory lacks and keeps
// the answer. A member Slack does not have is an empty Member.
func (d *directory) lookupNow(ctx context.Context, team, user string) (coach.Member, error) {
	if d.slack == nil {
		return coach.Member{}, nil
	}
	if !d.dir.ClaimLookup(ctx, team, user) {
		// Looked up already: usually in flight right now, queued by the
		// command that showed the button.
		if m, ok := d.awaitMember(ctx, team, user); ok {
			return m, nil
		}
		return coach.Member{}, errNotInDirectory
	}
	u, err := d.slack.UserInfo(ctx, user)
	if err != nil {
		if permanent(err) {
			return coach.Member{}, nil
		}
		return coach.Member{}, fmt.Errorf("users.info: %w", err)
	}
	m := memberOf(team, *u)
	if err := d.dir.Learn(ctx, team, []coach.Member{m}); err != nil {
		d.log.Error().Err(err).Str("team", team).Str("user", user).Msg("save member")
	}
	return m, nil
}

// memberWait is how long Email waits for a lookup already in flight.
const memberWait = 3 * time.Second

// awaitMember waits up to memberWait for the directory to learn a member.
func (d *directory) awaitMember(ctx context.Context, team, user string) (coach.Member, bool) {
	ctx, cancel := context.WithTimeout(ctx, memberWait)
	defer cancel()
	for {
		if m, ok := d.dir.Member(ctx, team, user); ok {
			return m, true
		}
		if !sleep(ctx, 50*time.Millisecond) {
			return coach.Member{}, false
		}
	}
}

// Zone is a member's time zone, the workspace's default while unknown
// (coach.Mailboxes).
func (d *directory) Zone(ctx context.Context, team, user string) string {
	return d.lookup(ctx, team, user).TZ
}

// askLater queues a member for a users.info lookup, unless queued already;
// a full queue drops it (the member is queued again on their next request).
func (d *directory) askLater(team, user string) {
	if d.slack == nil || d.dir == nil || user == "" {
		return
	}
	key := team + "/" + user
	d.askMu.Lock()
	defer d.askMu.Unlock()
	if d.asking[key] {
		return
	}
	select {
	case d.asks <- memberAsk{team: team, user: user}:
		d.asking[key] = true
	default:
	}
}

// learnUser records what an event said of a member (user_change,
// team_join): known from then on without asking Slack.
func (d *directory) learnUser(ctx context.Context, team string, raw json.RawMessage) {
	if d.dir == nil {
		return
	}
	var ev struct {
		User slack.User `json:"user"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil || ev.User.ID == "" {
		d.log.Warn().Err(err).Str("team", team).Msg("member event without a member")
		return
	}
	if err := d.dir.Learn(ctx, team, []coach.Member{memberOf(team, ev.User)}); err != nil {
		d.log.Error().Err(err).Str("team", team).Str("user", ev.User.ID).Msg("save member")
	}
}

// memberOf is a Slack user as a directory entry.
func memberOf(team string, u slack.User) coach.Member {
	updated := time.Unix(int64(u.Updated), 0).UTC()
	if u.Updated == 0 {
		updated = time.Time{}
	}
	name := u.Profile.DisplayName
	if name == "" {
		name = u.Name
	}
	realName := u.RealName
	if realName == "" {
		realName = u.Profile.RealName
	}
	m := coach.Member{Workspace: team, User: u.ID, Name: name, RealName: realName, Email: u.Profile.Email,
		TZ: u.TZ, Admin: u.IsAdmin || u.IsOwner || u.IsPrimaryOwner, Deleted: u.Deleted,
		Bot: u.IsBot || u.IsAppUser, Updated: updated,
		StatusEmoji: u.Profile.StatusEmoji, StatusText: u.Profile.StatusText}
	if exp := u.Profile.StatusExpiration; exp > 0 {
		m.StatusUntil = time.Unix(int64(exp), 0).UTC()
	}
	return m
}

// Ready is closed once the workspace directory is loaded, by this replica
// or another, or the first load gave up. Answers never wait for it; tests
// and benchmarks that need every zone known do.
func (d *directory) Ready() <-chan struct{} { return d.ready }

func (d *directory) markReady() { d.readyMu.Do(func() { close(d.ready) }) }

// run loads the directory, then looks up unknown members and refreshes it
// in the background until ctx ends.
func (d *directory) run(ctx context.Context) {
	if d.slack == nil || d.dir == nil {
		d.markReady()
		return
	}
	team := d.workspace(ctx)
	if team == "" {
		d.markReady()
		return
	}
	d.refresh(ctx, team, true)
	check := time.NewTicker(directoryCheck)
	defer check.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-check.C:
			d.refresh(ctx, team, false)
		case a := <-d.asks:
			d.askOne(ctx, a)
		}
	}
}

// keepFresh keeps the members this replica read while no other replica
// changes the directory, so that answers to known members read nothing. A
// failed look is only logged: the members then end with their cache time,
// as without looks.
func (d *directory) keepFresh(ctx context.Context) {
	if d.dir == nil {
		return
	}
	if err := d.dir.KeepFresh(ctx); err != nil && ctx.Err() == nil {
		d.log.Debug().Err(err).Msg("directory: look for changes")
	}
}

// workspace asks Slack which workspace the bot is in, until it answers.
func (d *directory) workspace(ctx context.Context) string {
	for {
		res, err := d.slack.AuthTest(ctx)
		if err == nil {
			return res.TeamID
		}
		if ctx.Err() != nil {
			return ""
		}
		d.log.Warn().Err(err).Msg("auth.test for the directory; trying again")
		if !sleep(ctx, directoryFailed) {
			return ""
		}
	}
}

// refresh loads the workspace when it is due and this replica holds the
// load. At start, a replica that does not hold it waits for the one that
// does (so it never looks members up one by one while they are being
// loaded), and takes the load over if that one gave up.
func (d *directory) refresh(ctx context.Context, team string, starting bool) {
	for {
		mine, err := d.dir.ClaimLoad(ctx, team, d.holder)
		switch {
		case err != nil:
			d.log.Warn().Err(err).Str("team", team).Msg("directory load claim")
		case mine:
			err := d.load(ctx, team)
			if err != nil && ctx.Err() == nil {
				d.log.Error().Err(err).Str("team", team).Msg("directory load failed; members are looked up one by one meanwhile")
			}
			if derr := d.dir.LoadDone(context.WithoutCancel(ctx), team, err == nil); derr != nil {
				d.log.Warn().Err(derr).Str("team", team).Msg("directory load end")
			}
			d.markReady()
			return
		default:
			if _, loaded := d.dir.LoadedAt(ctx, team); loaded || !starting {
				d.markReady()
				return
			}
		}
		// Another replica is loading (or the store is out of reach): look
		// again shortly.
		if !sleep(ctx, 250*time.Millisecond) {
			return
		}
	}
}

// load reads the whole workspace, page by page, storing each page as it
// comes so members are known before the load ends.
func (d *directory) load(ctx context.Context, team string) error {
	began := time.Now()
	cursor, n := "", 0
	for {
		users, next, err := d.slack.UsersPage(ctx, cursor, usersPageSize)
		if err != nil {
			return fmt.Errorf("users.list after %d members: %w", n, err)
		}
		ms := make([]coach.Member, 0, len(users))
		for _, u := range users {
			ms = append(ms, memberOf(team, u))
		}
		if err := d.dir.Learn(ctx, team, ms); err != nil {
			return err
		}
		n += len(ms)
		if next == "" {
			d.log.Info().Str("team", team).Int("members", n).Dur("took", time.Since(began)).Msg("directory loaded")
			return nil
		}
		cursor = next
	}
}

// askOne looks a member up in users.info, once per member across
// replicas, unless the directory learned of them meanwhile.
func (d *directory) askOne(ctx context.Context, a memberAsk) {
	defer func() {
		d.askMu.Lock()
		delete(d.asking, a.team+"/"+a.user)
		d.askMu.Unlock()
	}()
	if _, found := d.dir.Member(ctx, a.team, a.user); found || !d.dir.ClaimLookup(ctx, a.team, a.user) {
		return
	}
	u, err := d.slack.UserInfo(ctx, a.user)
	if err != nil {
		d.log.Warn().Err(err).Str("team", a.team).Str("user", a.user).Msg("users.info for the directory")
		return
	}
	if err := d.dir.Learn(ctx, a.team, []coach.Member{memberOf(a.team, *u)}); err != nil {
		d.log.Error().Err(err).Str("team", a.team).Str("user", a.user).Msg("save member")
	}
}

// sleep waits d or until ctx ends, and reports whether ctx is still on.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// useDirectory makes the bot keep its workspace directory in dir, asking
// Slack through s, and returns dir for coach to read.
func (b *Bot) useDirectory(dir *coach.Directory, s directorySlack) *coach.Directory {
	b.users = newDirectory(dir, s, b.cfg.DefaultTZ, b.cfg.Admins, b.log.With().Str("component", "directory").Logger())
	return dir
}

// DirectoryReady is closed once the workspace directory is loaded (by this
// replica or another) or its first load gave up.
func (b *Bot) DirectoryReady() <-chan struct{} { return b.users.Ready() }

// zoneNote returns respond, adding to each answer the zone its dates are
// in when the person's own zone is not known yet.
func zoneNote(p person, respond func(render.Message)) func(render.Message) {
	note := zoneGuessed(p)
	return func(m render.Message) { respond(note(m)) }
}

// zoneGuessed returns what an answer showing dates needs, decided when
// what the person typed is read (p, looked up then): the zone its dates are
// in when their own is not known yet, nothing otherwise.
func zoneGuessed(p person) func(render.Message) render.Message {
	if !p.Known {
		return func(m render.Message) render.Message { return render.ZoneGuessed(m, p.TZ) }
	}
	return func(m render.Message) render.Message { return m }
}
