package crm_test

import (
	"testing"
	"time"

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
