// Package sender is the outbound side of the bot: every Slack Web API call goes through it, so
// rate limits, retries and error classification live in one place.
//
// Each call first waits on proactive limiters (token buckets per method, per channel and
// workspace-wide for chat.postMessage), then calls slack-go, then decides by the error:
//   - 429: wait Retry-After plus a little jitter and try again; this does not use up an
//     attempt. The cool-down is shared: other callers of the same method (for chat.postMessage:
//     of the same channel) wait for it too, while other channels keep going.
//   - 5xx, timeouts, connection errors, Slack's internal_error and the like: retry with
//     exponential backoff and full jitter, at most Options.MaxAttempts attempts.
//   - any other Slack error code or HTTP 4xx: never retried, returned wrapping ErrPermanent.
//
// Only the ctx bounds waiting for rate limits: give every call a ctx with a deadline.
package sender

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// Web API method names, as used for limits, logs and Observe.
const (
	MethodPostMessage   = "chat.postMessage"
	MethodUpdate        = "chat.update"
	MethodPostEphemeral = "chat.postEphemeral"
	MethodResponseURL   = "response_url" // not a Web API method: a POST to an interaction's response_url
	MethodViewsOpen     = "views.open"
	MethodViewsUpdate   = "views.update"
	MethodViewsPush     = "views.push"
	MethodViewsPublish  = "views.publish"
	MethodUsersInfo     = "users.info"
	MethodDNDInfo       = "dnd.info"
	MethodConvOpen      = "conversations.open"
	MethodAuthTest      = "auth.test"
)

// DefaultMethodPerMinute are the proactive per-method limits (Slack tiers 3 and 4, at their floor).
func DefaultMethodPerMinute() map[string]int {
	return map[string]int{
		MethodUpdate:        50,
		MethodConvOpen:      50,
		MethodPostEphemeral: 100,
		MethodViewsPublish:  100,
		MethodViewsOpen:     100,
		MethodViewsUpdate:   100,
		MethodUsersInfo:     100,
		MethodDNDInfo:       50,
		MethodUsersList:     20,
	}
}

// maxTriggerWait is the most a trigger_id call (views.open, views.push) waits on a proactive
// limiter: the trigger dies 3 s after the click, so past this it goes anyway.
const maxTriggerWait = 500 * time.Millisecond

// Options tunes a Sender. The zero value gives the defaults.
type Options struct {
	// MaxAttempts bounds attempts per call for 5xx, timeouts and connection errors (429s do not
	// count: they wait Retry-After until the ctx ends). Default 4.
	MaxAttempts int
	// BaseBackoff and MaxBackoff shape exponential backoff with full jitter: before retry n the
	// wait is uniform in [0, min(MaxBackoff, BaseBackoff·2^(n-1))). Defaults 200ms and 5s.
	BaseBackoff, MaxBackoff time.Duration
	// PostPerChannelPerSecond limits chat.postMessage per channel; default 1, negative = none.
	PostPerChannelPerSecond float64
	// PostBurst is the per-channel burst; default 3.
	PostBurst int
	// PostPerMinute caps chat.postMessage workspace-wide (burst a tenth of it); 0 = none.
	PostPerMinute int
	// MethodPerMinute sets proactive per-method limits (token buckets, burst a tenth of a
	// minute's worth). Entries are merged over DefaultMethodPerMinute; 0 or less removes a limit.
	MethodPerMinute map[string]int
	// AttemptTimeout bounds one HTTP attempt (a timed-out attempt is retried); default 15s,
	// negative = none.
	AttemptTimeout time.Duration
	// Sleep waits d or until ctx ends; default a timer. Tests inject their own.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the limiters' clock; default time.Now.
	Now func() time.Time
	// Rand returns a number in [0, 1) for jitter; default math/rand/v2.Float64. Must be safe
	// for concurrent use.
	Rand func() float64
	// Observe, if set, is called after every attempt with the method, a status ("ok",
	// "ratelimited", a Slack error code, "http_5xx", "http_4xx", "error") and the attempt's
	// duration by Now.
	Observe func(method string, status string, d time.Duration)
}

