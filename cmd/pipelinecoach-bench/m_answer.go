package main

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// Test 9's workspace: members, the people of them who use the bot during
// the load, the reps who open App Home at once, and how long the cold
// start is reported apart.
const (
	answerMembers = 5000
	answerPeople  = 1000
	answerHomes   = 300
	answerCold    = time.Minute
)

// measureAnswer is test 9: time to answer, what a person waits for, from
// the envelope sent to the answer posted (response_url, a DM, App Home
// published), for /pipeline, a button and a modal submission, at o.rate
// envelopes a second from 1,000 people of a 5,000-member workspace, on
// simulators that enforce Slack's rate limits, beside a bare slack-go bot
// that answers the same envelopes without looking anything up, and beside
// that bot making first the Redis round trips ours needs at least (what
// answering from a store costs on this machine). Ours starts cold (an
// empty directory) and its first minute is reported apart; the warm turns
// start once its directory is loaded; then 300 reps open App Home at once.
// The bots and their Redis servers run on half the CPUs, the simulators and
// the load on the other half (cpus.go): Slack is another machine. No CPU
// halts when idle (awake.go): a virtual machine's halted CPU wakes late,
// and more often for the bot with more hops.
func measureAnswer(ctx context.Context, o options) ([]row, error) {
	r := &answerRun{members: answerMembers, people: answerPeople, homes: answerHomes, cold: answerCold, rate: o.rate}
	if o.short {
		r.members, r.people, r.homes, r.cold = 500, 100, 30, 3*time.Second
	}
	undo, err := r.arrangeCPUs(o)
	if err != nil {
		return nil, err
	}
	defer undo()
	limits := slacksim.SlackLimits()
	per := 1
	total := int((o.answerDuration+r.cold).Seconds()*float64(o.rate))/3 + 1
	for r.people*per < total {
		per++
	}
	now := time.Now()

	// The baseline.
	base := slacksim.New(slacksim.WithRateLimits(limits))
	defer base.Close()
	bare, baseMix, err := r.baseline(base, roleBareAnswer, nil, per, now)
	if err != nil {
		return nil, err
	}
	defer bare.stop()
	// The same bot making ours' round trips to a Redis first.
	storeEnv, err := r.startRedis()
	if err != nil {
		return nil, err
	}
	defer storeEnv.Close()
	storeSim := slacksim.New(slacksim.WithRateLimits(limits))
	defer storeSim.Close()
	storeBot, storeMix, err := r.baseline(storeSim, roleStoreAnswer, storeEnv, per, now)
	if err != nil {
		return nil, err
	}
	defer storeBot.stop()

	// Ours, over an empty Redis: nothing known of the workspace yet.
	env, err := r.startRedis()
	if err != nil {
		return nil, err
	}
	defer env.Close()
	// Slack's limits from the moment the bot runs; the questions it asked
	// earlier are posted before.
	sim := slacksim.New()
	defer sim.Close()
	m, ourPeople, err := r.ours(ctx, o, sim, env, per, now)
	if err != nil {
		return nil, err
	}
	// Each person's envelopes apart from the same person's others: a
	// third of the people on, for each kind.
	m.buttons = rotate(m.buttons, r.people/3)
	m.submits = rotate(m.submits, 2*r.people/3)
	for _, bm := range []*mix{&baseMix, &storeMix} {
		bm.buttons = rotate(bm.buttons, r.people/3)
		bm.submits = rotate(bm.submits, 2*r.people/3)
	}
	sim.SetRateLimits(limits)
	baseTimer, storeTimer, ourTimer := newAnswerTimer(base), newAnswerTimer(storeSim), newAnswerTimer(sim)
	listed := sim.UsersListed()
	rb, err := startChild(roleBot, sim, env.srv.Addr(), append(r.split.childEnv(), childLimited+"=1")...)
	if err != nil {
		return nil, err
	}
	defer rb.stop()

	r.awaitDirectory = func(ctx context.Context) error { return awaitDirectoryLoaded(ctx, env, sim.TeamID()) }
	r.load(ctx, o, newAnswerLoad(base, baseMix, o.rate, baseTimer, bare), newAnswerLoad(storeSim, storeMix, o.rate, storeTimer, storeBot),
		newAnswerLoad(sim, m, o.rate, ourTimer, rb))
	r.directoryCalls(sim, listed)
	r.openHomes(ctx, o, sim, ourPeople[:r.homes], limits)
	// Each bot writes how long its round trips took as it exits.
	storeBot.stop()
	rb.stop()
	r.trips = fmt.Sprintf("with round trips: %s; ours: %s", tripsOf(storeBot.logs()), tripsOf(rb.logs()))
	rows := r.rows()
	if o.answersFile != "" {
		if err := writeAnswers(o.answersFile, map[string]*answerTimer{"bare": baseTimer, "store": storeTimer, "ours": ourTimer}, r.coldStart.Add(r.cold)); err != nil {
			o.logf("-answers: %v", err)
		}
	}
	if logs := withoutTrips(rb.logs()); logs != "" {
		o.logf("the bot's warnings and errors: %.2000s", logs)
	}
	return rows, nil
}

