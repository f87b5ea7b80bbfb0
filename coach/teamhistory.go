package coach

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A team's won cycle (WonCycle) is measured on all its deals, years of them,
// and so is the week its trend starts (Trend), but no answer may read them
// all: a rep's view shows aged deals against the cycle, and a view that read
// the whole team's deals whenever its cached cycle lapsed took as long as
// the team is old; a manager's digest would read years to show ninety days.
// So what the team's history says is measured where all its deals are read
// anyway or by the scheduler, and stored in the ledger for every replica;
// answers read only what is stored.
const (
	// historyCacheFor is how long a replica reuses a fresh history it
	// read or measured: it moves only as deals are won or lost.
	historyCacheFor = 10 * time.Minute
	// historyFreshFor: a stored history older than this is still used,
	// and the scheduler measures the team again (HistoryKey).
	historyFreshFor = 10 * time.Minute
	// historyStaleCacheFor is how long a replica reuses a stale stored
	// history: about until the scheduler has measured it again.
	historyStaleCacheFor = time.Minute
	// historyKeep is how long a stored history is kept, and so used at
	// all; with none this recent (a new team, a scheduler stopped for a
	// week), the answer measures the team itself, as there is nothing
	// better to show.
	historyKeep = 7 * 24 * time.Hour
)

// teamHistory is what all of a team's deals say that its recent ones
// cannot: the won cycle they show (whatever cycle the manager set) and
// when its first deal began (zero: none yet), where its trend starts.
type teamHistory struct {
	won   time.Duration
	first time.Time
}

// historyOf is what the team's deals ps, all of them, say at now.
func (t Thresholds) historyOf(ps []Prospect, now time.Time) teamHistory {
	h := teamHistory{won: t.WonCycle(ps, now)}
	for _, p := range ps {
		if len(p.History) > 0 && (h.first.IsZero() || p.History[0].At.Before(h.first)) {
			h.first = p.History[0].At
		}
	}
	return h
}

// cycle is the team's won cycle: the one its manager set, or the one its
// deals show.
func (h teamHistory) cycle(t Team) time.Duration {
	if set, ok := t.setCycle(); ok {
		return set
	}
	return h.won
}

// historyJob is the kind of job that measures a team's history again.
const historyJob = "history"

// HistoryKey is the key of the job that measures a team's history (its won
// cycle, its first week) again.
func HistoryKey(workspace, manager string) string {
	return historyJob + "/" + workspace + "/" + manager
}

// HistoryLedgerKey is where a team's measured history is stored.
func HistoryLedgerKey(workspace, manager string) string {
	return "teamhistory/" + workspace + "/" + manager
}

// teamCycle is the won sales cycle of a team ("aged" is open well past it,
// Aged): the one its manager set, or the one its deals show, as cached,
// stored or, with neither, measured now.
func (s *Service) teamCycle(ctx context.Context, t Team) time.Duration {
	if set, ok := t.setCycle(); ok {
		return set
	}
	if h, ok := s.knownHistory(ctx, t); ok {
		return h.cycle(t)
	}
	h, err := s.measureHistory(ctx, t)
	if err != nil {
		// Shown with the default, and not kept: the next answer tries again.
		return s.Thresholds.DefaultCycle
	}
	return h.cycle(t)
}

// knownHistory is the team's history as this replica cached it, or as
// stored; a stale one is used while the scheduler measures it again.
func (s *Service) knownHistory(ctx context.Context, t Team) (teamHistory, bool) {
	now := s.clock.Now()
	if h, ok := s.cachedHistory(t, now); ok {
		return h, true
	}
	h, at, ok := s.storedHistory(ctx, t)
	if !ok { // stored for historyKeep at most
		return teamHistory{}, false
	}
	keepFor := historyCacheFor
	if now.Sub(at) >= historyFreshFor {
		// The scheduler measures it again; this answer does not wait. A
		// job not scheduled is scheduled by the next answer.
		_ = s.store.Schedule(ctx, HistoryKey(t.Workspace, t.Manager), now)
		keepFor = historyStaleCacheFor
	}
	s.cacheHistory(t, h, now.Add(keepFor))
	return h, true
}

