package coach

import (
	"context"
	"time"
)

// Presence tells until when a person is away: on vacation or out of office
// by their Slack status, or in Do Not Disturb. Nobody is asked or nudged
// while away; the message waits until they are back.
type Presence interface {
	// AwayUntil returns when the person is back, or the zero time when they
	// are here now.
	AwayUntil(ctx context.Context, workspace, user string) (time.Time, error)
}

// maxHoldDays bounds how far a run of holidays can push a message.
const maxHoldDays = 60

// holdUntil returns when a message to user may go out, if not now: after a
// holiday (the workspace's or the user's team's) and after the user is back
// from being away, in working hours. A failure to learn presence does not
// hold the message: a late prompt is worse than one during a meeting.
func (s *Service) holdUntil(ctx context.Context, workspace, user string, now time.Time, loc *time.Location) (time.Time, bool) {
	holidays := s.Holidays
	if team, ok := s.teamOf(ctx, workspace, user); ok {
		holidays = append(holidays[:len(holidays):len(holidays)], team.Holidays...)
	}
	at := now
	if s.Presence != nil {
		if until, err := s.Presence.AwayUntil(ctx, workspace, user); err == nil && until.After(at) {
			at = s.timing.WorkingHours.Next(until.In(loc))
		}
	}
	for range maxHoldDays {
		if !IsHoliday(holidays, at, loc) {
			break
		}
		at = s.timing.WorkingHours.Next(midnight(at.In(loc)).AddDate(0, 0, 1))
	}
	return at, at.After(now)
}

// teamCacheFor is how long teamOf remembers a person's team: holidays
// change rarely, and the scheduler asks for every message it sends.
const teamCacheFor = time.Minute

type teamCacheEntry struct {
	team  Team
	found bool
	until time.Time
}

// teamOf finds the team a person belongs to, cached for a minute.
func (s *Service) teamOf(ctx context.Context, workspace, user string) (Team, bool) {
	key := workspace + "/" + user
	now := s.clock.Now()
	s.teamCacheMu.Lock()
	e, ok := s.teamCache[key]
	s.teamCacheMu.Unlock()
	if ok && now.Before(e.until) {
		return e.team, e.found
	}
	t, found := s.lookupTeamOf(ctx, workspace, user)
	s.teamCacheMu.Lock()
	if s.teamCache == nil || len(s.teamCache) > 10000 {
		s.teamCache = map[string]teamCacheEntry{}
	}
	s.teamCache[key] = teamCacheEntry{team: t, found: found, until: now.Add(teamCacheFor)}
	s.teamCacheMu.Unlock()
	return t, found
}

// forgetTeams empties the team cache after a team changed on this replica
// (other replicas catch up within teamCacheFor).
func (s *Service) forgetTeams() {
	s.teamCacheMu.Lock()
	s.teamCache = nil
	s.teamCacheMu.Unlock()
}

// lookupTeamOf finds the team a person belongs to: the one they manage, or
// their manager's.
func (s *Service) lookupTeamOf(ctx context.Context, workspace, user string) (Team, bool) {
	t, err := s.store.TeamOf(ctx, workspace, user)
	return t, err == nil
}
