// Package ops is Pipeline Coach's operations side: Prometheus metrics fed by
// the bot, the sender, the scheduler and the Redis client, and the HTTP
// endpoints /healthz, /readyz and /metrics served on HTTP_ADDR.
//
// It depends on no other package of the project: Metrics implements
// bot.Observer by its method names, and cmd/pipelinecoach hands its methods
// to sender.Options.Observe, coach.Service.OnJob and coach.Scheduler.OnRun.
package ops

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

const namespace = "pipelinecoach"

// Buckets of the histograms, in seconds.
var (
	// AckBuckets: an envelope must be acked within 3 s; most are acked in
	// well under a millisecond.
	AckBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3}
	// SlackCallBuckets: one Web API attempt, bounded by the sender's
	// AttemptTimeout (15 s by default).
	SlackCallBuckets = []float64{0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15}
	// LagBuckets: how late a job ran, from the scheduler's 1 s tick to an hour.
	LagBuckets = []float64{1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}
)

// Metrics is every Pipeline Coach metric. Its methods are cheap and safe for
// concurrent use. It implements bot.Observer (Envelope, HandlerError,
// Dropped, Connected).
type Metrics struct {
	reg prometheus.Registerer

	envelopes     *prometheus.CounterVec
	ack           *prometheus.HistogramVec
	handlerErrors *prometheus.CounterVec
	dropped       *prometheus.CounterVec
	connected     prometheus.Gauge

	slackCalls    *prometheus.CounterVec
	slackDuration *prometheus.HistogramVec
	slackLimited  *prometheus.CounterVec

	jobsClaimed *prometheus.CounterVec
	jobErrors   *prometheus.CounterVec
	jobLag      *prometheus.HistogramVec
	jobsExpired prometheus.Counter
	runs        prometheus.Counter
	runErrors   prometheus.Counter
	lastRun     prometheus.Gauge
	lastGoodRun prometheus.Gauge
	redisCmds   *prometheus.CounterVec
	redisErrors *prometheus.CounterVec
	redisDials  prometheus.Counter
	ready       prometheus.Gauge

	lastDial atomic.Pointer[dialFailure] // nil after a dial that worked
}

type dialFailure struct {
	err error
	at  time.Time
}

// NewMetrics makes the metrics and registers them with reg (a fresh
// prometheus.NewRegistry() in tests; prometheus.DefaultRegisterer in the
// process, next to the Go and process collectors). It panics if a metric is
// already registered there, as prometheus.MustRegister does.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: name, Help: help}, labels)
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets}, labels)
	}
	m := &Metrics{
		reg: reg,

		envelopes: counter("envelopes_total",
			"Socket Mode envelopes received, by type (slash_commands, block_actions, view_submission, events_api, unknown, malformed).", "type"),
		ack: histogram("envelope_ack_seconds",
			"Time from receiving a Socket Mode envelope to acking it, by type. Slack wants the ack within 3 s.", AckBuckets, "type"),
		handlerErrors: counter("handler_errors_total",
			"Handlers that failed, by kind (store: a store error; panic).", "kind"),
		dropped: counter("envelopes_dropped_total",
			"Envelopes whose work was dropped because its worker pool was full, by pool (work, forms).", "pool"),
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "socket_connected",
			Help: "1 while the Socket Mode connection to Slack is up, 0 otherwise."}),

		slackCalls: counter("slack_calls_total",
			`Slack Web API attempts, by method and status ("ok", "ratelimited", a Slack error code, "http_5xx", "http_4xx", "error").`, "method", "status"),
		slackDuration: histogram("slack_call_duration_seconds",
			"Duration of one Slack Web API attempt, by method.", SlackCallBuckets, "method"),
		slackLimited: counter("slack_ratelimited_total",
			"Slack Web API attempts answered with HTTP 429 (rate limited), by method.", "method"),

		jobsClaimed: counter("jobs_claimed_total",
			"Scheduled jobs claimed and run, by kind (followup, digest, nudges).", "kind"),
		jobErrors: counter("job_errors_total",
			"Scheduled jobs that failed (they are retried when their lease ends), by kind.", "kind"),
		jobLag: histogram("scheduler_lag_seconds",
			"How late a scheduled job ran: when it ran minus when it was due, by kind.", LagBuckets, "kind"),
		jobsExpired: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "jobs_expired_total",
			Help: "Claimed jobs whose lease ended before they were done and that were put back as due (their claimer died or hung)."}),
		runs: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "scheduler_runs_total",
			Help: "Scheduler runs (one per tick)."}),
		runErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "scheduler_run_errors_total",
			Help: "Scheduler runs that ended with an error (claiming failed, or at least one job failed)."}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "scheduler_last_run_timestamp_seconds",
			Help: "Unix time of the scheduler's last run, failed or not."}),
		lastGoodRun: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "scheduler_last_success_timestamp_seconds",
			Help: "Unix time of the scheduler's last run without an error."}),

		redisCmds: counter("redis_commands_total",
			"Redis commands sent, by command (pipelined ones included).", "command"),
		redisErrors: counter("redis_errors_total",
			"Redis commands that failed, by command: connection errors, timeouts, server errors, and a WAIT that fewer replicas answered than it asked for (the change it followed was refused: REDIS_MIN_REPLICAS). A missing key (redis.Nil), a NOSCRIPT answered by EVAL and a cancelled caller are not counted.", "command"),
		redisDials: prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "redis_dial_errors_total",
			Help: "Connections to Redis that could not be made (each retry counts)."}),
		ready: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "ready",
			Help: "Result of the last /readyz check: 1 ready, 0 not ready."}),
	}
	reg.MustRegister(
		m.envelopes, m.ack, m.handlerErrors, m.dropped, m.connected,
		m.slackCalls, m.slackDuration, m.slackLimited,
		m.jobsClaimed, m.jobErrors, m.jobLag, m.jobsExpired,
		m.runs, m.runErrors, m.lastRun, m.lastGoodRun,
		m.redisCmds, m.redisErrors, m.redisDials, m.ready,
	)
	// Series an alert watches exist from the start, at 0.
	for _, kind := range []string{"store", "panic"} {
		m.handlerErrors.WithLabelValues(kind)
	}
	for _, pool := range []string{"work", "forms"} {
		m.dropped.WithLabelValues(pool)
	}
	return m
}

