package demo

import (
	"context"
	"strings"
	"sync"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/storage/boltstore"
)

// dueStore is the embedded store, watched for when jobs come due, so the
// demo's clock can jump from one due job to the next instead of ticking
// through every minute of a fortnight. Every follow-up job is its
// prospect's FollowUpAt (coach.Prospects.Save keeps them in step); team jobs
// are set by Schedule.
type dueStore struct {
	*boltstore.Store

	mu  sync.Mutex
	due map[string]time.Time // job key → due
}

func newDueStore(s *boltstore.Store) *dueStore {
	return &dueStore{Store: s, due: map[string]time.Time{}}
}

func (s *dueStore) set(key string, at time.Time) {
	if strings.HasPrefix(key, "calendar/") || strings.HasPrefix(key, "calroster/") {
		// Calendar reads come due every two minutes: stopping at each would
		// take the fortnight thousands of stops. They run whenever the
		// clock stops for something else, as a read would have by then.
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if at.IsZero() {
		delete(s.due, key)
	} else {
		s.due[key] = at
	}
}

// Save saves p and notes its follow-up.
func (s *dueStore) Save(ctx context.Context, p coach.Prospect) error {
	if err := s.Store.Save(ctx, p); err != nil {
		return err
	}
	s.set(coach.FollowUpKey(p.Workspace, p.ID), p.FollowUpAt)
	return nil
}

// Schedule schedules a team job and notes when.
func (s *dueStore) Schedule(ctx context.Context, key string, due time.Time) error {
	if err := s.Store.Schedule(ctx, key, due); err != nil {
		return err
	}
	s.set(key, due)
	return nil
}

// Done removes a job and forgets it.
func (s *dueStore) Done(ctx context.Context, key string) error {
	if err := s.Store.Done(ctx, key); err != nil {
		return err
	}
	s.set(key, time.Time{})
	return nil
}

// next is the earliest time a job comes due after from, up to until.
func (s *dueStore) next(from, until time.Time) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best time.Time
	for _, at := range s.due {
		if at.After(from) && !at.After(until) && (best.IsZero() || at.Before(best)) {
			best = at
		}
	}
	return best, !best.IsZero()
}

// dueBy reports whether a job is due at or before now.
func (s *dueStore) dueBy(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, at := range s.due {
		if !at.After(now) {
			return true
		}
	}
	return false
}
