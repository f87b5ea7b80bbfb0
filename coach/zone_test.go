package coach_test

import (
	"errors"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// TestOneZoneRule: a team's zone typed in Slack and DEFAULT_TIMEZONE from
// the environment follow the same rule.
func TestOneZoneRule(t *testing.T) {
	for zone, want := range map[string]bool{
		"Europe/Berlin": true, "UTC": true, "EST": true, "Etc/GMT+5": true, "America/Argentina/Buenos_Aires": true,
		"": false, "Local": false, "Mars/Olympus": false,
	} {
		if got := coach.ValidZone(zone); got != want {
			t.Errorf("ValidZone(%q) = %v, want %v", zone, got, want)
		}
		team, err := coach.Team{TZ: "UTC"}.SetZone(zone)
		var fe *coach.FieldError
		switch {
		case want && (err != nil || team.TZ != zone):
			t.Errorf("SetZone(%q) = %q, %v", zone, team.TZ, err)
		case !want && (!errors.As(err, &fe) || fe.Field != coach.FieldTimeZone || team.TZ != "UTC"):
			t.Errorf("SetZone(%q) = %q, %v, want a time zone field error", zone, team.TZ, err)
		}
	}
}

// Every answer checks its person's zone: after the first time, a zone is
// neither read from the zone database again nor allocated, and a name the
// database lacks is still refused however often it is asked.
func TestZonesLoadedOnce(t *testing.T) {
	if !coach.ValidZone("Asia/Kolkata") {
		t.Fatal("Asia/Kolkata refused")
	}
	if allocs := testing.AllocsPerRun(100, func() {
		coach.ValidZone("Asia/Kolkata")
		coach.ZoneLocation("Asia/Kolkata")
	}); allocs != 0 {
		t.Errorf("checking and loading a zone seen before allocates %.0f times; want none (the database read again)", allocs)
	}
	for range 3 {
		if coach.ValidZone("Mars/Olympus") || coach.ZoneLocation("Mars/Olympus") != time.UTC {
			t.Fatal("a zone the database lacks was taken, or not read as UTC")
		}
	}
	if loc := coach.ZoneLocation("Asia/Kolkata"); loc.String() != "Asia/Kolkata" {
		t.Errorf("ZoneLocation(Asia/Kolkata) = %s", loc)
	}
}
