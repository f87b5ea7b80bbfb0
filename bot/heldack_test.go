package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

// ackText is the message a slash command's ack carries ("" for none).
func ackText(t *testing.T, ack slacksim.Ack) string {
	t.Helper()
	if len(ack.Payload) == 0 {
		return ""
	}
	var body struct {
		ResponseType string            `json:"response_type"`
		Text         string            `json:"text"`
		Blocks       []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(ack.Payload, &body); err != nil {
		t.Fatalf("ack payload %s: %v", ack.Payload, err)
	}
	if body.ResponseType != "ephemeral" {
		t.Errorf("ack payload answers as %q, want ephemeral (only the rep sees it)", body.ResponseType)
	}
	return body.Text + string(ack.Payload)
}

// responseURLPosts counts the posts to a response_url after the first
// `after` calls.
func responseURLPosts(h *harness, after int) int {
	n := 0
	for _, c := range h.sim.Calls()[after:] {
		if c.Method == "response_url" {
			n++
		}
	}
	return n
}

// TestCommandAnsweredInItsAck: a command's answer travels in its ack, with
// no response_url post; a log's answer comes once it is saved.
func TestCommandAnsweredInItsAck(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct{ text, want string }{
		{"help", "/pipeline log"},
		{"log Acme today 10:00", "Logged a first meeting with *Acme*"},
		{"", "Acme"},
	} {
		calls := len(h.sim.Calls())
		ack := h.slash(rep, tc.text)
		if got := ackText(t, ack); !strings.Contains(got, tc.want) {
			t.Fatalf("/pipeline %s acked with %q, want its answer containing %q", tc.text, got, tc.want)
		}
		h.reply(rep, tc.want) // shown to the rep, as Slack shows an ack's message
		h.idle()
		if n := responseURLPosts(h, calls); n != 0 {
			t.Errorf("/pipeline %s: %d response_url posts besides the ack, want none", tc.text, n)
		}
	}
	if p := byAccount(h.prospects(rep), "Acme"); p.ID == "" {
		t.Fatal("the log answered in its ack was not saved")
	}
}

// gatedStore holds every pipeline read until open is closed.
type gatedStore struct {
	coach.Store
	open chan struct{}
}

func (g gatedStore) ProspectsOf(ctx context.Context, team, owner string) ([]coach.Prospect, error) {
	if err := g.wait(ctx); err != nil {
		return nil, err
	}
	return g.Store.ProspectsOf(ctx, team, owner)
}

func (g gatedStore) ProspectsOfSince(ctx context.Context, team, owner string, since time.Time) ([]coach.Prospect, error) {
	if err := g.wait(ctx); err != nil {
		return nil, err
	}
	return g.Store.ProspectsOfSince(ctx, team, owner, since)
}

func (g gatedStore) wait(ctx context.Context) error {
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestSlowAnswerFollowsAnEmptyAck: an answer not ready within the hold
// does not hold the ack past Slack's deadline: the ack goes empty, and the
// answer follows through the response_url once it is ready.
func TestSlowAnswerFollowsAnEmptyAck(t *testing.T) {
	gate := gatedStore{open: make(chan struct{})}
	gate.Store = productStore(t, coachtest.NewClock(start))
	h := newHarnessOpts(t, gate, harnessOpts{setup: func(s *bot.Setup) { s.Config.AckHold = 20 * time.Millisecond }})

	calls := len(h.sim.Calls())
	ack := h.slash(rep, "") // returns once acked: the read is still held
	if len(ack.Payload) != 0 {
		t.Fatalf("acked with %s while the answer was not ready", ack.Payload)
	}
	close(gate.open)
	h.reply(rep, "Your pipeline")
	if n := responseURLPosts(h, calls); n != 1 {
		t.Errorf("%d response_url posts, want the answer in one", n)
	}
}
