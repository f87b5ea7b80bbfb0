package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"pipelinecoach/coach"
)

// fillJobs schedules n jobs named name(i) due at due(i) straight into the
// store's queue keys ({prefix}:jobs:due, {prefix}:jobs:at — the layout in
// storage/redisstore/keys.go), in pipelined batches: a million jobs in a few
// seconds. ClaimDue finding them checks that the layout still matches.
func fillJobs(ctx context.Context, rdb *redis.Client, n int, name func(int) string, due func(int) time.Time) error {
	const batch = 10_000
	dueKey, atKey := "{"+benchPrefix+"}:jobs:due", "{"+benchPrefix+"}:jobs:at"
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		members := make([]redis.Z, 0, end-start)
		fields := make([]any, 0, 2*(end-start))
		for i := start; i < end; i++ {
			at := due(i).UnixMilli()
			members = append(members, redis.Z{Score: float64(at), Member: name(i)})
			fields = append(fields, name(i), strconv.FormatInt(at, 10))
		}
		if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.ZAdd(ctx, dueKey, members...)
			p.HSet(ctx, atKey, fields...)
			return nil
		}); err != nil {
			return fmt.Errorf("fill jobs %d–%d: %w", start, end, err)
		}
	}
	return nil
}

// measureScheduler is test 3: claim the due jobs in batches of coach's
// Service.Batch, as RunDue does, and hand each batch to a worker, with few
// and with many jobs pending (due in a year). The median of three runs;
// between runs the claimed jobs are released (due again).
func measureScheduler(ctx context.Context, o options) ([]row, error) {
	due, pendings := 10_000, []int{10_000, 1_000_000}
	if o.short {
		due, pendings = 1_000, []int{1_000, 100_000}
	}
	batch := coach.NewService(nil, nil, nil, coach.Timing{}).Batch
	var times []time.Duration
	var rts []int64
	for _, pending := range pendings {
		d, n, err := claimRun(ctx, o, due, pending, batch)
		if err != nil {
			return nil, fmt.Errorf("%d pending: %w", pending, err)
		}
		times = append(times, d)
		rts = append(rts, n)
	}
	target := "< 1 s"
	var rows []row
	for i, pending := range pendings {
		r := row{name: fmt.Sprintf("scheduler: claim + hand over %d due, %d pending", due, pending),
			measured: fmt.Sprintf("%s (%d round trips, batches of %d)", ms(times[i]), rts[i], batch),
			target:   target, verdict: pass(times[i] < time.Second), ratio: ratio(float64(times[i]), float64(time.Second)) + " of 1 s"}
		if i > 0 {
			grow := float64(times[i]) / float64(times[0])
			r.target = fmt.Sprintf("< 1 s and ≤ 1.5× the %d-pending case", pendings[0])
			r.verdict = pass(times[i] < time.Second && grow <= 1.5)
			r.ratio = fmt.Sprintf("%.2f× the %d-pending case", grow, pendings[0])
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func claimRun(ctx context.Context, o options, due, pending, batch int) (time.Duration, int64, error) {
	env, err := startRedis()
	if err != nil {
		return 0, 0, err
	}
	defer env.Close()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	o.logf("filling %d due + %d pending jobs", due, pending)
	err = fillJobs(ctx, env.rdb, due+pending, func(i int) string { return fmt.Sprintf("followup/T0SIM/job%07d", i) },
		func(i int) time.Time {
			if i < due {
				return now.Add(-time.Duration(i) * time.Millisecond)
			}
			return now.Add(365 * 24 * time.Hour)
		})
	if err != nil {
		return 0, 0, err
	}
	var runs []time.Duration
	var trips int64
	for range 3 {
		t0 := env.trips.now()
		start := time.Now()
		jobs := make(chan []coach.Job, 4)
		var handed []string
		var wg sync.WaitGroup
		wg.Go(func() { // the worker the batches are handed to
			for b := range jobs {
				for _, j := range b {
					handed = append(handed, j.Key)
				}
			}
		})
		claimed := 0
		for claimed < due {
			b, err := env.store.ClaimDue(ctx, now, time.Minute, batch)
			if err != nil {
				close(jobs)
				wg.Wait()
				return 0, 0, err
			}
			if len(b) == 0 {
				break
			}
			claimed += len(b)
			jobs <- b
		}
		close(jobs)
		wg.Wait()
		runs = append(runs, time.Since(start))
		trips = env.trips.now().sub(t0).total
		if len(handed) != due {
			return 0, 0, fmt.Errorf("claimed %d jobs, want %d", len(handed), due)
		}
		slices.Sort(handed)
		if len(slices.Compact(handed)) != due {
			return 0, 0, fmt.Errorf("a job was claimed twice")
		}
		for start := 0; start < len(handed); start += 1000 {
			if err := env.store.Release(ctx, handed[start:min(start+1000, len(handed))]...); err != nil {
				return 0, 0, err
			}
		}
	}
	slices.Sort(runs)
	return runs[1], trips, nil
}
