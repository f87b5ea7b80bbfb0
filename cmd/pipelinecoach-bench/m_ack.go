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
// slack-go bot that only acks, driven the same way, and against the same
// bare bot waiting before each ack for the Redis round trips ours' ack of
// that kind waits for (ackTrips). Ours' command ack carries its answer and
// its form ack follows its save, so the second is the one each verdict is
// against: it leaves ours' own code, not the store, between the two.
//
// The bots are up at once, each on a simulator of its own, and take the
// load in turns (bare, store, ours; store, ours, bare; …): noise on the
// machine that lasts seconds (another VM on the host, a compile) then
// falls on all rather than on whichever ran at the time, and the ratios
// measure the bots rather than the moment. No CPU halts when idle
// (awake.go): a halted CPU of a virtual machine wakes late now and then,
// and an ack after a round trip to Redis crosses two wakeups more than the
// bare bot's.
func measureAck(ctx context.Context, o options) ([]row, error) {
	reps, per := 500, 4
	if o.short {
		reps, per = 20, 2
	}
	// Each prospect is answered once: enough of them for the whole run.
	for reps*per < int(o.duration.Seconds()*float64(o.rate))/3+1 {
		per++
	}
	if !o.idleCPUs {
		awake, err := keepAwake()
		if err != nil {
			return nil, err
		}
		defer awake.stop()
		o.logf("%s", awake)
	}
	now := time.Now()
	base, err := startAckBaseline(roleBare, nil, reps, per, now)
	if err != nil {
		return nil, err
	}
	defer base.close()
	storeEnv, err := startRedis()
	if err != nil {
		return nil, err
	}
	store, err := startAckBaseline(roleStoreAck, storeEnv, reps, per, now)
	if err != nil {
		return nil, err
	}
	defer store.close()
	ours, err := startAckOurs(ctx, reps, per, now)
	if err != nil {
		return nil, err
	}
	defer ours.close()

	o.logf("three bots (ours: %d reps, %d prospects): %d envelopes/s for %s each", reps, ours.prospects, o.rate, o.duration)
	t := runAckTurns(ctx, o, base, store, ours)
	if n, err := t.base.lat.errors(); n > 0 {
		return nil, fmt.Errorf("baseline: %d envelopes not acked: %w (its log: %s)", n, err, base.bot.logs())
	}
	if n, err := t.store.lat.errors(); n > 0 {
		return nil, fmt.Errorf("baseline with a store: %d envelopes not acked: %w (its log: %s)", n, err, store.bot.logs())
	}
	if n, err := t.ours.lat.errors(); n > 0 {
		return nil, fmt.Errorf("%d envelopes not acked: %w (bot log: %s)", n, err, ours.bot.logs())
	}
	ours.bot.stop() // it writes how long its Redis round trips took as it exits
	return ackRows(o, t, tripsOf(ours.bot.logs())), nil
}

// roleStoreAck is test 1's second baseline: the bare bot that only acks,
// each ack waiting for the round trips to a Redis of its own that ours'
// ack of the same kind waits for (ackTrips).
const roleStoreAck = "store-ack"

// ackTrips are the round trips ours' ack waits for: a command's, as its
// answer travels in the ack (the view's read, or a log's save); a form's,
// its save (a failed save's error goes in the ack, so the rep keeps what
// they typed). A button is acked at once.
var ackTrips = map[string]int{kindSlash: 1, kindButton: 0, kindSubmit: 1}

// ackBot is one of test 1's bots, running in a process of its own against a
// simulator of its own, with the load it takes.
type ackBot struct {
	sim       *slacksim.Server
	bot       *childBot
	env       *redisEnv // ours', and the baseline's with a store
	mix       mix
	prospects int
}

func (a *ackBot) close() {
	if a.bot != nil {
		a.bot.stop()
	}
	a.sim.Close()
	if a.env != nil {
		a.env.Close()
	}
}

// startAckBaseline starts a bare slack-go bot of the given role, which only
// acks; with env, over that Redis (which it then closes).
func startAckBaseline(role string, env *redisEnv, reps, per int, now time.Time) (*ackBot, error) {
	a := &ackBot{sim: slacksim.New(), env: env}
	users := addUsers(a.sim, "B", reps)
	redisAddr := ""
	if env != nil {
		redisAddr = env.srv.Addr()
	}
	bot, err := startChild(role, a.sim, redisAddr)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("baseline: %w", err)
	}
	a.bot = bot
	clicks, submits := ackProspects(a.sim.TeamID(), users, per, per, now)
	if a.mix, err = ackMix(a.sim, clicks, submits, false); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// startAckOurs starts our bot over Redis holding the prospects the load
