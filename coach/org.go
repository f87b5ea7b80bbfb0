package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"pipelinecoach/coach/phrase"
)

// Role is what a person may do beyond their own deals.
type Role string

// Roles, from least to most.
const (
	RoleRep     Role = "rep"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// RoleError: the action needs a role the person does not have. It says who
// may do it.
type RoleError struct {
	Need   Role
	Action string // "make a manager", "add reps to a team"
}

func (e *RoleError) Error() string { return fmt.Sprintf("only a %s may %s", e.Need, e.Action) }

// Unwrap makes every RoleError an ErrForbidden.
func (e *RoleError) Unwrap() error { return ErrForbidden }

// ErrNotOnTeam: the rep is not on the manager's team.
var ErrNotOnTeam error = &refusal{"not on your team"}

// Schedule of team jobs.
const (
	digestJob = "digest"
	nudgesJob = "nudges"
)

// DigestKey and NudgesKey are the keys of a team's weekly digest and daily
// nudge evaluation jobs.
func DigestKey(workspace, manager string) string { return digestJob + "/" + workspace + "/" + manager }

// NudgesKey is the key of a team's daily nudge evaluation.
func NudgesKey(workspace, manager string) string { return nudgesJob + "/" + workspace + "/" + manager }

// DigestTime is when the weekly digest goes out, in the team's zone.
type DigestTime struct {
	Day  time.Weekday
	Time time.Duration // since midnight
}

// DefaultDigestTime is Monday 09:00.
var DefaultDigestTime = DigestTime{Day: time.Monday, Time: 9 * time.Hour}

// Next is the first digest time strictly after now, in loc.
func (d DigestTime) Next(now time.Time, loc *time.Location) time.Time {
	local := now.In(loc)
	for i := range 8 {
		day := midnight(local.AddDate(0, 0, i))
		if day.Weekday() != d.Day {
			continue
		}
		if t := at(day, d.Time); t.After(now) {
			return t
		}
	}
	return at(midnight(local.AddDate(0, 0, 7)), d.Time)
}

// TeamDefaults fill a new team.
type TeamDefaults struct {
	TZ        string
	Framework string
	Holidays  []string     // the workspace's (HOLIDAYS), besides each team's own
	Currency  string       // the workspace's default currency; "" for none
	Numbers   phrase.Style // the workspace's number style; "" = its currency's
}

// Role returns the actor's role: admin, manager (has a team) or rep.
func (s *Service) Role(ctx context.Context, actor Actor) (Role, error) {
	if actor.Admin {
		return RoleAdmin, nil
	}
	_, err := s.store.Team(ctx, actor.Workspace, actor.User)
	switch {
	case err == nil:
		return RoleManager, nil
	case errors.Is(err, ErrNotFound):
		return RoleRep, nil
	}
	return RoleRep, fmt.Errorf("role of %s: %w", actor.User, err)
}

// MakeManager gives user a team of their own (empty at first), in tz (the
// manager's own zone; "" for the default). Only admins may. Making a
// manager twice is harmless.
func (s *Service) MakeManager(ctx context.Context, actor Actor, user, tz string) (Team, error) {
	if !actor.Admin {
		return Team{}, &RoleError{Need: RoleAdmin, Action: "make a manager"}
	}
	if t, err := s.store.Team(ctx, actor.Workspace, user); err == nil {
		return t, nil
	}
	if tz == "" || !ValidZone(tz) {
		tz = s.TeamDefaults.TZ
	}
	t := Team{Workspace: actor.Workspace, Manager: user, TZ: tz, Framework: s.TeamDefaults.Framework, Version: 1}
	err := s.store.SaveTeam(ctx, t)
	if errors.Is(err, ErrConflict) {
		return s.store.Team(ctx, actor.Workspace, user)
	}
	if err != nil {
		return Team{}, fmt.Errorf("make %s a manager: %w", user, err)
	}
	s.teamsChanged(ctx, t.Workspace)
	if err := s.scheduleTeam(ctx, t); err != nil {
		return t, err
	}
	return t, nil
}

// scheduleTeam puts a team's digest and nudge evaluation on the queue.
func (s *Service) scheduleTeam(ctx context.Context, t Team) error {
	now := s.clock.Now()
	loc := t.Location()
	if err := s.store.Schedule(ctx, DigestKey(t.Workspace, t.Manager), s.DigestTime.Next(now, loc)); err != nil {
		return fmt.Errorf("schedule the digest of %s: %w", t.Manager, err)
	}
	if err := s.store.Schedule(ctx, NudgesKey(t.Workspace, t.Manager), s.nextNudgeRun(now, loc)); err != nil {
		return fmt.Errorf("schedule the nudges of %s: %w", t.Manager, err)
	}
	if err := s.kickPull(ctx, t); err != nil {
		return fmt.Errorf("schedule the CRM pull of %s: %w", t.Manager, err)
	}
	return nil
}

// nextNudgeRun is the start of the next working window after now: nudges
// are evaluated once a working day, when a manager starts their day.
func (s *Service) nextNudgeRun(now time.Time, loc *time.Location) time.Time {
	next := s.timing.WorkingHours.Next(now.In(loc))
	if !next.After(now) {
		next = s.timing.WorkingHours.Next(midnight(now.In(loc)).AddDate(0, 0, 1))
	}
	return next
}

// MyTeam returns the team the actor manages.
func (s *Service) MyTeam(ctx context.Context, actor Actor) (Team, error) {
	t, err := s.store.Team(ctx, actor.Workspace, actor.User)
	if errors.Is(err, ErrNotFound) {
		return Team{}, &RoleError{Need: RoleManager, Action: "manage a team"}
	}
	return t, err
}

// EditTeam applies fn to the actor's own team and saves it over the version
// read, retrying on a concurrent change.
func (s *Service) EditTeam(ctx context.Context, actor Actor, fn func(Team) (Team, error)) (Team, error) {
	for range maxAttempts {
		cur, err := s.MyTeam(ctx, actor)
		if err != nil {
			return Team{}, err
		}
		next, err := fn(cur)
		if err != nil {
			return cur, err
		}
		next.Version = cur.Version + 1
		err = s.store.SaveTeam(ctx, next)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return cur, err
		}
		s.teamsChanged(ctx, next.Workspace)
		if next.TZ != cur.TZ {
			if err := s.scheduleTeam(ctx, next); err != nil {
				return next, err
			}
		}
		return next, nil
	}
	return Team{}, fmt.Errorf("edit team after %d attempts: %w", maxAttempts, ErrConflict)
}

