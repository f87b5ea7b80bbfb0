package sender

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

func nopLogger() zerolog.Logger { return zerolog.Nop() }

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		kind   kind
		status string
		after  time.Duration
	}{
		{"nil", nil, kindOK, "ok", 0},
		{"429", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, kindRateLimited, "ratelimited", 3 * time.Second},
		{"429 without Retry-After", slack.StatusCodeError{Code: 429}, kindRateLimited, "ratelimited", time.Second},
		{"ratelimited in a 200", slack.SlackErrorResponse{Err: "ratelimited"}, kindRateLimited, "ratelimited", time.Second},
		{"500", slack.StatusCodeError{Code: 500}, kindTransient, "http_5xx", 0},
		{"504 wrapped", fmt.Errorf("x: %w", slack.StatusCodeError{Code: 504}), kindTransient, "http_5xx", 0},
		{"403", slack.StatusCodeError{Code: 403}, kindPermanent, "http_4xx", 0},
		{"internal_error", slack.SlackErrorResponse{Err: "internal_error"}, kindTransient, "internal_error", 0},
		{"service_unavailable", slack.SlackErrorResponse{Err: "service_unavailable"}, kindTransient, "service_unavailable", 0},
		{"channel_not_found", slack.SlackErrorResponse{Err: "channel_not_found"}, kindPermanent, "channel_not_found", 0},
		{"view error", slack.SlackErrorResponse{Err: "view_too_large"}, kindPermanent, "view_too_large", 0},
		{"text code", errors.New("expired_url"), kindPermanent, "expired_url", 0},
		{"params missing", slack.ErrParametersMissing, kindPermanent, "error", 0},
		{"block id", slack.ErrBlockIDNotUnique, kindPermanent, "error", 0},
		{"refused", &url.Error{Op: "Post", URL: "http://x", Err: syscall.ECONNREFUSED}, kindTransient, "error", 0},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, kindTransient, "error", 0},
		{"eof", &url.Error{Op: "Post", URL: "http://x", Err: io.EOF}, kindTransient, "error", 0},
		{"attempt timeout", &url.Error{Op: "Post", URL: "http://x", Err: context.DeadlineExceeded}, kindTransient, "error", 0},
		{"unexpected eof", io.ErrUnexpectedEOF, kindTransient, "error", 0},
		{"other", errors.New("something odd happened"), kindOther, "error", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classify(tt.err)
			if v.kind != tt.kind || v.status != tt.status || v.retryAfter != tt.after {
				t.Fatalf("classify(%v) = %+v, want kind %d status %q after %v", tt.err, v, tt.kind, tt.status, tt.after)
			}
		})
	}
}

func TestSlackError(t *testing.T) {
	perm := fmt.Errorf("chat.postMessage to C1: %w", permanentError{slack.SlackErrorResponse{Err: "not_in_channel"}})
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{perm, "not_in_channel"},
		{&slack.SlackErrorResponse{Err: "missing_scope"}, "missing_scope"},
		{fmt.Errorf("views.open: %w", &slack.RateLimitedError{RetryAfter: time.Second}), "ratelimited"},
		{fmt.Errorf("response_url: %w", errors.New("used_url")), "used_url"},
		{errors.Join(errors.New("a b"), errors.New("no_text")), "no_text"},
		{errors.New("EOF"), ""},
		{context.Canceled, ""},
		{slack.StatusCodeError{Code: 500, Status: "500 Internal Server Error"}, ""},
	}
	for _, tt := range tests {
		if got := SlackError(tt.err); got != tt.want {
			t.Errorf("SlackError(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if !errors.Is(perm, ErrPermanent) {
		t.Fatal("permanentError does not match ErrPermanent")
	}
	if perm.Error() != "chat.postMessage to C1: not_in_channel" {
		t.Fatalf("text %q", perm)
	}
}

func TestLogErrorDropsURL(t *testing.T) {
	err := &url.Error{Op: "Post", URL: "https://hooks.slack.com/actions/T1/1/secret", Err: syscall.ECONNREFUSED}
	if got := logError(err); got != "Post: connection refused" {
		t.Fatalf("logError = %q", got)
	}
	if got := redactURL(err).Error(); got != `Post "[response_url]": connection refused` {
		t.Fatalf("redactURL = %q", got)
	}
}
