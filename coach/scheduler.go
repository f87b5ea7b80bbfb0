package coach

import (
	"context"
	"time"
)

// Scheduler runs due follow-ups on every tick. Several replicas may run one
// each over the same store: the queue's leases and the send ledger make
// every question go out once.
type Scheduler struct {
	Service *Service
	// Tick paces the loop: a time.Ticker's channel in production, a channel
	// the test sends on under a fake clock.
	Tick <-chan time.Time
	// OnRun, when set, hears of every run: jobs handled and the error.
	OnRun func(handled int, err error)
	// Backoff bounds how long the loop rests after a failed claim (the store
	// is unreachable), doubling from one tick.
	Backoff time.Duration
}

// Run loops until ctx ends. It drains what is due before waiting for the
// next tick, and skips ticks while backing off from a failing store.
func (s *Scheduler) Run(ctx context.Context) {
	skip, fails := 0, 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.Tick:
		}
		if skip > 0 {
			skip--
			continue
		}
		for {
			n, err := s.Service.RunDue(ctx)
			if s.OnRun != nil {
				s.OnRun(n, err)
			}
			if err != nil && n == 0 {
				fails++
				skip = min(1<<min(fails, 6)-1, s.maxSkip())
				break
			}
			fails = 0
			if n < s.Service.Batch || ctx.Err() != nil {
				break
			}
		}
	}
}

func (s *Scheduler) maxSkip() int {
	if s.Backoff <= 0 {
		return 30
	}
	return int(s.Backoff / time.Second)
}
