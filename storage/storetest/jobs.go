package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// Save keeps the prospect's follow-up job in step with FollowUpAt.
func testFollowUp(t *testing.T, newStore func(t *testing.T) coach.Store) {
	due := t0.Add(time.Hour)
	// Each case starts from p1, version 1, followed up at due.
	cases := []struct {
		name string
		run  func(t *testing.T, s coach.Store, p coach.Prospect)
	}{
		{"due at FollowUpAt, not before", func(t *testing.T, s coach.Store, p coach.Prospect) {
			wantClaim(t, s, due.Add(-time.Millisecond), 10)
			wantClaim(t, s, due, 10, followUp(p))
		}},
		{"not twice while leased, again when the lease ends", func(t *testing.T, s coach.Store, p coach.Prospect) {
			wantClaim(t, s, due, 10, followUp(p))
			wantClaim(t, s, due, 10)
			wantClaim(t, s, due.Add(lease-time.Millisecond), 10)
			wantClaim(t, s, due.Add(lease), 10, followUp(p))
			wantClaim(t, s, due.Add(lease+time.Minute), 10)
			wantClaim(t, s, due.Add(2*lease), 10, followUp(p))
		}},
		{"cleared while due", func(t *testing.T, s coach.Store, p coach.Prospect) {
			p = next(p)
			p.FollowUpAt = time.Time{}
			save(t, s, p)
			wantClaim(t, s, due.Add(100*lease), 10)
		}},
		{"cleared while claimed", func(t *testing.T, s coach.Store, p coach.Prospect) {
			wantClaim(t, s, due, 10, followUp(p))
			p = next(p)
			p.FollowUpAt = time.Time{}
			save(t, s, p)
			wantClaim(t, s, due.Add(100*lease), 10)
		}},
		{"moved later while due", func(t *testing.T, s coach.Store, p coach.Prospect) {
			p = next(p)
			p.FollowUpAt = due.Add(time.Hour)
			save(t, s, p)
			wantClaim(t, s, p.FollowUpAt.Add(-time.Millisecond), 10)
			wantClaim(t, s, p.FollowUpAt, 10, followUp(p))
		}},
		{"moved earlier while due", func(t *testing.T, s coach.Store, p coach.Prospect) {
			p = next(p)
			p.FollowUpAt = due.Add(-30 * time.Minute)
			save(t, s, p)
			wantClaim(t, s, p.FollowUpAt.Add(-time.Millisecond), 10)
			wantClaim(t, s, p.FollowUpAt, 10, followUp(p))
		}},
		{"moved while claimed is due at the new time", func(t *testing.T, s coach.Store, p coach.Prospect) {
			wantClaim(t, s, due, 10, followUp(p))
			p = next(p)
			p.FollowUpAt = due.Add(10 * time.Minute) // before the lease ends
			save(t, s, p)
			wantClaim(t, s, p.FollowUpAt.Add(-time.Millisecond), 10)
			wantClaim(t, s, p.FollowUpAt, 10, followUp(p))
		}},
		{"unchanged while claimed keeps the lease", func(t *testing.T, s coach.Store, p coach.Prospect) {
			wantClaim(t, s, due, 10, followUp(p))
			p = next(p)
			p.Asks++
			save(t, s, p)
			wantClaim(t, s, due.Add(30*time.Minute), 10)
			wantClaim(t, s, due.Add(lease), 10, followUp(p))
		}},
		{"unchanged while due is one job", func(t *testing.T, s coach.Store, p coach.Prospect) {
			p = next(p)
			p.Asks++
			save(t, s, p)
			wantClaim(t, s, due.Add(-time.Millisecond), 10)
			wantClaim(t, s, due, 10, followUp(p))
			wantClaim(t, s, due, 10)
		}},
		{"saved again after Done", func(t *testing.T, s coach.Store, p coach.Prospect) {
			wantClaim(t, s, due, 10, followUp(p))
			must(t, "Done", s.Done(ctx(), coach.FollowUpKey(p.Workspace, p.ID)))
			wantClaim(t, s, due.Add(2*lease), 10)
			p = next(p)
			save(t, s, p)
			wantClaim(t, s, due.Add(2*lease), 10, followUp(p))
		}},
		{"one job per prospect, per team", func(t *testing.T, s coach.Store, p coach.Prospect) {
			other := prospect("T2", p.ID, p.Owner)
			other.FollowUpAt = due.Add(time.Minute)
			save(t, s, other)
			wantClaim(t, s, due.Add(time.Hour), 10, followUp(p), followUp(other))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			p := prospect("T1", "p1", "U1")
			p.FollowUpAt = due
			save(t, s, p)
			tc.run(t, s, p)
		})
	}
	t.Run("none without FollowUpAt", func(t *testing.T) {
		s := newStore(t)
		save(t, s, prospect("T1", "p1", "U1"))
		wantClaim(t, s, due.Add(100*lease), 10)
	})
}

