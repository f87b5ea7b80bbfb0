package redistest_test

import (
	"context"
	"testing"

	"pipelinecoach/storage/redisstore/redistest"
)

func TestServer(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	c := srv.Client(t)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}

	before := srv.Commands(t)
	if srv.Commands(t) != before {
		t.Error("Commands counts its own INFO")
	}
	for range 3 {
		c.Get(ctx, "k")
	}
	if got := srv.Commands(t) - before; got != 3 {
		t.Errorf("3 GETs counted as %d commands", got)
	}

	addr := srv.Addr()
	srv.Kill()
	srv.Restart(t)
	if srv.Addr() != addr {
		t.Errorf("restarted on %s, want %s", srv.Addr(), addr)
	}
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Errorf("after a crash and restart: GET = %q, %v; want the appended value", v, err)
	}
	srv.Stop()
	srv.Stop() // twice is harmless
}