// measureHistory reads all the team's deals, and keeps and stores what
// they say.
func (s *Service) measureHistory(ctx context.Context, t Team) (teamHistory, error) {
	ps, err := s.teamProspects(ctx, t)
	if err != nil {
		return teamHistory{}, fmt.Errorf("measure the history of %s's team: %w", t.Manager, err)
	}
	h := s.Thresholds.historyOf(ps, s.clock.Now())
	return h, s.keepHistory(ctx, t, h)
}

// keepHistory caches and stores what a team's deals say, however they were
// read.
func (s *Service) keepHistory(ctx context.Context, t Team, h teamHistory) error {
	now := s.clock.Now()
	s.cacheHistory(t, h, now.Add(historyCacheFor))
	var first int64
	if !h.first.IsZero() {
		first = h.first.UnixNano()
	}
	value := fmt.Sprintf("%d %d %d", int64(h.won), first, now.UnixNano())
	if err := s.store.Record(ctx, HistoryLedgerKey(t.Workspace, t.Manager), value, historyKeep); err != nil {
		return fmt.Errorf("store the history of %s's team: %w", t.Manager, err)
	}
	return nil
}

// storedHistory is the history last stored for the team, and when it was
// measured. A value it cannot read counts as none: it is measured again.
func (s *Service) storedHistory(ctx context.Context, t Team) (teamHistory, time.Time, bool) {
	v, found, err := s.store.Lookup(ctx, HistoryLedgerKey(t.Workspace, t.Manager))
	if err != nil || !found {
		return teamHistory{}, time.Time{}, false
	}
	fields := strings.Fields(v)
	if len(fields) != 3 {
		return teamHistory{}, time.Time{}, false
	}
	var n [3]int64
	for i, f := range fields {
		if n[i], err = strconv.ParseInt(f, 10, 64); err != nil {
			return teamHistory{}, time.Time{}, false
		}
	}
	if n[0] <= 0 {
		return teamHistory{}, time.Time{}, false
	}
	h := teamHistory{won: time.Duration(n[0])}
	if n[1] != 0 {
		h.first = time.Unix(0, n[1]).UTC()
	}
	return h, time.Unix(0, n[2]), true
}

func (s *Service) cachedHistory(t Team, now time.Time) (teamHistory, bool) {
	s.teamCacheMu.Lock()
	defer s.teamCacheMu.Unlock()
	e, ok := s.historyCache[HistoryLedgerKey(t.Workspace, t.Manager)]
	if !ok || !now.Before(e.until) {
		return teamHistory{}, false
	}
	return e.h, true
}

func (s *Service) cacheHistory(t Team, h teamHistory, until time.Time) {
	s.teamCacheMu.Lock()
	defer s.teamCacheMu.Unlock()
	if s.historyCache == nil || len(s.historyCache) > 10000 {
		s.historyCache = map[string]historyCacheEntry{}
	}
	s.historyCache[HistoryLedgerKey(t.Workspace, t.Manager)] = historyCacheEntry{h: h, until: until}
}

type historyCacheEntry struct {
	h     teamHistory
	until time.Time
}

// runHistory measures a team's history again, once, for the answers that
// found the stored one stale.
func (s *Service) runHistory(ctx context.Context, j Job, workspace, manager string) error {
	t, err := s.store.Team(ctx, workspace, manager)
	if errors.Is(err, ErrNotFound) {
		return s.store.Done(ctx, j.Key) // no longer a manager
	}
	if err != nil {
		return err
	}
	if _, err := s.measureHistory(ctx, t); err != nil {
		return err
	}
	return s.store.Done(ctx, j.Key)
}
