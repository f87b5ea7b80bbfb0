package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"pipelinecoach/bot"
	"pipelinecoach/bot/sender"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/storage/redisstore"
)

// Test 1 runs each bot it measures in a process of its own: the benchmark
// re-executes itself with childRole set. In one process, the bot's socket
// loop would share a Go scheduler and a garbage collector with the
// simulator and the load generator (whose heap, the simulator's stored
// messages, is three times the bot's), and the latency measured would be
// theirs as much as the bot's. In production Slack is another machine.
const (
	childRole     = "PIPELINECOACH_BENCH_CHILD" // "bare" or "bot"
	childAPIURL   = "PIPELINECOACH_BENCH_API_URL"
	childAppToken = "PIPELINECOACH_BENCH_APP_TOKEN"
	childBotToken = "PIPELINECOACH_BENCH_BOT_TOKEN"
	childRedis    = "PIPELINECOACH_BENCH_REDIS" // host:port
	childProfile  = "PIPELINECOACH_BENCH_CPUPROFILE"
	childTrace    = "PIPELINECOACH_BENCH_TRACE"
	// childLimited, when "1", runs the bot with the sender's shipped
	// limits instead of none (test 9, against a simulator enforcing Slack's).
	childLimited = "PIPELINECOACH_BENCH_LIMITED"
	// botGOGC, when set, is ours' GOGC alone (GOGC set for the whole run
	// changes the baselines' too): to weigh another value against the
	// shipped one.
	botGOGC = "PIPELINECOACH_BENCH_BOT_GOGC"
	// botGOMAXPROCS, when set, is ours' GOMAXPROCS alone, likewise.
	botGOMAXPROCS = "PIPELINECOACH_BENCH_BOT_GOMAXPROCS"
)

const (
	roleBare = "bare"
	roleBot  = "bot"
	// roleAwake keeps its one CPU from halting (awake.go).
	roleAwake = "awake"
)

// botRuntimeEnv is ours' GOMAXPROCS and GOGC. Ours runs as the binary runs
// it (cmd/pipelinecoach: defaultProcs, defaultGCPercent) unless the run's
// environment sets a value for every bot, or botGOMAXPROCS and botGOGC one
// for ours alone; the bare bots keep Go's defaults, a P per core and GOGC
// 100.
func botRuntimeEnv(getenv func(string) string) []string {
	var env []string
	if v := getenv(botGOMAXPROCS); v != "" {
		env = append(env, "GOMAXPROCS="+v)
	} else if getenv("GOMAXPROCS") == "" {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(botProcs))
	}
	if v := getenv(botGOGC); v != "" {
		env = append(env, "GOGC="+v)
	} else if getenv("GOGC") == "" {
		env = append(env, "GOGC="+strconv.Itoa(botGCPercent))
	}
	return env
}

// botProcs and botGCPercent are the binary's GOMAXPROCS and GOGC when none
// is set (cmd/pipelinecoach, defaultProcs and defaultGCPercent), which test
// 1's bot runs with.
const (
	botProcs     = 1
	botGCPercent = 400
)

// writeAllocs writes what the process allocated, by where, to path: with
// the CPU profile it says where a bot's garbage (and so its collections)
// comes from.
func writeAllocs(path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		_ = f.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "allocation profile:", err)
	}
}

// startTrace writes the Go execution trace of this process to path until
// stop: where its goroutines waited to run, and what woke them (go tool
// trace -pprof=sched PATH), which a CPU profile cannot show.
func startTrace(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := trace.Start(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		trace.Stop()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "execution trace:", err)
		}
	}, nil
}

