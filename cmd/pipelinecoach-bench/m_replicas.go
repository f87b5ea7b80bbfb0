package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
)

// measureReplicas is test 8: what REDIS_MIN_REPLICAS=1 costs. One primary
// and one replica on this machine (loopback: the replication round trip is
// the least it can be; a network adds its own round trip to every change).
// The same saves (a prospect's next version, its follow-up moved) through
// redisstore.Store with REDIS_MIN_REPLICAS 0 and 1, in alternating turns:
// one at a time for latency, then 16 at a time for throughput; then test 2's
// user actions on the waiting store, to check each change is still one
// round trip.
func measureReplicas(ctx context.Context, o options) ([]row, error) {
	primary, err := redistest.StartServer("--repl-diskless-sync-delay", "0")
	if err != nil {
		return nil, err
	}
	defer primary.Close()
	_, port, _ := net.SplitHostPort(primary.Addr())
	replica, err := redistest.StartServer("--replicaof", "127.0.0.1", port)
	if err != nil {
		return nil, err
	}
	defer replica.Close()
	if err := waitReplica(ctx, primary); err != nil {
		return nil, err
	}

	n, span := 1000, 2*time.Second
	if o.short {
		n, span = 100, 200*time.Millisecond
	}
	// Three turns of each setting, alternating, so that other load on the
	// machine falls on both.
	const turns = 3
	envs := map[int]*redisEnv{}
	for _, min := range []int{0, 1} {
		env, err := onServer(primary, min)
		if err != nil {
			return nil, err
		}
		defer env.rdb.Close()
		envs[min] = env
	}
	lats := map[int][]time.Duration{}
	saves, took := map[int]int{}, map[int]time.Duration{}
	trips := map[int]float64{}
	for range turns {
		for _, min := range []int{0, 1} {
			lat, t, err := saveLatency(ctx, envs[min], n)
			if err != nil {
				return nil, fmt.Errorf("REDIS_MIN_REPLICAS=%d: %w", min, err)
			}
			lats[min], trips[min] = append(lats[min], lat...), max(trips[min], t)
			k, err := saveRate(ctx, envs[min], 16, span)
			if err != nil {
				return nil, fmt.Errorf("REDIS_MIN_REPLICAS=%d: %w", min, err)
			}
			saves[min] += k
			took[min] += span
		}
	}
	var rows []row
	base, baseRate := newDist(lats[0]), float64(saves[0])/took[0].Seconds()
	for _, min := range []int{0, 1} {
		lat, rate := newDist(lats[min]), float64(saves[min])/took[min].Seconds()
		name := fmt.Sprintf("replicas: a save, REDIS_MIN_REPLICAS=%d", min)
		r := row{name: name + ", one at a time", measured: fmt.Sprintf("%s; %.2f round trips a save", lat, trips[min]), target: "—", verdict: verdictInfo, ratio: "—"}
		rr := row{name: name + ", 16 at a time", measured: fmt.Sprintf("%.0f saves/s", rate), target: "—", verdict: verdictInfo, ratio: "—"}
		if min == 1 {
			r.target, r.verdict = "1 round trip a save", pass(trips[min] == 1)
			r.ratio = fmt.Sprintf("p50 %.2f×, p99 %.2f× the REDIS_MIN_REPLICAS=0 one", float64(lat.p50)/float64(base.p50), float64(lat.p99)/float64(base.p99))
			rr.ratio = fmt.Sprintf("%.2f× the REDIS_MIN_REPLICAS=0 rate", rate/baseRate)
		}
		rows = append(rows, r, rr)
	}

	actions, err := roundTripsOn(ctx, envs[1])
	if err != nil {
		return rows, fmt.Errorf("test 2 with REDIS_MIN_REPLICAS=1: %w", err)
	}
	for _, r := range actions {
		r.name = strings.Replace(r.name, "round trips: ", "replicas: round trips with REDIS_MIN_REPLICAS=1: ", 1)
		rows = append(rows, r)
	}
	return rows, nil
}

// onServer is a redisEnv on srv whose store waits for min replicas.
func onServer(srv *redistest.Server, min int) (*redisEnv, error) {
	rdb := srv.NewClient()
	trips := &tripCounter{}
	rdb.AddHook(trips)
	// The longest wait the bot allows: on a loaded machine a replica may
	// take longer than the default to be scheduled, and WAIT returns as soon
	// as it has answered anyway.
	store, err := redisstore.Open(rdb, redisstore.Options{Prefix: fmt.Sprintf("%s%d", benchPrefix, min), MinReplicas: min,
		ReplicaWait: 2 * time.Second})
	if err != nil {
		rdb.Close()
		return nil, err
	}
	return &redisEnv{srv: srv, rdb: rdb, trips: trips, store: store}, nil
}

// waitReplica waits until primary has a replica in sync.
func waitReplica(ctx context.Context, primary *redistest.Server) error {
	rdb := primary.NewClient()
	defer rdb.Close()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		info, err := rdb.Info(ctx, "replication").Result()
		if err == nil && strings.Contains(info, "state=online") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no replica in sync after 15 s: %v %s", err, info)
		}
	}
}

// saveLatency saves n versions of one prospect, one at a time, after a
// warm-up, and returns their latency and round trips per save.
func saveLatency(ctx context.Context, env *redisEnv, n int) ([]time.Duration, float64, error) {
	now := time.Now()
	p := awaiting("T1", "latency", "U1", now)
	stored, err := env.store.Prospect(ctx, "T1", "latency")
	if err == nil {
		p.Version = stored.Version
	} else {
		p.Version = 0
	}
	save := func() (time.Duration, error) {
		p.Version++
		p.FollowUpAt = now.Add(time.Duration(p.Version) * time.Minute)
		t0 := time.Now()
		err := env.store.Save(ctx, p)
		return time.Since(t0), err
	}
	for range 50 {
		if _, err := save(); err != nil {
			return nil, 0, err
		}
	}
	before := env.trips.now()
	lat := make([]time.Duration, 0, n)
	for range n {
		d, err := save()
		if err != nil {
			return nil, 0, err
		}
		lat = append(lat, d)
	}
	return lat, float64(env.trips.now().sub(before).total) / float64(n), nil
}

// saveRate saves from workers goroutines, each its own prospect, for span
// and returns saves a second.
func saveRate(ctx context.Context, env *redisEnv, workers int, span time.Duration) (int, error) {
	now := time.Now()
	end := now.Add(span)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		first error
	)
	for w := range workers {
		wg.Go(func() {
			p := awaiting("T1", fmt.Sprintf("rate%d", w), "U1", now)
			p.Version = 0
			if stored, err := env.store.Prospect(ctx, "T1", p.ID); err == nil {
				p.Version = stored.Version
			}
			n := 0
			for time.Now().Before(end) {
				p.Version++
				p.FollowUpAt = now.Add(time.Duration(p.Version) * time.Minute)
				if err := env.store.Save(ctx, p); err != nil {
					mu.Lock()
					first = coalesce(first, err)
					mu.Unlock()
					return
				}
				n++
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	return total, first
}

func coalesce(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
