package ops

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// ReadyFunc reports why the process cannot serve, or nil when it can. It
// must honour ctx.
type ReadyFunc func(ctx context.Context) error

// ReadyTimeout bounds one /readyz check: a check that has not answered by
// then counts as not ready.
const ReadyTimeout = time.Second

// ShutdownTimeout bounds how long Serve waits for requests in flight when
// its ctx ends.
const ShutdownTimeout = 5 * time.Second

// Handler serves the operations endpoints:
//
//   - /healthz: 200 "ok" while the process runs;
//   - /readyz: 200 "ready" when ready returns nil within ReadyTimeout, 503
//     "not ready: <reason>" otherwise (the reason cut short, tokens and URL
//     credentials removed); a nil ready is always ready;
//   - /metrics: what gatherer gathers, in the Prometheus exposition format
//     (nil means prometheus.DefaultGatherer).
//
// m, if not nil, records each /readyz result in pipelinecoach_ready.
func Handler(m *Metrics, gatherer prometheus.Gatherer, ready ReadyFunc) http.Handler {
	if gatherer == nil {
		gatherer = prometheus.DefaultGatherer
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		plain(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		err := check(r.Context(), ready)
		if m != nil {
			m.ready.Set(b2f(err == nil))
		}
		if err != nil {
			plain(w, http.StatusServiceUnavailable, "not ready: "+Reason(err))
			return
		}
		plain(w, http.StatusOK, "ready")
	})
	mux.Handle("/metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{
		// A collector failing (Redis down during a scrape) must not hide
		// every other metric.
		ErrorHandling: promhttp.ContinueOnError,
		Timeout:       10 * time.Second,
	}))
	return mux
}

// check runs ready bounded by ReadyTimeout, even if ready ignores its ctx.
// ready's own ctx ends a little earlier, so that a ready that honours it
// can still say why it failed.
func check(ctx context.Context, ready ReadyFunc) error {
	if ready == nil {
		return nil
	}
	hard, cancelHard := context.WithTimeout(ctx, ReadyTimeout)
	defer cancelHard()
	soft, cancelSoft := context.WithTimeout(hard, ReadyTimeout*9/10)
	defer cancelSoft()
	done := make(chan error, 1)
	go func() { done <- ready(soft) }()
	select {
	case err := <-done:
		return err
	case <-hard.Done():
		return fmt.Errorf("no answer within %s", ReadyTimeout)
	}
}

func plain(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body + "\n"))
}

var (
	slackToken  = regexp.MustCompile(`\b(xox[a-z]|xapp)-[A-Za-z0-9-]+`)
	urlUserInfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]*@`)
)

const maxReasonLen = 300

// Reason is err's message made fit for /readyz: one line, at most 300
// bytes, without Slack tokens or credentials in URLs.
func Reason(err error) string {
	s := err.Error()
	s = slackToken.ReplaceAllString(s, "[redacted]")
	s = urlUserInfo.ReplaceAllString(s, "${1}[redacted]@")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxReasonLen {
		cut := maxReasonLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// Serve serves h on addr until ctx ends, then shuts down, waiting at most
// ShutdownTimeout for requests in flight. It returns at once with an error
// naming addr if it cannot listen there (the address is taken, say), and nil
// after a shutdown caused by ctx.
func Serve(ctx context.Context, addr string, h http.Handler, log zerolog.Logger) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("operations endpoints: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	log.Info().Str("addr", ln.Addr().String()).Msg("operations endpoints listening")

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("operations endpoints on %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn().Err(err).Msg("operations endpoints: requests still in flight; closing")
		_ = srv.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("operations endpoints on %s: %w", addr, err)
	}
	log.Info().Msg("operations endpoints stopped")
	return nil
}
