package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"pipelinecoach/bot"
	"pipelinecoach/bot/render"
	"pipelinecoach/bot/sender"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
)

// benchPrefix is the key prefix of every store the benchmark makes.
const benchPrefix = "bench"

// redisEnv is one redis-server for one measurement, with a client that
// counts its round trips.
type redisEnv struct {
	srv   *redistest.Server
	rdb   *redis.Client
	trips *tripCounter
	store *redisstore.Store
}

func startRedis() (*redisEnv, error) {
	srv, err := redistest.StartServer()
	if err != nil {
		return nil, err
	}
	rdb := srv.NewClient()
	trips := &tripCounter{}
	rdb.AddHook(trips)
	return &redisEnv{srv: srv, rdb: rdb, trips: trips, store: redisstore.New(rdb, benchPrefix)}, nil
}

func (e *redisEnv) Close() {
	_ = e.rdb.Close()
	e.srv.Close()
}

// tripCounter is a go-redis hook counting round trips: one per command sent
// alone, one per pipeline. saves counts the prospect saves among them (the
// store's save script is the only one it runs with 7 keys). While keeping
// (keep), it also logs what each round trip was (describe), to show what a
// count is made of.
type tripCounter struct {
	total atomic.Int64
	saves atomic.Int64
	lists atomic.Int64 // reads of a rep's whole pipeline (the 2-key ProspectsOf script)

	keeping atomic.Bool
	mu      sync.Mutex
	log     []string
}

// keep starts logging what each round trip is.
func (c *tripCounter) keep() { c.keeping.Store(true) }

func (c *tripCounter) note(what string) {
	if !c.keeping.Load() {
		return
	}
	c.mu.Lock()
	c.log = append(c.log, what)
	c.mu.Unlock()
}

// mark is the position in the log now, for since.
func (c *tripCounter) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.log)
}

// since is what the round trips logged after mark were.
func (c *tripCounter) since(mark int) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.log[mark:])
}

func (c *tripCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.total.Add(1)
		if isSave(cmd) {
			c.saves.Add(1)
		}
		if scriptKeys(cmd) == "2" {
			c.lists.Add(1)
		}
		if debugTrips {
			fmt.Fprintln(os.Stderr, "TRIP", describe(cmd))
		}
		c.note(describe(cmd))
		return next(ctx, cmd)
	}
}

func (c *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.total.Add(1)
		var what []string
		for _, cmd := range cmds {
			if isSave(cmd) {
				c.saves.Add(1)
			}
			what = append(what, describe(cmd))
		}
		if debugTrips {
			fmt.Fprintln(os.Stderr, "TRIP pipeline", what)
		}
		c.note("pipeline [" + strings.Join(what, ", ") + "]")
		return next(ctx, cmds)
	}
}

// isSave: the save script is the one with 7 keys whose second is the
// versions hash (a team's read passes 1 + one key per rep, any number).
func isSave(cmd redis.Cmder) bool {
	args := cmd.Args()
	return scriptKeys(cmd) == "7" && len(args) > 4 && strings.HasSuffix(fmt.Sprint(args[4]), ":v")
}

// scriptKeys is the number of keys a script call passes, "" for other commands.
func scriptKeys(cmd redis.Cmder) string {
	name := cmd.Name()
	if name != "evalsha" && name != "eval" {
		return ""
	}
	args := cmd.Args()
	if len(args) < 3 {
		return ""
	}
	return fmt.Sprint(args[2])
}

var debugTrips = os.Getenv("BENCH_DEBUG_TRIPS") != ""

