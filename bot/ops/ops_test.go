package ops_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"pipelinecoach/bot"
	"pipelinecoach/bot/ops"
	"pipelinecoach/storage/redisstore/redistest"
)

var _ bot.Observer = (*ops.Metrics)(nil)

func newMetrics(t *testing.T) (*ops.Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	return ops.NewMetrics(reg), reg
}

// value is the value of the one metric named name with labels, from reg.
func value(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			if len(got) != len(labels) {
				continue
			}
			for k, v := range labels {
				if got[k] != v {
					continue metrics
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
	}
	t.Fatalf("no %s%v gathered", name, labels)
	return 0
}

func TestObserver(t *testing.T) {
	m, reg := newMetrics(t)
	m.Envelope("slash_commands", 700*time.Microsecond)
	m.Envelope("slash_commands", 2*time.Millisecond)
	m.Envelope("block_actions", time.Millisecond)
	m.HandlerError("panic")
	m.Dropped("forms")
	m.Connected(true)

	if got := value(t, reg, "pipelinecoach_envelopes_total", map[string]string{"type": "slash_commands"}); got != 2 {
		t.Errorf("envelopes slash_commands = %v, want 2", got)
	}
	if got := value(t, reg, "pipelinecoach_envelope_ack_seconds", map[string]string{"type": "slash_commands"}); got != 2 {
		t.Errorf("ack observations = %v, want 2", got)
	}
	if got := value(t, reg, "pipelinecoach_handler_errors_total", map[string]string{"kind": "panic"}); got != 1 {
		t.Errorf("handler errors = %v, want 1", got)
	}
	if got := value(t, reg, "pipelinecoach_envelopes_dropped_total", map[string]string{"pool": "forms"}); got != 1 {
		t.Errorf("dropped = %v, want 1", got)
	}
	if got := value(t, reg, "pipelinecoach_socket_connected", nil); got != 1 {
		t.Errorf("socket_connected = %v, want 1", got)
	}
	m.Connected(false)
	if got := value(t, reg, "pipelinecoach_socket_connected", nil); got != 0 {
		t.Errorf("socket_connected after down = %v, want 0", got)
	}
	if n := testutil.CollectAndCount(reg, "pipelinecoach_envelopes_total"); n != 2 {
		t.Errorf("envelope series = %d, want 2", n)
	}
	// A kind that is not an identifier does not make a series of its own.
	m.Envelope("Weird Kind {}", 0)
	if got := value(t, reg, "pipelinecoach_envelopes_total", map[string]string{"type": "other"}); got != 1 {
		t.Errorf("envelopes other = %v, want 1", got)
	}
}

func TestSlackCall(t *testing.T) {
	m, reg := newMetrics(t)
	m.SlackCall("chat.postMessage", "ok", 80*time.Millisecond)
	m.SlackCall("chat.postMessage", "ratelimited", 10*time.Millisecond)
	m.SlackCall("chat.postMessage", "ratelimited", 10*time.Millisecond)
	m.SlackCall("views.open", "channel_not_found", 50*time.Millisecond)
	m.SlackCall("users.info", "http_5xx", time.Second)

	for _, c := range []struct {
		method, status string
		want           float64
	}{
		{"chat.postMessage", "ok", 1},
		{"chat.postMessage", "ratelimited", 2},
		{"views.open", "channel_not_found", 1},
		{"users.info", "http_5xx", 1},
	} {
		if got := value(t, reg, "pipelinecoach_slack_calls_total", map[string]string{"method": c.method, "status": c.status}); got != c.want {
			t.Errorf("slack_calls_total{%s,%s} = %v, want %v", c.method, c.status, got, c.want)
		}
	}
	if got := value(t, reg, "pipelinecoach_slack_ratelimited_total", map[string]string{"method": "chat.postMessage"}); got != 2 {
		t.Errorf("ratelimited chat.postMessage = %v, want 2", got)
	}
	if n := testutil.CollectAndCount(reg, "pipelinecoach_slack_ratelimited_total"); n != 1 {
		t.Errorf("ratelimited series = %d, want 1 (only chat.postMessage was limited)", n)
	}
	if got := value(t, reg, "pipelinecoach_slack_call_duration_seconds", map[string]string{"method": "chat.postMessage"}); got != 3 {
		t.Errorf("duration observations = %v, want 3", got)
	}
}

func TestJobsAndScheduler(t *testing.T) {
	m, reg := newMetrics(t)
	m.Job("followup/T1/p1", 2*time.Second, nil)
	m.Job("followup/T1/p2", 90*time.Second, errors.New("boom"))
	m.Job("digest/T1/U1", 0, nil)
	m.Job("nokind", -time.Second, nil)
	m.JobsExpired(3)
	m.SchedulerRun(3, nil)
	m.SchedulerRun(0, errors.New("claim due jobs: dial tcp: refused"))

	if got := value(t, reg, "pipelinecoach_jobs_claimed_total", map[string]string{"kind": "followup"}); got != 2 {
		t.Errorf("claimed followup = %v, want 2", got)
	}
	if got := value(t, reg, "pipelinecoach_jobs_claimed_total", map[string]string{"kind": "digest"}); got != 1 {
		t.Errorf("claimed digest = %v, want 1", got)
	}
	if got := value(t, reg, "pipelinecoach_jobs_claimed_total", map[string]string{"kind": "other"}); got != 1 {
		t.Errorf("claimed other = %v, want 1", got)
	}
	if got := value(t, reg, "pipelinecoach_job_errors_total", map[string]string{"kind": "followup"}); got != 1 {
		t.Errorf("job errors followup = %v, want 1", got)
	}
	if n := testutil.CollectAndCount(reg, "pipelinecoach_job_errors_total"); n != 1 {
		t.Errorf("job error series = %d, want 1", n)
	}
	if got := value(t, reg, "pipelinecoach_scheduler_lag_seconds", map[string]string{"kind": "followup"}); got != 2 {
		t.Errorf("lag observations followup = %v, want 2", got)
	}
	if got := value(t, reg, "pipelinecoach_jobs_expired_total", nil); got != 3 {
		t.Errorf("expired = %v, want 3", got)
	}
	if got := value(t, reg, "pipelinecoach_scheduler_runs_total", nil); got != 2 {
		t.Errorf("runs = %v, want 2", got)
	}
	if got := value(t, reg, "pipelinecoach_scheduler_run_errors_total", nil); got != 1 {
		t.Errorf("run errors = %v, want 1", got)
	}
	if got := value(t, reg, "pipelinecoach_scheduler_last_success_timestamp_seconds", nil); got < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last success = %v, want about now", got)
	}
}

