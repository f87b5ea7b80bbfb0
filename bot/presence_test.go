package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
)

func TestStatusAway(t *testing.T) {
	tests := []struct {
		emoji, text string
		away        bool
	}{
		{":palm_tree:", "", true},
		{"", "On vacation until Monday", true},
		{"", "OOO", true},
		{"", "Out of office: back on the 3rd", true},
		{":face_with_thermometer:", "Off sick", true},
		{"", "PTO", true},
		{"", "In a meeting", false},
		{":spiral_calendar_pad:", "Busy", false},
		{"", "Booking holidays for the team", false},
		{"", "On holiday till Jan 5", true},
		{"", "looking at the woods", false}, // "ooo" inside a word is not out of office
		{"", "", false},
	}
	for _, tc := range tests {
		if got := statusAway(tc.emoji, tc.text); got != tc.away {
			t.Errorf("statusAway(%q, %q) = %v, want %v", tc.emoji, tc.text, got, tc.away)
		}
	}
}

type noDND struct{}

func (noDND) UserInfo(context.Context, string) (*slack.User, error) {
	return nil, errors.New("users.info must not be asked about a member the directory knows")
}
func (noDND) DNDInfo(context.Context, string) (*slack.DNDStatus, error) {
	return &slack.DNDStatus{}, nil
}

// A status changed on another replica reaches presence at once: it is read
// from the store, not from what this replica keeps of the directory (a
// status alone does not make replicas drop that).
func TestPresenceReadsAStatusSetElsewhere(t *testing.T) {
	ctx := context.Background()
	clock := coachtest.NewClock(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	store := coachtest.NewMemStore(clock.Now)
	here, elsewhere := coach.NewDirectory(store, clock), coach.NewDirectory(store, clock)
	rita := coach.Member{User: "U1", TZ: "Europe/Berlin", Updated: clock.Now().Add(-time.Hour)}
	if err := elsewhere.Learn(ctx, "T1", []coach.Member{rita}); err != nil {
		t.Fatal(err)
	}
	if _, found := here.Member(ctx, "T1", "U1"); !found {
		t.Fatal("U1 not found")
	}
	rita.StatusEmoji, rita.StatusText, rita.Updated = ":palm_tree:", "On vacation", clock.Now()
	if err := elsewhere.Learn(ctx, "T1", []coach.Member{rita}); err != nil {
		t.Fatal(err)
	}
	p := NewPresence(noDND{}, clock.Now)
	p.Members = here
	until, err := p.AwayUntil(ctx, "T1", "U1")
	if err != nil || !until.After(clock.Now()) {
		t.Errorf("AwayUntil = %v, %v; want away: the status was set on another replica", until, err)
	}
}