// answerRun is test 9: its workspace's size, and what it measured.
type answerRun struct {
	members, people, homes int
	cold                   time.Duration // the first stretch of ours, reported apart
	rate                   int           // envelopes a second
	split                  *cpuSplit     // nil: all share the CPUs

	coldStart      time.Time
	awaitDirectory func(context.Context) error // until ours has loaded the directory
	loadedAfter    time.Duration               // from the cold start, or 0: not loaded

	coldStats, warm, baseStats, storeStats, homeStats   answerStats
	coldUnacked, warmUnacked, baseUnacked, storeUnacked int
	pages, infos                                        int           // users.list pages and users.info calls
	homeLimit                                           time.Duration // views.publish's minimum for the homes
	benchBusy                                           string        // the benchmark's busy share in the warm turns
	botWaits                                            string        // each bot's threads on a CPU and waiting, per warm envelope
	hostSteal                                           string        // the host's steal of the bots' CPUs in each bot's warm turns
	trips                                               string        // each bot's Redis round trips over its life, as it timed them
	baseTurns, ourTurns                                 []time.Time   // when each warm turn of the bare bot and of ours started
}

// arrangeCPUs keeps every CPU from halting (unless o.idleCPUs) and puts
// this process apart from the bots (unless o.shareCPUs); undo ends both.
func (r *answerRun) arrangeCPUs(o options) (undo func(), err error) {
	var awake spinners
	if !o.idleCPUs {
		if awake, err = keepAwake(); err != nil {
			return nil, err
		}
	}
	if !o.shareCPUs {
		if r.split, err = splitCPUs(); err != nil {
			awake.stop()
			return nil, err
		}
	}
	o.logf("%s; %s", awake, r.split)
	return func() {
		if err := r.split.restore(); err != nil {
			o.logf("the benchmark could not have every CPU back: %v", err)
		}
		awake.stop()
	}, nil
}

// startRedis starts a Redis server on the bots' CPUs.
func (r *answerRun) startRedis() (*redisEnv, error) {
	env, err := startRedis()
	if err != nil {
		return nil, err
	}
	if err := r.split.pinBots(env.srv.Pid()); err != nil {
		env.Close()
		return nil, fmt.Errorf("pin a Redis server to the bots' CPUs: %w", err)
	}
	return env, nil
}

// baseline starts a bare bot of the given role on base's workspace (the
// store baseline with the Redis of store) and builds its load: per
// buttons and per forms for each person.
func (r *answerRun) baseline(base *slacksim.Server, role string, store *redisEnv, per int, now time.Time) (*childBot, mix, error) {
	basePeople := spread(addFloor(base, "B", r.members), r.people)
	redisAddr := ""
	if store != nil {
		redisAddr = store.srv.Addr()
	}
	bare, err := startChild(role, base, redisAddr, r.split.childEnv()...)
	if err != nil {
		return nil, mix{}, fmt.Errorf("baseline %s: %w", role, err)
	}
	bc, bs := ackProspects(base.TeamID(), basePeople, per, per, now)
	bc, bs = roundRobin(bc, per), roundRobin(bs, per)
	baseMix, err := ackMix(base, bc, bs, false)
	if err != nil {
		bare.stop()
		return nil, mix{}, err
	}
	return bare, baseMix, nil
}

