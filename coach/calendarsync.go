package coach

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// CalendarSettings turn calendar reading on: without a Source, first
// meetings are logged by hand only.
type CalendarSettings struct {
	Source CalendarSource
	// Poll is how often each rep's calendar is read (CALENDAR_POLL); the
	// reps' reads are spread over it rather than made all at once.
	Poll time.Duration
	// Lookback is how far back a calendar shows earlier meetings with a
	// company (CALENDAR_LOOKBACK).
	Lookback time.Duration
	// Internal are the company's own mail domains besides those learned
	// from the mailboxes read (INTERNAL_DOMAINS).
	Internal []string
	// Mailboxes finds a rep's mailbox: the email in their Slack profile.
	Mailboxes Mailboxes
	// OnRead, when set, hears of every read: for logs and metrics.
	OnRead func(c CalendarSync, ch CalendarChanges, err error)
}

// Mailboxes tells about people: their email (the mailbox read) and their
// time zone (the questions' timing).
type Mailboxes interface {
	Email(ctx context.Context, workspace, user string) (string, error)
	Zone(ctx context.Context, workspace, user string) string
}

// ErrProfileUnread: the rep's Slack profile, where the email that names
// their calendar is, could not be read just now. Trouble, not a refusal:
// asking again later works.
var ErrProfileUnread = errors.New("the Slack profile could not be read")

// Defaults of calendar reading.
const (
	DefaultCalendarPoll     = 2 * time.Minute
	DefaultCalendarLookback = 180 * 24 * time.Hour
	// CalendarFullEvery: a full read now and then moves Graph's window
	// ahead and forgets meetings older than the lookback.
	CalendarFullEvery = 7 * 24 * time.Hour
	// CalendarGoneRetry: a mailbox that is gone is tried again this rarely.
	CalendarGoneRetry = 6 * time.Hour
	// CalendarMaxBackoff bounds the wait after failures.
	CalendarMaxBackoff = time.Hour
	// CalendarRosterEvery: how often the reps on teams are enrolled.
	CalendarRosterEvery = time.Hour
	// mergeWindow: a meeting logged by hand within this of one the
	// calendar brought, with the same company, is that meeting.
	mergeWindow = 24 * time.Hour
)

// Job kinds of calendar reading.
const (
	calendarJob = "calendar"
	rosterJob   = "calroster"
)

// CalendarKey is the key of the job that reads a rep's calendar.
func CalendarKey(workspace, rep string) string { return calendarJob + "/" + workspace + "/" + rep }

// CalendarOn reports whether calendars are read at all.
func (s *Service) CalendarOn() bool { return s.Calendar.Source != nil }

func (s *Service) calendarPoll() time.Duration {
	if s.Calendar.Poll > 0 {
		return s.Calendar.Poll
	}
	return DefaultCalendarPoll
}

func (s *Service) calendarLookback() time.Duration {
	if s.Calendar.Lookback > 0 {
		return s.Calendar.Lookback
	}
	return DefaultCalendarLookback
}

// CalendarProspectID is the id of the prospect an event makes. It is the
// same on every replica, so two replicas reading one calendar at once
// make one prospect: the second save finds the first (ErrConflict).
func CalendarProspectID(workspace, rep, eventID string) string {
	sum := sha256.Sum256([]byte(workspace + "\x00" + rep + "\x00" + eventID))
	return "cal" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// spread is a rep's fixed offset within the poll interval, so 300 reps
// are read a few at a time rather than all in one burst.
func spread(workspace, rep string, poll time.Duration) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(workspace + "/" + rep))
	return time.Duration(h.Sum64() % uint64(poll))
}

// StartCalendar schedules the enrolment of a workspace's reps: at once,
// then every CalendarRosterEvery. Replicas may all call it.
func (s *Service) StartCalendar(ctx context.Context, workspace string) error {
	if !s.CalendarOn() || s.Calendar.Mailboxes == nil {
		return nil
	}
	return s.store.Schedule(ctx, rosterJob+"/"+workspace, s.clock.Now())
}

