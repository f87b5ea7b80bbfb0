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
		d, err := s.teamDigest(ctx, t)
		if err != nil {
			return MessageRef{}, err
		}
		return s.notify.Digest(ctx, t, d)
	})
	if errors.Is(err, errInFlight) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.Schedule(ctx, j.Key, s.DigestTime.Next(now, t.Location()))
}

// Ledger keys of the nudge log: a brief's send time and the findings it
// held (by Key), the messages it was posted as, the manager's answers, and
// their count of the day.
func briefSentKey(key string) string     { return "brief/" + key }
func briefFindingsKey(key string) string { return "briefed/" + key }

// briefPostKey names a posted message as a brief: a rep's brief comes
// again a week later under the same key, and an answer to last week's
// message is still shown on that message (NudgePost).
func briefPostKey(m MessageRef) string { return "briefpost/" + m.Channel + "/" + m.TS }
func nudgeSnoozeKey(key string) string { return "snooze/" + key }
func nudgeDiscussedKey(key string) string {
	return "discussed/" + key
}
func nudgeCountKey(workspace, manager, day string) string {
	return "nudges-sent/" + workspace + "/" + manager + "/" + day
}

// nudgeLogKeep is how long the nudge log remembers: past every quiet period.
const nudgeLogKeep = 30 * 24 * time.Hour

// runNudges evaluates a team's coaching briefs once a working day: which
// findings hold (Findings), without those the manager quieted, as one
// brief per rep (Briefs); which briefs may go now (PickBriefs, from the
// nudge log and the manager's day). It sends those once each, and looks
// again at the next working morning, or sooner when a held brief may go
// later today.
func (s *Service) runNudges(ctx context.Context, j Job, workspace, manager string) error {
	t, err := s.store.Team(ctx, workspace, manager)
	if errors.Is(err, ErrNotFound) {
		return s.store.Done(ctx, j.Key)
	}
	if err != nil {
		return err
	}
	// Each working morning the team's CRM pull runs too, so teams made
	// before a CRM was configured get theirs.
	if err := s.kickPull(ctx, t); err != nil {
		return err
	}
	now := s.clock.Now()
	briefs, err := s.teamBriefs(ctx, t, now)
	if err != nil {
		return err
	}
	day := now.In(t.Location()).Format("2006-01-02")
	count := nudgeCount{key: nudgeCountKey(workspace, manager, day)}
	if v, ok, err := s.store.Lookup(ctx, count.key); err != nil {
		return err
	} else if ok {
		count.sent, _ = strconv.Atoi(v)
	}
	send, held := s.Thresholds.PickBriefs(briefs, s.briefState(ctx, t, workspace, manager, count.sent), now)
	if !s.reachable(ctx, workspace, manager) {
		send, held = nil, nil // a deactivated manager hears nothing more
	}
	errs := s.sendBriefs(ctx, send, day, &count, now)
	errs = append(errs, s.store.Schedule(ctx, j.Key, s.nextBriefsRun(now, t.Location(), held)))
	return errors.Join(errs...)
}

// teamBriefs is one brief per rep of the findings that hold for the team's
// prospects now, without those the manager discussed lately.
func (s *Service) teamBriefs(ctx context.Context, t Team, now time.Time) ([]Brief, error) {
	ps, err := s.teamProspects(ctx, t)
	if err != nil {
		return nil, err
	}
	// All the team's deals are read: what they say is stored for the day's
	// answers, so the first of a morning finds it fresh. Not stored, it is
	// measured again by the next answer that needs it.
	_ = s.keepHistory(ctx, t, s.Thresholds.historyOf(ps, now))
	fw := ChooseFramework(t.Framework, s.TeamDefaults.Framework)
	quiet := func(n Finding) bool {
		d := s.lookupTime(ctx, nudgeDiscussedKey(n.Key()))
		return !d.IsZero() && now.Before(d.Add(s.Thresholds.DiscussedQuiet()))
	}
	return Briefs(s.Thresholds.Findings(t, fw, ps, now), quiet), nil
}

// nudgeCount is the manager's count of briefs sent today, under its
// ledger key.
type nudgeCount struct {
	key  string
	sent int
}

