package coach

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Actor is the person acting, as Slack identifies them.
type Actor struct {
	Workspace, User string
	Admin           bool
}

// mayActOn reports whether the actor may see and change the prospect: its
// owner, an admin of the same workspace, or the owner's manager.
func (s *Service) mayActOn(ctx context.Context, a Actor, p Prospect) (bool, error) {
	if a.Workspace != p.Workspace {
		return false, nil
	}
	if a.User == p.Owner || a.Admin {
		return true, nil
	}
	manager, err := s.store.ManagerOf(ctx, p.Workspace, p.Owner)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check the manager of %s: %w", p.Owner, err)
	}
	return manager == a.User, nil
}

// Service runs the two-meeting rule: it applies the rules to stored
// prospects and sends the questions when they come due.
type Service struct {
	store  Store
	notify Notifier
	clock  Clock
	timing Timing
	// Lease is how long the scheduler holds a claimed job before another
	// replica may take it over.
	Lease time.Duration
	// Batch is how many due jobs one RunDue claims at most.
	Batch int
	// Thresholds are the metric rules in force.
	Thresholds Thresholds
	// OnJob, when set, hears of every job run: how late it ran (now minus
	// its due time) and how it ended. For metrics.
	OnJob func(j Job, lag time.Duration, err error)
	// Presence, when set, holds messages to people who are away.
	Presence Presence
	// Members, when set, is the workspace directory: questions follow a
	// rep's current zone, and nobody deactivated is asked or nudged.
	Members MemberSource
	// Holidays are the workspace's holidays (HOLIDAYS), "2006-01-02".
	Holidays []string
	// TeamDefaults fill a new team; DigestTime is when digests go out.
	TeamDefaults TeamDefaults
	DigestTime   DigestTime
	// CRM, when set, receives every opportunity (see crm.go); Emails finds
	// the rep's user there and CRMNotify tells them what it refused.
	CRM       CRM
	Emails    Emails
	CRMNotify CRMNotifier
	// CRMPull is how often a team's deals are read back from the CRM
	// (DefaultCRMPull when zero).
	CRMPull time.Duration
	// Calendar reads reps' calendars for first meetings; off when its
	// Source is nil.
	Calendar CalendarSettings
	calCache calendarCache
	newID    func() string
	opened   opened

	teamCacheMu    sync.Mutex
	teamCache      map[string]cached[Team] // workspace/user → the team they manage or are on
	teamGen        uint64                  // teams changed on this replica: a read begun before is not kept
	teamsChangedAt map[string]time.Time    // workspace → the look that last saw a team change
	teamMarks      *changeMark
	historyCache   map[string]historyCacheEntry
}

// NewService returns a service over its dependencies.
func NewService(store Store, notify Notifier, clock Clock, timing Timing) *Service {
	s := &Service{clock: clock, store: store, timing: timing,
		Lease: time.Minute, Batch: 100, Thresholds: DefaultThresholds,
		TeamDefaults: TeamDefaults{TZ: "UTC", Framework: "bant"}, DigestTime: DefaultDigestTime, newID: randomID,
		teamsChangedAt: map[string]time.Time{}, teamMarks: newChangeMark(store, "teams")}
	s.notify = numbered{Notifier: notify, s: s}
	return s
}

// Timing returns the timing rules in force.
func (s *Service) Timing() Timing { return s.timing }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.clock.Now() }

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// maxAttempts bounds the read-apply-save loop under contention.
const maxAttempts = 8

// change reads a prospect, applies fn, and saves the result over the version
// it read. On a concurrent change it reads again and reapplies fn, so rules
// are always checked against what is stored.
func (s *Service) change(ctx context.Context, actor *Actor, workspace, id string, fn func(Prospect) (Prospect, bool, error)) (Prospect, bool, error) {
	return s.changeSeen(ctx, actor, workspace, Seen{ID: id}, fn)
}