// ours builds our bot's workspace and load: the questions asked, in Slack
// and in the store; each button pressed on the question the rep was really
// sent, each form submitted the one the bot opened. It returns the load
// and the people who use the bot.
func (r *answerRun) ours(ctx context.Context, o options, sim *slacksim.Server, env *redisEnv, per int, now time.Time) (mix, []string, error) {
	ourPeople := spread(addFloor(sim, "R", r.members), r.people)
	clicks, submits := ackProspects(sim.TeamID(), ourPeople, per, per, now)
	clicks, submits = roundRobin(clicks, per), roundRobin(submits, per)
	all := append(append([]coach.Prospect{}, clicks...), submits...)
	o.logf("posting %d prompts", len(all))
	if err := postPrompts(ctx, sim, all); err != nil {
		return mix{}, nil, err
	}
	copy(clicks, all[:len(clicks)])
	copy(submits, all[len(clicks):])
	if err := saveAll(ctx, env.store, all, 16); err != nil {
		return mix{}, nil, err
	}
	m, err := ackMix(sim, clicks, submits, false)
	if err != nil {
		return mix{}, nil, err
	}
	for i, p := range clicks {
		m.buttons[i].msg = postedPrompt(sim, p)
	}
	// A rep submits the second-meeting form after pressing "Yes" on the
	// question: press them all first, with the bot up once, then forget
	// the workspace directory that run loaded, for a cold start.
	views, err := pressYes(ctx, o, sim, env, submits, r.split)
	if err != nil {
		return mix{}, nil, err
	}
	for i := range m.submits {
		m.submits[i].view = views[i]
	}
	return m, ourPeople, nil
}

// load runs ours cold for r.cold, then the three bots warm in short turns
// (bare, store, ours; store, ours, bare; …), so that outside load on the
// machine (other processes, a hypervisor's steal) falls on all alike:
// bursts of it last seconds, and in turns of 10 s one bot could take a
// burst another missed.
func (r *answerRun) load(ctx context.Context, o options, baseLoad, storeLoad, ourLoad *answerLoad) {
	o.logf("ours, cold: %d members, %d of them at %d envelopes/s for %s", r.members, r.people, o.rate, r.cold)
	r.coldStart = time.Now()
	ourLoad.run(ctx, r.cold)
	r.coldStats = ourLoad.timer.take()
	r.coldUnacked, _ = ourLoad.lat.errors()
	ourLoad.forget()
	// Warm means the directory is loaded: users.list at Slack's tier 2
	// takes longer than the cold minute for 5,000 members.
	if err := r.awaitDirectory(ctx); err != nil {
		o.logf("the directory was not loaded: %v", err)
	} else {
		r.loadedAfter = time.Since(r.coldStart)
	}
	turns := max(1, int((o.answerDuration+answerTurn/2)/answerTurn))
	each := o.answerDuration / time.Duration(turns)
	o.logf("warm: the three bots, %s each in %d turns", o.answerDuration, turns)
	loads := []*answerLoad{baseLoad, storeLoad, ourLoad}
	for _, l := range loads {
		l.stealCPUs = r.split.botCPUs()
	}
	for i := range turns {
		for j := range loads {
			collectBeforeTurn()
			loads[(i+j)%len(loads)].run(ctx, each)
		}
	}
	cpus := r.split.benchCPUs()
	r.benchBusy = fmt.Sprintf("of its %d CPU(s): in the bare bot's turns %s, with round trips %s, ours %s",
		cpus, baseLoad.busy(cpus), storeLoad.busy(cpus), ourLoad.busy(cpus))
	r.hostSteal = fmt.Sprintf("in the bare bot's turns %s, with round trips %s, ours %s (counted in 10 ms ticks)",
		baseLoad.stolen(), storeLoad.stolen(), ourLoad.stolen())
	r.botWaits = fmt.Sprintf("bare bot: %s; with round trips: %s; ours: %s", baseLoad.waits(), storeLoad.waits(), ourLoad.waits())
	r.baseTurns, r.ourTurns = baseLoad.turns, ourLoad.turns
	r.warm = ourLoad.timer.take()
	r.baseStats = baseLoad.timer.take()
	r.storeStats = storeLoad.timer.take()
	r.warmUnacked, _ = ourLoad.lat.errors()
	r.baseUnacked, _ = baseLoad.lat.errors()
	r.storeUnacked, _ = storeLoad.lat.errors()
}

// collectBeforeTurn collects this process's garbage between turns, so
// that none of its collections falls inside one. The simulator keeps
// every call and message it took (hundreds of MB by the warm turns), and
// a collection of that heap takes this process (the simulator and the
// load generator) about half a second at up to a core: landing in one
// bot's turn, it made that bot's p99 several times the other's
// (GODEBUG=gctrace=1 showed two such collections in a warm phase, at
// random turns).
func collectBeforeTurn() { runtime.GC() }

// answerTurn is about how long each bot takes test 9's warm load at a
// stretch.
const answerTurn = 2 * time.Second

// awaitDirectoryLoaded waits until the bot has recorded its load of team's
// directory (coach's ledger entry directory/<team>/loaded), for at most
// three minutes.
func awaitDirectoryLoaded(ctx context.Context, env *redisEnv, team string) error {
	key := "{" + benchPrefix + "}:ledger:directory/" + team + "/loaded"
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		n, err := env.rdb.Exists(ctx, key).Result()
		if err == nil && n == 1 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s still unset: %w", key, ctx.Err())
		case <-tick.C:
		}
	}
}

