package coach_test

import (
	"errors"
	"testing"

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
