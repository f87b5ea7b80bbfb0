package redistest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

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

func TestSentinelFailover(t *testing.T) {
	ctx := context.Background()
	began := time.Now()
	g := redistest.StartSentinel(t)
	t.Logf("group up in %s", time.Since(began))
	c := g.Client(t)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Do(ctx, "wait", 1, 1000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT 1 = %d, %v; want the replica", n, err)
	}
	killed := time.Now()
	g.Primary.Kill()
	t.Logf("failover after %s", g.WaitFailover(t, killed))
	if addr, err := g.MasterAddr(ctx); err != nil || addr != g.Replica.Addr() {
		t.Fatalf("primary %s, %v; want the replica %s", addr, err, g.Replica.Addr())
	}
	var v string
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if v, err = c.Get(ctx, "k").Result(); err == nil {
			break
		}
	}
	if v != "v" {
		t.Fatalf("after the failover: GET = %q, %v", v, err)
	}
	// The old primary, back, becomes the new one's replica.
	back := time.Now()
	g.Rejoin(t, g.Primary)
	t.Logf("the old primary is a replica again %s after its restart", time.Since(back))
}

func TestClusterSlotMigration(t *testing.T) {
	ctx := context.Background()
	cl := redistest.StartCluster(t)
	c := cl.Client(t)
	for i := range 20 {
		if err := c.Set(ctx, fmt.Sprintf("{tag}:%d", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	slot := cl.Slot(t, "{tag}")
	from := cl.Owner(t, slot)
	to := (from + 1) % 3
	cl.MigrateSlot(t, slot, to, func() {
		if err := c.Set(ctx, "{tag}:new", "x", 0).Err(); err != nil {
			t.Errorf("SET of a new key while the slot moves: %v", err)
		}
	})
	if got := cl.Owner(t, slot); got != to {
		t.Fatalf("slot %d on node %d, want %d", slot, got, to)
	}
	for i := range 20 {
		if v, err := c.Get(ctx, fmt.Sprintf("{tag}:%d", i)).Int(); err != nil || v != i {
			t.Fatalf("GET %d after the move = %d, %v", i, v, err)
		}
	}
	if v, err := c.Get(ctx, "{tag}:new").Result(); err != nil || v != "x" {
		t.Fatalf("GET of the key written halfway = %q, %v", v, err)
	}
	errs := cl.Nodes[from].Errors(t)
	if errs["ASK"] == 0 || errs["MOVED"] == 0 {
		t.Errorf("the source answered %v; want ASK and MOVED", errs)
	}
}