type dueCounter struct {
	n   int64
	err error
	at  time.Time
}

func (d *dueCounter) CountDue(ctx context.Context, now time.Time) (int64, error) {
	d.at = now
	return d.n, d.err
}

func TestJobsDue(t *testing.T) {
	m, reg := newMetrics(t)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	dc := &dueCounter{n: 7}
	if err := m.WatchDue(dc, func() time.Time { return at }); err != nil {
		t.Fatal(err)
	}
	if got := value(t, reg, "pipelinecoach_jobs_due", nil); got != 7 {
		t.Errorf("jobs_due = %v, want 7", got)
	}
	if !dc.at.Equal(at) {
		t.Errorf("CountDue at %v, want %v", dc.at, at)
	}
	dc.err = errors.New("dial tcp: refused")
	if n := testutil.CollectAndCount(reg, "pipelinecoach_jobs_due"); n != 0 {
		t.Errorf("jobs_due series while counting fails = %d, want 0", n)
	}
	if _, err := reg.Gather(); err != nil {
		t.Errorf("gather while counting fails: %v", err)
	}
}

// closedAddr is a local address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRedisHookCountsErrors(t *testing.T) {
	m, reg := newMetrics(t)
	client := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1, DialTimeout: time.Second,
		DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	defer client.Close()
	client.AddHook(m.RedisHook())
	ctx := context.Background()

	if err := client.Get(ctx, "k").Err(); err == nil || errors.Is(err, redis.Nil) {
		t.Fatalf("GET against a closed port: %v, want a connection error", err)
	}
	if got := value(t, reg, "pipelinecoach_redis_errors_total", map[string]string{"command": "get"}); got != 1 {
		t.Errorf("redis errors{get} = %v, want 1", got)
	}
	if got := value(t, reg, "pipelinecoach_redis_commands_total", map[string]string{"command": "get"}); got != 1 {
		t.Errorf("redis commands{get} = %v, want 1", got)
	}
	if got := value(t, reg, "pipelinecoach_redis_dial_errors_total", nil); got < 1 {
		t.Errorf("redis dial errors = %v, want at least 1", got)
	}
	if err := m.RedisDialError(); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("RedisDialError = %v, want connection refused", err)
	}

	pipe := client.Pipeline()
	pipe.Set(ctx, "a", "1", 0)
	pipe.Incr(ctx, "b")
	if _, err := pipe.Exec(ctx); err == nil {
		t.Fatal("pipeline against a closed port succeeded")
	}
	if got := value(t, reg, "pipelinecoach_redis_errors_total", map[string]string{"command": "incr"}); got != 1 {
		t.Errorf("redis errors{incr} = %v, want 1", got)
	}
}