// answers, their questions already posted, every rep known to the bot.
func startAckOurs(ctx context.Context, reps, per int, now time.Time) (*ackBot, error) {
	env, err := startRedis()
	if err != nil {
		return nil, err
	}
	a := &ackBot{sim: slacksim.New(), env: env}
	users := addUsers(a.sim, "R", reps)
	clicks, submits := ackProspects(a.sim.TeamID(), users, per, per, now)
	all := append(append([]coach.Prospect{}, clicks...), submits...)
	a.prospects = len(all)
	if err := postPrompts(ctx, a.sim, all); err != nil {
		a.close()
		return nil, err
	}
	copy(clicks, all[:len(clicks)])
	copy(submits, all[len(clicks):])
	if err := saveAll(ctx, env.store, all, 16); err != nil {
		a.close()
		return nil, err
	}
	if a.bot, err = startChild(roleBot, a.sim, env.srv.Addr()); err != nil {
		a.close()
		return nil, err
	}
	// Every rep has used the bot before: its zone is cached, as in a
	// running workspace.
	if err := parallel(len(users), 8, func(i int) error {
		_, err := a.sim.Slash(ctx, users[i], "help")
		return err
	}); err != nil {
		a.close()
		return nil, fmt.Errorf("warm up: %w", err)
	}
	if a.mix, err = ackMix(a.sim, clicks, submits, false); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

// ackTurns is how the turns of test 1 went.
type ackTurns struct {
	base, store, ours          *load
	baseUse, storeUse, oursUse cpuUse
	turns                      int
	each                       time.Duration
	calls                      map[string]int // our bot's Web API calls during the load, by method
}

// runAckTurns gives the three bots the load in turns (bare, store, ours;
// store, ours, bare; …), measuring each one's CPU as it runs.
func runAckTurns(ctx context.Context, o options, base, store, ours *ackBot) ackTurns {
	t := ackTurns{base: newLoad(base.sim, base.mix, o.rate), store: newLoad(store.sim, store.mix, o.rate),
		ours: newLoad(ours.sim, ours.mix, o.rate)}
	t.turns = max(1, int((o.duration+ackTurn/2)/ackTurn))
	t.each = o.duration / time.Duration(t.turns)
	runBare := func() {
		cpu := startCPU(base.bot, nil)
		t.base.run(ctx, t.each, nil)
		t.baseUse = t.baseUse.plus(cpu.stop(ctx))
	}
	runStore := func() {
		cpu := startCPU(store.bot, store.env)
		t.store.run(ctx, t.each, nil)
		t.storeUse = t.storeUse.plus(cpu.stop(ctx))
	}
	runOurs := func() {
		cpu := startCPU(ours.bot, ours.env)
		t.ours.run(ctx, t.each, nil)
		t.oursUse = t.oursUse.plus(cpu.stop(ctx))
	}
	o.logf("in %d turns of %s", t.turns, t.each)
	callsBefore := len(ours.sim.Calls())
	for i := range t.turns {
		order := []func(){runBare, runStore, runOurs}
		for j := range order {
			run := order[(i+j)%len(order)]
			run()
			// Let the work behind the last acks finish before the next
			// bot's turn.
			time.Sleep(ackSettle)
		}
	}
	t.calls = map[string]int{}
	for _, c := range ours.sim.Calls()[callsBefore:] {
		t.calls[c.Method]++
	}
	return t
}

// ackRows are test 1's results; trips is our bot's own account of its Redis
// round trips.
func ackRows(o options, t ackTurns, trips string) []row {
	baseLat, storeLat, lat := t.base.lat, t.store.lat, t.ours.lat
	rows := []row{{name: "ack baseline: bare slack-go bot, all kinds", measured: baseLat.stats("").String(),
		target:  fmt.Sprintf("%d envelopes/s for %s, in %d turns of %s with the others", o.rate, o.duration, t.turns, t.each),
		verdict: verdictInfo, ratio: "—"}}
	rows = append(rows, row{name: "ack baseline with a store: the bare bot, each ack after ours' round trips, all kinds",
		measured: storeLat.stats("").String(),
		target: fmt.Sprintf("before its ack, %d Redis round trip for /pipeline, %d for a form, %d for a button, as ours",
			ackTrips[kindSlash], ackTrips[kindSubmit], ackTrips[kindButton]),
		verdict: verdictInfo, ratio: "—"})
	n := float64(o.rate) * o.duration.Seconds()
	rows = append(rows, row{name: "ack: CPU per envelope (bot · simulator + load · Redis)",
		measured: fmt.Sprintf("bare bot: %s · %s; with a store: %s · %s · %s; ours: %s · %s · %s",
			use1(t.baseUse.bot, n), use1(t.baseUse.bench, n),
			use1(t.storeUse.bot, n), use1(t.storeUse.bench, n), use1(t.storeUse.redis, n),
			use1(t.oursUse.bot, n), use1(t.oursUse.bench, n), use1(t.oursUse.redis, n)),
		target: "—", verdict: verdictInfo, ratio: "—"})
	rows = append(rows, row{name: "ack: the bot's Web API calls during the load", measured: tallyCalls(t.calls, n),
		target: "—", verdict: verdictInfo, ratio: "—"})
	rows = append(rows, row{name: "ack: the bot's Redis round trips (warm-up and load), timed by the bot",
		measured: trips, target: "—", verdict: verdictInfo, ratio: "—"})
	for _, k := range kinds {
		d, sk := lat.stats(k), storeLat.stats(k)
		ok := d.p99 <= 2*sk.p99 && d.p99 < 5*time.Millisecond
		rows = append(rows, row{name: "ack " + k, measured: d.String(),
			target: fmt.Sprintf("p99 ≤ 2× the bare bot's with a store (%s) and < 5 ms", ms(sk.p99)), verdict: pass(ok),
			ratio: ratio(float64(d.p99), float64(sk.p99)) + "× base"})
	}
	for _, k := range kinds {
		d, sk, bk := lat.stats(k), storeLat.stats(k), baseLat.stats(k)
		rows = append(rows, row{name: "ack " + k + ", the bare bots side by side",
			measured: fmt.Sprintf("bare bot: %s; with a store: %s", bk, sk),
			target:   "— (ours against the bare bot without a store)", verdict: verdictInfo,
			ratio: ratio(float64(d.p99), float64(bk.p99)) + "× bare"})
	}
	for _, k := range kinds {
		d, sk, bk := t.ours.wall.stats(k), t.store.wall.stats(k), t.base.wall.stats(k)
		rows = append(rows, row{name: "ack " + k + ", from its scheduled start to the simulator done",
			measured: fmt.Sprintf("bare bot: %s; with a store: %s; ours: %s", bk, sk, d), target: "—", verdict: verdictInfo,
			ratio: ratio(float64(d.p99), float64(sk.p99)) + "× base"})
	}
	return rows
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
