package main

import (
	"context"
	"fmt"
	"time"

	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// ackProspects makes, for each rep, clicks prospects to press "Not yet" on
// and submits prospects to confirm, all waiting for an answer.
func ackProspects(team string, users []string, clicks, submits int, now time.Time) (c, s []coach.Prospect) {
	for i, u := range users {
		for j := range clicks {
			c = append(c, awaiting(team, fmt.Sprintf("c%05d%02d", i, j), u, now))
		}
		for j := range submits {
			s = append(s, awaiting(team, fmt.Sprintf("s%05d%02d", i, j), u, now))
		}
	}
	return c, s
}

// measureAck is test 1: ack latency of /pipeline, a button and a modal
// submission at o.rate envelopes a second for o.duration, against a bare
// slack-go bot that only acks, driven the same way just before.
func measureAck(ctx context.Context, o options) ([]row, error) {
	reps, per := 500, 4
	if o.short {
		reps, per = 20, 2
	}
	// Each prospect is answered once: enough of them for the whole run.
	for reps*per < int(o.duration.Seconds()*float64(o.rate))/3+1 {
		per++
	}
	now := time.Now()

	// The baseline.
	base := slacksim.New()
	defer base.Close()
	baseUsers := addUsers(base, "B", reps)
	stopBare, err := startBareBot(base)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	bc, bs := ackProspects(base.TeamID(), baseUsers, per, per, now)
	baseMix, err := ackMix(base, bc, bs, false)
	if err != nil {
		stopBare()
		return nil, err
	}
	o.logf("baseline: bare slack-go bot, %d envelopes/s for %s", o.rate, o.duration)
	baseLat := runLoad(ctx, base, baseMix, o.rate, o.duration, nil)
	stopBare()
	if n, err := baseLat.errors(); n > 0 {
		return nil, fmt.Errorf("baseline: %d envelopes not acked: %w", n, err)
	}

	// Ours.
	env, err := startRedis()
	if err != nil {
		return nil, err
	}
	defer env.Close()
	sim := slacksim.New()
	defer sim.Close()
	users := addUsers(sim, "R", reps)
	clicks, submits := ackProspects(sim.TeamID(), users, per, per, now)
	all := append(append([]coach.Prospect{}, clicks...), submits...)
	if err := postPrompts(ctx, sim, all); err != nil {
		return nil, err
	}
	copy(clicks, all[:len(clicks)])
	copy(submits, all[len(clicks):])
	if err := saveAll(ctx, env.store, all, 16); err != nil {
		return nil, err
	}
	rb, err := startBot(sim, env.store, coach.SystemClock{}, nil, unlimitedSender())
	if err != nil {
		return nil, err
	}
	defer rb.stop()
	// Every rep has used the bot before: its zone is cached, as in a
	// running workspace.
	if err := parallel(len(users), 8, func(i int) error {
		_, err := sim.Slash(ctx, users[i], "help")
		return err
	}); err != nil {
		return nil, fmt.Errorf("warm up: %w", err)
	}
	m, err := ackMix(sim, clicks, submits, false)
	if err != nil {
		return nil, err
	}
	o.logf("bot: %d envelopes/s for %s (%d reps, %d prospects)", o.rate, o.duration, reps, len(all))
	lat := runLoad(ctx, sim, m, o.rate, o.duration, nil)
	if n, err := lat.errors(); n > 0 {
		return nil, fmt.Errorf("%d envelopes not acked: %w (bot log: %s)", n, err, rb.logs)
	}

	b := baseLat.stats("")
	rows := []row{{name: "ack baseline: bare slack-go bot, all kinds", measured: b.String(),
		target: fmt.Sprintf("%d envelopes/s for %s", o.rate, o.duration), verdict: verdictInfo, ratio: "—"}}
	for _, k := range kinds {
		d := lat.stats(k)
		bk := baseLat.stats(k)
		ok := d.p99 <= 2*bk.p99 && d.p99 < 5*time.Millisecond
		rows = append(rows, row{name: "ack " + k, measured: d.String(),
			target: fmt.Sprintf("p99 ≤ 2× baseline (%s) and < 5 ms", ms(bk.p99)), verdict: pass(ok),
			ratio: ratio(float64(d.p99), float64(bk.p99)) + "× base"})
	}
	return rows, nil
}