// directoryCalls counts what loading the workspace directory cost: pages
// of users.list since listed, and users.info calls.
func (r *answerRun) directoryCalls(sim *slacksim.Server, listed int) {
	r.pages = sim.UsersListed() - listed
	for _, c := range sim.Calls() {
		if c.Method == "users.info" {
			r.infos++
		}
	}
}

// openHomes is Monday 09:00: reps open App Home at once.
func (r *answerRun) openHomes(ctx context.Context, o options, sim *slacksim.Server, reps []string, limits slacksim.RateLimits) {
	o.logf("%d reps open App Home at once", len(reps))
	homeTimer := newAnswerTimer(sim)
	var wg sync.WaitGroup
	for _, u := range reps {
		wg.Go(func() {
			a, err := sim.OpenHome(ctx, u)
			homeTimer.sent(u, kindHome, "", a.Sent, err)
		})
	}
	wg.Wait()
	r.homeLimit = limits.MinTime("views.publish", len(reps))
	homeTimer.await(ctx, len(reps), r.homeLimit*2+30*time.Second)
	r.homeStats = homeTimer.take()
}

// rows judges the run: ours warm against the bare bot, the cold start and
// the directory reported, App Home against Slack's own limit.
func (r *answerRun) rows() []row {
	rows := []row{{name: "answer: the workspace directory", target: "loaded once, users.info only for whom it lacks",
		measured: fmt.Sprintf("%d users.list pages for %d members, loaded %s after the cold start; %d users.info calls", r.pages, r.members, loadedAfter(r.loadedAfter), r.infos),
		verdict:  verdictInfo, ratio: "—"},
		{name: "answer: envelopes not acked within 3 s", target: "none",
			measured: fmt.Sprintf("bare bot: %d; with round trips: %d; ours: %d warm, %d in the cold start's first %s", r.baseUnacked, r.storeUnacked, r.warmUnacked, r.coldUnacked, r.cold),
			verdict:  pass(r.warmUnacked == 0 && r.coldUnacked == 0 && r.baseUnacked == 0 && r.storeUnacked == 0), ratio: "—"},
		{name: "answer: the benchmark's own CPU (the simulators, the load), busy share", measured: r.benchBusy,
			target: "— (near 100 %, the bots would wait on Slack's stand-in)", verdict: verdictInfo, ratio: "—"},
		{name: "answer: the host's steal of the bots' CPUs in each bot's warm turns", measured: r.hostSteal,
			target: "— (time the host ran something else while a bot's CPU had work; it delays every bot alike)", verdict: verdictInfo, ratio: "—"},
		{name: "answer: the bots' threads per warm envelope, on a CPU and waiting for one", measured: r.botWaits,
			target: "— (waiting: runnable, behind another thread or process; the thread running least is Go's monitor, whose waits hold up no answer)", verdict: verdictInfo, ratio: "—"},
		{name: "answer: Redis round trips as each bot timed them, over its life", measured: r.trips,
			target: "— (ours' include its cold start and App Home; the other bot's are the GETs and SETs of its warm turns)", verdict: verdictInfo, ratio: "—"}}
	for _, k := range kinds {
		b, d, c := r.baseStats.of(k), r.warm.of(k), r.coldStats.of(k)
		ok := d.unanswered == 0 && d.dist.p99 <= b.dist.p99*3/2 && d.dist.max <= 3*time.Second
		rows = append(rows, row{name: "answer " + k, measured: fmt.Sprintf("bare bot: %s; ours: %s%s", b, d, r.chance(d, b)),
			target:  fmt.Sprintf("p99 ≤ 1.5× the bare bot's, none later than 3 s (%d/s from %d people)", r.rate, r.people),
			verdict: pass(ok), ratio: ratio(float64(d.dist.p99), float64(b.dist.p99)) + "× base"})
		st := r.storeStats.of(k)
		rows = append(rows, row{name: "answer " + k + ", beside the bare bot making ours' round trips first",
			measured: fmt.Sprintf("bare bot with %d Redis round trips: %s", storeTrips[k], st),
			target:   "— (what answering from a store costs here)", verdict: verdictInfo,
			ratio: ratio(float64(d.dist.p99), float64(st.dist.p99)) + "× it"})
		measured := c.String()
		if !c.slowFrom.IsZero() {
			measured += fmt.Sprintf("; those over 1 s sent %.1f–%.1f s into it", c.slowFrom.Sub(r.coldStart).Seconds(), c.slowTo.Sub(r.coldStart).Seconds())
		}
		rows = append(rows, row{name: "answer " + k + ", cold start: first " + r.cold.String(), measured: measured,
			target: "reported apart", verdict: verdictInfo, ratio: ratio(float64(c.dist.p99), float64(b.dist.p99)) + "× base"})
		if k == kindSlash {
			rows = append(rows, r.halves(kindSlashView, kindSlashLog)...)
		}
	}
	h := r.homeStats.of(kindHome)
	bound := r.homeLimit * 6 / 5
	home := row{name: fmt.Sprintf("answer: App Home, %d reps opening it at once", r.homes), measured: h.String(),
		target:  fmt.Sprintf("each within views.publish's minimum %s × 1.2 = %s", r.homeLimit.Round(time.Second), bound.Round(time.Second)),
		verdict: pass(h.unanswered == 0 && h.dist.max <= bound), ratio: "—"}
	if r.homes < answerHomes && h.unanswered == 0 {
		// The sender's own burst (a tenth of a minute's calls: Slack
		// publishes no figure) is below the simulator's (a quarter), and
		// with a few dozen Homes that difference outweighs the 20 %.
		home.target = fmt.Sprintf("judged with %d reps: with %d the sender's own burst decides, not the limit", answerHomes, r.homes)
		home.verdict = verdictInfo
	}
	return append(rows, home)
}

