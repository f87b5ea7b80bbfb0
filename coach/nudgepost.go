package coach

import (
	"context"
	"strings"
)

// NudgePost is the message a manager's nudge was last posted as, from the
// ledger; zero when the actor was not sent it or it is no longer known. An
// answer to a nudge is shown on this message and no other: the message a
// click says it came from is only a hint.
func (s *Service) NudgePost(ctx context.Context, actor Actor, key string) MessageRef {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[0] != actor.Workspace || parts[1] != actor.User {
		return MessageRef{}
	}
	sent := s.lookupTime(ctx, nudgeSentKey(key))
	if sent.IsZero() {
		return MessageRef{}
	}
	loc := sent.Location()
	if t, ok := s.teamOf(ctx, actor.Workspace, actor.User); ok {
		loc = t.Location()
	}
	// runNudges reserves each post under the day it was sent, in the team's zone.
	v, ok, err := s.store.Lookup(ctx, "nudge/"+key+"/"+sent.In(loc).Format("2006-01-02"))
	if err != nil || !ok {
		return MessageRef{}
	}
	return parseSent(v)
}
