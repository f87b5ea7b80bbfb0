package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// runDigest posts a team's weekly digest, once, and schedules the next.
func (s *Service) runDigest(ctx context.Context, j Job, workspace, manager string) error {
	t, err := s.store.Team(ctx, workspace, manager)
	if errors.Is(err, ErrNotFound) {
		return s.store.Done(ctx, j.Key) // no longer a manager
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	key := fmt.Sprintf("digest/%s/%s/%s", workspace, manager, j.Due.In(t.Location()).Format("2006-01-02"))
	_, err = s.sendOnce(ctx, key, func(ctx context.Context) (MessageRef, error) {
		ps, err := s.teamProspects(ctx, t)
		if err != nil {
			return MessageRef{}, err
		}
		return s.notify.Digest(ctx, t, s.Thresholds.BuildDigest(t, ps, now))
	})
	if errors.Is(err, errInFlight) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.Schedule(ctx, j.Key, s.DigestTime.Next(now, t.Location()))
}

// Ledger keys of the nudge log.
func nudgeSentKey(key string) string      { return "nudge/" + key }
func nudgeSnoozeKey(key string) string    { return "snooze/" + key }
func nudgeDiscussedKey(key string) string { return "discussed/" + key }
func nudgeCountKey(workspace, manager, day string) string {
	return "nudges-sent/" + workspace + "/" + manager + "/" + day
}
func praiseKey(workspace, manager string) string { return "praised/" + workspace + "/" + manager }

// nudgeLogKeep is how long the nudge log remembers: past every quiet period.
const nudgeLogKeep = 30 * 24 * time.Hour

// runNudges evaluates a team's nudges once a working day: which fire
// (NudgeCandidates), which may go now (PickNudges, from the nudge log and
// the manager's day), sends those once each, and looks again at the next
// working morning, or sooner when a held nudge may go later today.
func (s *Service) runNudges(ctx context.Context, j Job, workspace, manager string) error {
	t, err := s.store.Team(ctx, workspace, manager)
	if errors.Is(err, ErrNotFound) {
		return s.store.Done(ctx, j.Key)
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	loc := t.Location()
	ps, err := s.teamProspects(ctx, t)
	if err != nil {
		return err
	}
	fw := ChooseFramework(t.Framework, s.TeamDefaults.Framework)
	cands := s.Thresholds.NudgeCandidates(t, fw, ps, now)

	day := now.In(loc).Format("2006-01-02")
	countKey := nudgeCountKey(workspace, manager, day)
	sentToday := 0
	if v, ok, err := s.store.Lookup(ctx, countKey); err != nil {
		return err
	} else if ok {
		sentToday, _ = strconv.Atoi(v)
	}
	lastPraise := s.lookupTime(ctx, praiseKey(workspace, manager))
	var awayUntil time.Time
	if s.Presence != nil {
		awayUntil, _ = s.Presence.AwayUntil(ctx, workspace, manager)
	}
	holidays := append(slices.Clone(s.Holidays), t.Holidays...)
	state := func(n Nudge) NudgeState {
		return NudgeState{
			LastSent:     s.lookupTime(ctx, nudgeSentKey(n.Key())),
			SnoozedUntil: s.lookupTime(ctx, nudgeSnoozeKey(n.Key())),
			Discussed:    s.lookupTime(ctx, nudgeDiscussedKey(n.Key())),
			SentToday:    sentToday,
			LastPraise:   lastPraise,
			TZ:           t.TZ,
			Hours:        s.timing.WorkingHours,
			Holidays:     holidays,
			AwayUntil:    awayUntil,
		}
	}
	send, held := s.Thresholds.PickNudges(cands, state, now)
	if !s.reachable(ctx, workspace, manager) {
		send, held = nil, nil // a deactivated manager hears nothing more
	}
	var errs []error
	for _, n := range send {
		_, err := s.sendOnce(ctx, "nudge/"+n.Key()+"/"+day, func(ctx context.Context) (MessageRef, error) { return s.notify.Nudge(ctx, n) })
		if errors.Is(err, errInFlight) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sentToday++
		stamp := now.Format(time.RFC3339Nano)
		errs = append(errs, s.store.Record(ctx, nudgeSentKey(n.Key()), stamp, nudgeLogKeep),
			s.store.Record(ctx, countKey, strconv.Itoa(sentToday), 48*time.Hour))
		if n.Kind == NudgePraise {
			errs = append(errs, s.store.Record(ctx, praiseKey(workspace, manager), stamp, nudgeLogKeep))
		}
	}
	next := s.nextNudgeRun(now, loc)
	for _, d := range held {
		if d.Retry.After(now) && d.Retry.Before(next) {
			next = d.Retry
		}
	}
	errs = append(errs, s.store.Schedule(ctx, j.Key, next))
	return errors.Join(errs...)
}

func (s *Service) lookupTime(ctx context.Context, key string) time.Time {
	v, ok, err := s.store.Lookup(ctx, key)
	if err != nil || !ok {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// ErrNotYourNudge: a nudge's button pressed by someone it was not sent to.
var ErrNotYourNudge error = &refusal{"not your nudge"}

// AnswerNudge records a manager's answer to a nudge: discussed (quiet for
// a while) or snoozed for a week.
func (s *Service) AnswerNudge(ctx context.Context, actor Actor, key string, snooze bool) (time.Time, error) {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[0] != actor.Workspace || parts[1] != actor.User {
		return time.Time{}, ErrNotYourNudge
	}
	now := s.clock.Now()
	if snooze {
		until := now.Add(s.Thresholds.NudgeRepeat)
		return until, s.store.Record(ctx, nudgeSnoozeKey(key), until.Format(time.RFC3339Nano), nudgeLogKeep)
	}
	return now.Add(s.Thresholds.DiscussedQuiet()), s.store.Record(ctx, nudgeDiscussedKey(key), now.Format(time.RFC3339Nano), nudgeLogKeep)
}

// PostDigestsNow posts the digests of the given managers' teams (every team
// when none is given) at once. Only admins may.
func (s *Service) PostDigestsNow(ctx context.Context, actor Actor, managers []string) (int, error) {
	if !actor.Admin {
		return 0, &RoleError{Need: RoleAdmin, Action: "post digests"}
	}
	var teams []Team
	if len(managers) == 0 {
		all, err := s.store.Teams(ctx, actor.Workspace)
		if err != nil {
			return 0, fmt.Errorf("read teams: %w", err)
		}
		teams = all
	}
	for _, m := range managers {
		t, err := s.store.Team(ctx, actor.Workspace, m)
		if errors.Is(err, ErrNotFound) {
			return 0, &RoleError{Need: RoleManager, Action: "get a digest (" + m + " has no team)"}
		}
		if err != nil {
			return 0, err
		}
		teams = append(teams, t)
	}
	now := s.clock.Now()
	for i, t := range teams {
		ps, err := s.teamProspects(ctx, t)
		if err != nil {
			return i, err
		}
		if _, err := s.notify.Digest(ctx, t, s.Thresholds.BuildDigest(t, ps, now)); err != nil {
			return i, fmt.Errorf("post the digest of %s: %w", t.Manager, err)
		}
	}
	return len(teams), nil
}