// ClaimDue returns jobs due at or before now, earliest first, at most max,
// jobs whose lease has ended included.
func testClaimOrder(t *testing.T, newStore func(t *testing.T) coach.Store) {
	t.Run("earliest first, at most max", func(t *testing.T) {
		s := newStore(t)
		var want []coach.Job
		for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(10) {
			due := t0.Add(time.Duration(i) * time.Minute)
			if i%3 == 0 { // some are follow-ups
				p := prospect("T1", fmt.Sprintf("p%d", i), "U1")
				p.FollowUpAt = due
				save(t, s, p)
				want = append(want, followUp(p))
			} else {
				key := fmt.Sprintf("digest/T1/%d", i)
				must(t, "Schedule", s.Schedule(ctx(), key, due))
				want = append(want, job(key, due))
			}
		}
		slices.SortFunc(want, func(a, b coach.Job) int { return a.Due.Compare(b.Due) })
		must(t, "Schedule", s.Schedule(ctx(), "later", t0.Add(time.Hour)))

		now := t0.Add(30 * time.Minute)
		wantClaim(t, s, now, 0)
		wantClaim(t, s, now, 4, want[0:4]...)
		wantClaim(t, s, now, 4, want[4:8]...)
		wantClaim(t, s, now, 4, want[8:10]...)
		wantClaim(t, s, now, 4)
	})
	t.Run("ended leases in due order", func(t *testing.T) {
		s := newStore(t)
		a, b, c := job("a", t0), job("b", t0.Add(time.Minute)), job("c", t0.Add(5*time.Minute))
		for _, j := range []coach.Job{b, a} {
			must(t, "Schedule", s.Schedule(ctx(), j.Key, j.Due))
		}
		wantClaim(t, s, t0.Add(time.Minute), 10, a, b) // leased until t0+1m+lease
		must(t, "Schedule", s.Schedule(ctx(), c.Key, c.Due))
		wantClaim(t, s, t0.Add(time.Minute+lease-time.Millisecond), 10, c)
		wantClaim(t, s, t0.Add(time.Minute+lease), 10, a, b)
	})
}

