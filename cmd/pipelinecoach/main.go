// Command pipelinecoach runs the Pipeline Coach Slack bot over Socket Mode.
// It reads its configuration from the environment (envconfig, here only),
// opens the store (Redis with REDIS_URL, the embedded file otherwise), sets
// up the log (one stream of zerolog lines, go-redis's own messages included:
// logs.go) and wires the pieces; everything else lives in coach, storage
// and bot. Subcommands: demo (package demo) and healthcheck.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	runtimemetrics "runtime/metrics"
	"syscall"
	"time"
	_ "time/tzdata" // reps' zones must resolve in a minimal container too

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"pipelinecoach/bot"
	"pipelinecoach/bot/ops"
	"pipelinecoach/bot/sender"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
	"pipelinecoach/storage/boltstore"
	"pipelinecoach/storage/redisstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if code, ok := subcommand(ctx, os.Args[1:], os.Stdout, os.Stderr); ok {
		os.Exit(code) // demo, healthcheck: no configuration needed
	}
	os.Exit(run(ctx, os.Stderr))
}

// run returns the process exit status: 0 after a clean stop, 1 on a
// failure while running, 2 on bad configuration.
func run(ctx context.Context, stderr io.Writer) int {
	cfg, err := loadConfig()
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach: configuration:", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	routeRedisLog(log)
	procs := applyProcs()
	gcPercent := applyGC()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := ops.NewMetrics(reg)

	store, where, closeStore, err := openStore(cfg, metrics.RedisHook())
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach:", err)
		return 2
	}
	defer closeStore()

	sink, err := openCRM(ctx, cfg.CRMConfig)
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach: CRM:", err)
		return crmExit(err)
	}

	calendar, calendarWhere := cfg.calendarSettings(time.Now)
	rt := assemble(cfg, store, sink, calendar, log, metrics)
	handler := ops.Handler(metrics, reg, readiness(store, rt.Bot, metrics))
	log.Info().Str("slack_api", cfg.SlackAPIURL).Str("store", where).Str("http_addr", cfg.HTTPAddr).Str("calendar", calendarWhere).Int("procs", procs).Int("gc_percent", gcPercent).Msg("starting")
	return serve(ctx, rt, cfg.HTTPAddr, handler, log)
}

// assemble wires the bot from the configuration and has it report to
// metrics.
func assemble(cfg config, store store, sink coach.CRM, calendar coach.CalendarSettings, log zerolog.Logger, metrics *ops.Metrics) *bot.Runtime {
	rt := bot.Assemble(bot.Setup{
		Config: bot.Config{Workers: cfg.Workers, DefaultTZ: cfg.DefaultTimezone, Admins: cfg.AdminUserIDs,
			CelebrationChannel: cfg.CelebrationChan},
		APIURL:   cfg.SlackAPIURL,
		AppToken: cfg.SlackAppToken,
		BotToken: cfg.SlackBotToken,
		Store:    store,
		Clock:    coach.SystemClock{},
		Timing:   cfg.timing,
		Holidays: cfg.holidays,
		Defaults: coach.TeamDefaults{TZ: cfg.DefaultTimezone, Framework: cfg.Framework,
			Currency: cfg.DefaultCurrency, Numbers: phrase.Style(cfg.NumberStyle)},
		Log:      log,
		Sender:   sender.Options{Observe: metrics.SlackCall},
		Lease:    cfg.JobLease,
		CRM:      sink,
		CRMPull:  cfg.Pull,
		Calendar: calendar,
	})
	rt.Service.Thresholds.MaxNudgesPerDay = cfg.MaxNudgesPerDay
	rt.Bot.Observe(metrics)
	rt.Service.OnJob = func(j coach.Job, lag time.Duration, err error) { metrics.Job(j.Key, lag, err) }
	logRun := rt.Scheduler.OnRun
	rt.Scheduler.OnRun = func(n int, err error) { logRun(n, err); metrics.SchedulerRun(n, err) }
	if dc, ok := store.(ops.DueCounter); ok { // once redisstore has CountDue
		if err := metrics.WatchDue(dc, time.Now); err != nil {
			log.Warn().Err(err).Msg("jobs_due not exported")
		}
	}
	return rt
}

// readiness is /readyz: the store answers and Slack's socket is open.
func readiness(store store, b *bot.Bot, metrics *ops.Metrics) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := store.Ping(ctx); err != nil {
			if dial := metrics.RedisDialError(); dial != nil && !errors.Is(err, redisstore.ErrNotReplicated) {
				err = dial // go-redis retries dials and reports only the deadline
			}
			return fmt.Errorf("store: %w", err)
		}
		if !b.Connected() {
			return errors.New("slack: socket mode not connected")
		}
		return nil
	}
}

