package sender

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func text(s string) slack.MsgOption { return slack.MsgOptionText(s, false) }

func TestRateLimitedWaitsRetryAfterThenSucceeds(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.slack.on("chat.postMessage|C1", fault{status: 429, retryAfter: "2"})

	ch, ts, err := h.s.PostMessage(context.Background(), "C1", text("hi"))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	if ch != "C1" || ts == "" {
		t.Fatalf("got channel %q ts %q", ch, ts)
	}
	// Retry-After 2 s plus jitter: Rand 0.5 × (100ms + 2s/10) = 150ms.
	if got, want := h.clock.Sleeps(), []time.Duration{2150 * time.Millisecond}; !slices.Equal(got, want) {
		t.Fatalf("sleeps = %v, want %v", got, want)
	}
	if n := h.slack.count(MethodPostMessage, "C1"); n != 2 {
		t.Fatalf("calls = %d, want 2", n)
	}
	if got, want := h.obs.list(), []string{"chat.postMessage:ratelimited", "chat.postMessage:ok"}; !slices.Equal(got, want) {
		t.Fatalf("observed %v, want %v", got, want)
	}
}

func TestRateLimitDoesNotUseUpAttempts(t *testing.T) {
	h := newHarness(t, true, Options{MaxAttempts: 2})
	h.slack.on("chat.update", fault{status: 429, retryAfter: "1"}, fault{status: 429, retryAfter: "1"},
		fault{status: 429, retryAfter: "1"}, fault{status: 500})
	if err := h.s.UpdateMessage(context.Background(), "C1", "1.2", text("x")); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	if n := h.slack.count(MethodUpdate, ""); n != 5 {
		t.Fatalf("calls = %d, want 5 (three 429s, a 500, success)", n)
	}
}