// runRoster enrols every rep on a team whose calendar is not read yet.
func (s *Service) runRoster(ctx context.Context, j Job, workspace string) error {
	teams, err := s.store.Teams(ctx, workspace)
	if err != nil {
		return fmt.Errorf("calendar roster of %s: %w", workspace, err)
	}
	var errs []error
	for _, t := range teams {
		for _, rep := range t.Reps {
			if _, err := s.store.CalendarSync(ctx, workspace, rep); !errors.Is(err, ErrNotFound) {
				if err != nil {
					errs = append(errs, err)
				}
				continue
			}
			if err := s.EnrolCalendar(ctx, workspace, rep); err != nil {
				errs = append(errs, err)
			}
		}
	}
	errs = append(errs, s.store.Schedule(ctx, j.Key, s.clock.Now().Add(CalendarRosterEvery)))
	return errors.Join(errs...)
}

// EnrolCalendar starts reading a rep's calendar, found by the email in
// their profile, unless it is read already. It is quiet: nothing is sent.
func (s *Service) EnrolCalendar(ctx context.Context, workspace, rep string) error {
	if !s.CalendarOn() || s.Calendar.Mailboxes == nil {
		return nil
	}
	mailbox, err := s.Calendar.Mailboxes.Email(ctx, workspace, rep)
	if err != nil {
		return fmt.Errorf("email of %s: %w", rep, errors.Join(ErrProfileUnread, err))
	}
	if mailbox == "" {
		return nil // no email in the profile (a bot, a guest): nothing to read
	}
	_, err = s.changeCalendar(ctx, workspace, rep, true, func(c CalendarSync) (CalendarSync, bool) {
		if c.Version > 0 && strings.EqualFold(c.Mailbox, mailbox) {
			return c, false
		}
		now := s.clock.Now()
		if c.Version == 0 {
			c.Since = now
		}
		c.Mailbox, c.Cursor, c.Gone, c.Failures = strings.ToLower(mailbox), "", false, 0
		c.NextRead = now.Add(spread(workspace, rep, s.calendarPoll()))
		return c, true
	})
	return err
}

// changeCalendar reads a rep's calendar sync (a new one when create is
// set and there is none), applies fn and saves over the version read;
// when fn changed it, the rep's read is scheduled at NextRead (removed when
// off). On a concurrent change it reads again and reapplies fn.
func (s *Service) changeCalendar(ctx context.Context, workspace, rep string, create bool, fn func(CalendarSync) (CalendarSync, bool)) (CalendarSync, error) {
	for range maxAttempts {
		cur, err := s.store.CalendarSync(ctx, workspace, rep)
		if errors.Is(err, ErrNotFound) && create {
			cur, err = CalendarSync{Workspace: workspace, Rep: rep}, nil
		}
		if err != nil {
			return cur, fmt.Errorf("calendar of %s: %w", rep, err)
		}
		next, changed := fn(cur.clone())
		if !changed {
			return cur, nil
		}
		next.Version = cur.Version + 1
		err = s.store.SaveCalendarSync(ctx, next)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return cur, fmt.Errorf("save calendar of %s: %w", rep, err)
		}
		key := CalendarKey(workspace, rep)
		if next.Off {
			return next, s.store.Done(ctx, key)
		}
		return next, s.store.Schedule(ctx, key, next.NextRead)
	}
	return CalendarSync{}, fmt.Errorf("calendar of %s: after %d attempts: %w", rep, maxAttempts, ErrConflict)
}

