package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
)

// BenchmarkClaimDue claims 100 jobs at a time from 10,000 due ones among
// many pending (due later). Each claim also puts back the 100 whose 1ms
// lease ended at the previous claim, so the queue stays in a steady state.
// Its cost should not depend on the pending count.
func BenchmarkClaimDue(b *testing.B) {
	const due, max = 10_000, 100
	for _, pending := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprintf("due=%d/pending=%d", due, pending), func(b *testing.B) {
			if pending > 100_000 && testing.Short() {
				b.Skip("filling a million jobs takes a while; run without -short")
			}
			ctx := context.Background()
			s := redisstore.New(redistest.Start(b).Client(b), "bench")
			now := t0
			err := redisstore.AddJobs(ctx, s, due+pending,
				func(i int) string { return fmt.Sprintf("job/%07d", i) },
				func(i int) time.Time {
					if i < due {
						return now.Add(-time.Duration(i) * time.Millisecond)
					}
					return now.Add(365 * 24 * time.Hour)
				})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				now = now.Add(time.Millisecond)
				jobs, err := s.ClaimDue(ctx, now, time.Millisecond, max)
				if err != nil {
					b.Fatal(err)
				}
				if len(jobs) != max {
					b.Fatalf("claimed %d jobs, want %d", len(jobs), max)
				}
			}
			b.ReportMetric(float64(max), "jobs/op")
		})
	}
}

// BenchmarkSave saves new versions of one prospect, moving its follow-up
// each time.
func BenchmarkSave(b *testing.B) {
	ctx := context.Background()
	s := redisstore.New(redistest.Start(b).Client(b), "bench")
	p := prospect("T1", "p1", "U1")
	p.Version = 0
	for b.Loop() {
		p.Version++
		p.Asks++
		p.FollowUpAt = t0.Add(time.Duration(p.Version) * time.Minute)
		if err := s.Save(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}