// AddReps puts reps on the actor's team. A rep with another manager fails
// the whole change with a *RepTakenError naming that manager.
func (s *Service) AddReps(ctx context.Context, actor Actor, reps []string) (Team, error) {
	return s.EditTeam(ctx, actor, func(t Team) (Team, error) {
		for _, r := range reps {
			if r == t.Manager {
				return t, fmt.Errorf("a manager cannot be on their own team: %w", ErrInvalid)
			}
			if !t.Has(r) {
				t.Reps = append(slices.Clone(t.Reps), r)
			}
		}
		return t, nil
	})
}

// RemoveReps takes reps off the actor's team.
func (s *Service) RemoveReps(ctx context.Context, actor Actor, reps []string) (Team, error) {
	return s.EditTeam(ctx, actor, func(t Team) (Team, error) {
		for _, r := range reps {
			if !t.Has(r) {
				return t, fmt.Errorf("%s: %w", r, ErrNotOnTeam)
			}
		}
		t.Reps = slices.DeleteFunc(slices.Clone(t.Reps), func(r string) bool { return slices.Contains(reps, r) })
		return t, nil
	})
}

// MoveRep moves a rep from their current team to the actor's. Only an admin
// may take a rep from another manager.
func (s *Service) MoveRep(ctx context.Context, actor Actor, rep, to string) (Team, error) {
	if !actor.Admin {
		return Team{}, &RoleError{Need: RoleAdmin, Action: "move a rep between managers"}
	}
	from, err := s.store.ManagerOf(ctx, actor.Workspace, rep)
	if err == nil && from != to {
		if _, err := s.RemoveReps(ctx, Actor{Workspace: actor.Workspace, User: from}, []string{rep}); err != nil {
			return Team{}, fmt.Errorf("take %s off %s's team: %w", rep, from, err)
		}
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return Team{}, err
	}
	return s.AddReps(ctx, Actor{Workspace: actor.Workspace, User: to}, []string{rep})
}