// changeSeen is change of the prospect a form showed at seen.Version. Who
// may act, where the prospect stands and what changes are decided on the
// record as stored: the one this service read to open the form (opened),
// else read now, and saved only over that very version, so a decision is
// never made on a record that is no longer the stored one. When someone
// else changed the prospect after the form was opened, nothing is saved:
// a *StaleError says what they did.
func (s *Service) changeSeen(ctx context.Context, actor *Actor, workspace string, seen Seen, fn func(Prospect) (Prospect, bool, error)) (Prospect, bool, error) {
	return s.changeFrom(ctx, actor, workspace, seen, nil, fn)
}

// changeRead is change of a prospect the caller has just read from the
// store itself, saving a read; it reads again only after a conflict.
func (s *Service) changeRead(ctx context.Context, read Prospect, fn func(Prospect) (Prospect, bool, error)) (Prospect, bool, error) {
	return s.changeFrom(ctx, nil, read.Workspace, Seen{ID: read.ID}, &read, fn)
}

func (s *Service) changeFrom(ctx context.Context, actor *Actor, workspace string, seen Seen, read *Prospect, fn func(Prospect) (Prospect, bool, error)) (Prospect, bool, error) {
	for attempt := range maxAttempts {
		var cur Prospect
		var err error
		if attempt == 0 && read != nil {
			cur = *read
		} else if cur, err = s.current(ctx, workspace, seen.ID, attempt == 0); err != nil {
			return Prospect{}, false, err
		}
		if actor != nil {
			if err := s.checkActor(ctx, *actor, cur, seen); err != nil {
				return Prospect{}, false, err
			}
		}
		next, changed, err := fn(cur)
		if err != nil || !changed {
			return cur, false, err
		}
		next.Version = cur.Version + 1
		for i := len(cur.History); i < len(next.History); i++ {
			next.History[i].Version = next.Version
		}
		s.markCRM(cur, &next)
		err = s.store.Save(ctx, next)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return cur, false, err
		}
		return next, true, nil
	}
	return Prospect{}, false, fmt.Errorf("after %d attempts: %w", maxAttempts, ErrConflict)
}

// current is the stored prospect: the record read to open its form when
// that is allowed and kept, else read now.
func (s *Service) current(ctx context.Context, workspace, id string, mayUseOpened bool) (Prospect, error) {
	if mayUseOpened {
		if p, ok := s.opened.take(workspace, id, s.clock.Now()); ok {
			return p, nil
		}
	}
	return s.store.Prospect(ctx, workspace, id)
}

// checkActor refuses an actor who may not change the stored prospect cur,
// and a form that is stale: cur changed, by someone else, after seen.
func (s *Service) checkActor(ctx context.Context, a Actor, cur Prospect, seen Seen) error {
	ok, err := s.mayActOn(ctx, a, cur)
	if err != nil {
		return err
	}
	if !ok {
		return ErrForbidden // never show a refused actor the deal
	}
	if changes := cur.ChangedSince(seen.Version, a.User); len(changes) > 0 {
		return &StaleError{Account: cur.Account, Changes: changes}
	}
	return nil
}

// LogMeeting records a first meeting. It is not pipeline: the rep is asked
// after it whether a second meeting was booked.
func (s *Service) LogMeeting(ctx context.Context, m NewMeeting) (Prospect, error) {
	if err := m.Validate(); err != nil {
		return Prospect{}, err
	}
	if s.CalendarOn() {
		// The calendar may have brought this very meeting: merge, never
		// make two prospects of one meeting.
		ps, err := s.openProspects(ctx, m.Team, m.Owner)
		if err != nil {
			return Prospect{}, fmt.Errorf("log meeting with %s: %w", m.Account, err)
		}
		if twin, ok := calendarTwin(ps, m.Account, m.Start); ok {
			return twin, nil
		}
	}
	now := s.clock.Now()
	loc := ZoneLocation(m.TZ)
	p := Prospect{
		Workspace: m.Team, ID: s.newID(), Owner: m.Owner,
		Account: cleanText(m.Account), Contact: cleanText(m.Contact), TZ: m.TZ,
		FirstMeeting: m.Start, MeetingEnd: m.Start.Add(s.timing.MeetingDuration),
		CreatedAt: now, LastActivity: now, Version: 1,
	}
	p.FollowUpAt = s.timing.FirstAsk(p.MeetingEnd, now, loc)
	p.History = []Entry{{At: now, By: m.Owner, Event: EventLogged, To: Scheduled, Version: 1}}
	p.State = Scheduled
	if err := s.store.Save(ctx, p); err != nil {
		return Prospect{}, fmt.Errorf("log meeting with %s: %w", p.Account, err)
	}
	return p, nil
}