// describe names what a command the store sends is for, from its keys (the
// layout in storage/redisstore/keys.go) and, for the job-queue scripts, its
// arguments: "save", "prospect read", "claim", … Anything else is its name
// and first key.
func describe(cmd redis.Cmder) string {
	args := cmd.Args()
	arg := func(i int) string {
		if i < len(args) {
			return fmt.Sprint(args[i])
		}
		return ""
	}
	name := cmd.Name()
	key := arg(1)
	switch name {
	case "evalsha", "eval":
		n, _ := strconv.Atoi(arg(2))
		key = arg(3)
		var argv []string
		for i := 3 + n; i < len(args); i++ {
			argv = append(argv, arg(i))
		}
		numeric := func(s string) bool { _, err := strconv.ParseInt(s, 10, 64); return err == nil }
		switch {
		case isSave(cmd):
			return "save"
		case n <= 3 && strings.HasSuffix(key, ":p") && strings.Contains(arg(4), ":owner:"):
			return "pipeline read" // one owner's sets: open, and retired since c107a1d
		case n > 3 && strings.HasSuffix(key, ":p") && strings.Contains(arg(4), ":owner:"):
			return "team prospects read"
		case n == 2 && strings.HasSuffix(key, ":teams"):
			return "team-of read"
		case n == 3 && strings.HasSuffix(key, ":teams"):
			return "team save"
		case n == 3 && strings.HasSuffix(key, ":jobs:due"):
			switch {
			case len(argv) == 3 && numeric(argv[0]):
				return "claim"
			case len(argv) == 2 && !numeric(argv[0]) && numeric(argv[1]):
				return "schedule"
			}
			return "job done/release"
		case n == 1 && strings.Contains(key, ":ledger:"):
			return "reserve send"
		}
	case "hget":
		switch {
		case strings.HasSuffix(key, ":p"):
			return "prospect read"
		case strings.HasSuffix(key, ":teams"):
			return "team read"
		case strings.HasSuffix(key, ":rm"):
			return "manager-of read"
		}
	case "hvals":
		switch {
		case strings.HasSuffix(key, ":p"):
			return "workspace prospects read"
		case strings.HasSuffix(key, ":teams"):
			return "teams read"
		}
	case "wait":
		return "wait for replicas"
	case "set", "get", "del":
		if strings.Contains(key, ":ledger:") {
			return map[string]string{"set": "ledger record", "get": "ledger lookup", "del": "ledger forget"}[name]
		}
	}
	return strings.TrimSpace(name + " " + key)
}

// tally counts a log of round trips by kind, in order of first appearance:
// "claim, 3× prospect read, 3× save".
func tally(what []string) string {
	if len(what) == 0 {
		return "none"
	}
	counts := map[string]int{}
	var order []string
	for _, w := range what {
		if counts[w] == 0 {
			order = append(order, w)
		}
		counts[w]++
	}
	for i, w := range order {
		if counts[w] > 1 {
			order[i] = fmt.Sprintf("%d× %s", counts[w], w)
		}
	}
	return strings.Join(order, ", ")
}

// summary folds a log of round trips into "prospect read, 2× save".
func summary(what []string) string {
	if len(what) == 0 {
		return "none"
	}
	var out []string
	for i := 0; i < len(what); {
		j := i
		for j < len(what) && what[j] == what[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, fmt.Sprintf("%d× %s", j-i, what[i]))
		} else {
			out = append(out, what[i])
		}
		i = j
	}
	return strings.Join(out, ", ")
}

// snapshot is the counter's state, to subtract.
type trips struct{ total, saves, lists int64 }

func (c *tripCounter) now() trips { return trips{c.total.Load(), c.saves.Load(), c.lists.Load()} }

func (t trips) sub(o trips) trips {
	return trips{t.total - o.total, t.saves - o.saves, t.lists - o.lists}
}

func (t trips) add(o trips) trips {
	return trips{t.total + o.total, t.saves + o.saves, t.lists + o.lists}
}

// quiet waits until the counter has not moved for d (the bot finished its
// work), at most max.
func (c *tripCounter) quiet(d, max time.Duration) {
	deadline := time.Now().Add(max)
	last := c.total.Load()
	stable := time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		if n := c.total.Load(); n != last {
			last, stable = n, time.Now()
		} else if time.Since(stable) >= d {
			return
		}
	}
}

// workdayClock is the real clock moved to Wednesday 25 November 2026, 10:00
// UTC: time passes at its real pace, inside every rep's working hours, so
// prompts due "now" are sent now whenever the benchmark runs.
type workdayClock struct{ offset time.Duration }

func newWorkdayClock() workdayClock {
	return workdayClock{offset: time.Until(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))}
}

func (c workdayClock) Now() time.Time { return time.Now().Add(c.offset) }

// unlimitedSender turns off the sender's proactive Slack limits: a
// measurement of our own ack path or ceiling, not of one workspace's quota
// (test 4 measures delivery under limits with the shipped defaults).
func unlimitedSender() sender.Options {
	m := map[string]int{}
	for k := range sender.DefaultMethodPerMinute() {
		m[k] = 0
	}
	return sender.Options{PostPerChannelPerSecond: -1, MethodPerMinute: m}
}