// SetQuota sets a rep's quota. Only the rep's manager (or an admin) may.
func (s *Service) SetQuota(ctx context.Context, actor Actor, rep string, q Quota) (Team, error) {
	if q.Amount <= 0 {
		return Team{}, invalid(FieldAmount, "must be more than zero")
	}
	manager := actor.User
	if actor.Admin {
		if m, err := s.store.ManagerOf(ctx, actor.Workspace, rep); err == nil {
			manager = m
		}
	}
	return s.EditTeam(ctx, Actor{Workspace: actor.Workspace, User: manager}, func(t Team) (Team, error) {
		if !t.Has(rep) {
			return t, fmt.Errorf("%s: %w", rep, ErrNotOnTeam)
		}
		quotas := map[string]Quota{}
		for k, v := range t.Quotas {
			quotas[k] = v
		}
		quotas[rep] = q
		t.Quotas = quotas
		return t, nil
	})
}

// TeamDigest is this week's digest of the actor's team, as of now. Managers
// see their team; nobody else's.
func (s *Service) TeamDigest(ctx context.Context, actor Actor) (Digest, error) {
	t, err := s.MyTeam(ctx, actor)
	if err != nil {
		return Digest{}, err
	}
	return s.teamDigest(ctx, t)
}

// teamDigest is a team's digest as of now, built from the deals its windows
// count (Thresholds.digestHorizon) and the team's stored history
// (teamhistory.go), so that it costs as much in the team's fifth year as in
// its first. With no history stored, it reads all the team's deals and
// stores what they say, for the next digest and the reps' answers.
func (s *Service) teamDigest(ctx context.Context, t Team) (Digest, error) {
	now := s.clock.Now()
	var ps []Prospect
	var err error
	h, known := s.knownHistory(ctx, t)
	if known {
		ps, err = s.store.ProspectsOfOwnersSince(ctx, t.Workspace, t.Reps, s.Thresholds.digestHorizon(now, t.Location()))
		if err != nil {
			return Digest{}, fmt.Errorf("read the recent prospects of %s's team: %w", t.Manager, err)
		}
	} else {
		if ps, err = s.teamProspects(ctx, t); err != nil {
			return Digest{}, err
		}
		h = s.Thresholds.historyOf(ps, now)
		// Not stored, it is measured again by the next answer that needs it.
		_ = s.keepHistory(ctx, t, h)
	}
	d := s.withCRM(ctx, t, s.Thresholds.buildDigest(t, ps, now, &h))
	d.Numbers = t.Convention(s.TeamDefaults)
	return d, nil
}

// teamProspects reads only the team's reps' prospects: a workspace with
// many teams would otherwise read every team's deals for each digest.
func (s *Service) teamProspects(ctx context.Context, t Team) ([]Prospect, error) {
	ps, err := s.store.ProspectsOfOwners(ctx, t.Workspace, t.Reps)
	if err != nil {
		return nil, fmt.Errorf("read the prospects of %s's team: %w", t.Manager, err)
	}
	return ps, nil
}

// Manages reports whether user manages a team, from the cached team lookup:
// cheap enough to ask on every App Home refresh.
func (s *Service) Manages(ctx context.Context, workspace, user string) bool {
	t, ok := s.teamOf(ctx, workspace, user)
	return ok && t.Manager == user
}
