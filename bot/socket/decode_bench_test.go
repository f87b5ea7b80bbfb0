package socket

import (
	"encoding/json"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// buttonFrame is a button's envelope as Slack sends it: the question the
// bot asks after a first meeting, with its three buttons, pressed.
func buttonFrame(b *testing.B) []byte {
	text := func(kind, s string) *slack.TextBlockObject { return slack.NewTextBlockObject(kind, s, false, false) }
	blocks := []slack.Block{
		slack.NewSectionBlock(text(slack.MarkdownType, "How did the first meeting with *Acme* go (Wed Nov 25, 10:00 with Jane Doe)? *Did you book a second meeting?*"), nil, nil, slack.SectionBlockOptionBlockID("prompt")),
		slack.NewActionBlock("prompt_actions",
			slack.NewButtonBlockElement("prospect_yes", "p1", text(slack.PlainTextType, "Yes, booked")).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement("prospect_notyet", "p1", text(slack.PlainTextType, "Not yet")),
			slack.NewButtonBlockElement("prospect_lose", "p1", text(slack.PlainTextType, "No — lose it fast")).WithStyle(slack.StyleDanger)),
		slack.NewContextBlock("prompt_context", text(slack.MarkdownType, "Reply in words too: _yes, tue 10am_ · _not yet_ · _no_")),
	}
	payload := map[string]any{
		"type": "block_actions", "api_app_id": "A1", "token": "t", "trigger_id": "1.2.abc",
		"user":      map[string]any{"id": "U1", "username": "jane", "name": "jane", "team_id": "T1"},
		"team":      map[string]any{"id": "T1", "domain": "acme"},
		"container": map[string]any{"type": "message", "message_ts": "1.2", "channel_id": "D1", "is_ephemeral": false},
		"channel":   map[string]any{"id": "D1", "name": "directmessage"},
		"message": map[string]any{"type": "message", "user": "B1", "ts": "1.2", "bot_id": "B1", "app_id": "A1",
			"text": "Did you book a second meeting?", "team": "T1", "blocks": blocks},
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": "https://hooks.slack.com/actions/T1/1/abc",
		"actions": []any{map[string]any{"type": "button", "action_id": "prospect_notyet", "block_id": "prompt_actions",
			"value": "p1", "text": map[string]any{"type": "plain_text", "text": "Not yet"}, "action_ts": "1.3"}},
	}
	frame, err := json.Marshal(map[string]any{"envelope_id": "e1", "type": "interactive", "accepts_response_payload": false, "payload": payload})
	if err != nil {
		b.Fatal(err)
	}
	return frame
}

// BenchmarkDecodeButton: a button's envelope decoded as this package does
// and as slack-go's socketmode.Client does (the frame, the envelope, then
// the whole payload). Run: go test ./bot/socket -bench DecodeButton -run '^$'
func BenchmarkDecodeButton(b *testing.B) {
	frame := buttonFrame(b)
	b.Run("socket", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req, err := decodeEnvelope(frame)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := decode(req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("slack-go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var raw json.RawMessage
			if err := json.Unmarshal(frame, &raw); err != nil {
				b.Fatal(err)
			}
			req := &socketmode.Request{}
			if err := json.Unmarshal(raw, req); err != nil {
				b.Fatal(err)
			}
			var cb slack.InteractionCallback
			if err := json.Unmarshal(req.Payload, &cb); err != nil {
				b.Fatal(err)
			}
		}
	})
}