// Confirm records a booked second meeting: the prospect becomes an
// opportunity. Confirming again changes nothing (changed is false).
func (s *Service) Confirm(ctx context.Context, actor Actor, workspace, id string, sm SecondMeeting) (Prospect, bool, error) {
	return s.confirm(ctx, actor, workspace, Seen{ID: id}, sm)
}

// ConfirmSeen is Confirm from a form opened on the prospect at
// seen.Version (see changeSeen).
func (s *Service) ConfirmSeen(ctx context.Context, actor Actor, seen Seen, sm SecondMeeting) (Prospect, bool, error) {
	return s.confirm(ctx, actor, actor.Workspace, seen, sm)
}

func (s *Service) confirm(ctx context.Context, actor Actor, workspace string, seen Seen, sm SecondMeeting) (Prospect, bool, error) {
	p, changed, err := s.changeSeen(ctx, &actor, workspace, seen, func(p Prospect) (Prospect, bool, error) {
		return p.Confirm(s.clock.Now(), actor.User, sm)
	})
	if err != nil {
		return p, false, fmt.Errorf("confirm second meeting %s: %w", seen.ID, err)
	}
	return p, changed, nil
}

// NotYet records that no second meeting is booked yet; the rep is asked
// again after the reminder wait.
func (s *Service) NotYet(ctx context.Context, actor Actor, workspace, id string) (Prospect, error) {
	p, _, err := s.change(ctx, &actor, workspace, id, func(p Prospect) (Prospect, bool, error) {
		now := s.clock.Now()
		next, err := p.NotYet(now, actor.User, s.timing.ReminderAfter.After(s.timing.WorkingHours, now.In(p.Location())))
		return next, err == nil, err
	})
	if err != nil {
		return p, fmt.Errorf("not yet for %s: %w", id, err)
	}
	return p, nil
}

// Lose records a loss with its debrief.
func (s *Service) Lose(ctx context.Context, actor Actor, workspace, id string, r LossReport) (Prospect, error) {
	return s.lose(ctx, actor, workspace, Seen{ID: id}, r)
}

// LoseSeen is Lose from a form opened on the prospect at seen.Version.
func (s *Service) LoseSeen(ctx context.Context, actor Actor, seen Seen, r LossReport) (Prospect, error) {
	return s.lose(ctx, actor, actor.Workspace, seen, r)
}

func (s *Service) lose(ctx context.Context, actor Actor, workspace string, seen Seen, r LossReport) (Prospect, error) {
	p, _, err := s.changeSeen(ctx, &actor, workspace, seen, func(p Prospect) (Prospect, bool, error) {
		next, err := p.Lose(s.clock.Now(), actor.User, r)
		return next, err == nil, err
	})
	if err != nil {
		return p, fmt.Errorf("lose %s: %w", seen.ID, err)
	}
	return p, nil
}

// Win closes an opportunity as won.
func (s *Service) Win(ctx context.Context, actor Actor, workspace, id string) (Prospect, error) {
	p, _, err := s.change(ctx, &actor, workspace, id, func(p Prospect) (Prospect, bool, error) {
		next, err := p.Win(s.clock.Now(), actor.User)
		return next, err == nil, err
	})
	if err != nil {
		return p, fmt.Errorf("win %s: %w", id, err)
	}
	return p, nil
}

// Update records an update of an opportunity.
func (s *Service) Update(ctx context.Context, actor Actor, workspace, id string, u DealUpdate) (Prospect, error) {
	return s.update(ctx, actor, workspace, Seen{ID: id}, u)
}

// UpdateSeen is Update from a form opened on the prospect at seen.Version.
func (s *Service) UpdateSeen(ctx context.Context, actor Actor, seen Seen, u DealUpdate) (Prospect, error) {
	return s.update(ctx, actor, actor.Workspace, seen, u)
}

