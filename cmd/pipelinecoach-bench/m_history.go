package main

import (
	"context"
	"fmt"
	"sync/atomic"
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
	views, lapses := 300, 50
	if o.short {
		views, lapses = 20, 5
	}
	shipped, err := historyRun(ctx, views, lapses, func(s coach.Store, _ coach.Team) coach.Store { return s })
	if err != nil {
		return nil, err
	}
	whole, err := historyRun(ctx, views, 0, func(s coach.Store, _ coach.Team) coach.Store { return coachtest.ReadsWhole{Store: s} })
	if err != nil {
		return nil, err
	}
	unstored, err := historyRun(ctx, 0, lapses, func(s coach.Store, t coach.Team) coach.Store {
		return forgetsHistory{Store: s, key: coach.HistoryLedgerKey(t.Workspace, t.Manager)}
	})
	if err != nil {
		return nil, err
	}
	ratio := float64(shipped.views[2].p50) / float64(shipped.views[1].p50)
	lapsed := float64(shipped.lapsed.p50) / float64(shipped.views[2].p50)
	return []row{
		{name: "history: a rep's `/pipeline` after three years of deals, against one",
			measured: fmt.Sprintf("new (%d deals): %s; a year (%d): %s; three years (%d): %s",
				historyDeals(0), shipped.views[0], historyDeals(1), shipped.views[1], historyDeals(3), shipped.views[2]),
			target:  fmt.Sprintf("three years' p50 ≤ %.1f× a year's", historyTarget),
			verdict: pass(ratio <= historyTarget), ratio: fmt.Sprintf("%.2f× a year", ratio)},
		{name: "history: the same views reading every deal (as before the view's horizon)",
			measured: fmt.Sprintf("new: %s; a year: %s; three years: %s", whole.views[0], whole.views[1], whole.views[2]),
			target:   "— (what the horizon saves)", verdict: verdictInfo,
			ratio: fmt.Sprintf("%.2f× a year", float64(whole.views[2].p50)/float64(whole.views[1].p50))},
		{name: "history: their manager's `/pipeline team` (the team's digest) over the team's deals",
			measured: fmt.Sprintf("%s; reading every deal (as before 843d393): %s", shipped.team, whole.team),
			target:   "— (what the digest's horizon saves)", verdict: verdictInfo,
			ratio: fmt.Sprintf("%.2f× every deal", float64(shipped.team.p50)/float64(whole.team.p50))},
		{name: "history: the three-year rep's `/pipeline` once the replica's cached team cycle has lapsed",
			measured: fmt.Sprintf("%s; with no cycle stored, so that it reads the team's %d deals to measure it, as every lapsed view did before: %s",
				shipped.lapsed, historyDeals(0)+historyDeals(1)+historyDeals(3), unstored.lapsed),
			target:  fmt.Sprintf("p50 ≤ %.0f× the same rep's warm view: the stored cycle, never the team's deals", lapsedTarget),
			verdict: pass(lapsed <= lapsedTarget), ratio: fmt.Sprintf("%.2f× warm", lapsed)},
	}, nil
}

// lapsedTarget bounds a view after the replica's caches lapsed against a
// warm one: it reads again what the replica had cached (the member, the
// team, the team's stored cycle), each a small read, and may schedule the
// cycle's measuring, but reads no deal the warm view does not.
const lapsedTarget = 2.0

// forgetsHistory is a store on which the team's history (its cycle) is never found stored
// (key is where it is), so every lapsed view measures it on all the team's
// deals, as each did before the cycle was stored.
type forgetsHistory struct {
	coach.Store
	key string
}

func (s forgetsHistory) Lookup(ctx context.Context, key string) (string, bool, error) {
	if key == s.key {
		return "", false, nil
	}
	return s.Store.Lookup(ctx, key)
}

// historyTimes are test 12's answers: each rep's warm views, their
// manager's, and the three-year rep's views just after the replica's
// caches lapsed.
type historyTimes struct {
	views  [3]dist
	team   dist
	lapsed dist
}

