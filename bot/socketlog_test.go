package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// A failed connection attempt is logged as its cause and the wait before
// the next, in words, never as slack-go's struct.
func TestConnectionTroubleIsLoggedInWords(t *testing.T) {
	cases := []struct {
		name string
		evt  socketmode.Event
		want map[string]any
	}{
		{"failed attempt", socketmode.Event{Type: socketmode.EventTypeConnectionError, Data: &slack.ConnectionErrorEvent{
			Attempt: 3, Backoff: 2*time.Second + 345678912*time.Nanosecond, ErrorObj: errors.New("dial tcp 127.0.0.1:1: connection refused"),
		}}, map[string]any{
			"level": "warn", "error": "dial tcp 127.0.0.1:1: connection refused", "attempt": 3.0, "retry_in": "2.346s",
			"message": "could not connect to Slack; retrying",
		}},
		{"lost connection", socketmode.Event{Type: socketmode.EventTypeIncomingError, Data: &slack.IncomingEventError{
			ErrorObj: errors.New("websocket: close 1006 (abnormal closure)"),
		}}, map[string]any{
			"level": "warn", "error": "websocket: close 1006 (abnormal closure)", "message": "lost the connection to Slack; reconnecting",
		}},
		{"no cause", socketmode.Event{Type: socketmode.EventTypeConnectionError, Data: &slack.ConnectionErrorEvent{Attempt: 1}},
			map[string]any{"error": "no cause given", "retry_in": "0s"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			b := &Bot{log: zerolog.New(&buf)}
			b.logConnectionTrouble(c.evt)
			var line map[string]any
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("not one JSON line: %v\n%s", err, buf.String())
			}
			for k, v := range c.want {
				if line[k] != v {
					t.Errorf("%s = %v, want %v (line %s)", k, line[k], v, strings.TrimSpace(buf.String()))
				}
			}
			if strings.Contains(buf.String(), "Backoff") || strings.Contains(buf.String(), "ErrorObj") {
				t.Errorf("the line holds slack-go's struct: %s", buf.String())
			}
		})
	}
}
