package coach

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A team's won cycle (CycleOf) is measured on all its deals, years of them,
// but a rep's answer must not read them: it shows aged deals against the
// cycle, and a view that read the whole team's deals whenever its cached
// cycle lapsed took as long as the team is old. So the cycle is measured
// where the team's deals are read anyway (a manager's App Home, a digest)
// or by the scheduler, and stored in the ledger for every replica; a rep's
// answer reads only the stored cycle.
const (
	// cycleCacheFor is how long a replica reuses a fresh cycle it read or
	// measured: a cycle moves only as deals are won or lost.
	cycleCacheFor = 10 * time.Minute
	// cycleFreshFor: a stored cycle older than this is still used, and
	// the scheduler measures the team again (CycleKey).
	cycleFreshFor = 10 * time.Minute
	// cycleStaleCacheFor is how long a replica reuses a stale stored
	// cycle: about until the scheduler has measured it again.
	cycleStaleCacheFor = time.Minute
	// cycleKeep is how long a stored cycle is kept, and so used at all;
	// with none this recent (a new team, a scheduler stopped for a week),
	// the answer measures the team itself, as there is nothing better to
	// show.
	cycleKeep = 7 * 24 * time.Hour
)

// cycleJob is the kind of job that measures a team's won cycle again.
const cycleJob = "cycle"

// CycleKey is the key of the job that measures a team's won cycle again.
func CycleKey(workspace, manager string) string { return cycleJob + "/" + workspace + "/" + manager }

// CycleLedgerKey is where a team's measured cycle is stored.
func CycleLedgerKey(workspace, manager string) string {
	return "teamcycle/" + workspace + "/" + manager
}

// teamCycle is the won sales cycle of a team ("aged" is open well past it,
// Aged): the one its manager set, or the one its won deals show, as cached,
// stored or, with neither, measured now.
func (s *Service) teamCycle(ctx context.Context, t Team) time.Duration {
	now := s.clock.Now()
	if t.CycleDays > 0 {
		return s.Thresholds.CycleOf(t, nil, now)
	}
	if cycle, ok := s.cachedCycle(t, now); ok {
		return cycle
	}
	if cycle, at, ok := s.storedCycle(ctx, t); ok { // stored for cycleKeep at most
		keepFor := cycleCacheFor
		if now.Sub(at) >= cycleFreshFor {
			// The scheduler measures it again; this answer does not wait.
			// A job not scheduled is scheduled by the next answer.
			_ = s.store.Schedule(ctx, CycleKey(t.Workspace, t.Manager), now)
			keepFor = cycleStaleCacheFor
		}
		s.cacheCycle(t, cycle, now.Add(keepFor))
		return cycle
	}
	cycle, err := s.measureCycle(ctx, t)
	if err != nil {
		// Shown with the default, and not kept: the next answer tries again.
		return s.Thresholds.DefaultCycle
	}
	return cycle
}

// measureCycle reads the team's deals, and keeps and stores the cycle they
// show.
func (s *Service) measureCycle(ctx context.Context, t Team) (time.Duration, error) {
	ps, err := s.teamProspects(ctx, t)
	if err != nil {
		return 0, fmt.Errorf("measure the won cycle of %s's team: %w", t.Manager, err)
	}
	cycle := s.Thresholds.CycleOf(t, ps, s.clock.Now())
	return cycle, s.keepCycle(ctx, t, cycle)
}

// keepCycle caches and stores the cycle a team's deals show, however they
// were read. A cycle the manager set is neither: it is on the team, and a
// kept one would outlive the manager's next change.
func (s *Service) keepCycle(ctx context.Context, t Team, cycle time.Duration) error {
	if t.CycleDays > 0 {
		return nil
	}
	now := s.clock.Now()
	s.cacheCycle(t, cycle, now.Add(cycleCacheFor))
	value := strconv.FormatInt(int64(cycle), 10) + " " + strconv.FormatInt(now.UnixNano(), 10)
	if err := s.store.Record(ctx, CycleLedgerKey(t.Workspace, t.Manager), value, cycleKeep); err != nil {
		return fmt.Errorf("store the won cycle of %s's team: %w", t.Manager, err)
	}
	return nil
}

// storedCycle is the cycle last stored for the team, and when it was
// measured. A value it cannot read counts as none: it is measured again.
func (s *Service) storedCycle(ctx context.Context, t Team) (time.Duration, time.Time, bool) {
	v, found, err := s.store.Lookup(ctx, CycleLedgerKey(t.Workspace, t.Manager))
	if err != nil || !found {
		return 0, time.Time{}, false
	}
	c, at, ok := strings.Cut(v, " ")
	cycle, err1 := strconv.ParseInt(c, 10, 64)
	ns, err2 := strconv.ParseInt(at, 10, 64)
	if !ok || err1 != nil || err2 != nil || cycle <= 0 {
		return 0, time.Time{}, false
	}
	return time.Duration(cycle), time.Unix(0, ns), true
}

func (s *Service) cachedCycle(t Team, now time.Time) (time.Duration, bool) {
	s.teamCacheMu.Lock()
	defer s.teamCacheMu.Unlock()
	e, ok := s.cycleCache[CycleLedgerKey(t.Workspace, t.Manager)]
	if !ok || !now.Before(e.until) {
		return 0, false
	}
	return e.cycle, true
}

func (s *Service) cacheCycle(t Team, cycle time.Duration, until time.Time) {
	s.teamCacheMu.Lock()
	defer s.teamCacheMu.Unlock()
	if s.cycleCache == nil || len(s.cycleCache) > 10000 {
		s.cycleCache = map[string]cycleCacheEntry{}
	}
	s.cycleCache[CycleLedgerKey(t.Workspace, t.Manager)] = cycleCacheEntry{cycle: cycle, until: until}
}

type cycleCacheEntry struct {
	cycle time.Duration
	until time.Time
}

// runCycle measures a team's won cycle again, once, for the answers that
// found the stored one stale.
func (s *Service) runCycle(ctx context.Context, j Job, workspace, manager string) error {
	t, err := s.store.Team(ctx, workspace, manager)
	if errors.Is(err, ErrNotFound) {
		return s.store.Done(ctx, j.Key) // no longer a manager
	}
	if err != nil {
		return err
	}
	if t.CycleDays == 0 {
		if _, err := s.measureCycle(ctx, t); err != nil {
			return err
		}
	}
	return s.store.Done(ctx, j.Key)
}
