package sender

import (
	"sync"
	"time"
)

// Lane keys. A call takes a token from each lane it uses; a 429 cools down exactly one lane.
const (
	methodPrefix  = "m:"            // one lane per Web API method
	channelPrefix = "c:"            // chat.postMessage, one lane per channel
	workspaceKey  = "w:postMessage" // chat.postMessage, workspace-wide
)

const (
	// idleAfter is how long a per-channel lane must go unused before it may be evicted.
	idleAfter = time.Minute
	// sweepEvery is how often (by Options.Now) the limiter looks for idle per-channel lanes.
	sweepEvery = time.Minute
)

// lane is a token bucket (rate 0: no proactive limit) plus a cool-down set by a 429.
// Reservations are made at "now" and may drive tokens negative: the deficit is the queue,
// and each reservation's start time follows from it, so waiters are served in the order they
// reserved and nobody polls.
type lane struct {
	rate   float64   // tokens per second; 0 = unlimited
	burst  float64   // bucket size
	tokens float64   // as of last
	last   time.Time // time tokens refers to; after a cool-down, its end (nothing accrues before)
	until  time.Time // end of the current cool-down
	epoch  uint64    // bumped by each cool-down; voids reservations made before it
	used   time.Time // last reservation, for eviction
}

func newLane(rate float64, burst int, now time.Time) *lane {
	if burst < 1 {
		burst = 1
	}
	return &lane{rate: rate, burst: float64(burst), tokens: float64(burst), last: now, used: now}
}

// reserve takes one token at now and returns when the caller may go.
func (l *lane) reserve(now time.Time) time.Time {
	l.used = now
	at := now
	if l.rate > 0 {
		l.refill(now)
		l.tokens--
		if l.last.After(at) {
			at = l.last
		}
		if l.tokens < 0 {
			at = at.Add(time.Duration(-l.tokens / l.rate * float64(time.Second)))
		}
	}
	if l.until.After(at) {
		at = l.until
	}
	return at
}

func (l *lane) refill(now time.Time) {
	if now.After(l.last) {
		l.tokens = min(l.burst, l.tokens+l.rate*now.Sub(l.last).Seconds())
		l.last = now
	}
}

// coolDown makes the lane wait until until. Reservations made before are voided (their holders
// reserve again), and the bucket restarts at until with one token, so the queue drains at the
// lane's rate after the cool-down instead of all at once.
func (l *lane) coolDown(until time.Time) {
	if !until.After(l.until) {
		return
	}
	l.until = until
	l.epoch++
	if l.rate > 0 {
		l.tokens = min(1, l.burst)
		l.last = until
	}
}

// idle reports whether forgetting the lane changes nothing: not used for a while, not cooling
// down, bucket full again.
func (l *lane) idle(now time.Time) bool {
	if now.Sub(l.used) < idleAfter || now.Before(l.until) {
		return false
	}
	if l.rate <= 0 {
		return true
	}
	full := l.last.Add(time.Duration((l.burst - l.tokens) / l.rate * float64(time.Second)))
	return !now.Before(full)
}

// reservation is what a caller holds while it waits.
type reservation struct {
	at     time.Time
	lanes  []*lane
	epochs []uint64
}

// limiter holds every lane. One mutex: each operation is a few arithmetic steps.
type limiter struct {
	mu         sync.Mutex
	lanes      map[string]*lane // methods and the workspace lane; never evicted (a handful)
	channels   map[string]*lane // chat.postMessage per channel; evicted when idle
	perMinute  map[string]int   // method → proactive limit
	chanRate   float64
	chanBurst  int
	postPerMin int
	lastSweep  time.Time
}

func newLimiter(o Options, now time.Time) *limiter {
	l := &limiter{
		lanes:      map[string]*lane{},
		channels:   map[string]*lane{},
		perMinute:  o.MethodPerMinute,
		chanRate:   o.PostPerChannelPerSecond,
		chanBurst:  o.PostBurst,
		postPerMin: o.PostPerMinute,
		lastSweep:  now,
	}
	if l.postPerMin > 0 {
		l.lanes[workspaceKey] = newLane(float64(l.postPerMin)/60, tenth(l.postPerMin), now)
	}
	return l
}

// tenth is the burst for a per-minute limit: about a tenth of a minute's worth.
func tenth(perMinute int) int { return max(1, perMinute/10) }

// laneFor returns the lane for key, creating it. Caller holds mu.
func (l *limiter) laneFor(key string, now time.Time) *lane {
	if len(key) > len(channelPrefix) && key[:len(channelPrefix)] == channelPrefix {
		ln := l.channels[key]
		if ln == nil {
			rate := l.chanRate
			if rate < 0 {
				rate = 0
			}
			ln = newLane(rate, l.chanBurst, now)
			l.channels[key] = ln
		}
		return ln
	}
	ln := l.lanes[key]
	if ln == nil {
		n := l.perMinute[key[len(methodPrefix):]]
		if n > 0 {
			ln = newLane(float64(n)/60, tenth(n), now)
		} else {
			ln = newLane(0, 1, now)
		}
		l.lanes[key] = ln
	}
	return ln
}

// reserve takes a token from every lane in keys at now; the caller may go at r.at.
func (l *limiter) reserve(keys []string, now time.Time) reservation {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	r := reservation{at: now, lanes: make([]*lane, 0, len(keys)), epochs: make([]uint64, 0, len(keys))}
	for _, k := range keys {
		ln := l.laneFor(k, now)
		if at := ln.reserve(now); at.After(r.at) {
			r.at = at
		}
		r.lanes = append(r.lanes, ln)
		r.epochs = append(r.epochs, ln.epoch)
	}
	return r
}

// valid reports whether no lane of r started a cool-down since r was made.
func (l *limiter) valid(r reservation) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, ln := range r.lanes {
		if ln.epoch != r.epochs[i] {
			return false
		}
	}
	return true
}

// cancel gives r's tokens back to the lanes that have not been reset since.
func (l *limiter) cancel(r reservation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, ln := range r.lanes {
		if ln.epoch == r.epochs[i] && ln.rate > 0 {
			ln.tokens = min(ln.burst, ln.tokens+1)
		}
	}
}

// coolDown starts a cool-down on the lane key until until (no-op if one lasts longer).
func (l *limiter) coolDown(key string, until, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.laneFor(key, now).coolDown(until)
}

// coolingDown returns how long the cool-down of any lane in keys still lasts.
func (l *limiter) coolingDown(keys []string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var left time.Duration
	for _, k := range keys {
		if d := l.laneFor(k, now).until.Sub(now); d > left {
			left = d
		}
	}
	return left
}

// sweep evicts idle per-channel lanes, at most once per sweepEvery. Caller holds mu.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	for k, ln := range l.channels {
		if ln.idle(now) {
			delete(l.channels, k)
		}
	}
}

// channelLanes reports how many per-channel lanes are held (for tests).
func (l *limiter) channelLanes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.channels)
}
