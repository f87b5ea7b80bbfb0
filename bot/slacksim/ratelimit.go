package slacksim

import (
	"math"
	"sync"
	"time"
)

// bucket is a token bucket: rate tokens per second up to burst.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate float64, burst int) *bucket {
	b := float64(max(burst, 1))
	return &bucket{rate: rate, burst: b, tokens: b}
}

// refill brings the bucket up to now and reports how long until one token is available.
func (b *bucket) refill(now time.Time) time.Duration {
	if !b.last.IsZero() {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// limiter applies RateLimits. It runs on the real clock, whatever the simulator's clock is,
// so benchmarks measure real throughput against Slack-like limits.
type limiter struct {
	mu         sync.Mutex
	cfg        RateLimits
	perChannel map[string]*bucket
	workspace  *bucket
	tiers      map[string]*bucket
}

func newLimiter(cfg RateLimits) *limiter {
	l := &limiter{cfg: cfg, perChannel: map[string]*bucket{}, tiers: map[string]*bucket{}}
	if cfg.PostPerMinute > 0 {
		l.workspace = newBucket(float64(cfg.PostPerMinute)/60, cfg.PostPerMinute)
	}
	for method, n := range cfg.TierPerMinute {
		if n > 0 {
			// Slack's tiers tolerate bursts; a minute's worth is the most a tier allows at once.
			burst := n
			if b := cfg.TierBurst[method]; b > 0 {
				burst = b
			}
			l.tiers[method] = newBucket(float64(n)/60, burst)
		}
	}
	return l
}

// allow takes a token for the call, or reports how long to wait. channel is the resolved
// channel for chat.postMessage and ignored otherwise.
func (l *limiter) allow(method, channel string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	var buckets []*bucket
	if method == "chat.postMessage" {
		if l.cfg.PostPerChannelPerSecond > 0 {
			b, ok := l.perChannel[channel]
			if !ok {
				b = newBucket(l.cfg.PostPerChannelPerSecond, l.cfg.PostBurst)
				l.perChannel[channel] = b
			}
			buckets = append(buckets, b)
		}
		if l.workspace != nil {
			buckets = append(buckets, l.workspace)
		}
	} else if b, ok := l.tiers[method]; ok {
		buckets = append(buckets, b)
	}
	var wait time.Duration
	for _, b := range buckets {
		wait = max(wait, b.refill(now))
	}
	if wait > 0 {
		return wait, false
	}
	for _, b := range buckets {
		b.tokens--
	}
	return 0, true
}