func (s *Service) update(ctx context.Context, actor Actor, workspace string, seen Seen, u DealUpdate) (Prospect, error) {
	p, _, err := s.changeSeen(ctx, &actor, workspace, seen, func(p Prospect) (Prospect, bool, error) {
		next, err := p.Update(s.clock.Now(), actor.User, u)
		return next, err == nil, err
	})
	if err != nil {
		return p, fmt.Errorf("update %s: %w", seen.ID, err)
	}
	return p, nil
}

// Prospect returns one prospect the actor may see, as stored. It is kept
// for a form opened on it (see Seen), so the form's submission decides on
// this very record without reading it again.
func (s *Service) Prospect(ctx context.Context, actor Actor, id string) (Prospect, error) {
	p, err := s.store.Prospect(ctx, actor.Workspace, id)
	if err != nil {
		return Prospect{}, fmt.Errorf("read prospect %s: %w", id, err)
	}
	ok, err := s.mayActOn(ctx, actor, p)
	if err != nil {
		return Prospect{}, err
	}
	if !ok {
		return Prospect{}, ErrForbidden
	}
	s.opened.keep(p, s.clock.Now()) // a form may open on it
	return p, nil
}

// Pipeline returns a rep's open prospects, grouped as the rep sees them:
// what an answer in words or a deal named in a command is matched against.
// Won and lost deals are not read (a store may return a few).
func (s *Service) Pipeline(ctx context.Context, team, owner string) (Pipeline, error) {
	ps, err := s.openProspects(ctx, team, owner)
	if err != nil {
		return Pipeline{}, fmt.Errorf("read pipeline of %s: %w", owner, err)
	}
	return GroupPipeline(ps, s.clock.Now()), nil
}

// openProspects reads a rep's open prospects, not the deals they won and
// lost over the years: matching a name or a meeting looks at open ones only.
func (s *Service) openProspects(ctx context.Context, team, owner string) ([]Prospect, error) {
	return s.store.ProspectsOfSince(ctx, team, owner, s.clock.Now())
}

// RunDue claims the follow-ups that have come due and sends each its
// question, exactly once across replicas. It returns how many jobs it
// handled; an error on one job does not stop the others.
func (s *Service) RunDue(ctx context.Context) (int, error) {
	jobs, err := s.store.ClaimDue(ctx, s.clock.Now(), s.Lease, s.Batch)
	if err != nil {
		return 0, err // a store's error already says "claim due jobs"
	}
	var errs []error
	claimed := len(jobs)
	jobs, crmJobs := splitCRMJobs(jobs)
	for i, j := range jobs {
		if ctx.Err() != nil {
			// Shutting down: hand what was not started to another replica
			// now rather than when the lease ends.
			var keys []string
			for _, rest := range append(jobs[i:], crmJobs...) {
				keys = append(keys, rest.Key)
			}
			release := s.store.Release(context.WithoutCancel(ctx), keys...)
			return i, errors.Join(append(errs, ctx.Err(), release)...)
		}
		jobCtx, cancel := s.jobContext(ctx)
		err := s.runJob(jobCtx, j)
		cancel()
		if err != nil && ctx.Err() != nil {
			err = errors.Join(err, s.store.Release(context.WithoutCancel(ctx), j.Key))
		}
		if s.OnJob != nil {
			s.OnJob(j, s.clock.Now().Sub(j.Due), err)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("run %s: %w", j.Key, err))
		}
	}
	if len(crmJobs) > 0 {
		errs = append(errs, s.runCRMJobs(ctx, crmJobs))
	}
	return claimed, errors.Join(errs...)
}

// StopGrace bounds how long a job under way may go on once RunDue's ctx
// has ended (a shutdown).
const StopGrace = 10 * time.Second

// jobContext is what one claimed job runs under. A shutdown does not cut it
// off: a post cancelled mid-flight may still reach Slack after its ledger
// reservation is forgotten, and be posted again by whoever runs the job
// next. The job gets at most its lease, and StopGrace once ctx has ended.
func (s *Service) jobContext(ctx context.Context) (context.Context, context.CancelFunc) {
	jobCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Lease)
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(StopGrace, cancel) })
	return jobCtx, func() { stop(); cancel() }
}