// A WAIT answered by fewer replicas than it asked for counts as an error:
// the change before it was refused.
func TestRedisHookCountsShortWait(t *testing.T) {
	m, reg := newMetrics(t)
	client := redistest.Start(t).Client(t)
	client.AddHook(m.RedisHook())
	ctx := context.Background()
	for _, want := range []int{0, 1} {
		if n, err := client.Do(ctx, "wait", want, 10).Int(); err != nil || n != 0 {
			t.Fatalf("WAIT %d on a server without replicas = %d, %v", want, n, err)
		}
	}
	if got := value(t, reg, "pipelinecoach_redis_errors_total", map[string]string{"command": "wait"}); got != 1 {
		t.Errorf("redis errors{wait} = %v, want 1 (WAIT 1 answered 0; WAIT 0 answered 0 is no error)", got)
	}
}

func TestRedisHookIgnoresNil(t *testing.T) {
	m, reg := newMetrics(t)
	hook := m.RedisHook()
	ctx := context.Background()
	answer := func(err error) redis.ProcessHook {
		return func(ctx context.Context, cmd redis.Cmder) error {
			cmd.SetErr(err)
			return err
		}
	}
	for _, err := range []error{redis.Nil, nil, context.Canceled, redis.ErrNoScript} {
		_ = hook.ProcessHook(answer(err))(ctx, redis.NewStringCmd(ctx, "get", "k"))
	}
	if got := value(t, reg, "pipelinecoach_redis_commands_total", map[string]string{"command": "get"}); got != 4 {
		t.Errorf("redis commands{get} = %v, want 4", got)
	}
	if n := testutil.CollectAndCount(reg, "pipelinecoach_redis_errors_total"); n != 0 {
		t.Errorf("redis error series = %d, want 0 (nil, Nil, Canceled and NOSCRIPT are not failures)", n)
	}
	_ = hook.ProcessHook(answer(errors.New("LOADING Redis is loading")))(ctx, redis.NewStringCmd(ctx, "get", "k"))
	if got := value(t, reg, "pipelinecoach_redis_errors_total", map[string]string{"command": "get"}); got != 1 {
		t.Errorf("redis errors{get} = %v, want 1", got)
	}

	pipeline := hook.ProcessPipelineHook(func(ctx context.Context, cmds []redis.Cmder) error {
		cmds[0].SetErr(redis.Nil)
		return nil
	})
	_ = pipeline(ctx, []redis.Cmder{redis.NewStringCmd(ctx, "hget", "h", "f"), redis.NewIntCmd(ctx, "zcount", "z", "-inf", "1")})
	if got := value(t, reg, "pipelinecoach_redis_commands_total", map[string]string{"command": "zcount"}); got != 1 {
		t.Errorf("redis commands{zcount} = %v, want 1", got)
	}
	if got := testutil.CollectAndCount(reg, "pipelinecoach_redis_errors_total"); got != 1 {
		t.Errorf("redis error series = %d, want 1", got)
	}
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestHealthz(t *testing.T) {
	m, reg := newMetrics(t)
	code, body := get(t, ops.Handler(m, reg, nil), "/healthz")
	if code != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q, want 200 ok", code, body)
	}
}

func TestReadyz(t *testing.T) {
	m, reg := newMetrics(t)
	var readyErr error
	h := ops.Handler(m, reg, func(ctx context.Context) error { return readyErr })

	code, body := get(t, h, "/readyz")
	if code != http.StatusOK {
		t.Errorf("/readyz = %d %q, want 200", code, body)
	}
	if got := value(t, reg, "pipelinecoach_ready", nil); got != 1 {
		t.Errorf("ready = %v, want 1", got)
	}

	readyErr = fmt.Errorf("store: %w", errors.New("ping redis: dial tcp 127.0.0.1:6379: connect: connection refused"))
	code, body = get(t, h, "/readyz")
	if code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d, want 503", code)
	}
	if want := "not ready: store: ping redis: dial tcp 127.0.0.1:6379: connect: connection refused\n"; body != want {
		t.Errorf("/readyz body = %q, want %q", body, want)
	}
	if got := value(t, reg, "pipelinecoach_ready", nil); got != 0 {
		t.Errorf("ready = %v, want 0", got)
	}

	readyErr = errors.New("slack: socket mode not connected")
	if code, body = get(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "socket mode not connected") {
		t.Errorf("/readyz = %d %q, want 503 naming the socket", code, body)
	}
}

func TestReadyzTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := ops.Handler(nil, prometheus.NewRegistry(), func(ctx context.Context) error {
		<-release // ignores ctx
		return nil
	})
	start := time.Now()
	code, body := get(t, h, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "no answer within 1s") {
		t.Errorf("/readyz = %d %q, want 503 no answer", code, body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("/readyz took %s", d)
	}
}

