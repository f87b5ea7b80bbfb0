package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"pipelinecoach/bot"
	"pipelinecoach/bot/ops"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
)

// harnessOpts varies the end-to-end harness for fault tests.
type harnessOpts struct {
	sim   []slacksim.Option  // more simulator options (ping interval, rate limits…)
	setup func(*bot.Setup)   // adjusts the wiring before Assemble
	wired func(*bot.Runtime) // adjusts the runtime before it runs
}

// newHarnessOpts is newHarness with options: the same cast, clock and tick
// channel. A nil store is a fresh productStore.
func newHarnessOpts(t *testing.T, store coach.Store, o harnessOpts) *harness {
	t.Helper()
	clock := coachtest.NewClock(start)
	if store == nil {
		store = productStore(t, clock)
	}
	sim := slacksim.New(append([]slacksim.Option{slacksim.WithClock(clock.Now)}, o.sim...)...)
	t.Cleanup(sim.Close)
	addCast(sim)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	h := &harness{t: t, ctx: ctx, sim: sim, clock: clock, tick: make(chan time.Time), store: store, logs: &logBuffer{}, settled: true}
	setup := bot.Setup{
		APIURL: sim.APIURL(), AppToken: sim.AppToken(), BotToken: sim.BotToken(),
		Config: bot.Config{CelebrationChannel: wins},
		Sender: unlimited(),
		Store:  store, Clock: h.clock, Timing: coach.DefaultTiming, Tick: h.tick,
		Log: zerolog.New(h.logs).Level(zerolog.DebugLevel),
	}
	if o.setup != nil {
		o.setup(&setup)
	}
	h.rt = bot.Assemble(setup)
	if o.wired != nil {
		o.wired(h.rt)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = h.rt.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		assertErrorsSayItOnce(t, h.logs.String())
		if t.Failed() {
			t.Logf("bot log:\n%s", h.logs.String())
		}
	})
	h.waitConnected()
	h.waitDirectory(h.rt)
	return h
}

// waitDirectory waits until a replica has its workspace directory, so the
// cast's zones are known from the first command on.
func (h *harness) waitDirectory(rt *bot.Runtime) {
	h.t.Helper()
	select {
	case <-rt.Bot.DirectoryReady():
	case <-h.ctx.Done():
		h.t.Fatal("the directory was not loaded")
	}
}

// waitConnected waits until the bot has a Socket Mode connection.
func (h *harness) waitConnected() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	for h.sim.Connections() == 0 || !h.rt.Bot.Connected() {
		select {
		case <-ctx.Done():
			h.t.Fatal("the bot did not (re)connect to the simulator")
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// aofRedis starts Redis as production runs it: append-only, fsync every
// second.
func aofRedis(t *testing.T) (*redistest.Server, *redisstore.Store) {
	t.Helper()
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "everysec")
	return srv, redisstore.New(srv.Client(t), "e2e")
}

// readyz asks the operations endpoint what the process would: the store
// answers PING and Socket Mode is connected (as cmd/pipelinecoach wires it).
func (h *harness) readyz(store interface{ Ping(context.Context) error }) (int, string) {
	ready := func(ctx context.Context) error {
		if err := store.Ping(ctx); err != nil {
			return errors.Join(errors.New("store"), err)
		}
		if !h.rt.Bot.Connected() {
			return errors.New("slack: socket mode not connected")
		}
		return nil
	}
	rec := httptest.NewRecorder()
	ops.Handler(nil, prometheus.NewRegistry(), ready).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return rec.Code, strings.TrimSpace(rec.Body.String())
}

// assertErrorsSayItOnce checks that no logged error repeats a step of its
// chain ("claim due jobs: claim due jobs: …"): each layer adds what it was
// doing, once.
func assertErrorsSayItOnce(t *testing.T, logs string) {
	t.Helper()
	for line := range strings.Lines(logs) {
		var l struct {
			Error string `json:"error"`
		}
		if json.Unmarshal([]byte(line), &l) != nil || l.Error == "" {
			continue
		}
		steps := strings.Split(l.Error, ": ")
		for i := 1; i < len(steps); i++ {
			if steps[i] == steps[i-1] {
				t.Errorf("the error says %q twice: %s", steps[i], l.Error)
				break
			}
		}
	}
}

// countLogs counts log lines containing s.
func (h *harness) countLogs(s string) int {
	return strings.Count(h.logs.String(), s)
}
