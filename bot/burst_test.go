package bot_test

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/bot"
	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// burstEnvelopes is how many envelopes TestBurstAcksEveryEnvelopeInTime
// sends: 10,000, or 3,000 under the race detector, which slows the
// websocket path about tenfold (10,000 there take ~30 s).
func burstEnvelopes() int {
	if raceDetector {
		return 3000
	}
	return 10000
}

// TestBurstAcksEveryEnvelopeInTime sends 10,000 envelopes (slash commands
// and button clicks, mixed) through the real websocket, 64 at a time: every
// one is acked well inside Slack's 3 s, work beyond the pool's queue is
// dropped with a busy reply rather than queued without bound, and the heap
// stays bounded.
func TestBurstAcksEveryEnvelopeInTime(t *testing.T) {
	if testing.Short() {
		t.Skip("burst of 10,000 envelopes")
	}
	h := newHarnessOpts(t, nil, harnessOpts{})
	// A question about a prospect that is gone: each click reads Redis and
	// answers "I can't find that prospect", and the message (which Slack
	// does not hold) keeps its buttons.
	q := render.Prompt(coach.Prospect{ID: "gone", Workspace: h.sim.TeamID(), Owner: rep, Account: "Ghost"}, coach.Ask{Kind: coach.AskFirst})
	prompt := slacksim.Message{Channel: h.sim.DMChannel(rep), TS: "1699999999.000001", Blocks: slack.Blocks{BlockSet: q.Blocks}}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	})

	burstSize := burstEnvelopes()
	latencies := make([]time.Duration, burstSize)
	var next atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	h.act()
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= burstSize {
					return
				}
				start := time.Now()
				var err error
				if i%2 == 0 {
					_, err = h.sim.Slash(h.ctx, rep, "help")
				} else {
					_, err = h.sim.Click(h.ctx, rep, prompt, render.ActionNotYet)
				}
				latencies[i] = time.Since(start)
				if err != nil {
					t.Errorf("envelope %d: %v", i, err) // ErrNoAck: not acked within 3 s
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(t0)
	close(stopSampling)
	sampler.Wait()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	slices.Sort(latencies)
	p50, p99, worst := latencies[burstSize/2], latencies[burstSize*99/100], latencies[burstSize-1]
	dropped := h.countLogs("work queue full")
	t.Logf("%d envelopes in %s (%.0f/s): ack p50 %s, p99 %s, max %s; %d dropped with a busy reply; heap in use %d MiB before, %d MiB peak, %d MiB after",
		burstSize, took.Round(time.Millisecond), float64(burstSize)/took.Seconds(), p50, p99, worst, dropped,
		before.HeapInuse>>20, peak.Load()>>20, after.HeapInuse>>20)
	if worst >= 3*time.Second {
		t.Errorf("an envelope waited %s for its ack, past Slack's 3 s", worst)
	}
	// The simulator keeps every call, ack and reply it saw (a few KiB per
	// envelope); the bot's own share must not grow with the burst.
	if grown := int64(peak.Load()) - int64(before.HeapInuse); grown > 512<<20 {
		t.Errorf("the heap grew by %d MiB during the burst", grown>>20)
	}
	if n := len(h.sim.Acks()); n < burstSize {
		t.Errorf("%d acks for %d envelopes", n, burstSize)
	}
}

// TestFullPoolDropsAndAcksStayFast saturates a small pool (2 workers, 8
// queued) with work held on the store until every envelope is sent:
// envelopes beyond it are dropped (the person told to try again), and
// acks never wait for the backlog. The held work answers once the store
// does.
func TestFullPoolDropsAndAcksStayFast(t *testing.T) {
	gate := gatedStore{open: make(chan struct{})}
	gate.Store = productStore(t, coachtest.NewClock(start))
	h := newHarnessOpts(t, gate, harnessOpts{setup: func(s *bot.Setup) {
		s.Config.Workers, s.Config.Queue = 2, 8
		// A command held on the store acks empty after this, so its
		// ack measures the pool, not the hold.
		s.Config.AckHold = 20 * time.Millisecond
	}})
	const n = 1000
	latencies := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				start := time.Now()
				_, err := h.sim.Slash(h.ctx, rep, "mine")
				latencies[i] = time.Since(start)
				if err != nil {
					t.Errorf("envelope %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(gate.open)
	slices.Sort(latencies)
	dropped := h.countLogs("work queue full")
	t.Logf("%d envelopes on a saturated pool: ack p50 %s, p99 %s, max %s; %d dropped", n, latencies[n/2], latencies[n*99/100], latencies[n-1], dropped)
	// Two held and eight queued take at most ten: the rest must be dropped.
	if dropped < n-10 {
		t.Fatalf("%d of %d dropped; want all but the 10 the pool holds", dropped, n)
	}
	if worst := latencies[n-1]; worst > time.Second {
		t.Errorf("an ack waited %s behind a full pool", worst)
	}
	h.reply(rep, "I'm swamped right now")
	h.reply(rep, "You asked: `/pipeline mine`")
	h.reply(rep, "Your pipeline")
}
