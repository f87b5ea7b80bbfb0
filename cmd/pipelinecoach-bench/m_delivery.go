package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/sender"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// deliveryCase is a test-4 configuration.
type deliveryCase struct {
	prompts, reps int
	limits        slacksim.RateLimits
}

// minimum is the least time from the first post to the last that the
// limits allow when every prompt is due at once: the busiest channel after
// its burst at its rate, and the workspace after its burst at its rate.
func (c deliveryCase) minimum() time.Duration {
	perChannel := int(math.Ceil(float64(c.prompts) / float64(c.reps)))
	chanSecs := float64(max(0, perChannel-c.limits.PostBurst)) / c.limits.PostPerChannelPerSecond
	wsSecs := 0.0
	if w := c.limits.PostPerMinute; w > 0 {
		wsSecs = float64(max(0, c.prompts-w)) / (float64(w) / 60)
	}
	return time.Duration(math.Max(chanSecs, wsSecs) * float64(time.Second))
}

// measureDelivery is test 4: prompts all due in the same minute, the
// simulator enforcing chat.postMessage limits with 429 + Retry-After, the
// bot with the sender's shipped defaults and its real one-second ticker.
func measureDelivery(ctx context.Context, o options) ([]row, error) {
	c := deliveryCase{prompts: 1000, reps: 250,
		limits: slacksim.RateLimits{PostPerChannelPerSecond: 1, PostBurst: 3, PostPerMinute: 600}}
	if o.short {
		c = deliveryCase{prompts: 20, reps: 5, limits: slacksim.RateLimits{PostPerChannelPerSecond: 1, PostBurst: 3, PostPerMinute: 600}}
	}
	r, err := deliver(ctx, o, c, 1)
	if err != nil {
		return nil, err
	}
	rows := []row{r}
	if !o.short {
		// What handing due jobs to a pool would give: several scheduler
		// loops over one service (as replicas do) send in parallel.
		r, err := deliver(ctx, o, c, 16)
		if err != nil {
			return nil, err
		}
		r.verdict = verdictInfo
		rows = append(rows, r)
	}
	return rows, nil
}

// deliver runs one case: every prompt due at once, the bot's scheduler
// (and loops-1 more) posting them through the simulator's rate limits,
// timed from the first post to the last.
func deliver(ctx context.Context, o options, c deliveryCase, loops int) (row, error) {
	name := fmt.Sprintf("delivery: %d prompts to %d reps, ≤%g/s/channel burst %d, %d/min workspace",
		c.prompts, c.reps, c.limits.PostPerChannelPerSecond, c.limits.PostBurst, c.limits.PostPerMinute)
	if loops > 1 {
		name = fmt.Sprintf("delivery, same with %d scheduler loops (what a worker pool in RunDue would do)", loops)
	}
	env, err := startRedis()
	if err != nil {
		return row{}, err
	}
	defer env.Close()
	clock := newWorkdayClock()
	sim := slacksim.New(slacksim.WithClock(clock.Now), slacksim.WithRateLimits(c.limits))
	defer sim.Close()
	ps := dueNow(sim.TeamID(), addUsers(sim, "D", c.reps), c.prompts, clock.Now())
	if err := saveAll(ctx, env.store, ps, 16); err != nil {
		return row{}, err
	}

	w := watchPosts(ctx, sim, c.prompts)
	defer w.stop()
	rb, err := startBot(sim, env.store, clock, nil, sender.Options{})
	if err != nil {
		return row{}, err
	}
	defer rb.stop()
	loopCtx, stopLoops := context.WithCancel(ctx)
	defer stopLoops()
	for range loops - 1 {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		s := &coach.Scheduler{Service: rb.rt.Service, Tick: t.C}
		go s.Run(loopCtx)
	}
	minimum := c.minimum()
	deadline := minimum*3/2 + 10*time.Second
	if o.short {
		deadline = minimum*3/2 + 2*time.Second
	}
	o.logf("%d prompts, %d scheduler loop(s): at least %s, giving up after %s", c.prompts, loops, ms(minimum), ms(deadline))
	timedOut := false
	select {
	case <-w.all:
	case <-time.After(deadline):
		timedOut = true
	case <-ctx.Done():
		return row{}, ctx.Err()
	}
	w.stop()
	r := row{name: name, target: fmt.Sprintf("all, 0 duplicates, ≤ 1.2× the minimum %s", ms(minimum))}
	if timedOut {
		r.measured = fmt.Sprintf("only %d/%d delivered after %s (gave up), %d duplicates, %d × 429; the rest: %s; the bot's Slack calls: %s (bot log: %s)",
			w.ok, c.prompts, ms(deadline), w.duplicates(), w.limited, undelivered(ctx, env.store, ps, clock.Now()), w.methods(), rb.logs)
		r.verdict = verdictFail
		r.ratio = fmt.Sprintf("> %s", ratio(float64(deadline), float64(minimum)))
		return r, nil
	}
	took, dups := w.last.Sub(w.first), w.duplicates()
	r.measured = fmt.Sprintf("%d/%d delivered in %s, %d duplicates, %d × 429", w.ok, c.prompts, ms(took), dups, w.limited)
	within := float64(took) <= 1.2*float64(minimum) || took-minimum < 500*time.Millisecond
	r.verdict = pass(dups == 0 && within)
	r.ratio = ratio(float64(took), float64(minimum))
	return r, nil
}