const kindHome = "App Home"

// chance says how far ours' p99 ÷ the bare bot's could have moved by
// chance in this run (interval.go), or nothing without warm turns.
func (r *answerRun) chance(ours, base *answerKind) string {
	lo, hi, ok := ratioInterval(byTurn(ours, r.ourTurns), byTurn(base, r.baseTurns), 1000, rand.New(rand.NewPCG(9, 9)))
	if !ok {
		return ""
	}
	return fmt.Sprintf("; the ratio over whole turns drawn again: 90 %% within %.2f–%.2f×", lo, hi)
}

// halves reports finer kinds of envelopes apart, beside the bare bot
// answering the same (info: the target is on the kind as a whole).
func (r *answerRun) halves(kinds ...string) []row {
	var rows []row
	for _, k := range kinds {
		b, d := r.baseStats.of(k), r.warm.of(k)
		rows = append(rows, row{name: "answer " + k, measured: fmt.Sprintf("bare bot: %s; ours: %s", b, d),
			target: "— (half of the /pipeline envelopes)", verdict: verdictInfo,
			ratio: ratio(float64(d.dist.p99), float64(b.dist.p99)) + "× base"})
	}
	return rows
}

func loadedAfter(d time.Duration) string {
	if d == 0 {
		return "(not seen)"
	}
	return d.Round(time.Second).String()
}

// spread picks n of members evenly, so the people using the bot are spread
// over every page of users.list.
func spread(members []string, n int) []string {
	out := make([]string, 0, n)
	step := max(1, len(members)/n)
	for i := 0; i < len(members) && len(out) < n; i += step {
		out = append(out, members[i])
	}
	return out
}

// rotate moves the first n targets to the end.
func rotate(ts []target, n int) []target {
	if len(ts) == 0 {
		return ts
	}
	n %= len(ts)
	return append(append([]target{}, ts[n:]...), ts[:n]...)
}

// pressYes runs the bot over an unlimited simulator while every rep presses
// "Yes" on the question about each prospect they will confirm, then stops
// it and forgets the workspace directory it loaded.
func pressYes(ctx context.Context, o options, sim *slacksim.Server, env *redisEnv, ps []coach.Prospect, split *cpuSplit) ([]slacksim.View, error) {
	o.logf("pressing Yes on %d questions", len(ps))
	rb, err := startChild(roleBot, sim, env.srv.Addr(), split.childEnv()...)
	if err != nil {
		return nil, err
	}
	views := make([]slacksim.View, len(ps))
	err = parallel(len(ps), 16, func(i int) error {
		if _, err := sim.Click(ctx, ps[i].Owner, postedPrompt(sim, ps[i]), render.ActionYes); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		v, err := sim.WaitView(wctx, ps[i].Owner, func(v slacksim.View) bool {
			return v.CallbackID == render.ViewConfirm && !v.Closed && render.ReadFormMetadata(v.PrivateMetadata).ID == ps[i].ID
		})
		views[i] = v
		return err
	})
	rb.stop()
	if err != nil {
		return nil, fmt.Errorf("press yes: %w", err)
	}
	team := sim.TeamID()
	p := "{" + benchPrefix + "}"
	keys := []string{p + ":t:" + team + ":members", p + ":t:" + team + ":mu", p + ":ledger:directory/" + team + "/loaded"}
	if err := env.rdb.Del(ctx, keys...).Err(); err != nil {
		return nil, fmt.Errorf("forget the directory: %w", err)
	}
	return views, nil
}

