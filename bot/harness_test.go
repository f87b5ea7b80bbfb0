package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"pipelinecoach/bot"
	"pipelinecoach/bot/sender"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/storage/boltstore"
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

// harness is a running bot over a simulated Slack and a store (a real Redis
// when redis-server is installed, the embedded bbolt store when it is not),
// with a fake clock and a scheduler that runs only when ticked.
type harness struct {
	t     *testing.T
	ctx   context.Context
	sim   *slacksim.Server
	clock *coachtest.Clock
	tick  chan time.Time
	store coach.Store
	logs  *logBuffer
	rt    *bot.Runtime

	// marks: what a wait may match (see act).
	markMu  sync.Mutex
	mark    slacksim.Mark
	settled bool // a wait came after the last action: the next one takes a new mark
}

// act is called by every helper that makes something happen (a command, a
// click, a DM, a scheduler run). The first action after a wait takes a mark;
// the waits that follow match only messages posted or changed after it, so
// an older message with the same words never answers for the bot. Actions
// in a row (or at once, from several goroutines) share the first one's mark.
func (h *harness) act() {
	h.markMu.Lock()
	defer h.markMu.Unlock()
	if h.settled {
		h.mark, h.settled = h.sim.Mark(), false
	}
}

// since is the mark a wait matches after, and notes that a wait came.
func (h *harness) since() slacksim.Mark {
	h.markMu.Lock()
	defer h.markMu.Unlock()
	h.settled = true
	return h.mark
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessOpts(t, nil, harnessOpts{})
}

// productStore is the store every product scenario runs on: Redis, as
// production runs it, when redis-server is installed (or CI demands it);
// otherwise the embedded store, so a machine with only Go runs every flow.
// The Redis-only tests (faults, replicas) ask redistest for a server and
// skip without one.
func productStore(t *testing.T, clock *coachtest.Clock) coach.Store {
	t.Helper()
	if redistest.Available() {
		return redisstore.New(redistest.Start(t).Client(t), "e2e")
	}
	store, err := boltstore.Open(t.TempDir(), boltstore.Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("embedded store: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return store
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
	h.act()
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
	h.act()
	ack, err := h.sim.Slash(h.ctx, user, text)
	if err != nil {
		h.t.Fatalf("/pipeline %s: %v", text, err)
	}
	if ack.Error != "" {
		// Slack refuses an ack's message without a word to the bot: the
		// rep would see nothing.
		h.t.Fatalf("/pipeline %s: Slack refused the answer in the ack (%s): %s", text, ack.Error, ack.Payload)
	}
	return ack
}

// slashAsync sends a command without waiting for its ack: acked gets the
// send's error once it is acked, and done is closed then.
func (h *harness) slashAsync(user, text string) (acked <-chan error, done <-chan struct{}) {
	h.act()
	errs, finished := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(finished)
		_, err := h.sim.Slash(h.ctx, user, text)
		errs <- err
	}()
	return errs, finished
}

// waitUntil checks cond every few milliseconds until it holds, for a state
// that sends no signal, for at most 5 s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("the condition did not hold within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitFor waits for a message whose text contains want, posted or changed
// since the last action (see act).
func (h *harness) waitFor(channel, want string) slacksim.Message {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	m, err := h.sim.WaitMessage(ctx, h.since(), func(m slacksim.Message) bool {
		return (channel == "" || m.Channel == channel) && strings.Contains(m.AllText(), want)
	})
	if err != nil {
		h.t.Fatalf("no message containing %q in %q since the last action: %v\nmessages there:\n%s", want, channel, err, h.dump(channel))
	}
	return m
}

// reply waits for the ephemeral answer to a user's command or click, given
// since the last action (see act).
func (h *harness) reply(user, want string) slacksim.Message {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	m, err := h.sim.WaitMessage(ctx, h.since(), func(m slacksim.Message) bool {
		return m.Ephemeral && m.ToUser == user && strings.Contains(m.AllText(), want)
	})
	if err != nil {
		h.t.Fatalf("no reply to %s containing %q since the last action: %v", user, want, err)
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
	h.act()
	if _, err := h.sim.Click(h.ctx, user, m, actionID); err != nil {
		h.t.Fatalf("click %s: %v", actionID, err)
	}
}

func (h *harness) submit(user string, v slacksim.View, inputs map[string]string) slacksim.Ack {
	h.t.Helper()
	h.act()
	ack, err := h.sim.Submit(h.ctx, user, v, inputs)
	if err != nil {
		h.t.Fatalf("submit %s: %v", v.CallbackID, err)
	}
	return ack
}

// dm sends the bot a direct message from user.
func (h *harness) dm(user, text string) {
	h.t.Helper()
	h.act()
	if _, err := h.sim.DM(h.ctx, user, text); err != nil {
		h.t.Fatalf("DM %q from %s: %v", text, user, err)
	}
}

// openHome opens the user's App Home tab.
func (h *harness) openHome(user string) {
	h.t.Helper()
	h.act()
	if _, err := h.sim.OpenHome(h.ctx, user); err != nil {
		h.t.Fatalf("open %s's App Home: %v", user, err)
	}
}

// clickView clicks a button in a modal or the Home tab.
func (h *harness) clickView(user string, v slacksim.View, actionID string) {
	h.t.Helper()
	h.act()
	if _, err := h.sim.ClickView(h.ctx, user, v, actionID); err != nil {
		h.t.Fatalf("click %s: %v", actionID, err)
	}
}

// send delivers a raw envelope, as Slack would (attempt > 0: a retry).
func (h *harness) send(envelopeType string, payload json.RawMessage, attempt int) (slacksim.Ack, error) {
	h.act()
	return h.sim.Send(h.ctx, envelopeType, payload, attempt)
}

// idle waits until the bot has handled every envelope it acked. Call it
// once Slack has every ack of what was sent (the harness's helpers return
// after the ack), before counting what the bot did: a count taken earlier
// could miss a second answer still on its way.
func (h *harness) idle() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	if err := h.rt.Bot.WaitIdle(ctx); err != nil {
		h.t.Fatalf("the bot did not become idle: %v", err)
	}
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

// slashAnswered runs a command and waits for its reply containing want.
func (h *harness) slashAnswered(user, text, want string) {
	h.t.Helper()
	h.slash(user, text)
	h.reply(user, want)
}