// Envelope counts one envelope of kind, acked after ack (bot.Observer).
func (m *Metrics) Envelope(kind string, ack time.Duration) {
	kind = label(kind)
	m.envelopes.WithLabelValues(kind).Inc()
	m.ack.WithLabelValues(kind).Observe(ack.Seconds())
}

// HandlerError counts a failed handler of kind "store" or "panic" (bot.Observer).
func (m *Metrics) HandlerError(kind string) { m.handlerErrors.WithLabelValues(label(kind)).Inc() }

// Dropped counts work dropped because pool ("work" or "forms") was full
// (bot.Observer).
func (m *Metrics) Dropped(pool string) { m.dropped.WithLabelValues(label(pool)).Inc() }

// Connected records the Socket Mode connection going up or down (bot.Observer).
func (m *Metrics) Connected(up bool) { m.connected.Set(b2f(up)) }

// SlackCall counts one Web API attempt; it is sender.Options.Observe.
func (m *Metrics) SlackCall(method, status string, d time.Duration) {
	method, status = label(method), label(status)
	m.slackCalls.WithLabelValues(method, status).Inc()
	m.slackDuration.WithLabelValues(method).Observe(d.Seconds())
	if status == "ratelimited" {
		m.slackLimited.WithLabelValues(method).Inc()
	}
}

// Job records one scheduled job run: its kind is the part of key before the
// first "/". Wire it to coach.Service.OnJob.
func (m *Metrics) Job(key string, lag time.Duration, err error) {
	kind := "other"
	if k, _, ok := strings.Cut(key, "/"); ok {
		kind = label(k)
	}
	m.jobsClaimed.WithLabelValues(kind).Inc()
	m.jobLag.WithLabelValues(kind).Observe(max(lag, 0).Seconds())
	if err != nil {
		m.jobErrors.WithLabelValues(kind).Inc()
	}
}

// JobsExpired counts n claimed jobs whose lease ended before they were done.
// Nothing reports this yet: redisstore's claim script puts ended leases back
// among the due jobs, and would have to return how many it did.
func (m *Metrics) JobsExpired(n int) {
	if n > 0 {
		m.jobsExpired.Add(float64(n))
	}
}

