package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"pipelinecoach/bot/render"
)

// ackRecorder is a socket that records the acks sent to it, and signals
// each on acked.
type ackRecorder struct {
	mu    sync.Mutex
	acks  []any
	acked chan struct{}
}

func newAckRecorder() *ackRecorder { return &ackRecorder{acked: make(chan struct{}, 8)} }

func (r *ackRecorder) RunContext(ctx context.Context) error { <-ctx.Done(); return nil }

func (r *ackRecorder) AckCtx(_ context.Context, _ string, payload any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, payload)
	r.acked <- struct{}{}
	return nil
}

func (r *ackRecorder) sent() []any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]any(nil), r.acks...)
}

// TestHeldAckCarriesOnlyWhatSlackTakes: the first answer that fits goes in
// the ack, once; an answer of 20 KB or more (Slack drops such an ack) or
// one with a text fallback for its tables (only a response_url's refusal
// lets the fallback be sent) leaves an empty ack and goes by the
// response_url.
func TestHeldAckCarriesOnlyWhatSlackTakes(t *testing.T) {
	small := render.Notice("Logged.")
	for _, tc := range []struct {
		name    string
		answers []render.Message
		inAck   []bool
		payload bool // the one ack carries a message
	}{
		{"an answer", []render.Message{small}, []bool{true}, true},
		{"two answers", []render.Message{small, small}, []bool{true, false}, true},
		{"too large", []render.Message{render.Notice(strings.Repeat("x", 2900) + strings.Repeat(" y", 8000))}, []bool{false}, false},
		{"with a fallback", []render.Message{{Text: "t", Blocks: small.Blocks, Fallback: []slack.Block{}}}, []bool{false}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sock := newAckRecorder()
			b := &Bot{cfg: Config{AckHold: time.Hour}, socket: sock, obs: noObserver{}, log: zerolog.Nop()}
			held := b.holdAck(context.Background(), &socketmode.Request{EnvelopeID: "E1"}, time.Now())
			for i, m := range tc.answers {
				if got := held.answer(m); got != tc.inAck[i] {
					t.Errorf("answer %d in the ack: %v, want %v", i, got, tc.inAck[i])
				}
			}
			held.finish()
			acks := sock.sent()
			if len(acks) != 1 {
				t.Fatalf("%d acks, want one", len(acks))
			}
			if got := acks[0] != nil; got != tc.payload {
				t.Errorf("ack with a message: %v, want %v (%v)", got, tc.payload, acks[0])
			}
		})
	}
}

// TestHeldAckGoesEmptyAtTheHold: with no answer by the hold, the ack goes
// empty by itself, and a later answer is not put in it.
func TestHeldAckGoesEmptyAtTheHold(t *testing.T) {
	sock := newAckRecorder()
	b := &Bot{cfg: Config{AckHold: time.Millisecond}, socket: sock, obs: noObserver{}, log: zerolog.Nop()}
	held := b.holdAck(context.Background(), &socketmode.Request{EnvelopeID: "E1"}, time.Now().Add(-time.Second))
	select { // the hold is long past: its timer fires at once
	case <-sock.acked:
	case <-time.After(5 * time.Second):
		t.Fatal("not acked at the hold")
	}
	if held.answer(render.Notice("late")) {
		t.Error("an answer after the hold went in the ack")
	}
	held.finish()
	if acks := sock.sent(); len(acks) != 1 || acks[0] != nil {
		t.Errorf("acks %v, want one, empty", acks)
	}
}