func TestRateLimitOnOneChannelDoesNotDelayAnother(t *testing.T) {
	h := newHarness(t, false, Options{})
	release := make(chan struct{})
	asked := make(chan time.Duration, 10)
	h.clock.block = func(ctx context.Context, d time.Duration) error {
		asked <- d
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h.slack.on("chat.postMessage|CA", fault{status: 429, retryAfter: "30"})
	ctx, cancel := context.WithCancel(context.Background()) // no deadline: waits of 30 s are allowed
	defer cancel()
	next := func() time.Duration {
		select {
		case d := <-asked:
			return d
		case <-time.After(5 * time.Second):
			t.Fatal("no caller asked to sleep")
			return 0
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Go(func() {
		_, _, err := h.s.PostMessage(ctx, "CA", text("first"))
		errs <- err
	})
	if d := next(); d < 30*time.Second {
		t.Fatalf("first caller on CA waits %v, want at least Retry-After 30s", d)
	}

	// Channel B goes at once while A cools down.
	if _, _, err := h.s.PostMessage(ctx, "CB", text("b")); err != nil {
		t.Fatalf("PostMessage CB: %v", err)
	}
	if len(asked) != 0 {
		t.Fatalf("CB waited %v", <-asked)
	}

	// Another caller on A waits for the cool-down instead of calling Slack.
	wg.Go(func() {
		_, _, err := h.s.PostMessage(ctx, "CA", text("second"))
		errs <- err
	})
	if d := next(); d < 30*time.Second {
		t.Fatalf("second caller on CA waits %v, want the cool-down", d)
	}
	if n := h.slack.count(MethodPostMessage, "CA"); n != 1 {
		t.Fatalf("CA called %d times during its cool-down, want 1", n)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("PostMessage CA: %v", err)
		}
	}
	if n := h.slack.count(MethodPostMessage, "CA"); n != 3 {
		t.Fatalf("CA calls = %d, want 3", n)
	}
}

func TestMethodCoolDownIsShared(t *testing.T) {
	h := newHarness(t, false, Options{}) // frozen clock: the cool-down stays in force
	h.slack.on("users.info", fault{status: 429, retryAfter: "5"})
	ctx := context.Background()
	if _, err := h.s.UserInfo(ctx, "U1"); err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if _, err := h.s.UserInfo(ctx, "U2"); err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	sleeps := h.clock.Sleeps()
	if len(sleeps) != 2 || sleeps[0] < 5*time.Second || sleeps[1] < 5*time.Second {
		t.Fatalf("sleeps = %v, want both users.info calls to wait the 5s cool-down", sleeps)
	}
	// Another method is not affected.
	if _, err := h.s.OpenDM(ctx, "U1"); err != nil {
		t.Fatalf("OpenDM: %v", err)
	}
	if n := len(h.clock.Sleeps()); n != 2 {
		t.Fatalf("conversations.open waited: sleeps %v", h.clock.Sleeps())
	}
}

func TestTransientErrorsRetriedWithBackoff(t *testing.T) {
	tests := []struct {
		name   string
		fault  fault
		status string
	}{
		{"500", fault{status: 500}, "http_5xx"},
		{"503", fault{status: 503}, "http_5xx"},
		{"internal_error", fault{slackErr: "internal_error"}, "internal_error"},
		{"timeout", fault{hang: true}, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, true, Options{AttemptTimeout: 20 * time.Millisecond})
			h.slack.on("chat.postMessage|C1", tt.fault)
			if _, _, err := h.s.PostMessage(context.Background(), "C1", text("hi")); err != nil {
				t.Fatalf("PostMessage: %v", err)
			}
			// Full jitter before retry 1: Rand 0.5 × BaseBackoff 200ms.
			if got, want := h.clock.Sleeps(), []time.Duration{100 * time.Millisecond}; !slices.Equal(got, want) {
				t.Fatalf("sleeps = %v, want %v", got, want)
			}
			if n := h.slack.count(MethodPostMessage, "C1"); n != 2 {
				t.Fatalf("calls = %d, want 2", n)
			}
			if got := h.obs.list(); len(got) != 2 || got[0] != "chat.postMessage:"+tt.status {
				t.Fatalf("observed %v, want first %q", got, tt.status)
			}
		})
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.slack.always("chat.update", fault{status: 500})
	err := h.s.UpdateMessage(context.Background(), "C1", "1.2", text("x"))
	if err == nil {
		t.Fatal("UpdateMessage succeeded against a failing Slack")
	}
	if n := h.slack.count(MethodUpdate, ""); n != 4 {
		t.Fatalf("calls = %d, want MaxAttempts 4", n)
	}
	if errors.Is(err, ErrPermanent) {
		t.Fatalf("5xx reported as permanent: %v", err)
	}
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 500 {
		t.Fatalf("err = %v, want a StatusCodeError 500 inside", err)
	}
	if !strings.HasPrefix(err.Error(), "chat.update in C1: gave up after 4 attempts") {
		t.Fatalf("err = %q", err)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}
	if got := h.clock.Sleeps(); !slices.Equal(got, want) {
		t.Fatalf("backoffs = %v, want %v", got, want)
	}
}

func TestBackoffCappedByMaxBackoff(t *testing.T) {
	s := New(nil, nopLogger(), Options{MaxAttempts: 10, BaseBackoff: 100 * time.Millisecond, MaxBackoff: time.Second,
		Rand: func() float64 { return 0.999 }})
	var prev time.Duration
	for n := 1; n <= 9; n++ {
		d := s.backoff(n)
		if d > time.Second || d < prev {
			t.Fatalf("backoff(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
	if prev < 990*time.Millisecond {
		t.Fatalf("backoff never reached the cap: %v", prev)
	}
}

func TestPermanentErrorsNotRetried(t *testing.T) {
	codes := []string{"channel_not_found", "not_in_channel", "is_archived", "invalid_blocks", "invalid_auth",
		"missing_scope", "msg_too_long", "no_text", "too_many_attachments", "invalid_arguments", "some_new_error"}
	for _, code := range codes {
		t.Run(code, func(t *testing.T) {
			h := newHarness(t, true, Options{})
			h.slack.always("chat.postMessage", fault{slackErr: code})
			_, _, err := h.s.PostMessage(context.Background(), "C1", text("hi"))
			if !errors.Is(err, ErrPermanent) {
				t.Fatalf("err = %v, want ErrPermanent", err)
			}
			if got := SlackError(err); got != code {
				t.Fatalf("SlackError = %q, want %q", got, code)
			}
			if want := "chat.postMessage to C1: " + code; err.Error() != want {
				t.Fatalf("err = %q, want %q", err, want)
			}
			var ser slack.SlackErrorResponse
			if !errors.As(err, &ser) {
				t.Fatalf("SlackErrorResponse not reachable with errors.As")
			}
			if n := h.slack.count(MethodPostMessage, ""); n != 1 {
				t.Fatalf("calls = %d, want 1", n)
			}
			if len(h.clock.Sleeps()) != 0 {
				t.Fatalf("slept %v", h.clock.Sleeps())
			}
		})
	}
}

func TestHTTP4xxIsPermanent(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.slack.always("views.publish", fault{status: 404})
	err := h.s.PublishHome(context.Background(), "U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab})
	if !errors.Is(err, ErrPermanent) || h.slack.count(MethodViewsPublish, "") != 1 {
		t.Fatalf("err = %v after %d calls", err, h.slack.count(MethodViewsPublish, ""))
	}
	if got := h.obs.list(); !slices.Equal(got, []string{"views.publish:http_4xx"}) {
		t.Fatalf("observed %v", got)
	}
}

func TestContextCancelledDuringRateLimitWait(t *testing.T) {
	h := newHarness(t, false, Options{Sleep: sleep, Now: time.Now}) // real timer
	h.slack.on("chat.postMessage|C1", fault{status: 429, retryAfter: "30"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, _, err := h.s.PostMessage(ctx, "C1", text("hi"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("returned after %v", d)
	}
	if n := h.slack.count(MethodPostMessage, ""); n != 1 {
		t.Fatalf("calls = %d", n)
	}
}

func TestContextCancelledDuringBackoff(t *testing.T) {
	h := newHarness(t, false, Options{Sleep: sleep, Now: time.Now, BaseBackoff: time.Minute, MaxBackoff: time.Minute})
	h.slack.always("chat.update", fault{status: 502})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	err := h.s.UpdateMessage(ctx, "C1", "1.2", text("x"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestDeadlineShorterThanRetryAfterFailsAtOnce(t *testing.T) {
	h := newHarness(t, false, Options{})
	h.slack.on("chat.postMessage|C1", fault{status: 429, retryAfter: "30"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := h.s.PostMessage(ctx, "C1", text("hi"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if len(h.clock.Sleeps()) != 0 {
		t.Fatalf("slept %v although the deadline was nearer", h.clock.Sleeps())
	}
	// The voided reservation was given back: once the cool-down is over, C1 posts at once.
	h.clock.Add(32 * time.Second) // Retry-After 30 s + jitter 1.55 s
	if _, _, err := h.s.PostMessage(context.Background(), "C1", text("hi")); err != nil {
		t.Fatal(err)
	}
	if len(h.clock.Sleeps()) != 0 {
		t.Fatalf("slept %v", h.clock.Sleeps())
	}
}

func TestOpenViewNeverRetried(t *testing.T) {
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "Log call", false, false)}
	tests := []struct {
		name      string
		fault     fault
		permanent bool
	}{
		{"500", fault{status: 500}, false},
		{"429", fault{status: 429, retryAfter: "3"}, false},
		{"timeout", fault{hang: true}, false},
		{"expired_trigger_id", fault{slackErr: "expired_trigger_id"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, true, Options{AttemptTimeout: 20 * time.Millisecond})
			h.slack.on("views.open", tt.fault)
			id, err := h.s.OpenView(context.Background(), "T.123", modal)
			if err == nil || id != "" {
				t.Fatalf("OpenView = %q, %v; want an error", id, err)
			}
			if errors.Is(err, ErrPermanent) != tt.permanent {
				t.Fatalf("err = %v, permanent want %v", err, tt.permanent)
			}
			if n := h.slack.count(MethodViewsOpen, ""); n != 1 {
				t.Fatalf("calls = %d, want 1", n)
			}
			if len(h.clock.Sleeps()) != 0 {
				t.Fatalf("slept %v", h.clock.Sleeps())
			}
		})
	}
}

func TestOpenViewDuringCoolDownFailsFast(t *testing.T) {
	h := newHarness(t, false, Options{})
	h.slack.on("views.open", fault{status: 429, retryAfter: "10"})
	modal := slack.ModalViewRequest{Type: slack.VTModal}
	if _, err := h.s.OpenView(context.Background(), "T.1", modal); err == nil {
		t.Fatal("want the 429")
	}
	_, err := h.s.OpenView(context.Background(), "T.2", modal)
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter < 10*time.Second {
		t.Fatalf("err = %v, want a RateLimitedError with the cool-down left", err)
	}
	if SlackError(err) != "ratelimited" {
		t.Fatalf("SlackError = %q", SlackError(err))
	}
	if n := h.slack.count(MethodViewsOpen, ""); n != 1 {
		t.Fatalf("calls = %d, want 1", n)
	}
}

func TestPerChannelLimiterSequential(t *testing.T) {
	h := newHarness(t, true, Options{}) // 1/s, burst 3
	for i := range 10 {
		if _, _, err := h.s.PostMessage(context.Background(), "C1", text("n")); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	sleeps := h.clock.Sleeps()
	if len(sleeps) != 7 || h.clock.total() != 7*time.Second {
		t.Fatalf("sleeps = %v, want seven of 1s (burst 3 free)", sleeps)
	}
}

func TestPerChannelLimiterConcurrentIsFairAndNotBusy(t *testing.T) {
	h := newHarness(t, false, Options{}) // frozen clock: each waiter's delay is its place in line
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, _, err := h.s.PostMessage(context.Background(), "C1", text("n")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	sleeps := h.clock.Sleeps()
	slices.Sort(sleeps)
	want := []time.Duration{1 * time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second,
		5 * time.Second, 6 * time.Second, 7 * time.Second}
	if !slices.Equal(sleeps, want) {
		t.Fatalf("sleeps = %v, want %v (one Sleep per waiter, no polling)", sleeps, want)
	}
	if n := h.slack.count(MethodPostMessage, "C1"); n != 10 {
		t.Fatalf("calls = %d", n)
	}
}

func TestPostPerMinuteCapsAcrossChannels(t *testing.T) {
	h := newHarness(t, true, Options{PostPerMinute: 60}) // 1/s workspace-wide, burst 6
	for i := range 10 {
		ch := "C" + string(rune('A'+i))
		if _, _, err := h.s.PostMessage(context.Background(), ch, text("n")); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.clock.Sleeps(); len(got) != 4 || h.clock.total() != 4*time.Second {
		t.Fatalf("sleeps = %v, want four of 1s after a burst of 6", got)
	}
}

func TestMethodPerMinuteDefaultsAndOverride(t *testing.T) {
	h := newHarness(t, false, Options{MethodPerMinute: map[string]int{MethodUpdate: 60, MethodUsersInfo: 0}})
	ctx := context.Background()
	for range 7 { // chat.update 60/min: burst 6, then 1 s apart
		if err := h.s.UpdateMessage(ctx, "C1", "1.2", text("x")); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.clock.Sleeps(); !slices.Equal(got, []time.Duration{time.Second}) {
		t.Fatalf("chat.update sleeps = %v", got)
	}
	for range 50 { // users.info limit removed
		if _, err := h.s.UserInfo(ctx, "U1"); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 { // views.publish default 100/min: burst 10
		if err := h.s.PublishHome(ctx, "U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.clock.Sleeps()); n != 1 {
		t.Fatalf("sleeps = %v", h.clock.Sleeps())
	}
	if err := h.s.PublishHome(ctx, "U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab}); err != nil {
		t.Fatal(err)
	}
	if got := h.clock.Sleeps(); len(got) != 2 || got[1] != 600*time.Millisecond {
		t.Fatalf("11th views.publish sleeps = %v, want 600ms", got)
	}
}

func TestManyConcurrentCallers(t *testing.T) {
	h := newHarness(t, false, Options{PostPerMinute: 600})
	h.slack.on("chat.postMessage|C2", fault{status: 429, retryAfter: "1"}, fault{status: 500})
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Go(func() {
			ch := "C" + string(rune('0'+i%5))
			if _, _, err := h.s.PostMessage(context.Background(), ch, text("n")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := h.slack.count(MethodPostMessage, ""); n != 62 {
		t.Fatalf("calls = %d, want 60 + a 429 + a 500", n)
	}
}

func TestMethods(t *testing.T) {
	ctx := context.Background()
	modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "Log call", false, false)}
	tests := []struct {
		method string
		run    func(s *Sender) (string, error)
		want   string
	}{
		{MethodPostMessage, func(s *Sender) (string, error) {
			ch, ts, err := s.PostMessage(ctx, "U42", text("hi"))
			if err != nil {
				return "", err
			}
			return ch + " " + ts[:10], nil
		}, "D42 1700000000"},
		{MethodUpdate, func(s *Sender) (string, error) { return "", s.UpdateMessage(ctx, "C1", "1.2", text("x")) }, ""},
		{MethodPostEphemeral, func(s *Sender) (string, error) { return "", s.PostEphemeral(ctx, "C1", "U1", text("x")) }, ""},
		{MethodViewsOpen, func(s *Sender) (string, error) { return s.OpenView(ctx, "T.1", modal) }, "V1"},
		{MethodViewsPush, func(s *Sender) (string, error) { return s.PushView(ctx, "T.1", modal) }, "V1"},
		{MethodViewsUpdate, func(s *Sender) (string, error) { return "", s.UpdateView(ctx, "V9", modal) }, ""},
		{MethodViewsPublish, func(s *Sender) (string, error) {
			return "", s.PublishHome(ctx, "U1", slack.HomeTabViewRequest{Type: slack.VTHomeTab})
		}, ""},
		{MethodUsersInfo, func(s *Sender) (string, error) {
			u, err := s.UserInfo(ctx, "U7")
			if err != nil {
				return "", err
			}
			return u.ID + " " + u.TZ, nil
		}, "U7 Europe/Berlin"},
		{MethodConvOpen, func(s *Sender) (string, error) { return s.OpenDM(ctx, "U7") }, "D7"},
		{MethodAuthTest, func(s *Sender) (string, error) {
			r, err := s.AuthTest(ctx)
			if err != nil {
				return "", err
			}
			return r.UserID + " " + r.TeamID, nil
		}, "U0BOT T1"},
		{MethodResponseURL, nil, ""}, // see TestRespond
	}
	for _, tt := range tests {
		if tt.run == nil {
			continue
		}
		t.Run(tt.method, func(t *testing.T) {
			h := newHarness(t, true, Options{})
			got, err := tt.run(h.s)
			if err != nil {
				t.Fatalf("%s: %v", tt.method, err)
			}
			if got != tt.want {
				t.Fatalf("%s = %q, want %q", tt.method, got, tt.want)
			}
			if n := h.slack.count(tt.method, ""); n != 1 {
				t.Fatalf("fake Slack saw %d %s calls (calls: %+v)", n, tt.method, h.slack.last())
			}
			// A permanent error on the same method is wrapped and not retried.
			h.slack.always(tt.method, fault{slackErr: "invalid_arguments"})
			if _, err := tt.run(h.s); !errors.Is(err, ErrPermanent) || SlackError(err) != "invalid_arguments" {
				t.Fatalf("err = %v, want permanent invalid_arguments", err)
			}
			if !strings.HasPrefix(err2s(tt.run(h.s)), tt.method) {
				t.Fatalf("error does not name the method: %q", err2s(tt.run(h.s)))
			}
		})
	}
}

func err2s(_ string, err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRespond(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, true, Options{})
	if err := h.s.Respond(ctx, h.responseURL(), text("done"), slack.MsgOptionReplaceOriginal(h.responseURL())); err != nil {
		t.Fatalf("Respond: %v", err)
	}
	body := h.slack.last().body
	if body["text"] != "done" || body["replace_original"] != true {
		t.Fatalf("response_url body = %v", body)
	}
	if _, ok := body["response_type"]; ok {
		t.Fatalf("response_type set by default: %v", body)
	}
	if err := h.s.Respond(ctx, h.responseURL(), slack.MsgOptionResponseURL(h.responseURL(), slack.ResponseTypeInChannel), text("all")); err != nil {
		t.Fatal(err)
	}
	if got := h.slack.last().body["response_type"]; got != "in_channel" {
		t.Fatalf("response_type = %v", got)
	}

	// Plain-text and JSON refusals are both permanent with their code.
	h.slack.on("response_url", fault{text: "used_url"}, fault{slackErr: "expired_url"})
	for _, code := range []string{"used_url", "expired_url"} {
		err := h.s.Respond(ctx, h.responseURL(), text("x"))
		if !errors.Is(err, ErrPermanent) || SlackError(err) != code {
			t.Fatalf("err = %v, want permanent %s", err, code)
		}
	}

	// 429 waits privately and retries.
	h.slack.on("response_url", fault{status: 429, retryAfter: "1"})
	if err := h.s.Respond(ctx, h.responseURL(), text("x")); err != nil {
		t.Fatal(err)
	}
	if got := h.clock.Sleeps(); len(got) != 1 || got[0] < time.Second {
		t.Fatalf("sleeps = %v", got)
	}
}

func TestRespondErrorHidesURL(t *testing.T) {
	h := newHarness(t, true, Options{MaxAttempts: 2})
	dead := h.responseURL()
	h.slack.srv.Close() // connection refused from now on
	err := h.s.Respond(context.Background(), dead, text("x"))
	if err == nil {
		t.Fatal("Respond to a closed server succeeded")
	}
	if errors.Is(err, ErrPermanent) {
		t.Fatalf("connection error reported as permanent: %v", err)
	}
	if strings.Contains(err.Error(), "SECRETHOOK") || strings.Contains(h.logs.String(), "SECRETHOOK") {
		t.Fatalf("response_url leaked: err %q logs %s", err, h.logs)
	}
	if !strings.Contains(err.Error(), "gave up after 2 attempts") {
		t.Fatalf("err = %q", err)
	}
}

func TestFailuresLoggedWithStableFieldsAndNoSecrets(t *testing.T) {
	h := newHarness(t, true, Options{})
	h.slack.on("chat.postMessage|C1", fault{status: 429, retryAfter: "2"}, fault{slackErr: "channel_not_found"})
	_, _, err := h.s.PostMessage(context.Background(), "C1", text("Deal with ACME is at risk"))
	if !errors.Is(err, ErrPermanent) {
		t.Fatalf("err = %v", err)
	}
	logs := h.logs.String()
	for _, want := range []string{`"level":"warn"`, `"method":"chat.postMessage"`, `"channel":"C1"`,
		`"error":"ratelimited"`, `"retry_after":2150`, `"error":"channel_not_found"`, `"attempt":1`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	for _, secret := range []string{"xoxb", "SECRET", "ACME"} {
		if strings.Contains(logs, secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("%q leaked: err %q logs %s", secret, err, logs)
		}
	}
}
