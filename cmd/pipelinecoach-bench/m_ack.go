package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
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
// slack-go bot that only acks, driven the same way.
//
// Both bots are up at once, each on a simulator of its own, and take the
// load in turns (bare, ours; ours, bare; …): noise on the machine that
// lasts seconds (another VM on the host, a compile) then falls on both
// rather than on whichever ran at the time, and the ratio measures the
// bots rather than the moment.
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
	bare, err := startChild(roleBare, base, "")
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer bare.stop()
	bc, bs := ackProspects(base.TeamID(), baseUsers, per, per, now)
	baseMix, err := ackMix(base, bc, bs, false)
	if err != nil {
		return nil, err
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
	rb, err := startChild(roleBot, sim, env.srv.Addr())
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

	baseLoad, ourLoad := newLoad(base, baseMix, o.rate), newLoad(sim, m, o.rate)
	var baseUse, use cpuUse
	turns := max(1, int((o.duration+ackTurn/2)/ackTurn))
	each := o.duration / time.Duration(turns)
	runBare := func() {
		cpu := startCPU(bare, nil)
		baseLoad.run(ctx, each, nil)
		baseUse = baseUse.plus(cpu.stop(ctx))
	}
	runOurs := func() {
		cpu := startCPU(rb, env)
		ourLoad.run(ctx, each, nil)
		use = use.plus(cpu.stop(ctx))
	}
	o.logf("both bots (ours: %d reps, %d prospects): %d envelopes/s for %s each, in turns of %s",
		reps, len(all), o.rate, o.duration, each)
	callsBefore := len(sim.Calls())
	for i := range turns {
		order := []func(){runBare, runOurs}
		if i%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, run := range order {
			run()
			// Let the work behind the last acks finish before the other
			// bot's turn.
			time.Sleep(ackSettle)
		}
	}
	baseLat, baseWall, lat, wall := baseLoad.lat, baseLoad.wall, ourLoad.lat, ourLoad.wall
	if n, err := baseLat.errors(); n > 0 {
		return nil, fmt.Errorf("baseline: %d envelopes not acked: %w (its log: %s)", n, err, bare.logs())
	}
	calls := map[string]int{}
	for _, c := range sim.Calls()[callsBefore:] {
		calls[c.Method]++
	}
	if n, err := lat.errors(); n > 0 {
		return nil, fmt.Errorf("%d envelopes not acked: %w (bot log: %s)", n, err, rb.logs())
	}

	rb.stop() // it writes how long its Redis round trips took as it exits
	b := baseLat.stats("")
	rows := []row{{name: "ack baseline: bare slack-go bot, all kinds", measured: b.String(),
		target:  fmt.Sprintf("%d envelopes/s for %s, in %d turns of %s with ours", o.rate, o.duration, turns, each),
		verdict: verdictInfo, ratio: "—"}}
	n := float64(o.rate) * o.duration.Seconds()
	rows = append(rows, row{name: "ack: CPU per envelope (bot · simulator + load · Redis)",
		measured: fmt.Sprintf("bare bot: %s · %s; ours: %s · %s · %s", use1(baseUse.bot, n), use1(baseUse.bench, n),
			use1(use.bot, n), use1(use.bench, n), use1(use.redis, n)),
		target: "—", verdict: verdictInfo, ratio: "—"})
	rows = append(rows, row{name: "ack: the bot's Web API calls during the load", measured: tallyCalls(calls, n),
		target: "—", verdict: verdictInfo, ratio: "—"})
	rows = append(rows, row{name: "ack: the bot's Redis round trips (warm-up and load), timed by the bot",
		measured: tripsOf(rb.logs()), target: "—", verdict: verdictInfo, ratio: "—"})
	for _, k := range kinds {
		d := lat.stats(k)
		bk := baseLat.stats(k)
		ok := d.p99 <= 2*bk.p99 && d.p99 < 5*time.Millisecond
		rows = append(rows, row{name: "ack " + k, measured: d.String(),
			target: fmt.Sprintf("p99 ≤ 2× the bare bot's (%s) and < 5 ms", ms(bk.p99)), verdict: pass(ok),
			ratio: ratio(float64(d.p99), float64(bk.p99)) + "× base"})
	}
	for _, k := range kinds {
		d, bk := wall.stats(k), baseWall.stats(k)
		rows = append(rows, row{name: "ack " + k + ", from its scheduled start to the simulator done",
			measured: fmt.Sprintf("bare bot: %s; ours: %s", bk, d), target: "—", verdict: verdictInfo,
			ratio: ratio(float64(d.p99), float64(bk.p99)) + "× base"})
	}
	return rows, nil
}

// ackTurn is about how long each bot takes test 1's load at a stretch, and
// ackSettle the pause after each turn.
const (
	ackTurn   = 10 * time.Second
	ackSettle = 250 * time.Millisecond
)

// cpuUse is the CPU time each process of test 1 spent during a load.
type cpuUse struct{ bot, bench, redis time.Duration }

func (u cpuUse) plus(v cpuUse) cpuUse {
	return cpuUse{bot: u.bot + v.bot, bench: u.bench + v.bench, redis: u.redis + v.redis}
}

// cpuMeter measures cpuUse from its start to its stop.
type cpuMeter struct {
	bot   *childBot
	env   *redisEnv
	start cpuUse
}

func startCPU(bot *childBot, env *redisEnv) *cpuMeter {
	m := &cpuMeter{bot: bot, env: env}
	m.start = m.read(context.Background())
	return m
}

func (m *cpuMeter) stop(ctx context.Context) cpuUse {
	end := m.read(ctx)
	return cpuUse{bot: end.bot - m.start.bot, bench: end.bench - m.start.bench, redis: end.redis - m.start.redis}
}

func (m *cpuMeter) read(ctx context.Context) cpuUse {
	var u cpuUse
	u.bot, _ = m.bot.cpu()
	u.bench, _ = procCPU(os.Getpid())
	if m.env != nil {
		u.redis = redisCPU(ctx, m.env)
	}
	return u
}

// redisCPU is the server's used_cpu_user + used_cpu_sys from INFO cpu.
func redisCPU(ctx context.Context, env *redisEnv) time.Duration {
	c := env.srv.NewClient()
	defer c.Close()
	info, err := c.Info(ctx, "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for _, name := range []string{"used_cpu_user", "used_cpu_sys"} {
		v, _ := field(info, name)
		f, _ := strconv.ParseFloat(v, 64)
		total += f
	}
	return time.Duration(total * float64(time.Second))
}

// use1 is a CPU time spread over n envelopes, per envelope.
func use1(d time.Duration, n float64) string {
	if d <= 0 || n <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f µs", float64(d.Microseconds())/n)
}

// tallyCalls says how many of each Web API call the bot made, per envelope.
func tallyCalls(calls map[string]int, n float64) string {
	methods := slices.Sorted(maps.Keys(calls))
	parts := make([]string, 0, len(methods))
	total := 0
	for _, m := range methods {
		parts = append(parts, fmt.Sprintf("%s %d", m, calls[m]))
		total += calls[m]
	}
	return fmt.Sprintf("%.2f per envelope: %s", float64(total)/n, strings.Join(parts, ", "))
}