// roundRobin reorders prospects made per person (per each, person by
// person) so that consecutive ones are different people's: each person's
// envelopes are then as far apart as the load allows.
func roundRobin(ps []coach.Prospect, per int) []coach.Prospect {
	people := len(ps) / per
	out := make([]coach.Prospect, 0, len(ps))
	for j := range per {
		for i := range people {
			out = append(out, ps[i*per+j])
		}
	}
	return out
}

// postedPrompt is the question about p as the simulator holds it.
func postedPrompt(sim *slacksim.Server, p coach.Prospect) slacksim.Message {
	for _, m := range sim.Messages(sim.DMChannel(p.Owner)) {
		if m.TS == p.Prompt.TS {
			return m
		}
	}
	return promptMessage(sim, p)
}

// answerTimer pairs each envelope a person sent with the first answer to
// them after it, before their next envelope.
type answerTimer struct {
	mu      sync.Mutex
	sentAt  map[string][]sentEnvelope
	answers map[string][]time.Time
	wake    chan struct{}
	n       int
	// taken is every envelope take has paired, in order taken, for
	// -answers.
	taken []timedEnvelope
}

// timedEnvelope is one envelope and how long its answer took, if it had
// one.
type timedEnvelope struct {
	kind     string
	at       time.Time
	took     time.Duration
	answered bool
}

type sentEnvelope struct {
	kind string
	also string // a finer kind it is counted under too ("" for none)
	at   time.Time
	err  error
}

// The two halves of test 9's /pipeline envelopes, reported apart: the
// view reads the rep's deals, a one-line log saves a meeting before its
// answer says so.
const (
	kindSlashView = "/pipeline (the view)"
	kindSlashLog  = "/pipeline log"
)

// slashKind is the finer kind of a /pipeline typed with text.
func slashKind(text string) string {
	if strings.HasPrefix(text, "log ") {
		return kindSlashLog
	}
	return kindSlashView
}

func newAnswerTimer(sim *slacksim.Server) *answerTimer {
	t := &answerTimer{sentAt: map[string][]sentEnvelope{}, answers: map[string][]time.Time{}, wake: make(chan struct{}, 1)}
	sim.OnAnswer(func(a slacksim.Answer) {
		t.mu.Lock()
		t.answers[a.User] = append(t.answers[a.User], a.At)
		t.n++
		t.mu.Unlock()
		select {
		case t.wake <- struct{}{}:
		default:
		}
	})
	return t
}

func (t *answerTimer) sent(user, kind, also string, at time.Time, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sentAt[user] = append(t.sentAt[user], sentEnvelope{kind: kind, also: also, at: at, err: err})
}

// await waits until n answers came, or for at most max.
func (t *answerTimer) await(ctx context.Context, n int, max time.Duration) {
	t.waitUntil(ctx, max, func() bool {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.n >= n
	})
}

// waitUntil waits, checking done at each answer, until done is true, ctx
// ends or max has passed.
func (t *answerTimer) waitUntil(ctx context.Context, max time.Duration, done func() bool) {
	deadline := time.NewTimer(max)
	defer deadline.Stop()
	for !done() {
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-t.wake:
		}
	}
}

// answerStats are times to answer by kind.
type answerStats map[string]*answerKind

type answerKind struct {
	times      []time.Duration
	sent       []time.Time // when each of times' envelopes was sent
	unanswered int
	dist       dist
	// slowFrom and slowTo bound when the envelopes answered after more
	// than a second were sent, to tell a stall from a slope.
	slowFrom, slowTo time.Time
}

func (k *answerKind) String() string {
	if k == nil {
		return "none"
	}
	s := k.dist.String()
	if k.unanswered > 0 {
		s += fmt.Sprintf(", %d never answered", k.unanswered)
	}
	return s
}

func (s answerStats) of(kind string) *answerKind {
	if k, ok := s[kind]; ok {
		return k
	}
	return &answerKind{}
}

