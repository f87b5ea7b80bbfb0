package bot_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot"
	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
)

// postsTo counts chat.postMessage calls to a channel (or its user id), by
// outcome: "" for those that worked, else the error Slack answered.
func (h *harness) postsTo(channel, user, outcome string) int {
	n := 0
	for _, c := range h.sim.Calls() {
		if c.Method == "chat.postMessage" && c.Error == outcome && (c.Params.Get("channel") == channel || c.Params.Get("channel") == user) {
			n++
		}
	}
	return n
}

// TestRateLimitedPromptsAreAllDelivered: Slack allows one post a second in
// a channel; three questions due at once meet 429s, wait out Retry-After,
// and all arrive, each once.
func TestRateLimitedPromptsAreAllDelivered(t *testing.T) {
	h := newHarnessOpts(t, nil, harnessOpts{sim: []slacksim.Option{
		slacksim.WithRateLimits(slacksim.RateLimits{PostPerChannelPerSecond: 1, PostBurst: 1})}})
	dm := h.sim.DMChannel(rep)
	for _, a := range []string{"Acme", "Globex", "Initech"} {
		h.slash(rep, "log "+a+" today 10:00")
		h.reply(rep, "Logged a first meeting with *"+a+"*")
	}
	t0 := time.Now()
	h.at(berlinAt(25, 11, 15))
	took := time.Since(t0)
	if n := h.prompts(rep); n != 3 {
		t.Fatalf("%d questions arrived, want 3", n)
	}
	limited := h.postsTo(dm, rep, "ratelimited")
	if limited == 0 {
		t.Fatal("Slack never answered 429: the test did not exercise rate limits")
	}
	if took < 2*time.Second {
		t.Fatalf("three posts in one channel took %s at one a second: Retry-After was not honoured", took)
	}
	t.Logf("3 questions in %s, %d answered 429 first", took.Round(time.Millisecond), limited)
}

// TestRateLimitCoolsDownOnlyItsChannel: a 429 with Retry-After 2 s on a
// post to Rita's DM holds that channel, not Omar's.
func TestRateLimitCoolsDownOnlyItsChannel(t *testing.T) {
	h := newHarnessOpts(t, nil, harnessOpts{})
	h.sim.FailNext("chat.postMessage", slacksim.Fault{Status: http.StatusTooManyRequests, RetryAfter: 2 * time.Second})
	t0 := time.Now()
	dmSay(t, h, "hello")
	if _, err := h.sim.WaitCall(h.ctx, func(c slacksim.Call) bool { return c.Status == http.StatusTooManyRequests }); err != nil {
		t.Fatal(err)
	}
	h.dm(other, "hello")
	h.waitFor(h.sim.DMChannel(other), "no prospect waiting")
	omar := time.Since(t0)
	h.waitFor(h.sim.DMChannel(rep), "no prospect waiting")
	rita := time.Since(t0)
	if omar > time.Second {
		t.Errorf("Omar's answer waited %s for a cool-down of Rita's channel", omar)
	}
	if rita < 2*time.Second {
		t.Errorf("Rita's answer came %s after a 429 with Retry-After 2s", rita)
	}
	if n := answers(h, "no prospect waiting"); n != 1 {
		t.Errorf("Rita got %d answers, want 1", n)
	}
}

// quickRetries keeps a Web API attempt short and backoff small.
func quickRetries() harnessOpts {
	return harnessOpts{setup: func(s *bot.Setup) {
		s.Sender.AttemptTimeout = 200 * time.Millisecond
		s.Sender.BaseBackoff = 10 * time.Millisecond
		s.Sender.MaxBackoff = 50 * time.Millisecond
	}}
}

