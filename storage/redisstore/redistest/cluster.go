package redistest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Cluster is a Redis Cluster of three primaries, each a redis-server of its
// own on loopback, the 16384 slots split between them by redis-cli
// --cluster create; stopped when the test ends.
type Cluster struct {
	Nodes []*Server // the primaries at the start, then their replicas
}

// StartCluster starts three primaries without replicas, joins them and
// returns once every node says the cluster is ok. It needs redis-cli as
// well as redis-server; a missing one skips tb, or fails it under CI.
func StartCluster(tb testing.TB) *Cluster { return startCluster(tb, 0) }

// StartClusterWithReplicas is StartCluster with a replica for each primary
// (six nodes), returning once every replica is in sync.
func StartClusterWithReplicas(tb testing.TB) *Cluster { return startCluster(tb, 1) }

func startCluster(tb testing.TB, replicas int) *Cluster {
	tb.Helper()
	cli := require(tb, "redis-cli")
	c := &Cluster{}
	var addrs []string
	for range 3 * (1 + replicas) {
		bus, err := freePort() // Redis's default, port+10000, may be taken or out of range
		if err != nil {
			tb.Fatalf("redistest: %v", err)
		}
		n := Start(tb, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "2000", "--cluster-port", strconv.Itoa(bus), "--repl-diskless-sync-delay", "0")
		c.Nodes = append(c.Nodes, n)
		addrs = append(addrs, n.Addr())
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	c.waitOK(tb)
	return c
}

// require is Require for any Redis program.
func require(tb testing.TB, name string) string {
	tb.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		msg := name + " not found on PATH: install it (apt-get install redis-server) to run this test"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return bin
}

// waitOK waits until every node reports cluster_state:ok and knows the
// others, and every replica is in sync with its primary.
func (c *Cluster) waitOK(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(settleTimeout)
	for _, n := range c.Nodes {
		rdb := n.NewClient()
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			info, err := rdb.ClusterInfo(ctx).Result()
			cancel()
			if err == nil && strings.Contains(info, "cluster_state:ok") &&
				strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d\r", len(c.Nodes))) && inSync(rdb) {
				break
			}
			if time.Now().After(deadline) {
				_ = rdb.Close()
				tb.Fatalf("redistest: node %s not ok after %s: %q %v", n.Addr(), settleTimeout, info, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		_ = rdb.Close()
	}
}

// inSync tells whether a node is a primary, or a replica whose link to its
// primary is up.
func inSync(rdb *redis.Client) bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	info, err := rdb.Info(ctx, "replication").Result()
	return err == nil && (strings.Contains(info, "role:master") || strings.Contains(info, "master_link_status:up"))
}

// URL is the cluster as REDIS_URL with REDIS_CLUSTER=true takes it: one node
// as host, the others as addr parameters.
func (c *Cluster) URL() string {
	u := "redis://" + c.Nodes[0].Addr() + "?"
	for i, n := range c.Nodes[1:] {
		if i > 0 {
			u += "&"
		}
		u += "addr=" + n.Addr()
	}
	return u
}

// Client returns a cluster client, closed when tb ends.
func (c *Cluster) Client(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	var addrs []string
	for _, n := range c.Nodes {
		addrs = append(addrs, n.Addr())
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:           addrs,
		Protocol:        2,
		DisableIdentity: true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	})
	tb.Cleanup(func() { _ = cc.Close() })
	return cc
}

// Owner is the index in Nodes of the primary serving slot.
func (c *Cluster) Owner(tb testing.TB, slot int) int {
	tb.Helper()
	return c.node(tb, slot, "master")
}

// Replica is the index in Nodes of a replica of the primary serving slot.
func (c *Cluster) Replica(tb testing.TB, slot int) int {
	tb.Helper()
	return c.node(tb, slot, "replica")
}

// node is the index in Nodes of a node of role serving slot.
func (c *Cluster) node(tb testing.TB, slot int, role string) int {
	tb.Helper()
	rdb := c.Nodes[0].NewClient()
	defer rdb.Close()
	// Each node learns the others' roles by gossip: a replica that just
	// joined may not be in this node's view yet.
	for deadline := time.Now().Add(settleTimeout); ; time.Sleep(50 * time.Millisecond) {
		shards, err := rdb.ClusterShards(context.Background()).Result()
		if err != nil {
			tb.Fatalf("redistest: CLUSTER SHARDS: %v", err)
		}
		if i := c.find(shards, slot, role); i >= 0 {
			return i
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: no %s serves slot %d", role, slot)
		}
	}
}