// runCalendar reads one rep's calendar and follows what changed.
func (s *Service) runCalendar(ctx context.Context, j Job, workspace, rep string) error {
	c, err := s.store.CalendarSync(ctx, workspace, rep)
	if errors.Is(err, ErrNotFound) {
		return s.store.Done(ctx, j.Key)
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	switch {
	case c.Off || !s.CalendarOn():
		return s.store.Done(ctx, j.Key)
	case c.NextRead.After(now):
		return s.store.Schedule(ctx, j.Key, c.NextRead) // moved since it was claimed
	}
	ch, err := s.readCalendar(ctx, c, now)
	if s.Calendar.OnRead != nil {
		s.Calendar.OnRead(c, ch, err)
	}
	if err != nil {
		_, serr := s.changeCalendar(ctx, workspace, rep, false, func(cur CalendarSync) (CalendarSync, bool) {
			cur.Failures++
			cur.LastError, cur.ErrorAt = calendarErrorWords(err), now
			cur.Gone = errors.Is(err, ErrMailboxGone)
			cur.NextRead = now.Add(s.calendarBackoff(err, cur.Failures))
			if errors.Is(err, ErrCursorExpired) {
				cur.Cursor = ""
			}
			return cur, true
		})
		return serr
	}
	known, err := s.followCalendar(ctx, c, ch, now)
	if err != nil {
		return fmt.Errorf("follow calendar of %s: %w", rep, err)
	}
	_, err = s.changeCalendar(ctx, workspace, rep, false, func(cur CalendarSync) (CalendarSync, bool) {
		if cur.Cursor != c.Cursor && !cur.LastRead.Before(now) {
			return cur, false // another replica read it meanwhile, and recorded it
		}
		cur.Cursor = ch.Cursor
		if ch.Full {
			cur.FullAt = now
		}
		cur.Met = known
		cur.LastRead, cur.Reads, cur.Events = now, cur.Reads+1, cur.Events+int64(len(ch.Events))
		cur.Failures, cur.Gone = 0, false
		cur.NextRead = now.Add(s.calendarPoll())
		return cur, true
	})
	return err
}

// readCalendar reads what changed, everything when there is no cursor,
// the last full read is old, or the provider forgot the cursor.
func (s *Service) readCalendar(ctx context.Context, c CalendarSync, now time.Time) (CalendarChanges, error) {
	since := now.Add(-s.calendarLookback())
	cursor := c.Cursor
	if now.Sub(c.FullAt) >= CalendarFullEvery {
		cursor = ""
	}
	ch, err := s.Calendar.Source.Changes(ctx, c.Mailbox, cursor, since)
	if errors.Is(err, ErrCursorExpired) && cursor != "" {
		requests := ch.Requests
		ch, err = s.Calendar.Source.Changes(ctx, c.Mailbox, "", since)
		ch.Requests += requests
	}
	return ch, err
}

// calendarBackoff is how long to wait after a failed read: what the
// provider asked for, at least the poll doubled per failure, an hour at
// most; a gone mailbox much longer.
func (s *Service) calendarBackoff(err error, failures int) time.Duration {
	if errors.Is(err, ErrMailboxGone) {
		return CalendarGoneRetry
	}
	wait := min(s.calendarPoll()<<min(failures-1, 10), CalendarMaxBackoff)
	var later *RetryLaterError
	if errors.As(err, &later) {
		wait = max(wait, later.After)
	}
	return wait
}

// calendarErrorWords is a failure as an admin reads it.
func calendarErrorWords(err error) string {
	var later *RetryLaterError
	switch {
	case errors.Is(err, ErrMailboxGone):
		return "the mailbox does not exist or cannot be read (left the company? delegation or permission missing?)"
	case errors.As(err, &later):
		return "the calendar service asked to slow down or is down: " + later.Err.Error()
	}
	return err.Error()
}

// followCalendar applies a read: new first meetings become prospects,
// changed ones move or are withdrawn, later meetings with a company become
// evidence. It returns the companies met, to keep.
func (s *Service) followCalendar(ctx context.Context, c CalendarSync, ch CalendarChanges, now time.Time) (map[string]time.Time, error) {
	known := map[string]time.Time{}
	if !ch.Full {
		for k, v := range c.Met {
			if now.Sub(v) <= s.calendarLookback() {
				known[k] = v
			}
		}
	}
	if len(ch.Events) == 0 {
		return known, nil
	}
	ps, err := s.teamProspectsOf(ctx, c)
	if err != nil {
		return nil, err
	}
	f := newCalendarFollow(c, known, ps, now)
	f.k = Known{Internal: s.internalDomains(ctx, c), Met: f.met, Ignored: c.Ignored}
	events := slices.Clone(ch.Events)
	sort.SliceStable(events, func(i, j int) bool { return events[i].Start.Before(events[j].Start) })
	var errs []error
	for _, ev := range events {
		errs = append(errs, s.followOne(ctx, f, ev))
	}
	return known, errors.Join(errs...)
}

// teamProspectsOf reads the prospects of the calendar's rep and of the
// rep's teammates (the rep alone without a team).
func (s *Service) teamProspectsOf(ctx context.Context, c CalendarSync) ([]Prospect, error) {
	owners := []string{c.Rep}
	if t, err := s.store.TeamOf(ctx, c.Workspace, c.Rep); err == nil {
		for _, r := range t.Reps {
			if r != c.Rep {
				owners = append(owners, r)
			}
		}
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	return s.store.ProspectsOfOwners(ctx, c.Workspace, owners)
}

// calendarFollow is what a read is applied with, as the events change it.
type calendarFollow struct {
	c   CalendarSync
	now time.Time
	// known are the companies met, to keep; met also holds the team's
	// first meetings (k.Met is met); names are the accounts met, folded.
	known, met, names map[string]time.Time
	mine              map[string]Prospect // the rep's prospects, by id
	k                 Known
}

// newCalendarFollow starts from the companies known and the team's
// prospects: the rep's own, and the companies and accounts the team met
// (withdrawn meetings never happened).
func newCalendarFollow(c CalendarSync, known map[string]time.Time, ps []Prospect, now time.Time) *calendarFollow {
	f := &calendarFollow{
		c: c, now: now, known: known,
		met:   maps.Clone(known),
		names: map[string]time.Time{},
		mine:  map[string]Prospect{},
	}
	for _, p := range ps {
		if p.Owner == c.Rep {
			f.mine[p.ID] = p
		}
		if p.State == Withdrawn {
			continue
		}
		if p.Calendar != nil && p.Calendar.Company != "" {
			earliest(f.met, p.Calendar.Company, p.FirstMeeting)
		}
		earliest(f.names, fold(p.Account), p.FirstMeeting)
	}
	return f
}

// followOne applies one event: it moves or withdraws the prospect it made,
// or makes a new first meeting, or offers it as evidence.
func (s *Service) followOne(ctx context.Context, f *calendarFollow, ev CalendarEvent) error {
	id := CalendarProspectID(f.c.Workspace, f.c.Rep, ev.ID)
	if p, ok := f.mine[id]; ok {
		p, changed, err := s.followEvent(ctx, p, ev, f.now)
		if err != nil {
			return err
		}
		if changed {
			f.mine[id] = p
		}
		return nil
	}
	if ev.Cancelled {
		return s.dropEvidence(ctx, f.mine, ev.ID)
	}
	v := f.classify(ev)
	switch {
	case v.First && !ev.Start.Before(f.c.Since):
		p, err := s.meetingFromCalendar(ctx, f.c, ev, v, f.mine, f.now)
		if err != nil {
			return err
		}
		f.mine[p.ID] = p
		earliest(f.met, v.Company, ev.Start)
		earliest(f.names, fold(p.Account), ev.Start)
	case v.First:
		earliest(f.met, v.Company, ev.Start) // before reading began: evidence only
	case !v.Earlier.IsZero():
		return s.offerEvidence(ctx, f.mine, ev, v)
	}
	return nil
}

// classify classifies an event not yet followed, and keeps its company as
// met when the rep went.
func (f *calendarFollow) classify(ev CalendarEvent) Verdict {
	v := Classify(ev, f.k)
	if v.First {
		if at, ok := f.names[fold(v.Account)]; ok && at.Before(ev.Start.Add(-mergeWindow)) {
			v.First, v.Earlier = false, at // met under that name, logged by hand
		}
	}
	if v.Company != "" && !ev.AllDay && !(ev.Declined && !ev.Organizer) {
		earliest(f.known, v.Company, ev.Start)
	}
	return v
}

func earliest(m map[string]time.Time, key string, at time.Time) {
	if key == "" {
		return
	}
	if old, ok := m[key]; !ok || at.Before(old) {
		m[key] = at
	}
}

// internalDomains are the company's own: INTERNAL_DOMAINS and the domains
// of every mailbox read in the workspace (cached a poll interval).
func (s *Service) internalDomains(ctx context.Context, c CalendarSync) []string {
	domains := slices.Clone(s.Calendar.Internal)
	add := func(mailbox string) {
		if d := DomainOf(mailbox); d != "" && !PersonalDomain(d) && !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	add(c.Mailbox)
	for _, m := range s.calCache.mailboxes(ctx, s, c.Workspace) {
		add(m)
	}
	return domains
}

// calendarCache keeps the workspace's mailboxes for internalDomains.
type calendarCache struct {
	mu   sync.Mutex
	byWS map[string]cachedMailboxes
}

type cachedMailboxes struct {
	at        time.Time
	mailboxes []string
}

func (cc *calendarCache) mailboxes(ctx context.Context, s *Service, workspace string) []string {
	now := s.clock.Now()
	cc.mu.Lock()
	hit, ok := cc.byWS[workspace]
	cc.mu.Unlock()
	if ok && now.Sub(hit.at) < s.calendarPoll() {
		return hit.mailboxes
	}
	all, err := s.store.CalendarSyncs(ctx, workspace)
	if err != nil {
		return hit.mailboxes
	}
	var ms []string
	for _, c := range all {
		ms = append(ms, c.Mailbox)
	}
	cc.mu.Lock()
	if cc.byWS == nil {
		cc.byWS = map[string]cachedMailboxes{}
	}
	cc.byWS[workspace] = cachedMailboxes{at: now, mailboxes: ms}
	cc.mu.Unlock()
	return ms
}

// meetingFromCalendar makes the prospect of a first meeting the calendar
// brought, or attaches the event to the same meeting logged by hand.
func (s *Service) meetingFromCalendar(ctx context.Context, c CalendarSync, ev CalendarEvent, v Verdict, mine map[string]Prospect, now time.Time) (Prospect, error) {
	meeting := meetingOf(ev, v.Company)
	for _, p := range mine {
		if p.Calendar == nil && p.State == Scheduled && p.Asks == 0 && fold(p.Account) == fold(v.Account) && absDuration(p.FirstMeeting.Sub(ev.Start)) <= mergeWindow {
			merged, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
				if p.Calendar != nil {
					return p, false, nil
				}
				next := p.clone()
				next.Calendar = &meeting
				next.moveTo(ev.Start, ev.End, s.timing, now)
				if next.Contact == "" {
					next.Contact = v.Contact
				}
				return next, true, nil
			})
			return merged, err
		}
	}
	end := ev.End
	if !end.After(ev.Start) {
		end = ev.Start.Add(s.timing.MeetingDuration)
	}
	tz := s.repZone(ctx, c.Workspace, c.Rep)
	p := Prospect{
		Workspace: c.Workspace, ID: CalendarProspectID(c.Workspace, c.Rep, ev.ID), Owner: c.Rep,
		Account: truncateRunes(v.Account, MaxAccountLen), Contact: truncateRunes(v.Contact, MaxContactLen), TZ: tz,
		FirstMeeting: ev.Start, MeetingEnd: end, State: Scheduled, Calendar: &meeting,
		CreatedAt: now, LastActivity: now, Version: 1,
		History: []Entry{{At: now, By: SystemActor, Event: EventLogged, To: Scheduled}},
	}
	p.FollowUpAt = s.timing.FirstAsk(end, now, ZoneLocation(tz))
	err := s.store.Save(ctx, p)
	if errors.Is(err, ErrConflict) {
		// Another replica read the same event first: its prospect stands.
		return s.store.Prospect(ctx, c.Workspace, p.ID)
	}
	if err != nil {
		return Prospect{}, fmt.Errorf("first meeting with %s from the calendar: %w", p.Account, err)
	}
	return p, nil
}

// repZone is the zone a rep's questions are timed in: theirs in Slack,
// else the default.
func (s *Service) repZone(ctx context.Context, workspace, rep string) string {
	if s.Calendar.Mailboxes != nil {
		if tz := s.Calendar.Mailboxes.Zone(ctx, workspace, rep); tz != "" {
			return tz
		}
	}
	return s.TeamDefaults.TZ
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// moveTo moves the first meeting, and the question after it.
func (p *Prospect) moveTo(start, end time.Time, tm Timing, now time.Time) {
	if !end.After(start) {
		end = start.Add(tm.MeetingDuration)
	}
	p.FirstMeeting, p.MeetingEnd = start, end
	p.FollowUpAt = tm.FirstAsk(end, now, p.Location())
}

// followEvent follows a change of the event a prospect came from. The
// calendar changes only what the rep has not answered: a moved meeting
// moves the question, a cancelled or declined one withdraws the prospect
// before it is asked.
func (s *Service) followEvent(ctx context.Context, p Prospect, ev CalendarEvent, now time.Time) (Prospect, bool, error) {
	if p.State != Scheduled || p.Asks > 0 || p.Calendar == nil {
		return p, false, nil
	}
	gone := ev.Cancelled || (ev.Declined && !ev.Organizer)
	moved := !ev.Start.IsZero() && (!ev.Start.Equal(p.FirstMeeting) || (!ev.End.IsZero() && !ev.End.Equal(p.MeetingEnd)))
	if !gone && !moved {
		return p, false, nil
	}
	return s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
		if p.State != Scheduled || p.Asks > 0 {
			return p, false, nil
		}
		next := p.clone()
		if gone {
			next.withdraw(now, SystemActor)
			return next, true, nil
		}
		next.moveTo(ev.Start, ev.End, s.timing, now)
		meeting := meetingOf(ev, p.Calendar.Company)
		next.Calendar = &meeting
		next.History = append(next.History, Entry{At: now, By: SystemActor, Event: EventMoved, From: p.State, To: p.State})
		return next, true, nil
	})
}

