package redisstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/storage/record"
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

// BenchmarkProspectsOf reads a rep's pipeline of 22 deals, each asked
// about once and answered "not yet" (the shape of benchmark test 9's): one
// round trip, then decoding each deal's JSON, which is most of the time.
func BenchmarkProspectsOf(b *testing.B) {
	ctx := context.Background()
	s := redisstore.New(redistest.Start(b).Client(b), "bench")
	const deals = 22
	for i := range deals {
		if err := s.Save(ctx, answeredNotYet(prospect("T1", fmt.Sprintf("p%02d", i), "U1"))); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		ps, err := s.ProspectsOf(ctx, "T1", "U1")
		if err != nil {
			b.Fatal(err)
		}
		if len(ps) != deals {
			b.Fatalf("read %d deals, want %d", len(ps), deals)
		}
	}
}

// BenchmarkDecodeProspect decodes one deal of BenchmarkProspectsOf's from
// its stored JSON, as the store does for each deal it reads.
func BenchmarkDecodeProspect(b *testing.B) {
	raw, err := record.Encode(answeredNotYet(prospect("T1", "p1", "U1")))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var p coach.Prospect
		if err := record.Decode(raw, &p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(raw)), "bytes/deal")
}

// answeredNotYet is p asked about once, answered "not yet" and due to be
// asked again in a week.
func answeredNotYet(p coach.Prospect) coach.Prospect {
	asked := p.FirstMeeting.Add(2 * time.Hour)
	p.Contact, p.TZ, p.State = "Jane Doe", "UTC", coach.Awaiting
	p.MeetingEnd = p.FirstMeeting.Add(45 * time.Minute)
	p.Asks, p.LastAsked, p.LastActivity = 1, asked, asked.Add(time.Hour)
	p.FollowUpAt = asked.Add(7 * 24 * time.Hour)
	p.History = []coach.Entry{
		{At: p.FirstMeeting, By: p.Owner, Event: coach.EventLogged, To: coach.Scheduled},
		{At: asked, By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting},
		{At: asked.Add(time.Hour), By: p.Owner, Event: coach.EventNotYet, From: coach.Awaiting, To: coach.Awaiting},
	}
	return p
}

// BenchmarkProspectsOfAYear reads the pipeline of a rep after a year (see
// aYearOfDeals): "all" reads every deal (ProspectsOf); "since 92 days" what
// a rep's view reads at most (ProspectsOfSince at its horizon: a quarter).
func BenchmarkProspectsOfAYear(b *testing.B) {
	ctx := context.Background()
	s := redisstore.New(redistest.Start(b).Client(b), "bench")
	now := aYearOfDeals(b, s)
	since := now.Add(-92 * 24 * time.Hour)
	for _, tc := range []struct {
		name string
		read func() ([]coach.Prospect, error)
	}{
		{"all", func() ([]coach.Prospect, error) { return s.ProspectsOf(ctx, "T1", "U1") }},
		{"since 92 days", func() ([]coach.Prospect, error) { return s.ProspectsOfSince(ctx, "T1", "U1", since) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				ps, err := tc.read()
				if err != nil {
					b.Fatal(err)
				}
				n = len(ps)
			}
			b.ReportMetric(float64(n), "deals/op")
		})
	}
}

// BenchmarkRepViewAYear computes the view of a rep on a team after a year
// of deals (aYearOfDeals), as /pipeline and App Home do: the read, decoding,
// grouping and metrics. "every deal" is the view reading all 250, as it did
// before; "its horizon" reads the open deals and those retired since the
// quarter began.
func BenchmarkRepViewAYear(b *testing.B) {
	ctx := context.Background()
	s := redisstore.New(redistest.Start(b).Client(b), "bench")
	now := aYearOfDeals(b, s)
	if err := s.SaveTeam(ctx, coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1"}, CycleDays: 30, Version: 1}); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		store coach.Store
	}{{"every deal", coachtest.ReadsWhole{Store: s}}, {"its horizon", s}} {
		b.Run(tc.name, func(b *testing.B) {
			svc := coach.NewService(tc.store, &coachtest.Notifier{}, coachtest.NewClock(now), coach.DefaultTiming)
			for b.Loop() {
				v, err := svc.RepView(ctx, "T1", "U1")
				if err != nil {
					b.Fatal(err)
				}
				if len(v.NotYet) == 0 {
					b.Fatal("the view shows no open deal")
				}
			}
		})
	}
}

// aYearOfDeals saves the deals of a rep after a year of five first
// meetings a week: 250, of which the 20 latest are open and the rest were
// lost three weeks after their first meeting. It returns the year's end.
func aYearOfDeals(b *testing.B, s *redisstore.Store) time.Time {
	b.Helper()
	const deals, open = 250, 20
	now := t0.Add(365 * 24 * time.Hour)
	for i := range deals {
		first := now.Add(-time.Duration(deals-i) * 35 * time.Hour) // five a week
		p := answeredNotYet(prospect("T1", fmt.Sprintf("p%03d", i), "U1"))
		p.FirstMeeting = first
		if i < deals-open {
			closed := first.Add(21 * 24 * time.Hour)
			p.State, p.LastActivity, p.FollowUpAt = coach.Lost, closed, time.Time{}
			p.History = append(p.History, coach.Entry{At: closed, By: "U1", Event: coach.EventLost, From: coach.Awaiting, To: coach.Lost})
		}
		if err := s.Save(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	return now
}