// find is the index in Nodes of a node of role serving slot in shards, or -1.
func (c *Cluster) find(shards []redis.ClusterShard, slot int, role string) int {
	for _, sh := range shards {
		for _, r := range sh.Slots {
			if slot < int(r.Start) || slot > int(r.End) {
				continue
			}
			for _, sn := range sh.Nodes {
				for i, n := range c.Nodes {
					if sn.Role == role && int(sn.Port) == n.port {
						return i
					}
				}
			}
		}
	}
	return -1
}

// Slot is the cluster slot of key.
func (c *Cluster) Slot(tb testing.TB, key string) int {
	tb.Helper()
	rdb := c.Nodes[0].NewClient()
	defer rdb.Close()
	slot, err := rdb.ClusterKeySlot(context.Background(), key).Result()
	if err != nil {
		tb.Fatalf("redistest: CLUSTER KEYSLOT: %v", err)
	}
	return int(slot)
}

// MigrateSlot moves slot from the primary serving it to Nodes[to], another
// primary of a cluster without replicas, the way
// redis-cli --cluster reshard does: the target imports, the source
// migrates, the keys move in batches of ten (MIGRATE … KEYS), then every
// node is told the new owner. halfway runs once the slot is marked
// migrating, before any key moves: commands on keys the source no longer
// (or never) had are answered ASK then; after the move, commands sent to
// the source are answered MOVED.
func (c *Cluster) MigrateSlot(tb testing.TB, slot, to int, halfway func()) {
	tb.Helper()
	ctx := context.Background()
	from := c.Owner(tb, slot)
	if from == to {
		tb.Fatalf("redistest: slot %d is already on node %d", slot, to)
	}
	src, dst := c.Nodes[from].NewClient(), c.Nodes[to].NewClient()
	defer src.Close()
	defer dst.Close()
	must := func(what string, err error) {
		if err != nil {
			tb.Fatalf("redistest: migrate slot %d: %s: %v", slot, what, err)
		}
	}
	srcID, err := src.Do(ctx, "cluster", "myid").Text()
	must("CLUSTER MYID", err)
	dstID, err := dst.Do(ctx, "cluster", "myid").Text()
	must("CLUSTER MYID", err)
	must("SETSLOT IMPORTING", dst.Do(ctx, "cluster", "setslot", slot, "importing", srcID).Err())
	must("SETSLOT MIGRATING", src.Do(ctx, "cluster", "setslot", slot, "migrating", dstID).Err())
	if halfway != nil {
		halfway()
	}
	port := strconv.Itoa(c.Nodes[to].port)
	for {
		keys, err := src.ClusterGetKeysInSlot(ctx, slot, 10).Result()
		must("GETKEYSINSLOT", err)
		if len(keys) == 0 {
			break
		}
		args := []any{"migrate", "127.0.0.1", port, "", 0, 5000, "keys"}
		for _, k := range keys {
			args = append(args, k)
		}
		must(fmt.Sprintf("MIGRATE %d keys", len(keys)), src.Do(ctx, args...).Err())
	}
	// The target first, then the source, as redis-cli does: a client sent
	// back and forth meanwhile ends up at the target.
	must("SETSLOT NODE on the target", dst.Do(ctx, "cluster", "setslot", slot, "node", dstID).Err())
	must("SETSLOT NODE on the source", src.Do(ctx, "cluster", "setslot", slot, "node", dstID).Err())
	for i, n := range c.Nodes {
		if i == from || i == to {
			continue
		}
		o := n.NewClient()
		err := o.Do(ctx, "cluster", "setslot", slot, "node", dstID).Err()
		_ = o.Close()
		must("SETSLOT NODE on the third node", err)
	}
}

// Errors returns how many replies of each error kind (MOVED, ASK,
// TRYAGAIN, …) the node gave since it started (INFO errorstats).
func (s *Server) Errors(tb testing.TB) map[string]int64 {
	tb.Helper()
	rdb := s.NewClient()
	defer rdb.Close()
	info, err := rdb.Info(context.Background(), "errorstats").Result()
	if err != nil {
		tb.Fatalf("redistest: INFO errorstats: %v", err)
	}
	out := map[string]int64{}
	for line := range strings.SplitSeq(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":count=")
		if kind, isErr := strings.CutPrefix(name, "errorstat_"); ok && isErr {
			n, _ := strconv.ParseInt(rest, 10, 64)
			out[kind] = n
		}
	}
	return out
}

// Calls returns how many times the node ran command (INFO commandstats)
// since it started.
func (s *Server) Calls(tb testing.TB, command string) int64 {
	tb.Helper()
	rdb := s.NewClient()
	defer rdb.Close()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		tb.Fatalf("redistest: INFO commandstats: %v", err)
	}
	for line := range strings.SplitSeq(info, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+strings.ToLower(command)+":calls="); ok {
			n, _ := strconv.ParseInt(strings.Split(rest, ",")[0], 10, 64)
			return n
		}
	}
	return 0
}
