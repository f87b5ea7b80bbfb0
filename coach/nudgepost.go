package coach

import (
	"context"
	"strings"
)

// NudgePost is the message a manager's coaching brief (key is Brief.Key)
// is shown on, from the ledger: clicked, when the ledger says that message
// was a post of this brief to the actor (a rep's brief comes again each
// week under the same key, and an earlier message may be answered while
// the nudge log keeps it, nudgeLogKeep); else the brief's latest post;
// zero when the actor was not sent it or it is no longer known. An answer
// to a brief is shown on this message and no other: the message a click
// says it came from is only a hint.
func (s *Service) NudgePost(ctx context.Context, actor Actor, key string, clicked MessageRef) MessageRef {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[0] != actor.Workspace || parts[1] != actor.User {
		return MessageRef{}
	}
	if !clicked.IsZero() {
		if v, ok, err := s.store.Lookup(ctx, briefPostKey(clicked)); err == nil && ok && v == key {
			return clicked
		}
	}
	sent := s.lookupTime(ctx, briefSentKey(key))
	if sent.IsZero() {
		return MessageRef{}
	}
	loc := sent.Location()
	if t, ok := s.teamOf(ctx, actor.Workspace, actor.User); ok {
		loc = t.Location()
	}
	// runNudges reserves each brief under the day it was sent, in the team's zone.
	v, ok, err := s.store.Lookup(ctx, "brief/"+key+"/"+sent.In(loc).Format("2006-01-02"))
	if err != nil || !ok {
		return MessageRef{}
	}
	return parseSent(v)
}