// Two claimers never hold the same job.
func testConcurrentClaims(t *testing.T, newStore func(t *testing.T) coach.Store) {
	const jobs, claimers, max = 300, 8, 7
	s := newStore(t)
	for i := range jobs {
		must(t, "Schedule", s.Schedule(ctx(), fmt.Sprintf("job/%03d", i), t0.Add(time.Duration(i)*time.Millisecond)))
	}
	var (
		mu     sync.Mutex
		claims = map[string]int{}
		wg     sync.WaitGroup
		errs   = make(chan error, claimers)
	)
	now := t0.Add(time.Hour)
	for range claimers {
		wg.Go(func() {
			for {
				got, err := s.ClaimDue(ctx(), now, lease, max)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				if len(got) > max {
					errs <- fmt.Errorf("ClaimDue returned %d jobs, max %d", len(got), max)
				}
				if !slices.IsSortedFunc(got, func(a, b coach.Job) int { return a.Due.Compare(b.Due) }) {
					errs <- fmt.Errorf("ClaimDue returned %s, not earliest first", jobsString(got))
				}
				mu.Lock()
				for _, j := range got {
					claims[j.Key]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(claims) != jobs {
		t.Errorf("%d jobs claimed, want %d", len(claims), jobs)
	}
	for key, n := range claims {
		if n != 1 {
			t.Errorf("%s claimed %d times", key, n)
		}
	}
}

// Schedule adds or moves a job; Done removes one, claimed or not; Release
// makes claimed jobs due at once.
func testSchedule(t *testing.T, newStore func(t *testing.T) coach.Store) {
	const key = "digest/T1/U1"
	due := t0.Add(time.Hour)
	cases := []struct {
		name string
		run  func(t *testing.T, s coach.Store)
	}{
		{"schedule adds", func(t *testing.T, s coach.Store) {
			must(t, "Schedule", s.Schedule(ctx(), key, due))
			wantClaim(t, s, due.Add(-time.Millisecond), 10)
			wantClaim(t, s, due, 10, job(key, due))
			wantClaim(t, s, due, 10)
		}},
		{"schedule moves", func(t *testing.T, s coach.Store) {
			must(t, "Schedule", s.Schedule(ctx(), key, due))
			must(t, "Schedule again", s.Schedule(ctx(), key, due.Add(time.Hour)))
			wantClaim(t, s, due.Add(time.Hour-time.Millisecond), 10)
			wantClaim(t, s, due.Add(time.Hour), 10, job(key, due.Add(time.Hour)))
			wantClaim(t, s, due.Add(time.Hour), 10)
		}},
		{"schedule moves a claimed job", func(t *testing.T, s coach.Store) {
			must(t, "Schedule", s.Schedule(ctx(), key, due))
			wantClaim(t, s, due, 10, job(key, due))
			next := due.Add(10 * time.Minute) // before the lease ends
			must(t, "Schedule again", s.Schedule(ctx(), key, next))
			wantClaim(t, s, next.Add(-time.Millisecond), 10)
			wantClaim(t, s, next, 10, job(key, next))
		}},
		{"done removes a due job", func(t *testing.T, s coach.Store) {
			must(t, "Schedule", s.Schedule(ctx(), key, due))
			must(t, "Done", s.Done(ctx(), key))
			wantClaim(t, s, due.Add(100*lease), 10)
		}},
		{"done removes a claimed job", func(t *testing.T, s coach.Store) {
			must(t, "Schedule", s.Schedule(ctx(), key, due))
			wantClaim(t, s, due, 10, job(key, due))
			must(t, "Done", s.Done(ctx(), key))
			wantClaim(t, s, due.Add(100*lease), 10)
		}},
		{"done of no job", func(t *testing.T, s coach.Store) {
			must(t, "Done", s.Done(ctx(), "nothing"))
		}},
		{"release makes claimed jobs due at once", func(t *testing.T, s coach.Store) {
			must(t, "Schedule", s.Schedule(ctx(), key, due))
			must(t, "Schedule", s.Schedule(ctx(), "other", due.Add(time.Minute)))
			must(t, "Schedule", s.Schedule(ctx(), "kept", due.Add(2*time.Minute)))
			now := due.Add(5 * time.Minute)
			wantClaim(t, s, now, 10, job(key, due), job("other", due.Add(time.Minute)), job("kept", due.Add(2*time.Minute)))
			must(t, "Release", s.Release(ctx(), "other", key, "never claimed"))
			wantClaim(t, s, now, 10, job(key, due), job("other", due.Add(time.Minute)))
		}},
		{"release of jobs not claimed", func(t *testing.T, s coach.Store) {
			must(t, "Release()", s.Release(ctx()))
			must(t, "Schedule", s.Schedule(ctx(), key, due))
			must(t, "Release", s.Release(ctx(), key, "nothing"))
			wantClaim(t, s, due.Add(-time.Millisecond), 10)
			wantClaim(t, s, due, 10, job(key, due))
		}},
		{"release of a done job", func(t *testing.T, s coach.Store) {
			must(t, "Schedule", s.Schedule(ctx(), key, due))
			wantClaim(t, s, due, 10, job(key, due))
			must(t, "Done", s.Done(ctx(), key))
			must(t, "Release", s.Release(ctx(), key))
			wantClaim(t, s, due.Add(100*lease), 10)
		}},
		{"release of a follow-up", func(t *testing.T, s coach.Store) {
			p := prospect("T1", "p1", "U1")
			p.FollowUpAt = due
			save(t, s, p)
			wantClaim(t, s, due, 10, followUp(p))
			must(t, "Release", s.Release(ctx(), coach.FollowUpKey("T1", "p1")))
			wantClaim(t, s, due, 10, followUp(p))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}