// briefState reads a brief's state for PickBriefs: its nudge log, and the
// manager's day (sent today, hours, holidays, away).
func (s *Service) briefState(ctx context.Context, t Team, workspace, manager string, sentToday int) func(Brief) BriefState {
	var awayUntil time.Time
	if s.Presence != nil {
		awayUntil, _ = s.Presence.AwayUntil(ctx, workspace, manager)
	}
	holidays := append(slices.Clone(s.Holidays), t.Holidays...)
	return func(b Brief) BriefState {
		return BriefState{
			LastSent:     s.lookupTime(ctx, briefSentKey(b.Key())),
			SnoozedUntil: s.lookupTime(ctx, nudgeSnoozeKey(b.Key())),
			SentToday:    sentToday,
			TZ:           t.TZ,
			Hours:        s.timing.WorkingHours,
			Holidays:     holidays,
			AwayUntil:    awayUntil,
		}
	}
}

// sendBriefs sends each brief once for the day and logs it: when it went,
// the findings it held, the message it was posted as, and the day's count.
func (s *Service) sendBriefs(ctx context.Context, send []Brief, day string, count *nudgeCount, now time.Time) []error {
	var errs []error
	for _, b := range send {
		ref, err := s.sendOnce(ctx, "brief/"+b.Key()+"/"+day, func(ctx context.Context) (MessageRef, error) { return s.notify.Brief(ctx, b) })
		if errors.Is(err, errInFlight) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		count.sent++
		errs = append(errs, s.logBrief(ctx, b, ref, *count, now)...)
	}
	return errs
}

// logBrief records a sent brief in the nudge log.
func (s *Service) logBrief(ctx context.Context, b Brief, ref MessageRef, count nudgeCount, now time.Time) []error {
	keys := make([]string, len(b.Findings))
	for i, n := range b.Findings {
		keys[i] = n.Key()
	}
	stamp := now.Format(time.RFC3339Nano)
	errs := []error{
		s.store.Record(ctx, briefSentKey(b.Key()), stamp, nudgeLogKeep),
		s.store.Record(ctx, briefFindingsKey(b.Key()), strings.Join(keys, " "), nudgeLogKeep),
		s.store.Record(ctx, count.key, strconv.Itoa(count.sent), 48*time.Hour),
	}
	if !ref.IsZero() {
		errs = append(errs, s.store.Record(ctx, briefPostKey(ref), b.Key(), nudgeLogKeep))
	}
	return errs
}

// nextBriefsRun is the next working morning, or sooner when a held brief
// may go later today.
func (s *Service) nextBriefsRun(now time.Time, loc *time.Location, held map[string]BriefDecision) time.Time {
	next := s.nextNudgeRun(now, loc)
	for _, d := range held {
		if d.Retry.After(now) && d.Retry.Before(next) {
			next = d.Retry
		}
	}
	return next
}

func (s *Service) lookupTime(ctx context.Context, key string) time.Time {
	v, ok, err := s.store.Lookup(ctx, key)
	if err != nil || !ok {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// ErrNotYourNudge: a brief's button pressed by someone it was not sent to.
var ErrNotYourNudge error = &refusal{"not your nudge"}

// AnswerNudge records a manager's answer to a rep's brief (key is
// Brief.Key): discussed quiets the findings it held for DiscussedQuiet (a
// new finding still makes a brief), snooze holds the rep's next brief for
// NudgeRepeat. It returns until when.
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
	findings, _, err := s.store.Lookup(ctx, briefFindingsKey(key))
	if err != nil {
		return time.Time{}, fmt.Errorf("read the brief's findings: %w", err)
	}
	stamp := now.Format(time.RFC3339Nano)
	errs := []error{s.store.Record(ctx, nudgeDiscussedKey(key), stamp, nudgeLogKeep)}
	for _, f := range strings.Fields(findings) {
		errs = append(errs, s.store.Record(ctx, nudgeDiscussedKey(f), stamp, nudgeLogKeep))
	}
	return now.Add(s.Thresholds.DiscussedQuiet()), errors.Join(errs...)
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
	for i, t := range teams {
		d, err := s.teamDigest(ctx, t)
		if err != nil {
			return i, err
		}
		if _, err := s.notify.Digest(ctx, t, d); err != nil {
			return i, fmt.Errorf("post the digest of %s: %w", t.Manager, err)
		}
	}
	return len(teams), nil
}