// runJob runs one claimed job by its kind.
func (s *Service) runJob(ctx context.Context, j Job) error {
	kind, rest, _ := strings.Cut(j.Key, "/")
	switch kind {
	case followUpJob:
		return s.followUp(ctx, j)
	case crmJob:
		if errs := s.runCRMJobs(ctx, []Job{j}); errs != nil {
			return errs
		}
		return nil
	case calendarJob:
		workspace, rep, ok := strings.Cut(rest, "/")
		if ok && workspace != "" && rep != "" {
			return s.runCalendar(ctx, j, workspace, rep)
		}
	case rosterJob:
		if rest != "" {
			return s.runRoster(ctx, j, rest)
		}
	case digestJob, nudgesJob, crmPullJob, historyJob:
		workspace, manager, ok := strings.Cut(rest, "/")
		if !ok || workspace == "" || manager == "" {
			break
		}
		switch kind {
		case digestJob:
			return s.runDigest(ctx, j, workspace, manager)
		case crmPullJob:
			return s.runPull(ctx, j, workspace, manager)
		case historyJob:
			return s.runHistory(ctx, j, workspace, manager)
		}
		return s.runNudges(ctx, j, workspace, manager)
	}
	// Not ours to run; drop it rather than claim it forever.
	return errors.Join(fmt.Errorf("job key %q: unknown kind", j.Key), s.store.Done(ctx, j.Key))
}

// Ledger values of a send: reserved while the post is under way, then the
// message it made.
const (
	sendPending = "pending"
	sendDone    = "sent"
	sendKeep    = 30 * 24 * time.Hour
)

func (s *Service) followUp(ctx context.Context, j Job) error {
	team, id, err := parseFollowUpKey(j.Key)
	if err != nil {
		return errors.Join(err, s.store.Done(ctx, j.Key))
	}
	p, err := s.store.Prospect(ctx, team, id)
	if errors.Is(err, ErrNotFound) {
		return s.store.Done(ctx, j.Key)
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if p.FollowUpAt.IsZero() || p.FollowUpAt.After(now) {
		// Moved or cleared since it was claimed; Save already rescheduled it.
		return nil
	}
	if p.celebrationDue() {
		return s.celebrate(ctx, p)
	}
	if !s.reachable(ctx, p.Workspace, p.Owner) {
		// The rep's account is deactivated: nobody is left to ask.
		_, _, err := s.change(ctx, nil, team, id, func(p Prospect) (Prospect, bool, error) {
			if p.FollowUpAt.IsZero() {
				return p, false, nil
			}
			stopped := p.clone()
			stopped.FollowUpAt = time.Time{}
			return stopped, true, nil
		})
		return err
	}
	if p, err = s.currentZone(ctx, p); err != nil {
		return err
	}
	if next := s.timing.WorkingHours.Next(now.In(p.Location())); next.After(now) {
		// Due outside the rep's working hours (after an outage, or a retry
		// past 18:00): wait for the morning rather than ping them at night.
		return s.postpone(ctx, p, now, next)
	}
	if until, held := s.holdUntil(ctx, p.Workspace, p.Owner, now, p.Location()); held {
		// A holiday, or the rep is away: the question waits until they are back.
		return s.postpone(ctx, p, now, until)
	}
	if p.State == Opportunity {
		return s.waitOver(ctx, p, now)
	}
	return s.ask(ctx, p, now)
}

// postpone moves p's due follow-up to until.
func (s *Service) postpone(ctx context.Context, p Prospect, now, until time.Time) error {
	_, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
		next, changed := p.Postpone(now, until)
		return next, changed, nil
	})
	return err
}

// ask sends p's next question, once, and records it; with every question
// asked, it ends the questions.
func (s *Service) ask(ctx context.Context, p Prospect, now time.Time) error {
	ask, ok, quiet := s.timing.nextAsk(p)
	if !ok {
		_, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
			return p.DoneAsking(now, quiet), true, nil
		})
		return err
	}
	key := fmt.Sprintf("ask/%s/%s/%d", p.Workspace, p.ID, ask.N)
	ref, err := s.sendOnce(ctx, key, func(ctx context.Context) (MessageRef, error) { return s.notify.Ask(ctx, p, ask) })
	if errors.Is(err, errInFlight) {
		return nil // its sender saves; if it died, our lease ends and we retry
	}
	if err != nil {
		return err
	}
	_, _, err = s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
		next, changed := p.Asked(now, ask.N, ref, s.timing.ReminderAfter.After(s.timing.WorkingHours, now.In(p.Location())))
		return next, changed, nil
	})
	return err
}

