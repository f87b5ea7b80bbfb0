package hubspot

import (
	"context"
	"sync"
	"time"
)

// HubSpot lets a private app make RateLimit requests in any RateWindow
// (rolling); more are answered 429 and count against the account's error
// budget. The client keeps under it rather than hitting it.
const (
	RateLimit  = 100
	RateWindow = 10 * time.Second
)

// Pace keeps requests under a rolling limit: at most n start in any window.
type Pace struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	starts []time.Time // the last n starts, oldest first
}

// NewPace returns a pace of n requests per window (none when n ≤ 0).
func NewPace(n int, window time.Duration) *Pace { return &Pace{n: n, window: window} }

// SetPace changes the client's pace, for accounts with a higher limit.
func (c *Client) SetPace(n int, window time.Duration) { c.pace = NewPace(n, window) }

// Wait blocks until a request may start, or ctx ends.
func (p *Pace) Wait(ctx context.Context) error {
	if p.n <= 0 {
		return nil
	}
	for {
		p.mu.Lock()
		now := time.Now()
		if len(p.starts) < p.n {
			p.starts = append(p.starts, now)
			p.mu.Unlock()
			return nil
		}
		// A small margin: the server's window starts when it reads the
		// request, a little after we send it.
		free := p.starts[0].Add(p.window + 50*time.Millisecond)
		if !now.Before(free) {
			p.starts = append(p.starts[1:], now)
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		t := time.NewTimer(free.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