// logSink counts the bot's warnings and errors and keeps the first few.
type logSink struct {
	mu    sync.Mutex
	n     int
	first []string
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if len(l.first) < 5 {
		l.first = append(l.first, strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("%d warnings/errors, first: %s", l.n, strings.Join(l.first, " | "))
}

// runningBot is the real bot, wired by bot.Assemble as the binary wires it.
type runningBot struct {
	rt   *bot.Runtime
	logs *logSink
	stop func()
}

// startBot assembles and runs the bot against sim and waits until it has
// connected and loaded the workspace directory.
func startBot(sim *slacksim.Server, store coach.Store, clock coach.Clock, tick <-chan time.Time, out sender.Options) (*runningBot, error) {
	logs := &logSink{}
	rt := bot.Assemble(bot.Setup{
		APIURL: sim.APIURL(), AppToken: sim.AppToken(), BotToken: sim.BotToken(),
		Store: store, Clock: clock, Timing: coach.DefaultTiming, Tick: tick, Sender: out,
		Log: zerolog.New(logs).Level(zerolog.WarnLevel),
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = rt.Run(ctx) }()
	stop := func() { cancel(); <-done }
	if err := waitConnected(sim, 10*time.Second); err != nil {
		stop()
		return nil, err
	}
	// Measured from a warm start: every member known, as after the first
	// minutes of a real bot (test 9 measures the cold start apart).
	select {
	case <-rt.Bot.DirectoryReady():
	case <-time.After(30 * time.Second):
		stop()
		return nil, fmt.Errorf("the workspace directory did not load within 30s")
	}
	return &runningBot{rt: rt, logs: logs, stop: stop}, nil
}

func waitConnected(sim *slacksim.Server, max time.Duration) error {
	deadline := time.Now().Add(max)
	for sim.Connections() == 0 {
		if time.Now().After(deadline) {
			return errors.New("the bot never connected to the simulator")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// addUsers adds n members in UTC to the simulator and returns their ids.
func addUsers(sim *slacksim.Server, prefix string, n int) []string {
	return addMembers(sim, prefix, n, []string{"UTC"})
}

// addFloor adds n members in the zones of a sales floor, in turn, and
// returns their ids: a zone other than UTC costs what a real one does
// (UTC is every zone lookup's shortcut).
func addFloor(sim *slacksim.Server, prefix string, n int) []string {
	return addMembers(sim, prefix, n, []string{"America/New_York", "Europe/Berlin", "America/Los_Angeles", "Europe/London", "Asia/Singapore", "UTC"})
}

func addMembers(sim *slacksim.Server, prefix string, n int, zones []string) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("U%s%05d", prefix, i)
		sim.AddUser(slacksim.User{ID: ids[i], Name: strings.ToLower(ids[i]), RealName: "Rep " + ids[i], TZ: zones[i%len(zones)]})
	}
	return ids
}

// awaiting is a prospect whose first meeting was three days before now,
// asked once, waiting for an answer, followed up in a week.
func awaiting(team, id, owner string, now time.Time) coach.Prospect {
	first := now.Add(-72 * time.Hour).Truncate(time.Hour)
	asked := first.Add(2 * time.Hour)
	return coach.Prospect{
		Workspace: team, ID: id, Owner: owner, Account: "Account " + id, Contact: "Jane Doe", TZ: "UTC",
		FirstMeeting: first, MeetingEnd: first.Add(45 * time.Minute), State: coach.Awaiting,
		Asks: 1, LastAsked: asked, FollowUpAt: now.Add(7 * 24 * time.Hour),
		CreatedAt: first, LastActivity: asked, Version: 1,
		History: []coach.Entry{
			{At: first, By: owner, Event: coach.EventLogged, To: coach.Scheduled},
			{At: asked, By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting},
		},
	}
}

// saveAll saves prospects with workers concurrent Saves.
func saveAll(ctx context.Context, store coach.Store, ps []coach.Prospect, workers int) error {
	return parallel(len(ps), workers, func(i int) error { return store.Save(ctx, ps[i]) })
}

// parallel runs fn(0..n-1) on workers goroutines and returns the first error.
func parallel(n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// postPrompts posts each prospect's question to its owner as the bot would,
// straight to the simulator, and returns the prospects pointing at them, so
// that answering updates a real message.
func postPrompts(ctx context.Context, sim *slacksim.Server, ps []coach.Prospect) error {
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	return parallel(len(ps), 8, func(i int) error {
		ch, ts, err := api.PostMessageContext(ctx, ps[i].Owner, render.Prompt(ps[i], coach.Ask{Kind: coach.AskFirst, N: 1}).Options()...)
		if err != nil {
			return fmt.Errorf("post prompt: %w", err)
		}
		ps[i].Prompt = coach.MessageRef{Channel: ch, TS: ts}
		return nil
	})
}

// promptMessage is the question about p as a message to click on. Its ts is
// unknown to the simulator, so a click sends these blocks whatever the
// stored message has become.
func promptMessage(sim *slacksim.Server, p coach.Prospect) slacksim.Message {
	return slacksim.Message{Channel: sim.DMChannel(p.Owner), TS: "1.000001",
		Blocks: slack.Blocks{BlockSet: render.Prompt(p, coach.Ask{Kind: coach.AskFirst, N: 1}).Blocks}}
}

// field is the value of name in "name: value" lines, as /proc files and
// Redis's INFO write them, from the first line that has it.
func field(text, name string) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+":"); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
