package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	ctx := context.Background()

	for _, addr := range []string{"127.0.0.1:" + port, "0.0.0.0:" + port, ":" + port} {
		var stderr bytes.Buffer
		if code := healthcheck(ctx, addr, &stderr); code != 0 {
			t.Errorf("healthcheck(%s) = %d, want 0: %s", addr, code, stderr.String())
		}
	}
	status = http.StatusServiceUnavailable
	var stderr bytes.Buffer
	if code := healthcheck(ctx, "127.0.0.1:"+port, &stderr); code != 1 || !strings.Contains(stderr.String(), "503") {
		t.Errorf("a 503 gave %d, %q; want 1 and the status", code, stderr.String())
	}
	srv.Close()
	stderr.Reset()
	if code := healthcheck(ctx, "127.0.0.1:"+port, &stderr); code != 1 || !strings.Contains(stderr.String(), "connect") {
		t.Errorf("nothing listening gave %d, %q; want 1 and why", code, stderr.String())
	}
	if code := healthcheck(ctx, "nonsense", &stderr); code != 1 {
		t.Errorf("a bad HTTP_ADDR gave %d, want 1", code)
	}
}

func TestSubcommands(t *testing.T) {
	ctx := context.Background()
	if _, ok := subcommand(ctx, nil, &bytes.Buffer{}, &bytes.Buffer{}); ok {
		t.Error("no arguments must run the bot")
	}
	for _, args := range [][]string{{"frobnicate"}, {"demo", "-nope"}, {"demo", "extra"}} {
		var stderr bytes.Buffer
		if code, ok := subcommand(ctx, args, &bytes.Buffer{}, &stderr); !ok || code != 2 {
			t.Errorf("%q: code %d, ok %v; want 2 (usage)", args, code, ok)
		}
	}
	var stdout bytes.Buffer
	if code, ok := subcommand(ctx, []string{"help"}, &stdout, &bytes.Buffer{}); !ok || code != 0 || !strings.Contains(stdout.String(), "demo [-html FILE]") {
		t.Errorf("help: %d %v %q", code, ok, stdout.String())
	}
}

// `pipelinecoach demo -html FILE` needs no configuration at all.
func TestDemoCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("plays the whole demo; skipped with -short")
	}
	for _, v := range []string{"SLACK_APP_TOKEN", "SLACK_BOT_TOKEN", "REDIS_URL", "DATA_DIR"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	page := filepath.Join(t.TempDir(), "demo.html")
	var stdout, stderr bytes.Buffer
	code, ok := subcommand(context.Background(), []string{"demo", "-html", page}, &stdout, &stderr)
	if !ok || code != 0 {
		t.Fatalf("demo exited %d: %s\n%s", code, stderr.String(), stdout.String())
	}
	if !strings.Contains(stdout.String(), "steps did what the script expected") {
		t.Errorf("no verdict in the transcript:\n%s", stdout.String())
	}
	if b, err := os.ReadFile(page); err != nil || !bytes.Contains(b, []byte("<!DOCTYPE html>")) {
		t.Errorf("no page written: %v", err)
	}
}
