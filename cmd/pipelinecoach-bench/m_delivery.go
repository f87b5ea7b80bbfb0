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
	users := addUsers(sim, "D", c.reps)

	// Every prompt comes due within the minute that has just begun.
	now := clock.Now()
	ps := make([]coach.Prospect, c.prompts)
	for i := range ps {
		p := awaiting(sim.TeamID(), fmt.Sprintf("d%05d", i), users[i%c.reps], now)
		p.State, p.Asks, p.LastAsked = coach.Scheduled, 0, time.Time{}
		p.History = p.History[:1]
		p.FollowUpAt = now.Add(-time.Duration(i) * time.Millisecond)
		ps[i] = p
	}
	if err := saveAll(ctx, env.store, ps, 16); err != nil {
		return row{}, err
	}

	// Watch the posts as they arrive.
	var mu sync.Mutex
	var first, last time.Time
	posted := map[string]int{}
	ok, limited := 0, 0
	var methods []string // every Web API call the bot made
	all := make(chan struct{})
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() {
		_, _ = sim.WaitCall(watchCtx, func(call slacksim.Call) bool {
			mu.Lock()
			defer mu.Unlock()
			methods = append(methods, call.Method)
			if call.Method != "chat.postMessage" {
				return false
			}
			if call.Status == 429 {
				limited++
				return false
			}
			if call.Error != "" {
				return false
			}
			if first.IsZero() {
				first = call.At
			}
			last = call.At
			posted[promptOf(call)]++
			if ok++; ok == c.prompts {
				close(all)
			}
			return false
		})
	}()

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
	case <-all:
	case <-time.After(deadline):
		timedOut = true
	case <-ctx.Done():
		return row{}, ctx.Err()
	}
	stopWatch()
	mu.Lock()
	defer mu.Unlock()
	dups := 0
	for _, n := range posted {
		dups += n - 1
	}
	took := last.Sub(first)
	r := row{name: name, target: fmt.Sprintf("all, 0 duplicates, ≤ 1.2× the minimum %s", ms(minimum))}
	if timedOut {
		slices.Sort(methods)
		r.measured = fmt.Sprintf("only %d/%d delivered after %s (gave up), %d duplicates, %d × 429; the rest: %s; the bot's Slack calls: %s (bot log: %s)",
			ok, c.prompts, ms(deadline), dups, limited, undelivered(ctx, env.store, ps, clock.Now()), tally(methods), rb.logs)
		r.verdict = verdictFail
		r.ratio = fmt.Sprintf("> %s", ratio(float64(deadline), float64(minimum)))
		return r, nil
	}
	r.measured = fmt.Sprintf("%d/%d delivered in %s, %d duplicates, %d × 429", ok, c.prompts, ms(took), dups, limited)
	within := float64(took) <= 1.2*float64(minimum) || took-minimum < 500*time.Millisecond
	r.verdict = pass(dups == 0 && within)
	r.ratio = ratio(float64(took), float64(minimum))
	return r, nil
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