// A ready that honours its ctx answers with its own reason, not a timeout.
func TestReadyzReasonAtDeadline(t *testing.T) {
	h := ops.Handler(nil, prometheus.NewRegistry(), func(ctx context.Context) error {
		<-ctx.Done()
		return fmt.Errorf("store: ping redis: %w", ctx.Err())
	})
	code, body := get(t, h, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "store: ping redis: context deadline exceeded") {
		t.Errorf("/readyz = %d %q, want 503 with ready's own reason", code, body)
	}
}

func TestReason(t *testing.T) {
	err := errors.New("dial redis://user:s3cret@redis.internal:6379/0\nfailed with xoxb-123-456-abcDEF and xapp-1-A1-2-ff")
	got := ops.Reason(err)
	for _, secret := range []string{"s3cret", "user:", "xoxb-123", "xapp-1", "\n"} {
		if strings.Contains(got, secret) {
			t.Errorf("Reason = %q, contains %q", got, secret)
		}
	}
	if !strings.Contains(got, "redis://[redacted]@redis.internal:6379/0") {
		t.Errorf("Reason = %q, want the host kept", got)
	}
	long := ops.Reason(errors.New(strings.Repeat("é", 400)))
	if len(long) > 310 || !strings.HasSuffix(long, "…") {
		t.Errorf("long reason: %d bytes", len(long))
	}
}

func TestMetricsEndpoint(t *testing.T) {
	m, reg := newMetrics(t)
	m.Envelope("block_actions", time.Millisecond)
	m.SlackCall("chat.update", "ratelimited", time.Millisecond)
	m.Job("followup/T1/p1", time.Second, errors.New("x"))
	m.SchedulerRun(1, nil)
	m.Connected(true)
	if err := m.WatchDue(&dueCounter{n: 2}, nil); err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	defer client.Close()
	client.AddHook(m.RedisHook())
	_ = client.Ping(context.Background()).Err()

	code, body := get(t, ops.Handler(m, reg, nil), "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{
		"# HELP pipelinecoach_envelopes_total ",
		"# TYPE pipelinecoach_envelope_ack_seconds histogram",
		`pipelinecoach_envelopes_total{type="block_actions"} 1`,
		`pipelinecoach_envelope_ack_seconds_bucket{type="block_actions",le="0.0005"}`,
		`pipelinecoach_envelope_ack_seconds_bucket{type="block_actions",le="3"}`,
		`pipelinecoach_handler_errors_total{kind="store"} 0`,
		`pipelinecoach_envelopes_dropped_total{pool="work"} 0`,
		"pipelinecoach_socket_connected 1",
		`pipelinecoach_slack_calls_total{method="chat.update",status="ratelimited"} 1`,
		`pipelinecoach_slack_ratelimited_total{method="chat.update"} 1`,
		"pipelinecoach_slack_call_duration_seconds_bucket",
		`pipelinecoach_scheduler_lag_seconds_bucket{kind="followup",le="3600"} 1`,
		`pipelinecoach_jobs_claimed_total{kind="followup"} 1`,
		`pipelinecoach_job_errors_total{kind="followup"} 1`,
		"pipelinecoach_jobs_due 2",
		"pipelinecoach_jobs_expired_total 0",
		"pipelinecoach_scheduler_runs_total 1",
		"pipelinecoach_scheduler_last_run_timestamp_seconds",
		`pipelinecoach_redis_errors_total{command="ping"} 1`,
		`pipelinecoach_redis_commands_total{command="ping"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func freeAddr(t *testing.T) string { return closedAddr(t) }

func TestServe(t *testing.T) {
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	listening := newLogSignal("operations endpoints listening")
	go func() {
		done <- ops.Serve(ctx, addr, ops.Handler(nil, prometheus.NewRegistry(), nil), zerolog.New(listening))
	}()

	// Serve logs once it listens: a request from then on waits in the
	// listener's queue until it is served.
	select {
	case <-listening.seen:
	case err := <-done:
		t.Fatalf("Serve returned early: %v", err)
	case <-time.After(3 * time.Second):
		t.Fatal("Serve never said it was listening")
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("/healthz: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel = %v, want nil", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Serve did not stop after its ctx ended")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("still serving after Serve returned")
	}
}

// logSignal is a log that closes seen at the first line holding want.
type logSignal struct {
	want []byte
	once sync.Once
	seen chan struct{}
}

func newLogSignal(want string) *logSignal {
	return &logSignal{want: []byte(want), seen: make(chan struct{})}
}

// Write takes one line: zerolog writes each in one call.
func (l *logSignal) Write(p []byte) (int, error) {
	if bytes.Contains(p, l.want) {
		l.once.Do(func() { close(l.seen) })
	}
	return len(p), nil
}

func TestServeAddressTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- ops.Serve(context.Background(), addr, http.NotFoundHandler(), zerolog.Nop()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), addr) {
			t.Errorf("Serve on a taken address = %v, want an error naming %s", err, addr)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Serve on a taken address did not return")
	}
}
