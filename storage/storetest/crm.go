package storetest

import (
	"testing"
	"time"

	"pipelinecoach/coach"
)

// Save keeps the prospect's CRM job in step with CRM.SyncAt, apart from its
// follow-up job: the change and its CRM write are one atomic step.
func testCRMJob(t *testing.T, newStore func(t *testing.T) coach.Store) {
	due := t0.Add(time.Hour)
	crmJob := func(p coach.Prospect) coach.Job {
		return coach.Job{Key: coach.CRMKey(p.Workspace, p.ID), Due: p.CRM.SyncAt}
	}
	start := func(t *testing.T) (coach.Store, coach.Prospect) {
		s := newStore(t)
		p := prospect("T1", "p1", "U1")
		p.CRM.SyncAt = due
		save(t, s, p)
		return s, p
	}
	t.Run("due at SyncAt with the follow-up apart", func(t *testing.T) {
		s, p := start(t)
		p = next(p)
		p.FollowUpAt = due.Add(time.Minute)
		save(t, s, p)
		wantClaim(t, s, due.Add(-time.Millisecond), 10)
		wantClaim(t, s, due, 10, crmJob(p))
		wantClaim(t, s, due.Add(time.Minute), 10, followUp(p))
	})
	t.Run("cleared while claimed, the follow-up kept", func(t *testing.T) {
		s, p := start(t)
		wantClaim(t, s, due, 10, crmJob(p))
		p = next(p)
		p.CRM.SyncAt = time.Time{}
		p.CRM.ID = "deal-1"
		p.FollowUpAt = due.Add(2 * time.Hour)
		save(t, s, p)
		wantClaim(t, s, due.Add(100*lease), 10, followUp(p))
	})
	t.Run("moved later while claimed (a retry) is due then, not before", func(t *testing.T) {
		s, p := start(t)
		wantClaim(t, s, due, 10, crmJob(p))
		p = next(p)
		p.CRM.SyncAt = due.Add(30 * time.Second)
		save(t, s, p)
		wantClaim(t, s, due.Add(29*time.Second), 10)
		wantClaim(t, s, due.Add(30*time.Second), 10, crmJob(p))
	})
	t.Run("unchanged while claimed keeps the lease", func(t *testing.T) {
		s, p := start(t)
		wantClaim(t, s, due, 10, crmJob(p))
		p = next(p)
		p.Asks++
		save(t, s, p)
		wantClaim(t, s, due.Add(time.Minute), 10)
		wantClaim(t, s, due.Add(lease), 10, crmJob(p))
	})
	t.Run("the CRM state round-trips", func(t *testing.T) {
		s, p := start(t)
		p = next(p)
		p.CRM = coach.CRMLink{ID: "deal-9", SyncedAt: due, Attempts: 2, LastError: "503", Refused: "no user"}
		p.CloseDate = due.Add(90 * 24 * time.Hour)
		save(t, s, p)
		got := get(t, s, p.Workspace, p.ID)
		if got.CRM != p.CRM || !got.CloseDate.Equal(p.CloseDate) {
			t.Errorf("stored CRM %+v close %v, want %+v %v", got.CRM, got.CloseDate, p.CRM, p.CloseDate)
		}
	})
}
