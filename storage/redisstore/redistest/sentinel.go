package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels of StartSentinel know the primary by.
const MasterName = "pipelinecoach"

// Sentinel timings: quick, so that a test's failover takes seconds. A
// primary silent for DownAfter is down (at 1 s, a loaded machine had the
// sentinels give up on a primary they had just promoted); a failover stuck
// for twice failoverTimeout is given up and tried again.
const (
	DownAfter       = 2 * time.Second
	failoverTimeout = 5 * time.Second
	settleTimeout   = 30 * time.Second // until the group is up, or a failover is seen
)

// Sentinel is a primary, its replica and three sentinels watching them
// (quorum 2), each a redis-server of its own on loopback, stopped when the
// test ends.
type Sentinel struct {
	Primary   *Server // the primary at the start; after a failover, Replica is
	Replica   *Server
	Sentinels []*Server
}

// StartSentinel starts the group and returns once the replica is in sync
// and every sentinel knows it and the two other sentinels, so a failover
// can happen.
func StartSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	// A primary waits 5 s by default for more replicas before a full sync.
	g := &Sentinel{Primary: Start(tb, "--repl-diskless-sync-delay", "0")}
	g.Replica = Start(tb, "--repl-diskless-sync-delay", "0", "--replicaof", "127.0.0.1", strconv.Itoa(g.Primary.port))
	for i := range 3 {
		dir := tb.TempDir()
		conf := filepath.Join(dir, "sentinel.conf")
		lines := []string{
			fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2", MasterName, g.Primary.port),
			fmt.Sprintf("sentinel down-after-milliseconds %s %d", MasterName, DownAfter.Milliseconds()),
			fmt.Sprintf("sentinel failover-timeout %s %d", MasterName, failoverTimeout.Milliseconds()),
			fmt.Sprintf("sentinel parallel-syncs %s 1", MasterName),
		}
		// Sentinel rewrites its file with what it learns: it must be writable.
		if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			tb.Fatalf("redistest: sentinel %d: %v", i, err)
		}
		g.Sentinels = append(g.Sentinels, start(tb, dir, []string{conf, "--sentinel"}, nil))
	}
	g.waitFor(tb, "every sentinel to see the replica and the other two", func(ctx context.Context, c *redis.SentinelClient) bool {
		m, err := c.Master(ctx, MasterName).Result()
		return err == nil && m["num-slaves"] == "1" && m["num-other-sentinels"] == "2"
	})
	g.WaitReplicas(tb, 1)
	return g
}

// URL is the group in REDIS_URL's failover form: the first sentinel as host,
// the others as addr parameters.
func (g *Sentinel) URL() string {
	q := "master_name=" + MasterName
	for _, s := range g.Sentinels[1:] {
		q += "&addr=" + s.Addr()
	}
	return "redis://" + g.Sentinels[0].Addr() + "/0?" + q
}

// SentinelAddrs are the sentinels' host:port.
func (g *Sentinel) SentinelAddrs() []string {
	var out []string
	for _, s := range g.Sentinels {
		out = append(out, s.Addr())
	}
	return out
}

// Client returns a failover client of the group, closed when tb ends.
func (g *Sentinel) Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName:    MasterName,
		SentinelAddrs: g.SentinelAddrs(),
		Protocol:      2,
	})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// MasterAddr is the primary's address as the first sentinel that answers
// reports it.
func (g *Sentinel) MasterAddr(ctx context.Context) (string, error) {
	var lastErr error
	for _, s := range g.Sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), Protocol: 2, DisableIdentity: true})
		addr, err := c.GetMasterAddrByName(ctx, MasterName).Result()
		_ = c.Close()
		if err == nil && len(addr) == 2 {
			return net.JoinHostPort(addr[0], addr[1]), nil
		}
		lastErr = err
	}
	return "", fmt.Errorf("no sentinel names the primary: %v", lastErr)
}

// WaitFailover waits until every sentinel names Replica as the primary, and
// returns how long that took from since.
func (g *Sentinel) WaitFailover(tb testing.TB, since time.Time) time.Duration {
	tb.Helper()
	want := strings.Split(g.Replica.Addr(), ":")
	g.waitFor(tb, "the sentinels to promote the replica", func(ctx context.Context, c *redis.SentinelClient) bool {
		addr, err := c.GetMasterAddrByName(ctx, MasterName).Result()
		return err == nil && len(addr) == 2 && addr[0] == want[0] && addr[1] == want[1]
	})
	return time.Since(since)
}

// WaitReplicas waits until the primary named by the sentinels has n
// replicas in sync (INFO replication: connected, state online).
func (g *Sentinel) WaitReplicas(tb testing.TB, n int) {
	tb.Helper()
	deadline := time.Now().Add(settleTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		addr, err := g.MasterAddr(ctx)
		online := 0
		if err == nil {
			c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
			info, ierr := c.Info(ctx, "replication").Result()
			_ = c.Close()
			err = ierr
			online = strings.Count(info, "state=online")
		}
		cancel()
		if online >= n {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: the primary has %d replicas online after %s, want %d (%v)", online, settleTimeout, n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitFor polls every sentinel until ok holds for each.
func (g *Sentinel) waitFor(tb testing.TB, what string, ok func(context.Context, *redis.SentinelClient) bool) {
	tb.Helper()
	deadline := time.Now().Add(settleTimeout)
	for _, s := range g.Sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), Protocol: 2, DisableIdentity: true})
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			done := ok(ctx, c)
			cancel()
			if done {
				break
			}
			if time.Now().After(deadline) {
				_ = c.Close()
				tb.Fatalf("redistest: waited %s for %s; sentinel %s log:%s", settleTimeout, what, s.Addr(), tail(s.Log()))
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = c.Close()
	}
}

// Rejoin starts s (a node of the group that was stopped or killed) again as
// a replica of the current primary, as a supervisor that asks the sentinels
// first does, and waits until it is in sync. Sentinel would convert a node
// that came back as a primary by itself too, but only at one of its 10 s
// checks.
func (g *Sentinel) Rejoin(tb testing.TB, s *Server) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	addr, err := g.MasterAddr(ctx)
	cancel()
	if err != nil {
		tb.Fatalf("redistest: rejoin: %v", err)
	}
	host, port, _ := net.SplitHostPort(addr)
	s.Stop()
	s.mu.Lock()
	s.args = append(withoutReplicaOf(s.args), "--replicaof", host, port)
	s.mu.Unlock()
	if err := s.start(); err != nil {
		tb.Fatalf("redistest: rejoin: %v", err)
	}
	g.WaitReplicas(tb, 1)
}

func withoutReplicaOf(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--replicaof" {
			i += 2
			continue
		}
		out = append(out, args[i])
	}
	return out
}