// dueNow makes n first meetings of users whose prompts all come due within
// the minute that has just begun.
func dueNow(team string, users []string, n int, now time.Time) []coach.Prospect {
	ps := make([]coach.Prospect, n)
	for i := range ps {
		p := awaiting(team, fmt.Sprintf("d%05d", i), users[i%len(users)], now)
		p.State, p.Asks, p.LastAsked = coach.Scheduled, 0, time.Time{}
		p.History = p.History[:1]
		p.FollowUpAt = now.Add(-time.Duration(i) * time.Millisecond)
		ps[i] = p
	}
	return ps
}

// postWatch follows the bot's Web API calls as they arrive: the prompts
// posted (each one's count, the first and last), the 429s, every method.
// Its fields are read once stop has returned.
type postWatch struct {
	mu          sync.Mutex
	first, last time.Time
	posted      map[string]int
	ok, limited int
	calls       []string
	all         chan struct{} // closed when every prompt was posted
	stop        func()
}

func watchPosts(ctx context.Context, sim *slacksim.Server, prompts int) *postWatch {
	w := &postWatch{posted: map[string]int{}, all: make(chan struct{})}
	watchCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	w.stop = func() { cancel(); <-done }
	go func() {
		defer close(done)
		_, _ = sim.WaitCall(watchCtx, func(call slacksim.Call) bool {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.calls = append(w.calls, call.Method)
			if call.Method != "chat.postMessage" {
				return false
			}
			if call.Status == 429 {
				w.limited++
				return false
			}
			if call.Error != "" {
				return false
			}
			if w.first.IsZero() {
				w.first = call.At
			}
			w.last = call.At
			w.posted[promptOf(call)]++
			if w.ok++; w.ok == prompts {
				close(w.all)
			}
			return false
		})
	}()
	return w
}

// duplicates is how many prompts were posted more than once, counted once
// per extra post.
func (w *postWatch) duplicates() int {
	n := 0
	for _, k := range w.posted {
		n += k - 1
	}
	return n
}

// methods tallies every Web API call the bot made.
func (w *postWatch) methods() string {
	slices.Sort(w.calls)
	return tally(w.calls)
}

// promptOf is the prospect a posted prompt asks about (its buttons' value)
// and which question it is.
func promptOf(call slacksim.Call) string {
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(call.Params.Get("blocks")), &blocks); err != nil {
		return "?" + call.Params.Get("text")
	}
	for _, b := range blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok && a.Elements != nil {
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.ActionID == render.ActionYes {
					return btn.Value + " " + call.Params.Get("text")
				}
			}
		}
	}
	return "?" + call.Params.Get("text")
}

// undelivered says where the prospects never asked stand now: their state
// and when their follow-up is due, counted.
func undelivered(ctx context.Context, store coach.Store, ps []coach.Prospect, now time.Time) string {
	var what []string
	for _, p := range ps {
		cur, err := store.Prospect(ctx, p.Workspace, p.ID)
		switch {
		case err != nil:
			what = append(what, "unreadable: "+err.Error())
		case cur.Asks > 0:
		case cur.FollowUpAt.IsZero():
			what = append(what, string(cur.State)+", no follow-up")
		default:
			what = append(what, fmt.Sprintf("%s, follow-up in %s", cur.State, cur.FollowUpAt.Sub(now).Round(time.Minute)))
		}
	}
	slices.Sort(what)
	return tally(what)
}
