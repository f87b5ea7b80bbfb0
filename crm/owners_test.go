package crm_test

import (
	"context"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/crm"
)

// A user found by email is remembered for an hour, none found for a
// minute, whatever the case the email is written in.
func TestOwnersRemembered(t *testing.T) {
	var o crm.Owners
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	if _, known := o.Lookup("rita@example.com", t0); known {
		t.Fatal("an email never looked up is known")
	}
	o.Remember("Rita@Example.com", "U-1", t0)
	o.Remember("omar@example.com", "", t0)
	check := func(email string, at time.Time, wantID string, wantKnown bool) {
		t.Helper()
		if id, known := o.Lookup(email, at); id != wantID || known != wantKnown {
			t.Errorf("Lookup(%s) at +%s = %q, %v; want %q, %v", email, at.Sub(t0), id, known, wantID, wantKnown)
		}
	}
	check("rita@example.com", t0.Add(59*time.Minute), "U-1", true)
	check("rita@example.com", t0.Add(crm.OwnerFor), "", false)
	check("OMAR@example.com", t0.Add(59*time.Second), "", true)
	check("omar@example.com", t0.Add(crm.NoOwnerFor), "", false)
}

// Deals are written size at a time, and each result lands at its deal.
func TestInBatches(t *testing.T) {
	deals := make([]coach.Deal, 5)
	for i := range deals {
		deals[i].Key = string(rune('a' + i))
	}
	var sizes []int
	out := crm.InBatches(context.Background(), deals, 2, func(_ context.Context, batch []coach.Deal, out []coach.SyncResult) {
		sizes = append(sizes, len(batch))
		for i, d := range batch {
			out[i].ID = "id-" + d.Key
		}
	})
	if len(sizes) != 3 || sizes[0] != 2 || sizes[2] != 1 {
		t.Errorf("batches of %v; want 2, 2, 1", sizes)
	}
	for i, r := range out {
		if r.ID != "id-"+deals[i].Key {
			t.Errorf("result %d = %q; want id-%s", i, r.ID, deals[i].Key)
		}
	}
}