func (o Options) withDefaults() Options {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 200 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.MaxBackoff < o.BaseBackoff {
		o.MaxBackoff = o.BaseBackoff
	}
	if o.PostPerChannelPerSecond == 0 {
		o.PostPerChannelPerSecond = 1
	}
	if o.PostBurst <= 0 {
		o.PostBurst = 3
	}
	perMin := DefaultMethodPerMinute()
	for m, n := range o.MethodPerMinute {
		perMin[m] = n
	}
	o.MethodPerMinute = perMin
	if o.AttemptTimeout == 0 {
		o.AttemptTimeout = 15 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	return o
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Sender makes Slack Web API calls with rate limiting, retries and error classification.
// It is safe for concurrent use.
type Sender struct {
	api  *slack.Client
	log  zerolog.Logger
	opts Options
	lim  *limiter
}

// New returns a Sender calling Slack through api.
func New(api *slack.Client, log zerolog.Logger, opts Options) *Sender {
	opts = opts.withDefaults()
	return &Sender{
		api:  api,
		log:  log.With().Str("component", "sender").Logger(),
		opts: opts,
		lim:  newLimiter(opts, opts.Now()),
	}
}

// call describes one logical call for the retry loop.
type call struct {
	method  string
	channel string // for logs and the per-channel lane of chat.postMessage
	user    string // for logs
	desc    string // error prefix: "chat.postMessage to C123"
	noRetry bool   // trigger_id calls: one attempt, whatever happens
	private bool   // no shared lanes (response_url): a 429 waits for this call only
}

// lanes returns the limiter lanes the call takes a token from, and the lane a 429 cools down.
// chat.postMessage to a channel cools down only that channel, so other channels keep going.
func (s *Sender) lanes(c call) (keys []string, coolKey string) {
	if c.private {
		return nil, ""
	}
	m := methodPrefix + c.method
	if c.method == MethodPostMessage && c.channel != "" {
		ch := channelPrefix + c.channel
		keys = []string{ch, m}
		if s.opts.PostPerMinute > 0 {
			keys = append(keys, workspaceKey)
		}
		return keys, ch
	}
	return []string{m}, m
}

// do runs fn under the limiters and the retry policy.
func (s *Sender) do(ctx context.Context, c call, fn func(ctx context.Context) error) error {
	keys, coolKey := s.lanes(c)
	attempt := 0
	for {
		if err := s.acquire(ctx, c, keys); err != nil {
			return err
		}
		attempt++
		start := s.opts.Now()
		err := s.attempt(ctx, fn)
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("%s: %w", c.desc, ctx.Err())
		}
		v := classify(err)
		if s.opts.Observe != nil {
			s.opts.Observe(c.method, v.status, s.opts.Now().Sub(start))
		}
		switch v.kind {
		case kindOK:
			return nil
		case kindRateLimited:
			wait := v.retryAfter + s.jitter429(v.retryAfter)
			s.warn(c, err, attempt).Dur("retry_after", wait).Msg("slack rate limited")
			if coolKey != "" {
				now := s.opts.Now()
				s.lim.coolDown(coolKey, now.Add(wait), now)
			}
			if c.noRetry {
				return fmt.Errorf("%s: %w", c.desc, err)
			}
			attempt-- // a 429 does not use up an attempt
			if coolKey != "" {
				continue // acquire waits for the cool-down
			}
			if werr := s.wait(ctx, wait); werr != nil {
				return fmt.Errorf("%s: waiting out a rate limit: %w", c.desc, werr)
			}
		case kindTransient:
			if c.noRetry || attempt >= s.opts.MaxAttempts {
				s.warn(c, err, attempt).Msg("slack call failed, giving up")
				return fmt.Errorf("%s: gave up after %d attempts: %w", c.desc, attempt, err)
			}
			backoff := s.backoff(attempt)
			s.warn(c, err, attempt).Dur("backoff", backoff).Msg("slack call failed, retrying")
			if werr := s.wait(ctx, backoff); werr != nil {
				return fmt.Errorf("%s: waiting to retry after %v: %w", c.desc, err, werr)
			}
		case kindPermanent:
			s.warn(c, err, attempt).Msg("slack refused the call")
			return fmt.Errorf("%s: %w", c.desc, permanentError{err})
		default:
			s.warn(c, err, attempt).Msg("slack call failed")
			return fmt.Errorf("%s: %w", c.desc, err)
		}
	}
}

// attempt runs fn once under AttemptTimeout.
func (s *Sender) attempt(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.opts.AttemptTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.AttemptTimeout)
		defer cancel()
	}
	return fn(ctx)
}

