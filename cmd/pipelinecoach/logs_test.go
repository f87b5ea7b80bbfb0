package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
)

// go-redis's own messages arrive as structured lines of the bot's log, not
// as plain text beside them.
func TestRedisClientLogsThroughZerolog(t *testing.T) {
	var buf bytes.Buffer
	routeRedisLog(zerolog.New(&buf))
	// go-redis speaks up when it truncates an expiry below a millisecond;
	// it says so before it even dials, so no server is needed.
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 50 * time.Millisecond})
	defer c.Close()
	_ = c.Set(context.Background(), "k", "v", time.Microsecond).Err()

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("go-redis wrote nothing through the bot's log")
	}
	for _, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if got["level"] != "warn" || got["component"] != "redis" || got["message"] != "redis client" {
			t.Errorf("line %s: want level warn, component redis, message \"redis client\"", line)
		}
		if d, _ := got["detail"].(string); d == "" || strings.HasPrefix(d, "redis: ") {
			t.Errorf("detail %q: want go-redis's words without its prefix", d)
		}
	}
	if !strings.Contains(buf.String(), "truncating to 1ms") {
		t.Errorf("the truncation message is not in the log:\n%s", buf.String())
	}
}

// LOG_FORMAT=console is one plain line per event for a person: time, level,
// message, then the fields; no escape codes when the output is not a
// terminal.
func TestConsoleLogIsReadable(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger(config{LogLevel: "info", LogFormat: "console"}, &buf)
	log.Warn().Str("component", "bot").Int("attempt", 3).Str("retry_in", "2.346s").
		Err(context.DeadlineExceeded).Msg("could not connect to Slack; retrying")
	line := strings.TrimSpace(buf.String())
	if strings.Contains(line, "\x1b[") {
		t.Errorf("escape codes in a log that is not a terminal: %q", line)
	}
	if strings.HasPrefix(line, "{") {
		t.Fatalf("console format wrote JSON: %s", line)
	}
	for _, want := range []string{"WRN", "could not connect to Slack; retrying", "error=", "context deadline exceeded", "attempt=3", "retry_in=2.346s", "component=bot"} {
		if !strings.Contains(line, want) {
			t.Errorf("console line lacks %q: %s", want, line)
		}
	}
	if strings.Count(line, "\n") > 0 {
		t.Errorf("one event, several lines: %q", line)
	}
}