// sendOnce posts through send unless the ledger says key was posted
// already, and returns the message either way.
func (s *Service) sendOnce(ctx context.Context, key string, send func(context.Context) (MessageRef, error)) (MessageRef, error) {
	// The reservation outlives the send's own deadline, so a slow send is
	// never mistaken for a dead one and posted again by another replica.
	existing, reserved, err := s.store.Reserve(ctx, key, sendPending, 2*s.Lease)
	if err != nil {
		return MessageRef{}, fmt.Errorf("reserve send %s: %w", key, err)
	}
	if !reserved {
		if existing == sendPending {
			return MessageRef{}, fmt.Errorf("send %s: %w", key, errInFlight)
		}
		return parseSent(existing), nil
	}
	sendCtx, cancel := context.WithTimeout(ctx, s.Lease/2)
	ref, err := send(sendCtx)
	cancel()
	if err != nil && !errors.Is(err, ErrUndeliverable) {
		// Let the next claim try again (even when ctx ended mid-send).
		return MessageRef{}, errors.Join(fmt.Errorf("send %s: %w", key, err), s.store.Forget(context.WithoutCancel(ctx), key))
	}
	if err := s.recordSent(ctx, key, sendDone+" "+ref.Channel+" "+ref.TS); err != nil {
		return MessageRef{}, fmt.Errorf("record send %s: %w", key, err)
	}
	return ref, nil
}

// recordSent records in the ledger that a message went out. It was posted:
// it must not be posted again, and a reservation left pending ends with its
// TTL, after which the next claim would post it a second time. So a store
// that fails here (Redis failing over takes seconds) is tried again, with
// growing pauses, until the job's time is up.
func (s *Service) recordSent(ctx context.Context, key, value string) error {
	pause := 50 * time.Millisecond
	for {
		err := s.store.Record(ctx, key, value, sendKeep)
		if err == nil {
			return nil
		}
		wait := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			wait.Stop()
			return err
		case <-wait.C:
		}
		pause = min(2*pause, time.Second)
	}
}

// waitOver asks the rep about an opportunity whose recorded wait has ended.
// The wait's end stays recorded: the stalled clock counts from it.
func (s *Service) waitOver(ctx context.Context, p Prospect, now time.Time) error {
	if p.WaitingOn != "" && !p.WaitingUntil.After(now) {
		key := fmt.Sprintf("waitover/%s/%s/%d", p.Workspace, p.ID, p.WaitingUntil.Unix())
		_, err := s.sendOnce(ctx, key, func(ctx context.Context) (MessageRef, error) {
			return s.notify.Ask(ctx, p, Ask{Kind: AskWaitOver, N: p.Asks})
		})
		if errors.Is(err, errInFlight) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	_, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
		next, changed := p.WaitOver(now)
		return next, changed, nil
	})
	return err
}

// celebrate posts a shared loss to the team channel, once.
func (s *Service) celebrate(ctx context.Context, p Prospect) error {
	key := fmt.Sprintf("celebrate/%s/%s", p.Workspace, p.ID)
	ref, err := s.sendOnce(ctx, key, func(ctx context.Context) (MessageRef, error) { return s.notify.Celebrate(ctx, p) })
	if errors.Is(err, errInFlight) {
		return nil
	}
	if err != nil {
		return err
	}
	_, _, err = s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
		next, changed := p.Celebrated(ref)
		return next, changed, nil
	})
	return err
}

// errInFlight: another replica is posting this very question right now.
var errInFlight = errors.New("send in flight elsewhere")

func parseSent(v string) MessageRef {
	f := strings.Fields(v)
	if len(f) == 3 && f[0] == sendDone {
		return MessageRef{Channel: f[1], TS: f[2]}
	}
	return MessageRef{}
}