// acquire waits until the call's lanes allow it. A reservation voided by a cool-down that
// started while waiting is given back and made again; that happens only after a 429.
func (s *Sender) acquire(ctx context.Context, c call, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	if c.noRetry {
		return s.acquireTrigger(ctx, c, keys)
	}
	for {
		now := s.opts.Now()
		r := s.lim.reserve(keys, now)
		if d := r.at.Sub(now); d > 0 {
			if err := s.wait(ctx, d); err != nil {
				s.lim.cancel(r)
				return fmt.Errorf("%s: waiting for the rate limiter: %w", c.desc, err)
			}
		}
		if s.lim.valid(r) {
			return nil
		}
		s.lim.cancel(r)
	}
}

// acquireTrigger is acquire for calls holding a trigger_id: fail at once during a cool-down
// (Slack would refuse anyway), wait a little for a proactive limit, and otherwise go now.
func (s *Sender) acquireTrigger(ctx context.Context, c call, keys []string) error {
	now := s.opts.Now()
	if left := s.lim.coolingDown(keys, now); left > 0 {
		return fmt.Errorf("%s: %w", c.desc, &slack.RateLimitedError{RetryAfter: left})
	}
	r := s.lim.reserve(keys, now)
	if d := r.at.Sub(now); d > 0 && d <= maxTriggerWait {
		if err := s.wait(ctx, d); err != nil {
			s.lim.cancel(r)
			return fmt.Errorf("%s: waiting for the rate limiter: %w", c.desc, err)
		}
	}
	return nil
}

// wait sleeps d, failing at once if ctx would end first.
func (s *Sender) wait(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return fmt.Errorf("waiting %s would pass the deadline: %w", d, context.DeadlineExceeded)
	}
	if err := s.opts.Sleep(ctx, d); err != nil {
		return err
	}
	return ctx.Err()
}

// backoff is the full-jitter wait before retry n (n ≥ 1).
func (s *Sender) backoff(n int) time.Duration {
	ceil := s.opts.BaseBackoff
	for i := 1; i < n && ceil < s.opts.MaxBackoff; i++ {
		ceil *= 2
	}
	ceil = min(ceil, s.opts.MaxBackoff)
	return time.Duration(s.opts.Rand() * float64(ceil))
}

// jitter429 is added to Retry-After so callers released by one cool-down do not arrive together.
func (s *Sender) jitter429(retryAfter time.Duration) time.Duration {
	return time.Duration(s.opts.Rand() * float64(100*time.Millisecond+retryAfter/10))
}

// warn starts a warn log line with the stable fields. Never a token, never message text.
func (s *Sender) warn(c call, err error, attempt int) *zerolog.Event {
	ev := s.log.Warn().Str("method", c.method)
	if c.channel != "" {
		ev = ev.Str("channel", c.channel)
	}
	if c.user != "" {
		ev = ev.Str("user", c.user)
	}
	return ev.Str("error", logError(err)).Int("attempt", attempt)
}