// TestServerErrorsAndTimeoutsAreRetriedAndBounded: 500, 503 and an attempt
// that times out are retried and the answer arrives once; a call that keeps
// failing gives up after four attempts and says so in the log.
func TestServerErrorsAndTimeoutsAreRetriedAndBounded(t *testing.T) {
	h := newHarnessOpts(t, nil, quickRetries())
	dm := h.sim.DMChannel(rep)
	h.sim.FailNext("chat.postMessage", slacksim.Fault{Status: http.StatusInternalServerError})
	h.sim.FailNext("chat.postMessage", slacksim.Fault{Status: http.StatusServiceUnavailable})
	h.sim.FailNext("chat.postMessage", slacksim.Fault{Status: http.StatusBadGateway, Delay: time.Second}) // past the attempt timeout
	dmSay(t, h, "hello")
	h.waitFor(dm, "no prospect waiting")
	if _, err := h.sim.WaitCall(h.ctx, func(c slacksim.Call) bool { return c.Method == "chat.postMessage" && c.Error == "" }); err != nil {
		t.Fatal(err)
	}
	if n := h.postsTo(dm, rep, ""); n != 1 {
		t.Fatalf("%d answers posted, want 1", n)
	}

	for range 6 {
		h.sim.FailNext("chat.postMessage", slacksim.Fault{Status: http.StatusInternalServerError})
	}
	failedBefore := h.postsTo(dm, rep, "internal_error")
	dmSay(t, h, "hello again")
	h.idle() // the handler retried and gave up, or is still at it
	if h.countLogs("slack call failed, giving up") == 0 {
		t.Fatal("the failing call was not given up")
	}
	if n := h.postsTo(dm, rep, "internal_error") - failedBefore; n != 4 {
		t.Fatalf("%d attempts for a call that keeps failing, want 4", n)
	}
	if !strings.Contains(h.logs.String(), `"method":"chat.postMessage"`) {
		t.Error("the log does not name the method")
	}
}

// refusedDeal is the answer to a click on a prospect that does not exist.
const refusedDeal = "I can't find that prospect any more. Nothing changed."

// TestRefusedCallsAreNotRetriedAndThePersonHears: permanent errors are
// logged with the method and Slack's error, tried once, and the person hears
// the answer where they can: as plain text when Slack refuses the blocks,
// in their DM when the response_url is refused; a rep Slack no longer knows
// is not asked again and again.
func TestRefusedCallsAreNotRetriedAndThePersonHears(t *testing.T) {
	h := newHarnessOpts(t, nil, harnessOpts{})
	dm := h.sim.DMChannel(rep)

	// A command's answer travels in its ack, which Slack never refuses
	// aloud: a click's answer is what goes through a response_url.
	h.slash(rep, "frobnicate")
	help := h.reply(rep, "I don't know `/pipeline frobnicate`")
	click := func() {
		h.act()
		if _, err := h.sim.ClickForged(h.ctx, rep, help, render.ActionWon, "no-such-deal"); err != nil {
			t.Fatal(err)
		}
	}
	h.sim.FailNext("response_url", slacksim.Fault{Error: "invalid_blocks"})
	click()
	m := h.reply(rep, refusedDeal)
	if len(m.Blocks.BlockSet) != 0 {
		t.Errorf("the fallback kept its blocks: %+v", m.Blocks)
	}

	h.sim.FailNext("response_url", slacksim.Fault{Error: "channel_not_found"})
	click()
	h.waitFor(dm, refusedDeal)

	logs := h.logs.String()
	for _, want := range []string{`"method":"response_url","error":"invalid_blocks"`, `"method":"response_url","error":"channel_not_found"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %s", want)
		}
	}
	refused := 0
	for _, c := range h.sim.Calls() {
		if c.Method == "response_url" && c.Error != "" {
			refused++
		}
	}
	if refused != 2 {
		t.Errorf("%d refused response_url calls, want 2 (none retried)", refused)
	}

	// Slack no longer knows the rep: the question is tried once, logged, and
	// not asked again on later runs.
	h.slash(rep, "log Acme today 10:00")
	h.reply(rep, "Logged a first meeting with *Acme*")
	h.sim.FailNext("chat.postMessage", slacksim.Fault{Error: "user_not_found"})
	h.at(berlinAt(25, 11, 15))
	h.at(berlinAt(25, 11, 30))
	h.at(berlinAt(25, 16, 0))
	if n := h.postsTo(dm, rep, "user_not_found"); n != 1 {
		t.Errorf("the question was tried %d times for a user Slack does not know, want once", n)
	}
	if !strings.Contains(h.logs.String(), `"method":"chat.postMessage","channel":"U0RITA","error":"user_not_found"`) {
		t.Error("the log does not say which call failed and why")
	}
}
