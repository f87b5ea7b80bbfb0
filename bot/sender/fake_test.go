package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

const testToken = "xoxb-test-1234567890-SECRET"

// fault is one scripted reply of the fake Slack.
type fault struct {
	status     int    // HTTP status; 0 = 200
	retryAfter string // Retry-After header
	slackErr   string // {"ok":false,"error":slackErr}
	text       string // plain-text body (response_url replies)
	hang       bool   // never answer (until the client gives up)
}

// recorded is one request the fake Slack received.
type recorded struct {
	method, channel, user string
	body                  map[string]any // decoded JSON body (views.*, response_url)
}

// fakeSlack speaks enough of the Web API for the sender: form-encoded methods with a token
// field, views.* as JSON with a bearer token, and response_urls under /respond/.
type fakeSlack struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	script  map[string][]fault // "method" or "method|channel" → replies, consumed in order
	forever map[string]fault   // replies repeated forever
	calls   []recorded
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, script: map[string][]fault{}, forever: map[string]fault{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) client() *slack.Client {
	return slack.New(testToken, slack.OptionAPIURL(f.srv.URL+"/api/"))
}

// on scripts replies for key ("chat.postMessage" or "chat.postMessage|C1").
func (f *fakeSlack) on(key string, faults ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script[key] = append(f.script[key], faults...)
}

func (f *fakeSlack) always(key string, ft fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forever[key] = ft
}

func (f *fakeSlack) next(method, channel string) (fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range []string{method + "|" + channel, method} {
		if q := f.script[k]; len(q) > 0 {
			f.script[k] = q[1:]
			return q[0], true
		}
		if ft, ok := f.forever[k]; ok {
			return ft, true
		}
	}
	return fault{}, false
}

// count returns how many requests matched method (and channel, if not empty).
func (f *fakeSlack) count(method, channel string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.method == method && (channel == "" || c.channel == channel) {
			n++
		}
	}
	return n
}

func (f *fakeSlack) last() recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return recorded{}
	}
	return f.calls[len(f.calls)-1]
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	var rec recorded
	authed := false
	switch {
	case strings.HasPrefix(r.URL.Path, "/respond/"):
		rec.method = MethodResponseURL
		authed = true // a response_url carries no token
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &rec.body)
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		rec.method = strings.TrimPrefix(r.URL.Path, "/api/")
		authed = r.Header.Get("Authorization") == "Bearer "+testToken
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &rec.body); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		rec.user, _ = rec.body["user_id"].(string)
	default:
		rec.method = strings.TrimPrefix(r.URL.Path, "/api/")
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		authed = r.PostForm.Get("token") == testToken
		rec.channel = r.PostForm.Get("channel")
		rec.user = r.PostForm.Get("user")
		if u := r.PostForm.Get("users"); u != "" {
			rec.user = u
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, rec)
	n := len(f.calls)
	f.mu.Unlock()

	if !authed {
		writeJSON(w, map[string]any{"ok": false, "error": "not_authed"})
		return
	}
	if ft, ok := f.next(rec.method, rec.channel); ok {
		switch {
		case ft.hang:
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		case ft.status != 0:
			if ft.retryAfter != "" {
				w.Header().Set("Retry-After", ft.retryAfter)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(ft.status)
			_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
			return
		case ft.slackErr != "":
			writeJSON(w, map[string]any{"ok": false, "error": ft.slackErr})
			return
		case ft.text != "":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, ft.text)
			return
		}
	}
	ts := fmt.Sprintf("1700000000.%06d", n)
	switch rec.method {
	case MethodResponseURL:
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok")
	case MethodPostMessage, MethodUpdate:
		ch := rec.channel
		if strings.HasPrefix(ch, "U") {
			ch = "D" + ch[1:]
		}
		writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": ts})
	case MethodPostEphemeral:
		writeJSON(w, map[string]any{"ok": true, "message_ts": ts})
	case MethodViewsOpen, MethodViewsPush, MethodViewsUpdate, MethodViewsPublish:
		writeJSON(w, map[string]any{"ok": true, "view": map[string]any{"id": "V" + fmt.Sprint(n)}})
	case MethodUsersInfo:
		writeJSON(w, map[string]any{"ok": true, "user": map[string]any{"id": rec.user, "name": "ana", "tz": "Europe/Berlin"}})
	case MethodConvOpen:
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(rec.user, "U")}})
	case MethodAuthTest:
		writeJSON(w, map[string]any{"ok": true, "user_id": "U0BOT", "team_id": "T1", "bot_id": "B1"})
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// clock is an injectable Now and Sleep. Sleep records what it was asked and, if advance is
// set, moves the clock forward by it; block, if set, decides how a Sleep waits.
type clock struct {
	mu      sync.Mutex
	now     time.Time
	advance bool
	sleeps  []time.Duration
	block   func(ctx context.Context, d time.Duration) error
}

func newClock(advance bool) *clock {
	return &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), advance: advance}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	if c.advance {
		c.now = c.now.Add(d)
	}
	block := c.block
	c.mu.Unlock()
	if block != nil {
		return block(ctx, d)
	}
	return ctx.Err()
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

func (c *clock) total() time.Duration {
	var t time.Duration
	for _, d := range c.Sleeps() {
		t += d
	}
	return t
}

// observed collects Observe calls.
type observed struct {
	mu       sync.Mutex
	statuses []string
}

func (o *observed) observe(method, status string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.statuses = append(o.statuses, method+":"+status)
}

func (o *observed) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.statuses...)
}

// harness is a Sender wired to a fake Slack and a fake clock, with jitter fixed at half.
type harness struct {
	slack *fakeSlack
	clock *clock
	obs   *observed
	logs  *logSink
	s     *Sender
}

// logSink is what the sender logged; the sender's goroutines write to it
// while the test reads.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newHarness(t *testing.T, advance bool, opts Options) *harness {
	t.Helper()
	h := &harness{slack: newFakeSlack(t), clock: newClock(advance), obs: &observed{}, logs: &logSink{}}
	if opts.Now == nil {
		opts.Now = h.clock.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = h.clock.Sleep
	}
	if opts.Rand == nil {
		opts.Rand = func() float64 { return 0.5 }
	}
	if opts.Observe == nil {
		opts.Observe = h.obs.observe
	}
	h.s = New(h.slack.client(), zerolog.New(h.logs), opts)
	return h
}

func (h *harness) responseURL() string { return h.slack.srv.URL + "/respond/T1/42/SECRETHOOK" }
