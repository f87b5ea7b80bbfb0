package main

// Process tests: the real program, run as child processes (this test binary
// re-executed into main), against a simulated Slack in the test process and
// a real redis-server. They kill, stop and read the logs of real processes.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
)

// childEnv makes the test binary run main instead of the tests.
const childEnv = "PIPELINECOACH_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

const (
	rita   = "U0RITA"
	prefix = "proc"
	lease  = time.Second
)

// world is what the processes run against: a simulated Slack, a Redis, and
// the test's own view of the store.
type world struct {
	t     *testing.T
	ctx   context.Context
	sim   *slacksim.Server
	redis *redistest.Server
	rdb   *redis.Client
	store *redisstore.Store
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := redistest.Start(t)
	sim := slacksim.New()
	t.Cleanup(sim.Close)
	sim.AddUser(slacksim.User{ID: rita, Name: "rita", RealName: "Rita Rep", TZ: "Europe/Berlin"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	rdb := srv.Client(t)
	return &world{t: t, ctx: ctx, sim: sim, redis: srv, rdb: rdb, store: redisstore.New(rdb, prefix)}
}

// env is a replica's environment: nothing inherited but PATH, short leases,
// every hour a working hour, debug logs.
func (w *world) env(extra ...string) []string {
	env := []string{
		childEnv + "=1",
		"PATH=" + os.Getenv("PATH"),
		"SLACK_APP_TOKEN=" + w.sim.AppToken(),
		"SLACK_BOT_TOKEN=" + w.sim.BotToken(),
		"SLACK_API_URL=" + w.sim.APIURL(),
		"REDIS_URL=redis://" + w.redis.Addr() + "/0",
		"REDIS_KEY_PREFIX=" + prefix,
		"JOB_LEASE=" + lease.String(),
		"WORKING_HOURS=00:00-23:59",
		"WORKING_DAYS=Mon-Sun",
		"PROMPT_DELAY=0s",
		"MEETING_DURATION=1m",
		"HTTP_ADDR=127.0.0.1:0",
		"LOG_LEVEL=debug",
	}
	if d := os.Getenv("GOCOVERDIR"); d != "" {
		env = append(env, "GOCOVERDIR="+d)
	}
	// A later entry wins: drop the defaults extra overrides or removes
	// (an entry "NAME=" with nothing after it removes NAME).
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !overridden(extra, name) {
			out = append(out, kv)
		}
	}
	for _, kv := range extra {
		if !strings.HasSuffix(kv, "=") {
			out = append(out, kv)
		}
	}
	return out
}

func overridden(extra []string, name string) bool {
	for _, kv := range extra {
		if n, _, _ := strings.Cut(kv, "="); n == name {
			return true
		}
	}
	return false
}

// proc is one running replica.
type proc struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	log  string // the file its stdout and stderr go to
	done chan struct{}
}

// start runs a replica and waits until it is connected to the simulator.
// It counts connections opened, not open: a replica killed just before may
// still hold its connection in the simulator's count, or just lose it.
func (w *world) start(name string, env []string) *proc {
	w.t.Helper()
	before := w.connectionsOpened()
	p := w.spawn(name, env)
	w.until(10*time.Second, name+" connected to Slack", func() bool {
		return w.connectionsOpened() > before && w.sim.Connections() > 0
	})
	return p
}

// connectionsOpened counts successful apps.connections.open calls.
func (w *world) connectionsOpened() int {
	n := 0
	for _, c := range w.sim.Calls() {
		if c.Method == "apps.connections.open" && c.Error == "" {
			n++
		}
	}
	return n
}

