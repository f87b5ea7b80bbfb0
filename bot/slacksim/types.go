package slacksim

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/slack-go/slack"
)

// User is a workspace member as users.info and users.list report it.
type User struct {
	ID, Name, RealName string
	TZ                 string // IANA name, e.g. "Europe/Berlin"; empty means UTC
	IsAdmin            bool
	Email              string
	Deleted, IsBot     bool
	// Updated is when the member last changed (Unix s); the simulator sets
	// it when the member joins or changes.
	Updated int64
}

// Ack is what a Socket Mode client answered to one envelope.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when acked without payload
	// Error is what Slack made of the payload, "" when it was accepted: e.g. "invalid_blocks" for
	// a slash command reply or response_action view Slack would refuse, "push_limit_reached".
	Error string
	// Sent is when the envelope's frame started to be written (its last
	// attempt) and Received when the ack's frame arrived (on Linux the
	// kernel's receive time of its bytes, not when the simulator read
	// them), both on the real clock whatever the simulator's: Received − Sent is the ack
	// latency as Slack would see it, without the simulator's own work
	// building the envelope or applying the ack.
	Sent, Received time.Time
}

// Call is one Web API call (or response_url post) the bot made.
type Call struct {
	Method string          // e.g. "chat.postMessage"; "response_url" for posts to a response_url
	Params url.Values      // form-encoded calls, without the token
	Body   json.RawMessage // JSON calls
	At     time.Time       // on the simulator's clock
	Status int             // HTTP status returned
	Error  string          // the slack error string returned, "" when ok

	to string // the person a response_url post answers
	// in is when the whole request had arrived, on the real clock: when
	// the bot had posted it, before the simulator read and stored it.
	in time.Time
	// recorded is set once the call is in the server's list.
	recorded bool
}

// Fault makes the next call to a method fail; see Server.FailNext.
type Fault struct {
	Status     int           // HTTP status; 0 means 200
	Error      string        // slack error string; with status 200 the reply is {"ok":false,"error":…}
	RetryAfter time.Duration // for 429: sent as Retry-After in whole seconds, at least 1
	Delay      time.Duration // answer only after this long (a slow Slack)
}

// RateLimits configures token-bucket rate limiting. The zero value of a field disables it.
type RateLimits struct {
	PostPerChannelPerSecond float64        // chat.postMessage per channel (Slack: ~1/s)
	PostBurst               int            // short bursts per channel
	PostPerMinute           int            // workspace-wide chat.postMessage cap; 0 = none
	TierPerMinute           map[string]int // other methods by name, e.g. "chat.update": 50; 0/absent = unlimited
	// TierBurst is how many calls of a method may go at once before its
	// per-minute rate paces them; 0/absent = a minute's worth.
	TierBurst map[string]int
}

// Message is the current state of something the bot (or Slack on its behalf) showed in a channel.
type Message struct {
	Channel, TS, ThreadTS, Text string
	Blocks                      slack.Blocks
	Ephemeral                   bool
	ToUser                      string // ephemeral recipient
	Updates                     int    // chat.update / replace_original count
	Deleted                     bool
}

// Button is a button found in a message's blocks.
type Button struct {
	ActionID, BlockID, Text, Value, Style string
}

// View is a modal or Home tab as the simulator holds it.
type View struct {
	ID, CallbackID, PrivateMetadata, Type, Title, Hash string
	Blocks                                             slack.Blocks
	Raw                                                json.RawMessage // the view as Slack returns it
	UserID                                             string
	Closed                                             bool
}

// message is the stored form of a Message: rawBlocks keeps the posted JSON (with the block
// ids Slack fills in) so clicks send back exactly what was posted.
type message struct {
	Message
	rawBlocks []any
	// parsed: Message.Blocks holds rawBlocks decoded. Decoding waits until
	// someone looks (snapshot), so a busy benchmark does not pay for it.
	parsed bool
	// changed is the sequence number of the message's last post, update or
	// delete: it is newer than a Mark taken before that.
	changed int64
}

// snapshot returns the message as callers see it. Callers hold s.mu.
func (m *message) snapshot() Message {
	if !m.parsed {
		m.Blocks, m.parsed = toBlocks(m.rawBlocks), true
	}
	return m.Message
}

// view is the stored form of a View.
type view struct {
	id, user, typ, externalID, hash string
	raw                             map[string]any
	closed                          bool
}

func (v *view) public() View {
	raw, _ := json.Marshal(v.raw)
	out := View{
		ID:              v.id,
		Type:            v.typ,
		Hash:            v.hash,
		Raw:             raw,
		UserID:          v.user,
		Closed:          v.closed,
		CallbackID:      str(v.raw["callback_id"]),
		PrivateMetadata: str(v.raw["private_metadata"]),
	}
	if t, ok := v.raw["title"].(map[string]any); ok {
		out.Title = str(t["text"])
	}
	out.Blocks = toBlocks(v.raw["blocks"])
	return out
}

// toBlocks converts generic JSON blocks to slack-go's types; unknown shapes decode as slack-go
// decides, so a failure leaves the blocks empty rather than failing the call.
func toBlocks(blocks any) slack.Blocks {
	var out slack.Blocks
	if blocks == nil {
		return out
	}
	b, err := json.Marshal(blocks)
	if err == nil {
		_ = json.Unmarshal(b, &out)
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