// add counts one envelope of kind, sent at at: answered after d, or not.
func (s answerStats) add(kind string, at time.Time, d time.Duration, answered bool) {
	k := s[kind]
	if k == nil {
		k = &answerKind{}
		s[kind] = k
	}
	if !answered {
		k.unanswered++
		return
	}
	k.times = append(k.times, d)
	k.sent = append(k.sent, at)
	if d > time.Second {
		if k.slowFrom.IsZero() || at.Before(k.slowFrom) {
			k.slowFrom = at
		}
		if at.After(k.slowTo) {
			k.slowTo = at
		}
	}
}

// take pairs what was sent with its answer, and starts afresh.
func (t *answerTimer) take() answerStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := answerStats{}
	for user, envs := range t.sentAt {
		pairAnswers(envs, t.answers[user], func(e sentEnvelope, d time.Duration, answered bool) {
			t.taken = append(t.taken, timedEnvelope{kind: e.kind, at: e.at, took: d, answered: answered})
			out.add(e.kind, e.at, d, answered)
			if e.also != "" {
				out.add(e.also, e.at, d, answered)
			}
		})
	}
	for _, k := range out {
		k.dist = newDist(k.times)
	}
	t.sentAt, t.answers, t.n = map[string][]sentEnvelope{}, map[string][]time.Time{}, 0
	return out
}

// unanswered counts the envelopes sent so far that have no answer yet,
// without taking them.
func (t *answerTimer) unanswered() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for user, envs := range t.sentAt {
		pairAnswers(envs, t.answers[user], func(_ sentEnvelope, _ time.Duration, answered bool) {
			if !answered {
				n++
			}
		})
	}
	return n
}

// awaitAnswered waits until every envelope sent so far is answered, or for
// at most max.
func (t *answerTimer) awaitAnswered(ctx context.Context, max time.Duration) {
	t.waitUntil(ctx, max, func() bool { return t.unanswered() == 0 })
}

// pairAnswers pairs one person's envelopes with the first answer to them
// after each was sent and before their next envelope (both sorted in
// place), and calls fn for each envelope: how long its answer took, or
// that it has none.
func pairAnswers(envs []sentEnvelope, answers []time.Time, fn func(e sentEnvelope, d time.Duration, answered bool)) {
	slices.SortFunc(envs, func(a, b sentEnvelope) int { return a.at.Compare(b.at) })
	slices.SortFunc(answers, func(a, b time.Time) int { return a.Compare(b) })
	j := 0
	for i, e := range envs {
		for j < len(answers) && answers[j].Before(e.at) {
			j++
		}
		if e.err != nil || j == len(answers) || (i+1 < len(envs) && !answers[j].Before(envs[i+1].at)) {
			fn(e, 0, false)
			continue
		}
		fn(e, answers[j].Sub(e.at), true)
		j++
	}
}

// answerLoad sends a mix open loop, like test 1's load, and tells the timer
// when each envelope was sent.
type answerLoad struct {
	sim   *slacksim.Server
	mix   mix
	rate  int
	next  int
	timer *answerTimer
	lat   *latencies
	// cpu and wall add up, over the runs since the last forget, the
	// benchmark process's CPU time and the time they took.
	cpu, wall time.Duration
	turns     []time.Time // when each run since the last forget started
	// pid is the bot's process; sched is what the kernel counted for its
	// threads over the runs since the last forget, for that many
	// envelopes, and schedErr why it could not.
	pid       int
	sched     threadWaits
	envelopes int
	schedErr  error
	// stealCPUs are the bots' CPUs; steal is how long the host held them
	// over the runs since the last forget (steal.go), stealErr why it
	// could not be read.
	stealCPUs []int
	steal     time.Duration
	stealErr  error
}

// forget starts the load's acks and CPU figures afresh (after the cold
// start, which is reported apart).
func (l *answerLoad) forget() {
	l.lat = newLatencies()
	l.cpu, l.wall = 0, 0
	l.turns = nil
	l.sched, l.envelopes, l.schedErr = threadWaits{}, 0, nil
	l.steal, l.stealErr = 0, nil
}

// noteWaits adds what the kernel counted for the bot's threads since
// before (read with err) over a run of n envelopes.
func (l *answerLoad) noteWaits(before threadWaits, err error, n int) {
	if err == nil {
		var after threadWaits
		if after, err = processWait(l.pid); err == nil {
			l.sched.add(after.since(before))
			l.envelopes += n
		}
	}
	if err != nil && l.schedErr == nil {
		l.schedErr = err
	}
}

// busy is the share of its cpus the benchmark process used during the
// load's runs: near one, Slack's stand-in is itself a bottleneck, and
// every bot's answers wait on it.
func (l *answerLoad) busy(cpus int) string {
	if l.wall <= 0 || cpus <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f %%", 100*float64(l.cpu)/float64(l.wall)/float64(cpus))
}

