package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// afterCall waits for the first call matching, among those made after the
// first skip calls.
func afterCall(ctx context.Context, sim *slacksim.Server, skip int, match func(slacksim.Call) bool) error {
	return afterCalls(ctx, sim, skip, 1, match)
}

// afterCalls waits for n calls matching after the first skip calls.
func afterCalls(ctx context.Context, sim *slacksim.Server, skip, n int, match func(slacksim.Call) bool) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	seen, found := 0, 0
	_, err := sim.WaitCall(ctx, func(c slacksim.Call) bool {
		seen++
		if seen > skip && match(c) {
			found++
		}
		return found >= n
	})
	return err
}

func method(name string) func(slacksim.Call) bool {
	return func(c slacksim.Call) bool { return c.Method == name && c.Error == "" }
}

// actionTrips is what one user action cost in Redis round trips, and what
// they were.
type actionTrips struct {
	name    string
	trips   trips
	detail  string
	maxTrip int64
}

// measureRoundTrips is test 2: Redis round trips of each user action,
// counted by a go-redis hook on the bot's own client while nothing else
// runs. Each action is done once to warm up (scripts loaded, the rep's zone
// cached), then measured on a second rep, who never opened App Home (the
// bot refreshes Home after a change only for reps who opened it in the
// last hour), and on a third, who just opened it.
func measureRoundTrips(ctx context.Context, o options) ([]row, error) {
	env, err := startRedis()
	if err != nil {
		return nil, err
	}
	defer env.Close()
	return roundTripsOn(ctx, env)
}

// roundTripsOn is test 2 on env's store.
func roundTripsOn(ctx context.Context, env *redisEnv) ([]row, error) {
	env.trips.keep()
	clock := newWorkdayClock()
	sim := slacksim.New(slacksim.WithClock(clock.Now))
	defer sim.Close()
	users := addUsers(sim, "T", 3)
	tick := make(chan time.Time)
	rb, err := startBot(sim, env.store, clock, tick, unlimitedSender())
	if err != nil {
		return nil, err
	}
	defer rb.stop()

	var rounds [][]actionTrips
	for round, user := range users {
		if round == 2 {
			if _, err := sim.OpenHome(ctx, user); err != nil {
				return nil, fmt.Errorf("open App Home: %w", err)
			}
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := sim.WaitHome(wctx, user, func(slacksim.View) bool { return true })
			cancel()
			if err != nil {
				return nil, fmt.Errorf("no App Home published after opening it: %w", err)
			}
		}
		acts, err := tripsOfActions(ctx, sim, env.trips, tick, clock, user)
		if err != nil {
			return nil, fmt.Errorf("round %d: %w (bot log: %s)", round+1, err, rb.logs)
		}
		rounds = append(rounds, acts)
	}
	got, home := rounds[1], rounds[2]
	var rows []row
	for i, a := range got {
		h := home[i]
		withHome := fmt.Sprintf("; App Home open: %d (%s)", h.trips.total, h.detail)
		if a.maxTrip == 0 {
			withHome = fmt.Sprintf("; App Home open: %d", h.trips.total)
		}
		if h.trips.total == a.trips.total {
			withHome = "; the same with App Home open"
		}
		if a.maxTrip == 0 {
			rows = append(rows, row{name: "round trips: " + a.name, measured: fmt.Sprintf("%d (%s)%s", a.trips.total, a.detail, withHome),
				target: "—", verdict: verdictInfo, ratio: "—"})
			continue
		}
		ok := a.trips.total <= a.maxTrip && a.trips.saves <= 1
		rows = append(rows, row{name: "round trips: " + a.name,
			measured: fmt.Sprintf("%d: %s%s", a.trips.total, a.detail, withHome),
			target:   "≤ 2, 1 for the state change", verdict: pass(ok), ratio: ratio(float64(a.trips.total), 2)})
	}
	return rows, nil
}

// tripsOfActions logs three first meetings, lets the scheduler ask about
// them, and answers: not yet, confirm (and then win), lose.
func tripsOfActions(ctx context.Context, sim *slacksim.Server, tc *tripCounter, tick chan time.Time, clock coach.Clock, user string) ([]actionTrips, error) {
	r := &tripRun{ctx: ctx, sim: sim, tc: tc, tick: tick, clock: clock, user: user}
	accounts := []string{"Alpha", "Beta", "Gamma"}
	logged, err := r.logAll(accounts)
	if err != nil {
		return nil, err
	}
	asked, prompts, err := r.askAll(accounts)
	if err != nil {
		return nil, err
	}
	notYet, err := r.notYet(prompts["Alpha"])
	if err != nil {
		return nil, fmt.Errorf("not yet: %w", err)
	}
	second := clock.Now().Add(48 * time.Hour).UTC().Format("2006-01-02")
	confirm, err := r.modal(prompts["Beta"], render.ActionYes, render.ViewConfirm, map[string]string{
		render.InputSecondDate: second, render.InputSecondTime: "10:00", render.InputAmount: "25k"})
	if err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	confirm.name = "confirm (Yes button + modal)"
	lose, err := r.modal(prompts["Gamma"], render.ActionLose, render.ViewLose, map[string]string{render.InputReason: string(coach.ReasonNoFit)})
	if err != nil {
		return nil, fmt.Errorf("lose: %w", err)
	}
	lose.name = "lose (button + debrief modal)"
	won, err := r.slash("won Beta", "won (/pipeline won …)")
	if err != nil {
		return nil, fmt.Errorf("won: %w", err)
	}
	return []actionTrips{logged, asked, notYet, confirm, lose, won}, nil
}

