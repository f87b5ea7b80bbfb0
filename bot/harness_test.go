package bot_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"pipelinecoach/bot"
	"pipelinecoach/bot/sender"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
)

// The cast of the end-to-end tests.
const (
	rep   = "U0RITA" // a rep in Berlin
	other = "U0OMAR" // another rep
	wins  = "C0WINS" // the celebration channel
	admin = "U0ADA"  // a workspace admin
)

var berlin, _ = time.LoadLocation("Europe/Berlin")

// wednesday 09:00 in Berlin, the start of every scenario.
var start = time.Date(2026, 11, 25, 9, 0, 0, 0, berlin)

// harness is a running bot over a simulated Slack and a real Redis, with a
// fake clock and a scheduler that runs only when ticked.
type harness struct {
	t     *testing.T
	ctx   context.Context
	sim   *slacksim.Server
	clock *coachtest.Clock
	tick  chan time.Time
	store coach.Store
	logs  *logBuffer
	rt    *bot.Runtime
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	srv := redistest.Start(t)
	store := redisstore.New(srv.Client(t), "e2e")
	return newHarnessWith(t, store)
}

func newHarnessWith(t *testing.T, store coach.Store) *harness {
	t.Helper()
	return newHarnessOpts(t, store, harnessOpts{})
}

// addCast adds the tests' people and the celebration channel to sim.
func addCast(sim *slacksim.Server) {
	sim.AddUser(slacksim.User{ID: rep, Name: "rita", RealName: "Rita Rep", TZ: "Europe/Berlin"})
	sim.AddUser(slacksim.User{ID: other, Name: "omar", RealName: "Omar Other", TZ: "America/New_York"})
	sim.AddUser(slacksim.User{ID: admin, Name: "ada", RealName: "Ada Admin", TZ: "Europe/Berlin", IsAdmin: true})
	sim.AddChannel(wins, "wins", true)
}

// runScheduler lets the scheduler run once at the clock's time and waits
// until that run has finished (the tick channel is unbuffered, so the second
// send is taken only after the first run).
func (h *harness) runScheduler() {
	h.t.Helper()
	for range 2 {
		select {
		case h.tick <- h.clock.Now():
		case <-h.ctx.Done():
			h.t.Fatal("scheduler did not take the tick")
		}
	}
}

// at moves the clock to a time in Berlin and runs the scheduler.
func (h *harness) at(t time.Time) {
	h.t.Helper()
	h.clock.Set(t)
	h.runScheduler()
}

func (h *harness) slash(user, text string) slacksim.Ack {
	h.t.Helper()
	ack, err := h.sim.Slash(h.ctx, user, text)
	if err != nil {
		h.t.Fatalf("/pipeline %s: %v", text, err)
	}
	return ack
}

// waitFor waits for a message (now or later) whose text contains want.
func (h *harness) waitFor(channel, want string) slacksim.Message {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	m, err := h.sim.WaitMessage(ctx, func(m slacksim.Message) bool {
		return (channel == "" || m.Channel == channel) && strings.Contains(m.AllText(), want)
	})
	if err != nil {
		h.t.Fatalf("no message containing %q in %q: %v\nmessages there:\n%s", want, channel, err, h.dump(channel))
	}
	return m
}

// reply waits for the ephemeral answer to a user's command or click.
func (h *harness) reply(user, want string) slacksim.Message {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	m, err := h.sim.WaitMessage(ctx, func(m slacksim.Message) bool {
		return m.Ephemeral && m.ToUser == user && strings.Contains(m.AllText(), want)
	})
	if err != nil {
		h.t.Fatalf("no reply to %s containing %q: %v", user, want, err)
	}
	return m
}

func (h *harness) dump(channel string) string {
	var b strings.Builder
	for _, m := range h.sim.Messages(channel) {
		b.WriteString("  - " + strings.ReplaceAll(m.AllText(), "\n", " ") + "\n")
	}
	return b.String()
}

// dms returns the bot's messages in a rep's DM.
func (h *harness) dms(user string) []slacksim.Message {
	var out []slacksim.Message
	for _, m := range h.sim.Messages(h.sim.DMChannel(user)) {
		if !m.Ephemeral {
			out = append(out, m)
		}
	}
	return out
}

// prompts counts the questions the bot asked in a rep's DM.
func (h *harness) prompts(user string) int {
	n := 0
	for _, m := range h.sim.Calls() {
		if m.Method == "chat.postMessage" && m.Error == "" && strings.Contains(m.Params.Get("blocks"), "prospect_not_yet") &&
			(m.Params.Get("channel") == user || m.Params.Get("channel") == h.sim.DMChannel(user)) {
			n++
		}
	}
	return n
}

func (h *harness) view(user, callbackID string) slacksim.View {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	v, err := h.sim.WaitView(ctx, user, func(v slacksim.View) bool { return v.CallbackID == callbackID && !v.Closed })
	if err != nil {
		h.t.Fatalf("no %s modal open for %s: %v", callbackID, user, err)
	}
	return v
}

func (h *harness) click(user string, m slacksim.Message, actionID string) {
	h.t.Helper()
	if _, err := h.sim.Click(h.ctx, user, m, actionID); err != nil {
		h.t.Fatalf("click %s: %v", actionID, err)
	}
}

func (h *harness) submit(user string, v slacksim.View, inputs map[string]string) slacksim.Ack {
	h.t.Helper()
	ack, err := h.sim.Submit(h.ctx, user, v, inputs)
	if err != nil {
		h.t.Fatalf("submit %s: %v", v.CallbackID, err)
	}
	return ack
}

func (h *harness) prospects(user string) []coach.Prospect {
	h.t.Helper()
	ps, err := h.store.ProspectsOf(h.ctx, h.sim.TeamID(), user)
	if err != nil {
		h.t.Fatal(err)
	}
	return ps
}

// logBuffer collects log lines for assertions (no token in any of them).
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, string(p))
	return len(p), nil
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "")
}

// unlimited turns the sender's proactive rate limits off: they pace real
// time, and these tests run weeks of fake time in seconds. The limits have
// their own tests in bot/sender and the benchmarks.
func unlimited() sender.Options {
	off := map[string]int{}
	for method := range sender.DefaultMethodPerMinute() {
		off[method] = 0
	}
	return sender.Options{PostPerChannelPerSecond: -1, MethodPerMinute: off}
}

// slashAnswered runs a command and waits for a new reply to it containing
// want: unlike reply, an earlier reply with the same words does not count.
func (h *harness) slashAnswered(user, text, want string) {
	h.t.Helper()
	count := func() int {
		n := 0
		for _, c := range h.sim.Calls() {
			if c.Method == "response_url" && strings.Contains(string(c.Body), want) {
				n++
			}
		}
		return n
	}
	before := count()
	h.slash(user, text)
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	_, err := h.sim.WaitCall(ctx, func(slacksim.Call) bool { return count() > before })
	if err != nil {
		h.t.Fatalf("/pipeline %s: no new reply containing %q: %v", text, want, err)
	}
}
