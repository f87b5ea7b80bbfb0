// Command pipelinecoach runs the Pipeline Coach Slack bot over Socket Mode.
// It reads its configuration from the environment and wires the pieces;
// everything else lives in coach, storage and bot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // reps' zones must resolve in a minimal container too

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"pipelinecoach/bot"
	"pipelinecoach/coach"
	"pipelinecoach/storage/boltstore"
	"pipelinecoach/storage/redisstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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

	store, where, closeStore, err := openStore(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach:", err)
		return 2
	}
	defer closeStore()

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
		Defaults: coach.TeamDefaults{TZ: cfg.DefaultTimezone, Framework: cfg.Framework},
		Log:      log,
	})
	rt.Service.Thresholds.MaxNudgesPerDay = cfg.MaxNudgesPerDay
	log.Info().Str("slack_api", cfg.SlackAPIURL).Str("store", where).Msg("starting")
	if err := rt.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Error().Err(err).Msg("stopped with an error")
		return 1
	}
	log.Info().Msg("stopped")
	return 0
}

func newLogger(cfg config, w io.Writer) zerolog.Logger {
	level, _ := zerolog.ParseLevel(cfg.LogLevel)
	if cfg.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
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
func openStore(cfg config) (s store, where string, closeFn func(), err error) {
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, "", nil, fmt.Errorf("configuration: REDIS_URL: %v", err)
		}
		rdb := redis.NewClient(opts)
		return redisstore.New(rdb, cfg.RedisKeyPrefix), "redis " + opts.Addr + " prefix " + cfg.RedisKeyPrefix, func() { rdb.Close() }, nil
	}
	bs, err := boltstore.Open(cfg.DataDir, boltstore.Options{})
	if err != nil {
		return nil, "", nil, err
	}
	return bs, "file " + bs.Path(), func() { bs.Close() }, nil
}