// historyRun starts a bot over a fresh Redis (its store wrapped by wrap),
// gives three reps of one team 0, 1 and 3 years of deals, and times views
// of each rep's `/pipeline` in turn, after one each not counted (the team's
// won cycle and the rep's zone are then cached, as on a bot that runs).
// Then, lapses times, it moves the bot's clock past every cache of the
// replica (the team's cycle's ten minutes) and times the three-year rep's
// next view. The scheduler does not run: each lapse finds the stored cycle
// stale, as the first answer after one does.
func historyRun(ctx context.Context, views, lapses int, wrap func(coach.Store, coach.Team) coach.Store) (historyTimes, error) {
	var out historyTimes
	env, err := startRedis()
	if err != nil {
		return out, err
	}
	defer env.Close()
	clock := &steppedClock{base: newWorkdayClock()}
	sim := slacksim.New(slacksim.WithClock(clock.Now))
	defer sim.Close()
	reps := addUsers(sim, "H", 3)
	team := coach.Team{Workspace: sim.TeamID(), Manager: historyManager, Reps: reps, Version: 1}
	if err := env.store.SaveTeam(ctx, team); err != nil {
		return out, fmt.Errorf("save the team: %w", err)
	}
	for i, years := range []int{0, 1, 3} {
		if err := saveHistory(ctx, env.store, sim.TeamID(), reps[i], years, clock.Now()); err != nil {
			return out, err
		}
	}
	rb, err := startBot(sim, wrap(env.store, team), clock, make(chan time.Time), unlimitedSender())
	if err != nil {
		return out, err
	}
	defer rb.stop()
	command := func(user, text string) (time.Duration, error) {
		a, err := sim.Slash(ctx, user, text)
		if err != nil {
			return 0, fmt.Errorf("/pipeline %s of %s: %w", text, user, err)
		}
		if len(a.Payload) == 0 {
			return 0, fmt.Errorf("/pipeline %s of %s: answered outside its ack, so its time is not the ack's", text, user)
		}
		return a.Received.Sub(a.Sent), nil
	}
	view := func(rep string) (time.Duration, error) { return command(rep, "") }
	var took [3][]time.Duration
	for round := -1; round < views; round++ {
		for i, rep := range reps {
			d, err := view(rep)
			if err != nil {
				return out, err
			}
			if round >= 0 {
				took[i] = append(took[i], d)
			}
		}
	}
	for i := range took {
		out.views[i] = newDist(took[i])
	}
	var digests []time.Duration
	teamDigest := managerDigest(ctx, sim)
	defer sim.OnAnswer(nil)
	for round := -1; round < views; round++ {
		d, err := teamDigest()
		if err != nil {
			return out, err
		}
		if round >= 0 {
			digests = append(digests, d)
		}
	}
	out.team = newDist(digests)
	if lapses > 0 {
		if _, err := view(reps[2]); err != nil { // the cycle stored, as on a bot that ran
			return out, err
		}
	}
	var lapsed []time.Duration
	for range lapses {
		clock.step(lapseStep)
		d, err := view(reps[2])
		if err != nil {
			return out, err
		}
		lapsed = append(lapsed, d)
	}
	out.lapsed = newDist(lapsed)
	return out, nil
}

// managerDigest returns a function that types `/pipeline team` as test 12's
// manager and returns the time to its answer: the digest's tables travel
// through the command's response_url, after an empty ack, so it is timed
// from the envelope's sending to the simulator taking that post.
func managerDigest(ctx context.Context, sim *slacksim.Server) func() (time.Duration, error) {
	answers := make(chan slacksim.Answer, 16)
	sim.OnAnswer(func(a slacksim.Answer) {
		if a.User == historyManager {
			select {
			case answers <- a:
			default:
			}
		}
	})
	return func() (time.Duration, error) {
		for len(answers) > 0 {
			<-answers
		}
		a, err := sim.Slash(ctx, historyManager, "team")
		if err != nil {
			return 0, fmt.Errorf("/pipeline team: %w", err)
		}
		if len(a.Payload) > 0 {
			return a.Received.Sub(a.Sent), nil
		}
		timeout := time.NewTimer(5 * time.Second)
		defer timeout.Stop()
		for {
			select {
			case got := <-answers:
				if got.At.Before(a.Sent) {
					continue // an answer to an earlier command
				}
				return got.At.Sub(a.Sent), nil
			case <-timeout.C:
				return 0, fmt.Errorf("/pipeline team: no answer within 5 s")
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
	}
}

// historyManager manages test 12's team.
const historyManager = "UHMANAGER"

// lapseStep moves test 12's clock past the longest cache a view uses (the
// team's cycle, ten minutes).
const lapseStep = 11 * time.Minute

// steppedClock is the workday clock, moved ahead on demand.
type steppedClock struct {
	base  workdayClock
	ahead atomic.Int64
}

func (c *steppedClock) Now() time.Time { return c.base.Now().Add(time.Duration(c.ahead.Load())) }

func (c *steppedClock) step(d time.Duration) { c.ahead.Add(int64(d)) }

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