// SchedulerRun records one scheduler run; wire it to coach.Scheduler.OnRun.
func (m *Metrics) SchedulerRun(handled int, err error) {
	m.runs.Inc()
	m.lastRun.SetToCurrentTime()
	if err != nil {
		m.runErrors.Inc()
		return
	}
	m.lastGoodRun.SetToCurrentTime()
}

// DueCounter counts the jobs due at now (for redisstore: a ZCOUNT of the due
// set up to now, plus the leases that have ended).
type DueCounter interface {
	CountDue(ctx context.Context, now time.Time) (int64, error)
}

// DueTimeout bounds one CountDue during a scrape.
const DueTimeout = 500 * time.Millisecond

// WatchDue exports pipelinecoach_jobs_due, counted by dc at every scrape
// (now is the clock; nil means time.Now). A scrape during which dc fails
// leaves the gauge out rather than failing the whole scrape; the failure
// shows in pipelinecoach_redis_errors_total. Call it at most once.
func (m *Metrics) WatchDue(dc DueCounter, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	return m.reg.Register(&dueCollector{dc: dc, now: now, desc: prometheus.NewDesc(
		namespace+"_jobs_due",
		"Scheduled jobs due and not yet claimed (a backlog that grows means the scheduler is behind), counted at scrape time.",
		nil, nil)})
}

type dueCollector struct {
	dc   DueCounter
	now  func() time.Time
	desc *prometheus.Desc
}

func (c *dueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *dueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), DueTimeout)
	defer cancel()
	n, err := c.dc.CountDue(ctx, c.now())
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}

// RedisHook returns a go-redis hook counting commands, errors and failed
// dials; add it with client.AddHook before the client is used.
func (m *Metrics) RedisHook() redis.Hook { return redisHook{m} }

// dialErrorFresh is how long RedisDialError remembers a failed dial.
const dialErrorFresh = 30 * time.Second

// RedisDialError is why the last connection to Redis could not be made, or
// nil if the last dial worked or none failed in the past 30 s. go-redis
// retries dials until the caller's deadline and then reports only "context
// deadline exceeded"; this keeps the cause ("dial tcp …: connection
// refused") for /readyz.
func (m *Metrics) RedisDialError() error {
	f := m.lastDial.Load()
	if f == nil || time.Since(f.at) > dialErrorFresh {
		return nil
	}
	return f.err
}

type redisHook struct{ m *Metrics }

func (h redisHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		switch {
		case err == nil:
			h.m.lastDial.Store(nil)
		case !errors.Is(err, context.Canceled):
			h.m.redisDials.Inc()
			h.m.lastDial.Store(&dialFailure{err: err, at: time.Now()})
		}
		return conn, err
	}
}

func (h redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.count(cmd, err)
		return err
	}
}

func (h redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			h.count(cmd, cmd.Err())
		}
		return err
	}
}

func (h redisHook) count(cmd redis.Cmder, err error) {
	name := label(strings.ToLower(cmd.Name()))
	h.m.redisCmds.WithLabelValues(name).Inc()
	if err == nil {
		err = cmd.Err()
	}
	if redisFailure(err) || name == "wait" && err == nil && shortWait(cmd) {
		h.m.redisErrors.WithLabelValues(name).Inc()
	}
}

// shortWait tells whether a WAIT's answer is fewer replicas than it asked
// for.
func shortWait(cmd redis.Cmder) bool {
	c, ok := cmd.(*redis.Cmd)
	args := cmd.Args()
	if !ok || len(args) < 2 {
		return false
	}
	got, err := c.Int64()
	want, werr := strconv.ParseInt(fmt.Sprint(args[1]), 10, 64)
	return err == nil && werr == nil && got < want
}

// redisFailure tells whether err means Redis failed, as opposed to an answer
// (a missing key), a script cache miss that go-redis answers with EVAL, or a
// caller that gave up.
func redisFailure(err error) bool {
	switch {
	case err == nil, errors.Is(err, redis.Nil), errors.Is(err, context.Canceled):
		return false
	case redis.HasErrorPrefix(err, "NOSCRIPT"):
		return false
	}
	return true
}

// label keeps label values few and tidy: a value that is not a short
// identifier (ASCII letters, digits, "_", ".", "-") becomes "other".
func label(s string) string {
	if s == "" || len(s) > 48 {
		return "other"
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '.', r == '-':
		default:
			return "other"
		}
	}
	return s
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
