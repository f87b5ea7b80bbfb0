package bot

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// awayEmoji are status emoji people set when they are off.
var awayEmoji = []string{":palm_tree:", ":desert_island:", ":airplane:", ":beach_with_umbrella:", ":face_with_thermometer:", ":thermometer:", ":baby:", ":house_with_garden:"}

// awayWords are words in a status text that say someone is off.
var awayWords = []string{"vacation", "vacances", "urlaub", "on holiday", "on holidays", "out of office", "out of the office", "ooo", "off sick", "sick leave", "parental leave", "on leave", "pto", "off today", "off until"}

// statusAway reports whether a Slack status says the person is off work.
func statusAway(emoji, text string) bool {
	for _, e := range awayEmoji {
		if emoji == e {
			return true
		}
	}
	text = " " + strings.ToLower(text) + " "
	for _, w := range awayWords {
		if strings.Contains(text, " "+w+" ") || strings.Contains(text, " "+w+",") || strings.Contains(text, " "+w+".") || strings.Contains(text, " "+w+":") {
			return true
		}
	}
	return false
}

// memberStatus reads a member from the workspace directory's store afresh:
// a status changes without replicas being told to drop what they keep
// (*coach.Directory is one).
type memberStatus interface {
	Fresh(ctx context.Context, workspace, user string) (m coach.Member, found bool)
}

// presenceSource is what presence asks Slack.
type presenceSource interface {
	UserInfo(ctx context.Context, userID string) (*slack.User, error)
	DNDInfo(ctx context.Context, userID string) (*slack.DNDStatus, error)
}

// Presence is coach's Presence from Slack: a status that says vacation or
// out of office (until it expires; a day at a time when it never does), and
// Do Not Disturb (until it ends). Answers are cached for a few minutes, and
// a lookup that Slack's rate limits would hold up is skipped: a message must
// not wait on knowing whether someone is away.
type Presence struct {
	Slack presenceSource
	Now   func() time.Time
	// Members, when set, gives the status of members the workspace
	// directory knows (user_change keeps it current), so users.info is
	// asked only about the others.
	Members memberStatus

	mu    sync.Mutex
	cache map[string]presenceEntry
}

type presenceEntry struct {
	until, checked time.Time
}

// Presence lookups: how long an answer is reused, and how long one may take.
const (
	presenceFresh   = 5 * time.Minute
	presenceTimeout = 300 * time.Millisecond
)

// NewPresence returns a Presence over Slack.
func NewPresence(s presenceSource, now func() time.Time) *Presence {
	return &Presence{Slack: s, Now: now, cache: map[string]presenceEntry{}}
}

// AwayUntil returns when the user is back, or zero when they are here.
func (p *Presence) AwayUntil(ctx context.Context, workspace string, user string) (time.Time, error) {
	now := p.Now()
	key := workspace + "/" + user
	p.mu.Lock()
	e, ok := p.cache[key]
	p.mu.Unlock()
	if ok && now.Sub(e.checked) < presenceFresh && now.Sub(e.checked) >= 0 {
		if e.until.After(now) {
			return e.until, nil
		}
		return time.Time{}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, presenceTimeout)
	defer cancel()
	until, err := p.lookup(ctx, workspace, user, now)
	if err != nil {
		return time.Time{}, err
	}
	p.mu.Lock()
	if len(p.cache) > 50000 {
		p.cache = map[string]presenceEntry{}
	}
	p.cache[key] = presenceEntry{until: until, checked: now}
	p.mu.Unlock()
	return until, nil
}

func (p *Presence) lookup(ctx context.Context, workspace, user string, now time.Time) (time.Time, error) {
	var until time.Time
	emoji, text, expires, err := p.status(ctx, workspace, user)
	if err != nil {
		return time.Time{}, err
	}
	if statusAway(emoji, text) {
		until = now.Add(24 * time.Hour) // look again tomorrow
		if !expires.IsZero() {
			until = expires
		}
	}
	dnd, err := p.Slack.DNDInfo(ctx, user)
	if err != nil {
		return until, nil // the status alone still counts
	}
	if dnd.SnoozeEnabled && dnd.SnoozeEndTime > 0 {
		if end := time.Unix(int64(dnd.SnoozeEndTime), 0); end.After(now) && end.After(until) {
			until = end
		}
	}
	if !until.After(now) {
		return time.Time{}, nil
	}
	return until, nil
}

// status is the user's Slack status: from the directory when it knows
// them, else from users.info.
func (p *Presence) status(ctx context.Context, workspace, user string) (emoji, text string, expires time.Time, err error) {
	if p.Members != nil {
		if m, found := p.Members.Fresh(ctx, workspace, user); found {
			return m.StatusEmoji, m.StatusText, m.StatusUntil, nil
		}
	}
	u, err := p.Slack.UserInfo(ctx, user)
	if err != nil {
		return "", "", time.Time{}, err
	}
	if exp := u.Profile.StatusExpiration; exp > 0 {
		expires = time.Unix(int64(exp), 0)
	}
	return u.Profile.StatusEmoji, u.Profile.StatusText, expires, nil
}