// spawn runs a replica without waiting for anything.
func (w *world) spawn(name string, env []string) *proc {
	w.t.Helper()
	p := &proc{t: w.t, name: name, log: filepath.Join(w.t.TempDir(), name+".log"), done: make(chan struct{})}
	// The replica writes straight into a file, which the test reads at any
	// time without a goroutine copying it.
	out, err := os.Create(p.log)
	if err != nil {
		w.t.Fatalf("start %s: %v", name, err)
	}
	defer out.Close() // the child holds its own descriptor
	p.cmd = exec.Command(os.Args[0])
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = out, out
	if err := p.cmd.Start(); err != nil {
		w.t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	w.t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if w.t.Failed() {
			w.t.Logf("%s output:\n%s", name, p.output())
		}
	})
	return p
}

// output is what the replica has written so far.
func (p *proc) output() string {
	p.t.Helper()
	b, err := os.ReadFile(p.log)
	if err != nil {
		p.t.Fatalf("%s's output: %v", p.name, err)
	}
	return string(b)
}

func (p *proc) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %s to %s: %v", sig, p.name, err)
	}
}

// exited waits up to d for the process to end and returns its status.
func (p *proc) exited(d time.Duration) (int, bool) {
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode(), true
	case <-time.After(d):
		return 0, false
	}
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// until polls cond every few milliseconds for up to d.
func (w *world) until(d time.Duration, what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("gave up after %s waiting for: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ranAfter waits until p's scheduler has begun and finished a run after t
// (p's /metrics: a run that ended after t, then the next), so whatever was
// due at t has been looked at. It waits for t to pass: a lease in the
// replica runs out in real time.
func (w *world) ranAfter(p *proc, t time.Time) {
	w.t.Helper()
	metrics := "http://" + p.opsAddr(w) + "/metrics"
	runs := -1.0 // the runs counted when one was seen ending after t
	w.until(time.Until(t)+10*time.Second, p.name+"'s scheduler run after "+t.Format(time.StampMilli), func() bool {
		if time.Now().Before(t) {
			return false // no run ends after t before t: spare the replica's one P
		}
		n, last := schedulerRuns(w.t, metrics)
		switch {
		case runs < 0 && last.After(t):
			runs = n
		case runs >= 0 && n > runs:
			return true
		}
		return false
	})
}

// opsAddr is where p serves its operations endpoints, from its log.
func (p *proc) opsAddr(w *world) string {
	p.t.Helper()
	var addr string
	w.until(10*time.Second, p.name+"'s operations endpoints", func() bool {
		for _, line := range strings.Split(p.output(), "\n") {
			var l struct{ Message, Addr string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Message == "operations endpoints listening" {
				addr = l.Addr
				return true
			}
		}
		return false
	})
	return addr
}

// schedulerRuns reads a replica's count of scheduler runs and when the last
// one ended.
func schedulerRuns(t *testing.T, metricsURL string) (runs float64, last time.Time) {
	t.Helper()
	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		name, value, _ := strings.Cut(line, " ")
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch name {
		case "pipelinecoach_scheduler_runs_total":
			runs = v
		case "pipelinecoach_scheduler_last_run_timestamp_seconds":
			last = time.Unix(0, int64(v*1e9))
		}
	}
	return runs, last
}

// seed logs first meetings that ended yesterday, so their questions are due
// the moment a replica looks.
func (w *world) seed(accounts ...string) []coach.Prospect {
	w.t.Helper()
	wh, err := coach.ParseWorkingHours("00:00-23:59", "Mon-Sun") // as env sets it
	if err != nil {
		w.t.Fatal(err)
	}
	timing := coach.DefaultTiming
	timing.PromptDelay, timing.MeetingDuration, timing.WorkingHours = 0, time.Minute, wh
	svc := coach.NewService(w.store, nil, coach.SystemClock{}, timing)
	var out []coach.Prospect
	for _, a := range accounts {
		p, err := svc.LogMeeting(w.ctx, coach.NewMeeting{Team: w.sim.TeamID(), Owner: rita, Account: a, TZ: "Europe/Berlin",
			Start: time.Now().Add(-24 * time.Hour)})
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func (w *world) askKey(p coach.Prospect, n int) string {
	return fmt.Sprintf("{%s}:ledger:ask/%s/%s/%d", prefix, p.Workspace, p.ID, n)
}

func (w *world) get(key string) string {
	v, err := w.rdb.Get(w.ctx, key).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		w.t.Fatal(err)
	}
	return v
}

func (w *world) leased() []redis.Z {
	zs, err := w.rdb.ZRangeWithScores(w.ctx, "{"+prefix+"}:jobs:leased", 0, -1).Result()
	if err != nil {
		w.t.Fatal(err)
	}
	return zs
}

// prompts returns the questions Slack accepted, about account ("" for any).
func (w *world) prompts(account string) []slacksim.Call {
	var out []slacksim.Call
	for _, c := range w.sim.Calls() {
		if c.Method == "chat.postMessage" && c.Error == "" &&
			strings.HasPrefix(c.Params.Get("text"), "Did you book a second meeting with "+account) {
			out = append(out, c)
		}
	}
	return out
}

func (w *world) called(method string) bool {
	for _, c := range w.sim.Calls() {
		if c.Method == method {
			return true
		}
	}
	return false
}

func (w *world) prospect(id string) coach.Prospect {
	w.t.Helper()
	p, err := w.store.Prospect(w.ctx, w.sim.TeamID(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// A replica killed (SIGKILL) while it holds claimed work: the other replica
// sends that work once the claim runs out, once.
func TestKilledReplicaWorkIsTakenOver(t *testing.T) {
	t.Parallel()

	// Killed before posting (stuck on dnd.info, which comes first): the
	// job's lease runs out and the other replica posts.
	t.Run("holding the job", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.sim.FailNext("dnd.info", slacksim.Fault{Delay: time.Minute})
		p := w.seed("Acme")[0]
		first := w.start("replica 1", w.env())
		w.until(5*time.Second, "the job claimed", func() bool { return len(w.leased()) == 1 })
		// The simulator records a call once it answers it, and the stuck
		// one only once its caller is gone; the fault taken says it holds
		// replica 1's dnd.info.
		w.until(5*time.Second, "replica 1's dnd.info held", func() bool { return w.sim.FaultsLeft("dnd.info") == 0 })
		first.signal(syscall.SIGKILL)
		if _, ok := first.exited(5 * time.Second); !ok {
			t.Fatal("replica 1 did not die")
		}
		w.until(5*time.Second, "replica 1 killed in dnd.info", func() bool { return w.called("dnd.info") })
		leaseEnd := time.UnixMilli(int64(w.leased()[0].Score))
		if w.get(w.askKey(p, 1)) != "" || len(w.prompts("")) != 0 {
			t.Fatal("replica 1 got as far as posting; the test means it to die before")
		}

		second := w.start("replica 2", w.env())
		w.until(3*lease, "the question from replica 2", func() bool { return len(w.prompts("Acme")) > 0 })
		// Nothing more: not once replica 2's own claim would have run out.
		w.ranAfter(second, time.Now().Add(lease))
		w.assertAskedOnce(p, leaseEnd)
	})

	// Killed mid-post (Slack never got to it): the send's reservation
	// outlives the lease (2×lease, so a slow send is not mistaken for a
	// dead one); once it lapses the other replica posts.
	t.Run("mid-post", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.sim.FailNext("chat.postMessage", slacksim.Fault{Delay: time.Minute, Status: 503, Error: "service_unavailable"})
		p := w.seed("Acme")[0]
		first := w.start("replica 1", w.env())
		w.until(5*time.Second, "the question reserved", func() bool { return w.get(w.askKey(p, 1)) == "pending" })
		// Reserved comes before the post: kill replica 1 only once its post
		// is held in the simulator, or replica 2's post would meet the fault.
		w.until(5*time.Second, "replica 1's post held", func() bool { return w.sim.FaultsLeft("chat.postMessage") == 0 })
		ttl, err := w.rdb.PTTL(w.ctx, w.askKey(p, 1)).Result()
		if err != nil {
			t.Fatal(err)
		}
		first.signal(syscall.SIGKILL)
		reservedUntil := time.Now().Add(ttl)
		if _, ok := first.exited(5 * time.Second); !ok {
			t.Fatal("replica 1 did not die")
		}

		second := w.start("replica 2", w.env())
		w.until(4*lease, "the question from replica 2", func() bool { return len(w.prompts("Acme")) > 0 })
		w.ranAfter(second, time.Now().Add(lease))
		w.assertAskedOnce(p, reservedUntil)
	})
}

// assertAskedOnce checks that the question about p went out exactly once,
// not before after, and that the store recorded it.
func (w *world) assertAskedOnce(p coach.Prospect, after time.Time) {
	w.t.Helper()
	posts := w.prompts(p.Account)
	if len(posts) != 1 {
		w.t.Fatalf("%d questions about %s, want exactly 1", len(posts), p.Account)
	}
	// The simulator stamps a call when it answers; allow for the clock's
	// millisecond rounding in Redis.
	if posts[0].At.Before(after.Add(-10 * time.Millisecond)) {
		w.t.Errorf("asked at %s, before the dead replica's claim ran out at %s", posts[0].At.Format(time.StampMilli), after.Format(time.StampMilli))
	}
	got := w.prospect(p.ID)
	if got.Asks != 1 || got.State != coach.Awaiting || got.Prompt.TS == "" {
		w.t.Errorf("after the question: asks %d, state %s, prompt %+v; want 1, awaiting, the message", got.Asks, got.State, got.Prompt)
	}
	if v := w.get(w.askKey(p, 1)); !strings.HasPrefix(v, "sent ") {
		w.t.Errorf("ledger of the question holds %q, want it sent", v)
	}
	if zs := w.leased(); len(zs) != 0 {
		w.t.Errorf("jobs still leased: %v", zs)
	}
}

// SIGTERM: the replica stops taking envelopes at once, finishes the post it
// has under way, hands back claimed work it has not started, and exits 0.
func TestSIGTERMFinishesInFlightWorkAndReleases(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ps := w.seed("Acme", "Globex")
	const slow = 1500 * time.Millisecond // under the send's bound, lease/2
	w.sim.FailNext("chat.postMessage", slacksim.Fault{Delay: slow})
	r := w.start("replica", w.env("JOB_LEASE=4s"))

	var inFlight coach.Prospect
	w.until(5*time.Second, "a question under way", func() bool {
		for _, p := range ps {
			if w.get(w.askKey(p, 1)) == "pending" {
				inFlight = p
				return true
			}
		}
		return false
	})
	if n := len(w.leased()); n != 2 {
		t.Fatalf("%d jobs leased, want both claimed in one batch", n)
	}
	termAt := time.Now()
	r.signal(syscall.SIGTERM)

	// It lets go of Slack's socket at once, with the post still under way,
	// so no new envelope reaches it.
	w.until(slow/2, "the socket closed", func() bool { return w.sim.Connections() == 0 })
	if !r.running() {
		t.Fatal("exited before its post finished")
	}
	acks := len(w.sim.Acks())
	ctx, cancel := context.WithTimeout(w.ctx, 300*time.Millisecond)
	_, err := w.sim.Slash(ctx, rita, "help")
	cancel()
	if err == nil {
		t.Fatal("a command sent after SIGTERM was acked")
	}

	code, ok := r.exited(10 * time.Second)
	if !ok {
		t.Fatalf("still running %s after SIGTERM", time.Since(termAt))
	}
	took := time.Since(termAt)
	if code != 0 {
		t.Fatalf("exit status %d after SIGTERM, want 0", code)
	}
	if took < slow/2 || took > slow+3*time.Second {
		t.Errorf("exited %s after SIGTERM; want after its post (%s) and soon after", took, slow)
	}
	if n := len(w.sim.Acks()); n != acks {
		t.Errorf("%d envelopes acked after SIGTERM", n-acks)
	}

	// The post under way finished and was recorded; the other job was
	// handed back, not left leased.
	if posts := w.prompts(inFlight.Account); len(posts) != 1 {
		t.Errorf("%d questions about %s, the post under way; want 1", len(posts), inFlight.Account)
	}
	if got := w.prospect(inFlight.ID); got.Asks != 1 || !strings.HasPrefix(w.get(w.askKey(inFlight, 1)), "sent ") {
		t.Errorf("the post under way was not recorded: asks %d, ledger %q", got.Asks, w.get(w.askKey(inFlight, 1)))
	}
	if zs := w.leased(); len(zs) != 0 {
		t.Errorf("jobs still leased after SIGTERM: %v", zs)
	}
	if len(w.prompts("")) != 1 {
		t.Errorf("%d questions before the next replica, want 1", len(w.prompts("")))
	}
	if out := r.output(); !strings.Contains(out, `"message":"stopped"`) {
		t.Errorf("no clean stop in the log:\n%s", out)
	}

	// The next replica asks the handed-back question at once (not a lease
	// later), and nothing twice.
	started := time.Now()
	next := w.start("next replica", w.env("JOB_LEASE=4s"))
	w.until(3*time.Second, "the handed-back question", func() bool { return len(w.prompts("")) == 2 })
	if d := time.Since(started); d >= 4*time.Second {
		t.Errorf("the handed-back question waited %s, a lease", d)
	}
	w.ranAfter(next, time.Now()) // its next look at what is due
	for _, p := range ps {
		if n := len(w.prompts(p.Account)); n != 1 {
			t.Errorf("%d questions about %s, want 1", n, p.Account)
		}
	}
}

// No token appears in any log line, at debug level, through a whole flow
// (log → question → confirm with the form) with Slack failing on the way,
// whether the tokens come from the environment or from files.
func TestNoTokenInAnyLogLine(t *testing.T) {
	t.Parallel()
	for _, from := range []string{"environment", "files"} {
		t.Run(from, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			env := w.env("LOG_LEVEL=trace")
			if from == "files" {
				dir := t.TempDir()
				app, bot := dir+"/app-token", dir+"/bot-token"
				if err := os.WriteFile(app, []byte(w.sim.AppToken()+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(bot, []byte(w.sim.BotToken()+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				env = w.env("LOG_LEVEL=debug", "SLACK_APP_TOKEN=", "SLACK_BOT_TOKEN=",
					"SLACK_APP_TOKEN_FILE="+app, "SLACK_BOT_TOKEN_FILE="+bot)
			}
			// Slack fails on the way: a refused dnd.info, a 500 on the
			// first post (retried), a rate limit on the directory's load.
			w.sim.FailNext("dnd.info", slacksim.Fault{Error: "invalid_auth"})
			w.sim.FailNext("chat.postMessage", slacksim.Fault{Status: 500})
			w.sim.FailNext("users.list", slacksim.Fault{Status: 429, RetryAfter: time.Second})
			r := w.start("replica", env)
			w.flow()
			w.sim.Disconnect("refresh_requested") // a reconnect logs too
			w.until(5*time.Second, "reconnected", func() bool { return w.sim.Connections() == 1 })
			r.signal(syscall.SIGTERM)
			if code, ok := r.exited(10 * time.Second); !ok || code != 0 {
				t.Fatalf("exit %d (exited: %v) after SIGTERM", code, ok)
			}
			out := r.output()
			if !strings.Contains(out, `"level":"debug"`) {
				t.Fatalf("no debug line: the test means the most talkative level\n%s", out)
			}
			assertNoToken(t, w, out)
			assertJSONLines(t, out)
		})
	}

	// A configuration error names the variable, never the value.
	t.Run("configuration errors", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		file := t.TempDir() + "/bot-token"
		if err := os.WriteFile(file, []byte(w.sim.BotToken()), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, env := range [][]string{
			w.env("SLACK_APP_TOKEN=" + w.sim.BotToken()),                                      // the wrong kind
			w.env("SLACK_BOT_TOKEN=" + w.sim.AppToken()),                                      // the other way round
			w.env("SLACK_BOT_TOKEN_FILE=" + file),                                             // both ways at once
			w.env("SLACK_BOT_TOKEN=", "SLACK_BOT_TOKEN_FILE="+w.sim.BotToken()),               // the token where its file goes
			w.env("SLACK_APP_TOKEN=", "SLACK_APP_TOKEN_FILE="+w.sim.AppToken()),               // the same for the app token
			w.env("REDIS_URL=redis://:"+w.sim.BotToken()+"@127.0.0.1:0/0", "HTTP_ADDR=bad:x"), // a password in a URL
		} {
			r := w.spawn("misconfigured", env)
			code, ok := r.exited(10 * time.Second)
			if !ok || code == 0 {
				t.Errorf("exit %d (exited: %v), want a failure", code, ok)
			}
			out := r.output()
			if i := strings.Index(out, "pipelinecoach:"); i < 0 && !strings.Contains(out, `"level":"error"`) {
				t.Errorf("no error line:\n%s", out)
			}
			for _, s := range []string{w.sim.AppToken(), w.sim.BotToken()} {
				if strings.Contains(out, s) {
					t.Errorf("the output holds a token:\n%s", out)
				}
			}
		}
	})
}

// flow is a rep's first meeting through to an opportunity.
func (w *world) flow() {
	w.t.Helper()
	logged := w.sim.Mark()
	ack, err := w.sim.Slash(w.ctx, rita, "log Acme yesterday 3pm with Jane")
	if err != nil {
		w.t.Fatalf("slash: %v (%+v)", err, ack)
	}
	ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
	defer cancel()
	prompt, err := w.sim.WaitMessage(ctx, logged, func(m slacksim.Message) bool {
		return m.Channel == w.sim.DMChannel(rita) && strings.Contains(m.AllText(), "Did you book a second meeting?")
	})
	if err != nil {
		w.t.Fatalf("no question: %v", err)
	}
	if _, err := w.sim.Click(ctx, rita, prompt, render.ActionYes); err != nil {
		w.t.Fatal(err)
	}
	v, err := w.sim.WaitView(ctx, rita, func(v slacksim.View) bool { return v.CallbackID == render.ViewConfirm && !v.Closed })
	if err != nil {
		w.t.Fatalf("no confirm form: %v", err)
	}
	next := time.Now().In(berlin).AddDate(0, 0, 7).Format("2006-01-02")
	submitted := w.sim.Mark()
	if _, err := w.sim.Submit(ctx, rita, v, map[string]string{
		render.InputSecondDate: next, render.InputSecondTime: "10:00", render.InputAmount: "25k", render.InputNextStep: "Demo",
	}); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.sim.WaitMessage(ctx, submitted, func(m slacksim.Message) bool {
		return m.Channel == w.sim.DMChannel(rita) && strings.Contains(m.AllText(), "*Acme* is an opportunity")
	}); err != nil {
		w.t.Fatalf("not an opportunity: %v", err)
	}
}

var berlin, _ = time.LoadLocation("Europe/Berlin")

// assertJSONLines checks that the log is one stream of JSON objects: no
// library writes plain text into it.
func assertJSONLines(t *testing.T, out string) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !json.Valid([]byte(line)) || !strings.HasPrefix(line, "{") {
			t.Errorf("log line %d is not a JSON object: %s", i+1, line)
		}
	}
}

func assertNoToken(t *testing.T, w *world, out string) {
	t.Helper()
	secrets := []string{w.sim.AppToken(), w.sim.BotToken(), "xoxb-", "xapp-"}
	for i, line := range strings.Split(out, "\n") {
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("log line %d holds %q:\n%s", i+1, s, line)
			}
		}
	}
}
