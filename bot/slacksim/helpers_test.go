package slacksim

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// bot is a real slack-go Socket Mode client connected to a simulator; handle runs for every
// event in the client's event loop.
type bot struct {
	api *slack.Client
	sm  *socketmode.Client
}

type handler func(sm *socketmode.Client, evt socketmode.Event)

// start runs a simulator and a connected client; both stop when the test ends.
func start(t *testing.T, handle handler, opts ...Option) (*Server, *bot) {
	t.Helper()
	return startWith(t, handle, nil, opts...)
}

// startWith is start with socketmode client options.
func startWith(t *testing.T, handle handler, smOpts []socketmode.Option, opts ...Option) (*Server, *bot) {
	t.Helper()
	sim := New(opts...)
	t.Cleanup(sim.Close) // runs after the client's cleanup below
	api := slack.New(sim.BotToken(), slack.OptionAppLevelToken(sim.AppToken()), slack.OptionAPIURL(sim.APIURL()))
	sm := socketmode.New(api, smOpts...)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				if handle != nil {
					handle(sm, evt)
				}
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	waitUntil(t, func() bool { return sim.Connections() == 1 })
	return sim, &bot{api: api, sm: sm}
}

// ackAll acks every envelope without a payload.
func ackAll(sm *socketmode.Client, evt socketmode.Event) {
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		_ = sm.Ack(*evt.Request)
	}
}

// waitUntil polls a condition with a bound, for states that have no Wait method.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 3s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// fakeClock is a settable clock for trigger expiry.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// triggerFrom runs a slash command and returns the trigger_id the client received.
func triggerFrom(t *testing.T, sim *Server, triggers <-chan string, user string) string {
	t.Helper()
	if _, err := sim.Slash(testCtx(t), user, "open"); err != nil {
		t.Fatalf("Slash: %v", err)
	}
	select {
	case id := <-triggers:
		return id
	case <-time.After(3 * time.Second):
		t.Fatal("no trigger_id received")
		return ""
	}
}

// slashTriggers is a handler that acks slash commands and hands their trigger ids over.
func slashTriggers(triggers chan<- string, next handler) handler {
	return func(sm *socketmode.Client, evt socketmode.Event) {
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			_ = sm.Ack(*evt.Request)
			triggers <- cmd.TriggerID
			return
		}
		if next != nil {
			next(sm, evt)
		}
	}
}
