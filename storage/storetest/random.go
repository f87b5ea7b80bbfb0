package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// testRandomFollowUps runs random interleavings of Save, ClaimDue, Done and
// Release against a model of the contract. Above all, a claimed job always
// belongs to a prospect whose FollowUpAt is set, and is due at it; also, no
// job is handed out while its lease runs, and when ClaimDue returns fewer
// than max jobs, it returns every claimable one.
func testRandomFollowUps(t *testing.T, newStore func(t *testing.T) coach.Store) {
	const seeds, ops = 8, 150
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			runRandom(t, newStore(t), rand.New(rand.NewPCG(seed, 0x5eed)), ops)
		})
	}
}

// modelJob is what the contract says of one prospect's follow-up job.
type modelJob struct {
	present  bool      // scheduled, due or claimed
	leaseEnd time.Time // zero when not claimed
}

func runRandom(t *testing.T, s coach.Store, r *rand.Rand, ops int) {
	var prospects []coach.Prospect
	for _, team := range []string{"T1", "T2"} {
		for i := range 3 {
			prospects = append(prospects, prospect(team, fmt.Sprint("p", i), "U1"))
		}
	}
	jobs := map[string]*modelJob{} // by job key
	byKey := map[string]int{}      // job key → index in prospects
	for i, p := range prospects {
		byKey[coach.FollowUpKey(p.Workspace, p.ID)] = i
		jobs[coach.FollowUpKey(p.Workspace, p.ID)] = &modelJob{}
	}
	saved := make([]bool, len(prospects))
	now := t0
	var log []string // what happened, printed on failure
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("after:\n  %s\n%s", joinLines(log), fmt.Sprintf(format, args...))
	}

	for range ops {
		now = now.Add(time.Duration(r.IntN(10)) * time.Minute)
		i := r.IntN(len(prospects))
		key := coach.FollowUpKey(prospects[i].Workspace, prospects[i].ID)
		switch op := r.IntN(10); {
		case op < 4: // Save, with FollowUpAt cleared, kept or moved
			p := prospects[i]
			if saved[i] {
				p = next(p)
			}
			old := p.FollowUpAt
			switch r.IntN(4) {
			case 0:
				p.FollowUpAt = time.Time{}
			case 1: // unchanged
			default:
				p.FollowUpAt = now.Add(time.Duration(r.IntN(60)-20) * time.Minute)
			}
			p.Asks++
			if err := s.Save(ctx(), p); err != nil {
				fail("Save %s v%d: %v", key, p.Version, err)
			}
			log = append(log, fmt.Sprintf("t0%+v Save %s follow-up %s", now.Sub(t0), key, rel(p.FollowUpAt)))
			prospects[i], saved[i] = p, true
			j := jobs[key]
			switch {
			case p.FollowUpAt.IsZero():
				*j = modelJob{}
			case p.FollowUpAt.Equal(old) && j.present: // keeps its lease
			default:
				*j = modelJob{present: true}
			}
		case op < 8: // ClaimDue
			max := 1 + r.IntN(4)
			l := time.Duration(1+r.IntN(30)) * time.Minute
			got, err := s.ClaimDue(ctx(), now, l, max)
			if err != nil {
				fail("ClaimDue: %v", err)
			}
			log = append(log, fmt.Sprintf("t0%+v ClaimDue(lease %s, max %d) = %s", now.Sub(t0), l, max, jobsString(got)))
			claimed := map[string]bool{}
			for _, c := range got {
				pi, ok := byKey[c.Key]
				if !ok {
					fail("claimed unknown job %s", c.Key)
				}
				p, j := prospects[pi], jobs[c.Key]
				switch {
				case p.FollowUpAt.IsZero():
					fail("claimed %s, whose prospect has no FollowUpAt", c.Key)
				case !j.present:
					fail("claimed %s, which is done", c.Key)
				case !c.Due.Equal(p.FollowUpAt):
					fail("claimed %s due %s, but FollowUpAt is %s", c.Key, rel(c.Due), rel(p.FollowUpAt))
				case c.Due.After(now):
					fail("claimed %s due %s, after now", c.Key, rel(c.Due))
				case j.leaseEnd.After(now):
					fail("claimed %s, whose lease runs until %s", c.Key, rel(j.leaseEnd))
				case claimed[c.Key]:
					fail("claimed %s twice in one call", c.Key)
				}
				claimed[c.Key] = true
				j.leaseEnd = now.Add(l)
			}
			if len(got) > max {
				fail("ClaimDue returned %d jobs, max %d", len(got), max)
			}
			if len(got) < max {
				for key, j := range jobs {
					p := prospects[byKey[key]]
					if j.present && !claimed[key] && !p.FollowUpAt.After(now) && !j.leaseEnd.After(now) {
						fail("ClaimDue left out %s, due %s, lease ended %s", key, rel(p.FollowUpAt), rel(j.leaseEnd))
					}
				}
			}
		case op < 9: // Done
			if err := s.Done(ctx(), key); err != nil {
				fail("Done %s: %v", key, err)
			}
			log = append(log, fmt.Sprintf("t0%+v Done %s", now.Sub(t0), key))
			*jobs[key] = modelJob{}
		default: // Release
			if err := s.Release(ctx(), key); err != nil {
				fail("Release %s: %v", key, err)
			}
			log = append(log, fmt.Sprintf("t0%+v Release %s", now.Sub(t0), key))
			jobs[key].leaseEnd = time.Time{}
		}
	}
}

func rel(at time.Time) string {
	if at.IsZero() {
		return "none"
	}
	return fmt.Sprintf("t0%+v", at.Sub(t0))
}

func joinLines(lines []string) string {
	const keep = 30
	if len(lines) > keep {
		lines = append([]string{fmt.Sprintf("(%d earlier steps)", len(lines)-keep)}, lines[len(lines)-keep:]...)
	}
	s := ""
	for i, l := range lines {
		if i > 0 {
			s += "\n  "
		}
		s += l
	}
	return s
}