// serve runs the operations endpoints and the bot until ctx ends or either
// fails, and returns the exit status.
func serve(ctx context.Context, rt *bot.Runtime, addr string, handler http.Handler, log zerolog.Logger) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opsErr := make(chan error, 1)
	go func() {
		err := ops.Serve(ctx, addr, handler, log.With().Str("component", "ops").Logger())
		if err != nil {
			cancel() // no operations endpoints, no bot: an orchestrator could not see it
		}
		opsErr <- err
	}()

	runErr := rt.Run(ctx)
	cancel()
	if err := <-opsErr; err != nil {
		log.Error().Err(err).Msg("stopped: operations endpoints failed")
		return 1
	}
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		log.Error().Err(runErr).Msg("stopped with an error")
		return 1
	}
	log.Info().Msg("stopped")
	return 0
}

func newLogger(cfg config, w io.Writer) zerolog.Logger {
	level, _ := zerolog.ParseLevel(cfg.LogLevel)
	if cfg.LogFormat == "console" {
		w = consoleWriter(w)
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger()
}

// store is what the bot keeps its state in, and how to reach it.
type store interface {
	coach.Store
	Ping(ctx context.Context) error
}

// openStore opens Redis when REDIS_URL is set (several replicas), the
// embedded single-file store in DATA_DIR otherwise (one process).
func openStore(cfg config, hooks ...redis.Hook) (s store, where string, closeFn func(), err error) {
	if cfg.RedisURL != "" {
		rdb, where, err := redisClient(cfg)
		if err != nil {
			return nil, "", nil, fmt.Errorf("configuration: %v", err)
		}
		addHooks(rdb, hooks)
		rs, err := redisstore.Open(rdb, redisstore.Options{Prefix: cfg.RedisKeyPrefix,
			MinReplicas: cfg.RedisMinReplicas, ReplicaWait: cfg.RedisWaitTimeout})
		if err != nil {
			_ = rdb.Close()
			return nil, "", nil, fmt.Errorf("configuration: %v", err)
		}
		where += fmt.Sprintf(" prefix %s min replicas %d", cfg.RedisKeyPrefix, cfg.RedisMinReplicas)
		return rs, where, func() { rdb.Close() }, nil
	}
	bs, err := boltstore.Open(cfg.DataDir, boltstore.Options{})
	if err != nil {
		return nil, "", nil, err
	}
	return bs, "file " + bs.Path(), func() { bs.Close() }, nil
}

// defaultProcs is the bot's GOMAXPROCS when the environment sets none. The
// bot is I/O-bound (a Redis round trip and a Web API call per envelope). On
// one P, handing an envelope from goroutine to goroutine wakes no thread on
// another core: at 200 envelopes/s on 2 cores that cut the bot's CPU per
// envelope by about a sixth and brought the p99 ack of a slash command or a
// button within 2× of a bare slack-go bot (BENCHMARKS.md, test 1). CPU-heavy
// work (a big team's digest or a manager's App Home, ~0.1 s) is preempted
// every 10 ms, so acks still go out meanwhile. Set GOMAXPROCS to use more
// cores.
const defaultProcs = 1

// applyProcs applies defaultProcs unless GOMAXPROCS is set, and returns the
// number of Ps the process runs with.
func applyProcs() int {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(defaultProcs)
	}
	return runtime.GOMAXPROCS(0)
}

// defaultGCPercent is the bot's GOGC when the environment sets none. The
// bot's live heap is small (1–2 MB under test 1's load) while every
// envelope allocates tens of kilobytes, most of it slack-go decoding the
// payload: at Go's default of 100 the collector ran 6–7 times a second at
// 200 envelopes/s, and an ack that met a collection on the one P waited for
// it. At 400 it runs a quarter as often, for a heap of up to five times the
// live one (BENCHMARKS.md, tests 1 and 6). Set GOGC (or GOMEMLIMIT, for a
// container's limit) to change it.
const defaultGCPercent = 400

// applyGC applies defaultGCPercent unless GOGC is set, and returns the GC
// percent the process runs with (-1: off).
func applyGC() int {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	sample := []runtimemetrics.Sample{{Name: "/gc/gogc:percent"}}
	runtimemetrics.Read(sample)
	return int(sample[0].Value.Uint64())
}
