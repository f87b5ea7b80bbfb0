package sender

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/slack-go/slack"
)

// ErrPermanent is wrapped by errors that retrying cannot fix: Slack refused the request
// (channel_not_found, invalid_blocks, missing_scope, expired_trigger_id…), an HTTP 4xx other
// than 429, or a request slack-go would not build. Callers drop the work instead of
// rescheduling it.
var ErrPermanent = errors.New("slack refused permanently")

// permanentError marks err as permanent while keeping it inspectable (errors.As still finds the
// slack.SlackErrorResponse) and its text unchanged.
type permanentError struct{ err error }

func (e permanentError) Error() string        { return e.err.Error() }
func (e permanentError) Unwrap() error        { return e.err }
func (e permanentError) Is(target error) bool { return target == ErrPermanent }

// SlackError returns the Slack error code inside err ("channel_not_found", "invalid_blocks"…),
// "ratelimited" for a 429, or "" if err carries no Slack error code. It finds codes in
// slack.SlackErrorResponse and in plain errors whose whole text is a code (slack-go reports a
// response_url's text reply that way).
func SlackError(err error) string {
	if err == nil {
		return ""
	}
	if ser, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return ser.Err
	}
	if ser, ok := errors.AsType[*slack.SlackErrorResponse](err); ok && ser != nil {
		return ser.Err
	}
	if _, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return "ratelimited"
	}
	return codeInChain(err)
}

// codeInChain walks err's tree for an error whose text looks like a Slack error code.
func codeInChain(err error) string {
	for err != nil {
		if isCode(err.Error()) {
			return err.Error()
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if c := codeInChain(e); c != "" {
					return c
				}
			}
			return ""
		default:
			return ""
		}
	}
	return ""
}

// isCode reports whether s looks like a Slack error code: lower case, digits and underscores,
// starting with a letter ("channel_not_found").
func isCode(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// transientCodes are Slack error codes worth retrying with backoff. Every other code is permanent.
var transientCodes = map[string]bool{
	"internal_error":      true,
	"fatal_error":         true,
	"service_unavailable": true,
	"request_timeout":     true,
}

type kind int

const (
	kindOK          kind = iota
	kindRateLimited      // wait Retry-After, free retry
	kindTransient        // backoff, counts as an attempt
	kindPermanent        // never retried, wrapped with ErrPermanent
	kindOther            // not retried, returned as is
)

// defaultRetryAfter is the wait for a rate limit that named none (429 without Retry-After, or
// a "ratelimited" error in a 200).
const defaultRetryAfter = time.Second

// verdict is what one attempt's error means.
type verdict struct {
	kind       kind
	status     string // for Options.Observe
	retryAfter time.Duration
}

// classify decides what to do with the error of one attempt. Context errors of the caller's
// ctx are handled before this; a context.DeadlineExceeded here is the per-attempt timeout.
func classify(err error) verdict {
	if err == nil {
		return verdict{kind: kindOK, status: "ok"}
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return verdict{kind: kindRateLimited, status: "ratelimited", retryAfter: max(rl.RetryAfter, 0)}
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		switch {
		case sc.Code == http.StatusTooManyRequests:
			return verdict{kind: kindRateLimited, status: "ratelimited", retryAfter: defaultRetryAfter}
		case sc.Code >= 500:
			return verdict{kind: kindTransient, status: "http_5xx"}
		default:
			return verdict{kind: kindPermanent, status: "http_4xx"}
		}
	}
	if code := SlackError(err); code != "" {
		switch {
		case code == "ratelimited":
			return verdict{kind: kindRateLimited, status: code, retryAfter: defaultRetryAfter}
		case transientCodes[code]:
			return verdict{kind: kindTransient, status: code}
		default:
			return verdict{kind: kindPermanent, status: code}
		}
	}
	// Requests slack-go refuses to build: the same call fails the same way again.
	if errors.Is(err, slack.ErrParametersMissing) || errors.Is(err, slack.ErrBlockIDNotUnique) {
		return verdict{kind: kindPermanent, status: "error"}
	}
	if _, ok := errors.AsType[*json.UnsupportedTypeError](err); ok {
		return verdict{kind: kindPermanent, status: "error"}
	}
	if _, ok := errors.AsType[*json.UnsupportedValueError](err); ok {
		return verdict{kind: kindPermanent, status: "error"}
	}
	if _, ok := errors.AsType[*json.MarshalerError](err); ok {
		return verdict{kind: kindPermanent, status: "error"}
	}
	if transientNetwork(err) {
		return verdict{kind: kindTransient, status: "error"}
	}
	return verdict{kind: kindOther, status: "error"}
}

// transientNetwork reports timeouts and connection errors.
func transientNetwork(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	// Anything client.Do failed with: the request may not have reached Slack.
	if _, ok := errors.AsType[*url.Error](err); ok {
		return true
	}
	return false
}

// logError is err as it may appear in a log line: the Slack code when there is one, otherwise
// the text without any URL (a response_url is a credential).
func logError(err error) string {
	if code := SlackError(err); code != "" {
		return code
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

// redactURL hides the URL in a top-level *url.Error (used for response_url calls).
func redactURL(err error) error {
	if ue, ok := err.(*url.Error); ok {
		c := *ue
		c.URL = "[response_url]"
		return &c
	}
	return err
}
