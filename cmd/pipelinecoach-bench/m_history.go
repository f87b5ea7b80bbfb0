package main

import (
	"context"
	"fmt"
	"time"

	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// historyTarget is how much longer a rep's view may take after three years
// of deals than after one: the view reads what its numbers count, so the
// years before should cost nothing.
const historyTarget = 1.2

// historyOpen is how many open deals each rep of test 12 has; the rest of
// their deals were lost three weeks after the first meeting, five first
// meetings a week.
const historyOpen = 20

// measureHistory is test 12: what `/pipeline` costs a rep as their deals
// pile up. The bot as test 2 runs it (in the benchmark's process, over
// Redis, warm), three reps of one team: new (their open deals only), a year
// in (270 deals), three years in (770). Each types `/pipeline` in turn; the
// view travels in the command's ack, so Received − Sent is the time to
// answer. Then the same with the store read whole, as every view was read
// before the view's horizon (c107a1d): what the horizon saves.
func measureHistory(ctx context.Context, o options) ([]row, error) {
	views := 300
	if o.short {
		views = 20
	}
	shipped, err := historyRun(ctx, views, func(s coach.Store) coach.Store { return s })
	if err != nil {
		return nil, err
	}
	whole, err := historyRun(ctx, views, func(s coach.Store) coach.Store { return coachtest.ReadsWhole{Store: s} })
	if err != nil {
		return nil, err
	}
	ratio := float64(shipped[2].p50) / float64(shipped[1].p50)
	return []row{
		{name: "history: a rep's `/pipeline` after three years of deals, against one",
			measured: fmt.Sprintf("new (%d deals): %s; a year (%d): %s; three years (%d): %s",
				historyDeals(0), shipped[0], historyDeals(1), shipped[1], historyDeals(3), shipped[2]),
			target:  fmt.Sprintf("three years' p50 ≤ %.1f× a year's", historyTarget),
			verdict: pass(ratio <= historyTarget), ratio: fmt.Sprintf("%.2f× a year", ratio)},
		{name: "history: the same views reading every deal (as before the view's horizon)",
			measured: fmt.Sprintf("new: %s; a year: %s; three years: %s", whole[0], whole[1], whole[2]),
			target:   "— (what the horizon saves)", verdict: verdictInfo,
			ratio: fmt.Sprintf("%.2f× a year", float64(whole[2].p50)/float64(whole[1].p50))},
	}, nil
}

// historyRun starts a bot over a fresh Redis (its store wrapped by wrap),
// gives three reps of one team 0, 1 and 3 years of deals, and times views
// of each rep's `/pipeline` in turn, after one each not counted (the team's
// won cycle and the rep's zone are then cached, as on a bot that runs).
func historyRun(ctx context.Context, views int, wrap func(coach.Store) coach.Store) ([3]dist, error) {
	var out [3]dist
	env, err := startRedis()
	if err != nil {
		return out, err
	}
	defer env.Close()
	clock := newWorkdayClock()
	sim := slacksim.New(slacksim.WithClock(clock.Now))
	defer sim.Close()
	reps := addUsers(sim, "H", 3)
	team := coach.Team{Workspace: sim.TeamID(), Manager: "UHMANAGER", Reps: reps, Version: 1}
	if err := env.store.SaveTeam(ctx, team); err != nil {
		return out, fmt.Errorf("save the team: %w", err)
	}
	for i, years := range []int{0, 1, 3} {
		if err := saveHistory(ctx, env.store, sim.TeamID(), reps[i], years, clock.Now()); err != nil {
			return out, err
		}
	}
	rb, err := startBot(sim, wrap(env.store), clock, make(chan time.Time), unlimitedSender())
	if err != nil {
		return out, err
	}
	defer rb.stop()
	var took [3][]time.Duration
	for round := -1; round < views; round++ {
		for i, rep := range reps {
			a, err := sim.Slash(ctx, rep, "")
			if err != nil {
				return out, fmt.Errorf("/pipeline of %s: %w", rep, err)
			}
			if len(a.Payload) == 0 {
				return out, fmt.Errorf("/pipeline of %s: answered outside its ack, so its time is not the ack's", rep)
			}
			if round >= 0 {
				took[i] = append(took[i], a.Received.Sub(a.Sent))
			}
		}
	}
	for i := range took {
		out[i] = newDist(took[i])
	}
	return out, nil
}

// historyDeals is how many deals a rep of test 12 has after years.
func historyDeals(years int) int { return years*historyClosedAYear + historyOpen }

// historyClosedAYear is how many deals a rep closes in a year: five first
// meetings a week.
const historyClosedAYear = 250

// saveHistory saves a rep's open deals and, before them, years of deals
// lost three weeks after their first meeting, five first meetings a week.
func saveHistory(ctx context.Context, store coach.Store, workspace, rep string, years int, now time.Time) error {
	const week = 7 * 24 * time.Hour
	closed := years * historyClosedAYear
	for i := range closed + historyOpen {
		first := now.Add(-time.Duration(closed+historyOpen-i) * week / 5)
		p := coach.Prospect{Workspace: workspace, ID: fmt.Sprintf("%s-%04d", rep, i), Owner: rep,
			Account: fmt.Sprintf("Account %d", i), Contact: "Jane Doe", TZ: "UTC",
			FirstMeeting: first, MeetingEnd: first.Add(45 * time.Minute), State: coach.Awaiting,
			Asks: 1, LastAsked: first.Add(2 * time.Hour), CreatedAt: first.Add(-time.Hour), LastActivity: first.Add(3 * time.Hour),
			History: []coach.Entry{
				{At: first.Add(-time.Hour), By: rep, Event: coach.EventLogged, To: coach.Scheduled},
				{At: first.Add(2 * time.Hour), By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting},
				{At: first.Add(3 * time.Hour), By: rep, Event: coach.EventNotYet, From: coach.Awaiting, To: coach.Awaiting},
			},
			Version: 1}
		if i < closed {
			lost := first.Add(3 * week)
			p.State, p.LastActivity = coach.Lost, lost
			p.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Stage: coach.Awaiting}
			p.History = append(p.History, coach.Entry{At: lost, By: rep, Event: coach.EventLost, From: coach.Awaiting, To: coach.Lost})
		}
		if err := store.Save(ctx, p); err != nil {
			return fmt.Errorf("save the deals of %s: %w", rep, err)
		}
	}
	return nil
}
