package bot

import (
	"context"
	"strings"
	"time"

	"github.com/slack-go/slack"
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

// presenceSource is what presence asks Slack.
type presenceSource interface {
	UserInfo(ctx context.Context, userID string) (*slack.User, error)
	DNDInfo(ctx context.Context, userID string) (*slack.DNDStatus, error)
}

// Presence is coach's Presence from Slack: a status that says vacation or
// out of office (until it expires; a day at a time when it never does), and
// Do Not Disturb (until it ends).
type Presence struct {
	Slack presenceSource
	Now   func() time.Time
}

// AwayUntil returns when the user is back, or zero when they are here.
func (p Presence) AwayUntil(ctx context.Context, _ string, user string) (time.Time, error) {
	now := p.Now()
	var until time.Time
	u, err := p.Slack.UserInfo(ctx, user)
	if err != nil {
		return time.Time{}, err
	}
	if statusAway(u.Profile.StatusEmoji, u.Profile.StatusText) {
		until = now.Add(24 * time.Hour) // look again tomorrow
		if exp := u.Profile.StatusExpiration; exp > 0 {
			until = time.Unix(int64(exp), 0)
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
