package main

import "testing"

// TestTripsLineIsReadApartFromTheLog: test 9 reports the line a bot writes
// as it exits, and shows the rest of its output as its warnings, so the line
// must be found and must not pass for a warning.
func TestTripsLineIsReadApartFromTheLog(t *testing.T) {
	logs := "a warning\n" + tripsLine + "p50 0.05 ms · p99 1.2 ms\nan error\n"
	if got, want := tripsOf(logs), "p50 0.05 ms · p99 1.2 ms"; got != want {
		t.Errorf("tripsOf = %q, want %q", got, want)
	}
	if got, want := withoutTrips(logs), "a warning\nan error\n"; got != want {
		t.Errorf("withoutTrips = %q, want %q", got, want)
	}
	if got := tripsOf("a warning\n"); got != "—" {
		t.Errorf("tripsOf without the line = %q, want —", got)
	}
	if got := withoutTrips(tripsLine + "p50 1 ms\n"); got != "" {
		t.Errorf("withoutTrips of the line alone = %q, want nothing", got)
	}
}