// withdraw takes a prospect out of the rule: history keeps it, no metric
// counts it, nothing more is asked.
func (p *Prospect) withdraw(at time.Time, by string) {
	p.FollowUpAt = time.Time{}
	p.NextMeeting = nil
	p.record(at, by, EventWithdrawn, Withdrawn)
}

// offerEvidence records a later meeting with a company as the evidence of
// a second meeting on the rep's open prospect with that company: the
// earliest such meeting after the first.
func (s *Service) offerEvidence(ctx context.Context, mine map[string]Prospect, ev CalendarEvent, v Verdict) error {
	for id, p := range mine {
		if (p.State != Scheduled && p.State != Awaiting) || !ev.Start.After(p.FirstMeeting) {
			continue
		}
		same := (p.Calendar != nil && p.Calendar.Company == v.Company) || fold(p.Account) == fold(v.Account)
		if !same {
			continue
		}
		if cur := p.NextMeeting; cur != nil && cur.EventID != ev.ID && !cur.Start.After(ev.Start) {
			continue
		}
		meeting := meetingOf(ev, v.Company)
		next, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
			if p.State != Scheduled && p.State != Awaiting {
				return p, false, nil
			}
			next := p.clone()
			next.NextMeeting = &meeting
			return next, true, nil
		})
		if err != nil {
			return err
		}
		mine[id] = next
	}
	return nil
}

// dropEvidence forgets a cancelled meeting offered as evidence.
func (s *Service) dropEvidence(ctx context.Context, mine map[string]Prospect, eventID string) error {
	for id, p := range mine {
		if p.NextMeeting == nil || p.NextMeeting.EventID != eventID {
			continue
		}
		next, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
			if p.NextMeeting == nil || p.NextMeeting.EventID != eventID {
				return p, false, nil
			}
			next := p.clone()
			next.NextMeeting = nil
			return next, true, nil
		})
		if err != nil {
			return err
		}
		mine[id] = next
	}
	return nil
}