// tripRun is what the steps of tripsOfActions share: the simulator the rep
// acts in, the Redis round-trip counter and the bot's scheduler tick.
type tripRun struct {
	ctx   context.Context
	sim   *slacksim.Server
	tc    *tripCounter
	tick  chan time.Time
	clock coach.Clock
	user  string
}

// measure runs fn between two quiet spells of Redis and returns the round
// trips it took, counted and named.
func (r *tripRun) measure(fn func() error) (trips, []string, error) {
	r.tc.quiet(50*time.Millisecond, 5*time.Second)
	t0, m := r.tc.now(), r.tc.mark()
	if err := fn(); err != nil {
		return trips{}, nil, err
	}
	r.tc.quiet(50*time.Millisecond, 5*time.Second)
	return r.tc.now().sub(t0), r.tc.since(m), nil
}

// slash measures a /pipeline command up to its reply, which its ack
// carries.
func (r *tripRun) slash(text, name string) (actionTrips, error) {
	t, what, err := r.measure(func() error {
		ack, err := r.sim.Slash(r.ctx, r.user, text)
		if err != nil {
			return err
		}
		if len(ack.Payload) == 0 || ack.Error != "" {
			return fmt.Errorf("/pipeline %s: no reply in the ack (%s)", text, ack.Error)
		}
		return nil
	})
	return actionTrips{name: name, trips: t, detail: summary(what), maxTrip: 2}, err
}

// logAll logs a first meeting with each account; the first is measured.
func (r *tripRun) logAll(accounts []string) (actionTrips, error) {
	var first actionTrips
	for i, acct := range accounts {
		a, err := r.slash("log "+acct+" yesterday 3pm with Jane", "log (/pipeline log …)")
		if err != nil {
			return a, fmt.Errorf("log %s: %w", acct, err)
		}
		if i == 0 {
			first = a
		}
	}
	return first, nil
}

// askAll ticks the scheduler, which asks about every account, and returns
// the round trips per prompt and the prompts by account.
func (r *tripRun) askAll(accounts []string) (actionTrips, map[string]slacksim.Message, error) {
	t, what, err := r.measure(func() error {
		k := len(r.sim.Calls())
		select {
		case r.tick <- r.clock.Now():
		case <-r.ctx.Done():
			return r.ctx.Err()
		}
		if err := afterCalls(r.ctx, r.sim, k, len(accounts), method("chat.postMessage")); err != nil {
			return fmt.Errorf("prompts: %w", err)
		}
		return nil
	})
	if err != nil {
		return actionTrips{}, nil, fmt.Errorf("scheduler: %w", err)
	}
	a := actionTrips{name: "scheduler, per prompt (not a user action)", trips: t,
		detail: fmt.Sprintf("%.1f per prompt + 1 claim per batch of %d prompts: %s",
			float64(t.total-1)/float64(len(accounts)), len(accounts), tally(what))}
	prompts := map[string]slacksim.Message{}
	for _, m := range r.sim.Messages(r.sim.DMChannel(r.user)) {
		for _, acct := range accounts {
			if !m.Ephemeral && strings.Contains(m.Text, acct) && strings.Contains(m.Text, "second meeting") {
				prompts[acct] = m
			}
		}
	}
	if len(prompts) != len(accounts) {
		return a, nil, fmt.Errorf("%d prompts in %s's DM, want %d", len(prompts), r.user, len(accounts))
	}
	return a, prompts, nil
}

// notYet measures the "Not yet" button up to the prompt's update.
func (r *tripRun) notYet(prompt slacksim.Message) (actionTrips, error) {
	t, what, err := r.measure(func() error {
		k := len(r.sim.Calls())
		if _, err := r.sim.Click(r.ctx, r.user, prompt, render.ActionNotYet); err != nil {
			return err
		}
		// The question is updated through the button's response_url.
		return afterCall(r.ctx, r.sim, k, method("response_url"))
	})
	return actionTrips{name: "not yet (button)", trips: t, detail: summary(what), maxTrip: 2}, err
}

// modal measures a button that opens a form, then the form's submission up
// to the prompt's update.
func (r *tripRun) modal(prompt slacksim.Message, button, callback string, inputs map[string]string) (actionTrips, error) {
	click, clickWhat, err := r.measure(func() error {
		k := len(r.sim.Calls())
		if _, err := r.sim.Click(r.ctx, r.user, prompt, button); err != nil {
			return err
		}
		return afterCall(r.ctx, r.sim, k, method("views.open"))
	})
	if err != nil {
		return actionTrips{}, err
	}
	wctx, cancel := context.WithTimeout(r.ctx, 5*time.Second)
	v, err := r.sim.WaitView(wctx, r.user, func(v slacksim.View) bool { return v.CallbackID == callback && !v.Closed })
	cancel()
	if err != nil {
		return actionTrips{}, fmt.Errorf("no %s modal: %w", callback, err)
	}
	submit, submitWhat, err := r.measure(func() error {
		k := len(r.sim.Calls())
		ack, err := r.sim.Submit(r.ctx, r.user, v, inputs)
		if err != nil {
			return err
		}
		if len(ack.Payload) != 0 {
			return fmt.Errorf("submission refused: %s", ack.Payload)
		}
		// The form carries its button's response_url to update the question.
		return afterCall(r.ctx, r.sim, k, method("response_url"))
	})
	return actionTrips{trips: click.add(submit), maxTrip: 2,
		detail: fmt.Sprintf("click to open the form: %s; submit: %s", summary(clickWhat), summary(submitWhat))}, err
}