func newAnswerLoad(sim *slacksim.Server, m mix, rate int, t *answerTimer, bot *childBot) *answerLoad {
	return &answerLoad{sim: sim, mix: m, rate: rate, timer: t, lat: newLatencies(), pid: bot.cmd.Process.Pid, sched: threadWaits{}}
}

// noteSteal adds the host's steal of the bots' CPUs since before (read
// with err).
func (l *answerLoad) noteSteal(before time.Duration, err error) {
	if err == nil {
		var after time.Duration
		if after, err = hostSteal(l.stealCPUs); err == nil {
			l.steal += after - before
		}
	}
	if err != nil && l.stealErr == nil {
		l.stealErr = err
	}
}

// stolen says how much of the bots' CPU time the host took during the
// runs since the last forget.
func (l *answerLoad) stolen() string {
	if l.stealErr != nil {
		return "— (" + l.stealErr.Error() + ")"
	}
	return stealShare(l.steal, l.wall, len(l.stealCPUs))
}

// waits says how long the bot's threads ran and waited for a CPU for each
// envelope of the runs since the last forget, in all and thread by thread.
func (l *answerLoad) waits() string { return l.sched.perEnvelope(l.envelopes, l.schedErr) }

// run sends for d, then waits a little for the last answers.
func (l *answerLoad) run(ctx context.Context, d time.Duration) {
	n := int(d.Seconds() * float64(l.rate))
	interval := time.Second / time.Duration(l.rate)
	var wg sync.WaitGroup
	start := time.Now()
	l.turns = append(l.turns, start)
	cpu0, cpuErr := procCPU(os.Getpid())
	wait0, waitErr := processWait(l.pid)
	steal0, stealErr := hostSteal(l.stealCPUs)
	defer func() {
		cpu1, err := procCPU(os.Getpid())
		if cpuErr == nil && err == nil {
			l.cpu += cpu1 - cpu0
			l.wall += time.Since(start)
		}
		l.noteWaits(wait0, waitErr, n)
		l.noteSteal(steal0, stealErr)
	}()
	for j := range n {
		if wait := time.Until(start.Add(time.Duration(j) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		i := l.next + j
		kind := kinds[i%3]
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			var (
				a          slacksim.Ack
				err        error
				user, also string
			)
			switch kind {
			case kindSlash:
				t := l.mix.slashes[(i/3)%len(l.mix.slashes)]
				user, also = t.user, slashKind(t.text)
				a, err = l.sim.Slash(ctx, t.user, t.text)
			case kindButton:
				t := l.mix.buttons[(i/3)%len(l.mix.buttons)]
				user = t.user
				a, err = l.sim.Click(ctx, t.user, t.msg, t.action)
			case kindSubmit:
				t := l.mix.submits[(i/3)%len(l.mix.submits)]
				user = t.user
				a, err = l.sim.Submit(ctx, t.user, t.view, t.inputs)
			}
			l.lat.add(kind, a.Received.Sub(a.Sent), err)
			l.timer.sent(user, kind, also, a.Sent, err)
		})
	}
	l.next += n
	wg.Wait()
	l.timer.awaitAnswered(ctx, answerGrace)
}

// answerGrace is how long after its last envelope a load waits at most for
// the answers still missing: past the 3 s target, so a late answer is
// counted late rather than missing.
const answerGrace = 4 * time.Second

// writeAnswers writes every envelope each timer paired to path as CSV
// (-answers): the bot, the phase (ours' cold start, or warm), the kind, when
// it was sent (Unix ns) and how long its answer took (ms; empty for none),
// in the order sent: to see when the slow answers came, not only how many.
func writeAnswers(path string, timers map[string]*answerTimer, coldEnd time.Time) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "bot,phase,kind,sent_unix_ns,answer_ms")
	for _, bot := range slices.Sorted(maps.Keys(timers)) {
		es := slices.Clone(timers[bot].taken)
		slices.SortFunc(es, func(a, b timedEnvelope) int { return a.at.Compare(b.at) })
		for _, e := range es {
			phase := "warm"
			if bot == "ours" && e.at.Before(coldEnd) { // ours' cold load is sent before coldEnd, its warm turns after
				phase = "cold"
			}
			took := ""
			if e.answered {
				took = fmt.Sprintf("%.3f", float64(e.took)/float64(time.Millisecond))
			}
			fmt.Fprintf(w, "%s,%s,%s,%d,%s\n", bot, phase, e.kind, e.at.UnixNano(), took)
		}
	}
	if err := w.Flush(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
