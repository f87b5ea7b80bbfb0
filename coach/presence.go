package coach

import (
	"context"
	"errors"
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

// teamCacheFor is how long teamOf remembers a person's team without a
// look at the teams' mark (KeepFresh): holidays and number styles change
// rarely, and answers and the scheduler ask for them all the time.
// teamKeepAtMost bounds how long looks keep it, should a change's mark be
// lost.
const (
	teamCacheFor   = time.Minute
	teamKeepAtMost = 10 * time.Minute
)

// teamOf finds the team a person belongs to, cached (teamCacheFor, kept by
// KeepFresh while no team changes).
func (s *Service) teamOf(ctx context.Context, workspace, user string) (Team, bool) {
	key := workspace + "/" + user
	now := s.clock.Now()
	s.teamCacheMu.Lock()
	e, ok := s.teamCache[key]
	gen := s.teamGen
	s.teamCacheMu.Unlock()
	if ok && now.Before(e.until) {
		return e.v, e.found
	}
	t, found, err := s.lookupTeamOf(ctx, workspace, user)
	if err != nil {
		return Team{}, false // not kept: the next ask reads again
	}
	s.teamCacheMu.Lock()
	defer s.teamCacheMu.Unlock()
	if s.teamGen != gen {
		// A team changed on this replica during the read, which may
		// have come before the change: used once, not kept.
		return t, found
	}
	if s.teamCache == nil || len(s.teamCache) > 10000 {
		s.teamCache = map[string]cached[Team]{}
	}
	s.teamCache[key] = cached[Team]{v: t, found: found, read: now, until: now.Add(teamCacheFor)}
	return t, found
}

// teamsChanged empties the team cache after a team changed on this replica
// and marks the change for the others, which see it at their next look
// (KeepFresh). A mark that cannot be recorded leaves them on what they
// read for at most teamKeepAtMost.
func (s *Service) teamsChanged(ctx context.Context, workspace string) {
	s.teamCacheMu.Lock()
	s.teamCache = nil
	s.teamGen++
	s.teamCacheMu.Unlock()
	_ = s.teamMarks.mark(ctx, workspace, s.clock.Now())
}

// KeepFresh looks, for each workspace whose teams this replica keeps,
// whether another replica changed a team since its last look, and keeps
// or drops what it read (as Directory.KeepFresh does for members). Call it
// every DirectoryLookEvery; without it, teams are read again after a
// minute.
func (s *Service) KeepFresh(ctx context.Context) error {
	s.teamCacheMu.Lock()
	workspaces := cachedWorkspaces(s.teamCache)
	s.teamCacheMu.Unlock()
	for _, workspace := range workspaces {
		at := s.clock.Now()
		changed, err := s.teamMarks.changed(ctx, workspace)
		if err != nil {
			return err
		}
		s.teamCacheMu.Lock()
		if changed {
			s.teamsChangedAt[workspace] = at
		}
		if s.teamCache != nil {
			keepOrDrop(s.teamCache, workspace, at, s.teamsChangedAt[workspace], changed, teamCacheFor, teamKeepAtMost)
		}
		s.teamCacheMu.Unlock()
	}
	return nil
}

// lookupTeamOf finds the team a person belongs to: the one they manage, or
// their manager's; found is false when they are on none, err set when the
// store could not say.
func (s *Service) lookupTeamOf(ctx context.Context, workspace, user string) (t Team, found bool, err error) {
	t, err = s.store.TeamOf(ctx, workspace, user)
	switch {
	case err == nil:
		return t, true, nil
	case errors.Is(err, ErrNotFound):
		return Team{}, false, nil
	}
	return Team{}, false, err
}
