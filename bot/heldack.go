package bot

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"pipelinecoach/bot/render"
)

// heldAck is a slash command's ack, held until its first answer is ready so
// that the answer travels in the ack itself: over the socket already open,
// not as a separate HTTPS request to Slack, and without an HTTP round trip
// between the person and what they asked. Everything after the first
// answer, and an answer the ack cannot carry, goes through the command's
// response_url.
type heldAck struct {
	b     *Bot
	req   *socketmode.Request
	got   time.Time
	ctx   context.Context // the socket loop's: a handler's may end first
	mu    sync.Mutex
	sent  bool
	timer *time.Timer
}

// holdAck holds req's ack for at most Config.AckHold after got, when the
// envelope arrived. Slack shows the person an error when the ack is not
// back within 3 s of its sending: the hold leaves the rest for the network.
// An answer not ready by then goes through the command's response_url
// after an empty ack; the person waits no longer for it.
func (b *Bot) holdAck(ctx context.Context, req *socketmode.Request, got time.Time) *heldAck {
	h := &heldAck{b: b, req: req, got: got, ctx: ctx}
	h.timer = time.AfterFunc(b.cfg.AckHold-time.Since(got), h.release)
	return h
}

// answer sends m as the ack's payload when the ack is still held, and says
// whether it did. A message with a text fallback for its tables is not
// sent this way: Slack tells an ack nothing of a refused payload, and only
// the response_url's refusal lets the fallback be sent instead.
func (h *heldAck) answer(m render.Message) bool {
	if m.Fallback != nil {
		h.finish()
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent {
		return false
	}
	h.sent = true
	h.timer.Stop()
	payload, err := json.Marshal(ackMessage{ResponseType: slack.ResponseTypeEphemeral, Text: m.Text, Blocks: m.Blocks})
	if err != nil || len(payload) > maxAckPayload {
		h.b.ackAs(h.ctx, h.req, nil, "slash_commands", h.got)
		return false
	}
	// An ack the socket would not take is logged by ackAs, and the
	// answer goes by the response_url.
	return h.b.ackAs(h.ctx, h.req, json.RawMessage(payload), "slash_commands", h.got)
}

// maxAckPayload is the largest answer sent in an ack: Slack silently drops
// an ack of 20 KB or more, and the envelope id around the payload takes a
// little of that.
const maxAckPayload = 19 << 10

// finish sends the ack empty unless it has been sent: the command is done,
// or will not answer in its ack.
func (h *heldAck) finish() {
	h.timer.Stop()
	h.release()
}

// release sends the ack empty unless it has been sent. The hold's timer
// calls it, and may do so before holdAck has set h.timer: it must not
// touch it.
func (h *heldAck) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sent {
		return
	}
	h.sent = true
	h.b.ackAs(h.ctx, h.req, nil, "slash_commands", h.got)
}

// ackMessage is a slash command's answer as an ack's payload.
type ackMessage struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}