// runChild is the whole life of a re-executed benchmark process: it runs
// the bot its role names until SIGTERM, and returns the exit status.
func runChild(role string) int {
	if err := pinChild(); err != nil {
		fmt.Fprintln(os.Stderr, "pin to CPUs:", err)
		return 2
	}
	if role == roleAwake {
		return spin()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if path := os.Getenv(childProfile); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "cpu profile:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
		defer writeAllocs(path + ".allocs")
	}
	if path := os.Getenv(childTrace); path != "" {
		stop, err := startTrace(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "execution trace:", err)
			return 2
		}
		defer stop()
	}
	apiURL, appToken, botToken := os.Getenv(childAPIURL), os.Getenv(childAppToken), os.Getenv(childBotToken)
	switch role {
	case roleBare:
		return exitStatus(runBareBot(ctx, apiURL, appToken, botToken, nil))
	case roleStoreAck:
		rdb := redis.NewClient(&redis.Options{Addr: os.Getenv(childRedis), Protocol: 2, DisableIdentity: true})
		defer rdb.Close()
		return exitStatus(runBareBot(ctx, apiURL, appToken, botToken, rdb))
	case roleBareAnswer:
		return exitStatus(runAnsweringBareBot(ctx, apiURL, appToken, botToken, nil))
	case roleStoreAnswer:
		rdb := redis.NewClient(&redis.Options{Addr: os.Getenv(childRedis), Protocol: 2, DisableIdentity: true})
		defer rdb.Close()
		trips := &tripTimer{}
		rdb.AddHook(trips)
		defer func() { fmt.Fprintln(os.Stderr, tripsLine+trips.String()) }()
		return exitStatus(runAnsweringBareBot(ctx, apiURL, appToken, botToken, rdb))
	case roleBot:
		rdb := redis.NewClient(&redis.Options{Addr: os.Getenv(childRedis), Protocol: 2, DisableIdentity: true})
		defer rdb.Close()
		trips := &tripTimer{}
		rdb.AddHook(trips)
		defer func() { fmt.Fprintln(os.Stderr, tripsLine+trips.String()) }()
		setup := bot.Setup{
			APIURL: apiURL, AppToken: appToken, BotToken: botToken,
			Store: redisstore.New(rdb, benchPrefix), Clock: coach.SystemClock{}, Timing: coach.DefaultTiming,
			Sender: unlimitedSender(),
			Log:    zerolog.New(os.Stderr).Level(zerolog.WarnLevel),
		}
		if os.Getenv(childLimited) == "1" {
			setup.Sender = sender.Options{}
		}
		run := bot.Assemble(setup)
		return exitStatus(run.Run(ctx))
	default:
		fmt.Fprintf(os.Stderr, "%s: unknown role %q\n", childRole, role)
		return 2
	}
}

func exitStatus(err error) int {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// runBareBot is test 1's baseline: a slack-go Socket Mode client that only
// acks (a command with a one-word reply), with nothing behind it. With rdb
// it is the second baseline, roleStoreAck: each ack waits for the round
// trips to rdb that ours' ack of the same kind waits for (ackTrips).
func runBareBot(ctx context.Context, apiURL, appToken, botToken string, rdb *redis.Client) error {
	api := slack.New(botToken, slack.OptionAppLevelToken(appToken), slack.OptionAPIURL(apiURL))
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if rdb != nil {
		// What the round trips read is there, about a prospect's size.
		if err := rdb.Set(ctx, storeKey, storeValue, 0).Err(); err != nil {
			return fmt.Errorf("fill the baseline's store: %w", err)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				if evt.Request == nil || evt.Request.EnvelopeID == "" {
					continue
				}
				id, reply, trips := evt.Request.EnvelopeID, any(nil), 0
				switch data := evt.Data.(type) {
				case slack.SlashCommand:
					// A command's ack carries a reply, as ours' carries
					// its answer: the plainest ack Slack takes for one.
					reply, trips = slashReply, ackTrips[kindSlash]
				case slack.InteractionCallback:
					if data.Type == slack.InteractionTypeViewSubmission {
						trips = ackTrips[kindSubmit]
					}
				}
				if rdb == nil || trips == 0 {
					_ = sm.AckCtx(ctx, id, reply)
					continue
				}
				// Waiting here would hold up the envelopes behind this
				// one, which ours does not.
				wg.Go(func() {
					roundTrips(ctx, rdb, trips)
					_ = sm.AckCtx(ctx, id, reply)
				})
			}
		}
	})
	err := sm.RunContext(ctx)
	cancel()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// childProfiles, when set (-cpuprofile), is where each child writes its CPU
// profile, and childTraces (-trace) its execution trace, with its role
// appended.
var childProfiles, childTraces string

// childBot is a bot running in a process of its own.
type childBot struct {
	cmd    *exec.Cmd
	out    string // the file its stdout and stderr go to, until it exits
	keep   sync.Once
	log    string // what out held when the child exited
	exited chan struct{}
}

