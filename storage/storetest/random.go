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
	m := newQueueModel(t, s)
	for range ops {
		m.now = m.now.Add(time.Duration(r.IntN(10)) * time.Minute)
		i := r.IntN(len(m.prospects))
		switch op := r.IntN(10); {
		case op < 4:
			m.save(i, r)
		case op < 8:
			m.claim(1+r.IntN(4), time.Duration(1+r.IntN(30))*time.Minute)
		case op < 9:
			m.done(i)
		default:
			m.release(i)
		}
	}
}

// queueModel is what the contract says the store holds: six prospects in
// two workspaces and their follow-up jobs. Each operation is applied to the
// store and the model, and the store's answers are checked against it.
type queueModel struct {
	t         *testing.T
	s         coach.Store
	prospects []coach.Prospect
	saved     []bool
	jobs      map[string]*modelJob // by job key
	byKey     map[string]int       // job key → index in prospects
	now       time.Time
	log       []string // what happened, printed on failure
}

func newQueueModel(t *testing.T, s coach.Store) *queueModel {
	m := &queueModel{t: t, s: s, jobs: map[string]*modelJob{}, byKey: map[string]int{}, now: t0}
	for _, team := range []string{"T1", "T2"} {
		for i := range 3 {
			m.prospects = append(m.prospects, prospect(team, fmt.Sprint("p", i), "U1"))
		}
	}
	for i, p := range m.prospects {
		m.byKey[coach.FollowUpKey(p.Workspace, p.ID)] = i
		m.jobs[coach.FollowUpKey(p.Workspace, p.ID)] = &modelJob{}
	}
	m.saved = make([]bool, len(m.prospects))
	return m
}

func (m *queueModel) fail(format string, args ...any) {
	m.t.Helper()
	m.t.Fatalf("after:\n  %s\n%s", joinLines(m.log), fmt.Sprintf(format, args...))
}

func (m *queueModel) key(i int) string {
	return coach.FollowUpKey(m.prospects[i].Workspace, m.prospects[i].ID)
}

// save saves prospect i with its FollowUpAt cleared, kept or moved. A
// moved or new follow-up is a fresh job; a kept one keeps its lease.
func (m *queueModel) save(i int, r *rand.Rand) {
	key, p := m.key(i), m.prospects[i]
	if m.saved[i] {
		p = next(p)
	}
	old := p.FollowUpAt
	switch r.IntN(4) {
	case 0:
		p.FollowUpAt = time.Time{}
	case 1: // unchanged
	default:
		p.FollowUpAt = m.now.Add(time.Duration(r.IntN(60)-20) * time.Minute)
	}
	p.Asks++
	if err := m.s.Save(ctx(), p); err != nil {
		m.fail("Save %s v%d: %v", key, p.Version, err)
	}
	m.log = append(m.log, fmt.Sprintf("t0%+v Save %s follow-up %s", m.now.Sub(t0), key, rel(p.FollowUpAt)))
	m.prospects[i], m.saved[i] = p, true
	j := m.jobs[key]
	switch {
	case p.FollowUpAt.IsZero():
		*j = modelJob{}
	case p.FollowUpAt.Equal(old) && j.present: // keeps its lease
	default:
		*j = modelJob{present: true}
	}
}

// claim claims up to max due jobs for lease and checks each one claimed,
// and that none left out was claimable.
func (m *queueModel) claim(max int, lease time.Duration) {
	got, err := m.s.ClaimDue(ctx(), m.now, lease, max)
	if err != nil {
		m.fail("ClaimDue: %v", err)
	}
	m.log = append(m.log, fmt.Sprintf("t0%+v ClaimDue(lease %s, max %d) = %s", m.now.Sub(t0), lease, max, jobsString(got)))
	claimed := map[string]bool{}
	for _, c := range got {
		m.checkClaimed(c, claimed)
		claimed[c.Key] = true
		m.jobs[c.Key].leaseEnd = m.now.Add(lease)
	}
	if len(got) > max {
		m.fail("ClaimDue returned %d jobs, max %d", len(got), max)
	}
	if len(got) < max {
		for key, j := range m.jobs {
			p := m.prospects[m.byKey[key]]
			if j.present && !claimed[key] && !p.FollowUpAt.After(m.now) && !j.leaseEnd.After(m.now) {
				m.fail("ClaimDue left out %s, due %s, lease ended %s", key, rel(p.FollowUpAt), rel(j.leaseEnd))
			}
		}
	}
}

// checkClaimed checks that c was claimable: a job the model holds, due, not
// leased, not already claimed in this call.
func (m *queueModel) checkClaimed(c coach.Job, claimed map[string]bool) {
	m.t.Helper()
	pi, ok := m.byKey[c.Key]
	if !ok {
		m.fail("claimed unknown job %s", c.Key)
	}
	p, j := m.prospects[pi], m.jobs[c.Key]
	switch {
	case p.FollowUpAt.IsZero():
		m.fail("claimed %s, whose prospect has no FollowUpAt", c.Key)
	case !j.present:
		m.fail("claimed %s, which is done", c.Key)
	case !c.Due.Equal(p.FollowUpAt):
		m.fail("claimed %s due %s, but FollowUpAt is %s", c.Key, rel(c.Due), rel(p.FollowUpAt))
	case c.Due.After(m.now):
		m.fail("claimed %s due %s, after now", c.Key, rel(c.Due))
	case j.leaseEnd.After(m.now):
		m.fail("claimed %s, whose lease runs until %s", c.Key, rel(j.leaseEnd))
	case claimed[c.Key]:
		m.fail("claimed %s twice in one call", c.Key)
	}
}

func (m *queueModel) done(i int) {
	key := m.key(i)
	if err := m.s.Done(ctx(), key); err != nil {
		m.fail("Done %s: %v", key, err)
	}
	m.log = append(m.log, fmt.Sprintf("t0%+v Done %s", m.now.Sub(t0), key))
	*m.jobs[key] = modelJob{}
}

func (m *queueModel) release(i int) {
	key := m.key(i)
	if err := m.s.Release(ctx(), key); err != nil {
		m.fail("Release %s: %v", key, err)
	}
	m.log = append(m.log, fmt.Sprintf("t0%+v Release %s", m.now.Sub(t0), key))
	m.jobs[key].leaseEnd = time.Time{}
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