// startChild re-executes this program as a bot of the given role against
// sim (and, for roleBot, the Redis at redisAddr) and waits until it has
// connected.
func startChild(role string, sim *slacksim.Server, redisAddr string, env ...string) (*childBot, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start the %s bot: %w", role, err)
	}
	// The child writes straight into a file, read once it has stopped (or
	// failed to start).
	out, err := os.CreateTemp("", "pipelinecoach-bench-"+role+"-*.log")
	if err != nil {
		return nil, fmt.Errorf("start the %s bot: %w", role, err)
	}
	defer out.Close() // the child holds its own descriptor
	cmd := exec.Command(self)

	cmd.Env = append(os.Environ(), childRole+"="+role, childAPIURL+"="+sim.APIURL(),
		childAppToken+"="+sim.AppToken(), childBotToken+"="+sim.BotToken(), childRedis+"="+redisAddr)
	cmd.Env = append(cmd.Env, env...)
	if childProfiles != "" {
		cmd.Env = append(cmd.Env, childProfile+"="+childProfiles+"."+role)
	}
	if childTraces != "" {
		cmd.Env = append(cmd.Env, childTrace+"="+childTraces+"."+role)
	}
	cmd.Stdout, cmd.Stderr = out, out
	endWithParent(cmd)
	if role == roleBot {
		cmd.Env = append(cmd.Env, botRuntimeEnv(os.Getenv)...)
	}
	if err := cmd.Start(); err != nil {
		_ = os.Remove(out.Name())
		return nil, fmt.Errorf("start the %s bot: %w", role, err)
	}
	c := &childBot{cmd: cmd, out: out.Name(), exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(c.exited) }()
	if err := waitConnected(sim, 20*time.Second); err != nil {
		c.stop()
		return nil, fmt.Errorf("the %s bot: %w: %s", role, err, c.logs())
	}
	return c, nil
}

// stop ends the child with SIGTERM (SIGKILL after 10 s) and waits for it.
func (c *childBot) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	c.keep.Do(c.keepLog)
}

// keepLog moves the exited child's log from its file into memory.
func (c *childBot) keepLog() {
	c.log = readLog(c.out)
	_ = os.Remove(c.out)
}

// logs is what the child wrote (its warnings and errors).
func (c *childBot) logs() string {
	select {
	case <-c.exited:
		c.keep.Do(c.keepLog)
		return c.log
	default:
		return readLog(c.out)
	}
}

// readLog is the content of a log file, or why it could not be read.
func readLog(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(its log is unreadable: %v)", err)
	}
	return string(b)
}

// cpu is the CPU time the child has used so far (user + system), from
// /proc/<pid>/stat.
func (c *childBot) cpu() (time.Duration, error) {
	return procCPU(c.cmd.Process.Pid)
}

// procCPU reads a process's user + system CPU time from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from the ")".
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	var utime, stime int64
	fields := bytes.Fields(raw[i+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	if _, err := fmt.Sscan(string(fields[11])+" "+string(fields[12]), &utime, &stime); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	// The kernel counts in clock ticks of 1/100 s on Linux (USER_HZ).
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// tripsLine starts the line a bot child writes as it exits: how long its
// Redis round trips took.
const tripsLine = "redis round trips: "

// tripsOf finds that line in a child's output.
func tripsOf(logs string) string {
	for line := range strings.Lines(logs) {
		if v, ok := strings.CutPrefix(line, tripsLine); ok {
			return strings.TrimSpace(v)
		}
	}
	return "—"
}

// withoutTrips is a child's output without that line.
func withoutTrips(logs string) string {
	var b strings.Builder
	for line := range strings.Lines(logs) {
		if !strings.HasPrefix(line, tripsLine) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// tripTimer is a go-redis hook timing every round trip (a command or a
// pipeline), from the bot's side.
type tripTimer struct {
	mu sync.Mutex
	ds []time.Duration
}

func (h *tripTimer) add(d time.Duration) {
	h.mu.Lock()
	h.ds = append(h.ds, d)
	h.mu.Unlock()
}

func (h *tripTimer) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *tripTimer) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		h.add(time.Since(start))
		return err
	}
}

func (h *tripTimer) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		h.add(time.Since(start))
		return err
	}
}

func (h *tripTimer) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return newDist(h.ds).String()
}
