package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"pipelinecoach/coach"
)

// testValidate: a store writes no prospect and no team that fails its
// Validate, and says so with coach.ErrInvalid.
func testValidate(t *testing.T, newStore func(t *testing.T) coach.Store) {
	s := newStore(t)
	ctx := context.Background()
	longTitle := prospect("T1", "p1", "U1")
	longTitle.Calendar = &coach.CalendarMeeting{EventID: "ev1", Start: t0, Title: strings.Repeat("x", coach.MaxEventTitleLen+1)}
	noEvent := prospect("T1", "p1", "U1")
	noEvent.NextMeeting = &coach.CalendarMeeting{Start: t0}
	for name, p := range map[string]coach.Prospect{
		"no workspace":                  prospect("", "p1", "U1"),
		"no id":                         prospect("T1", "", "U1"),
		"no owner":                      prospect("T1", "p1", ""),
		"a calendar title uncut":        longTitle,
		"a later meeting with no event": noEvent,
	} {
		if p.Validate() == nil {
			t.Fatalf("%s: coach.Prospect.Validate accepts it", name)
		}
		if err := s.Save(ctx, p); !errors.Is(err, coach.ErrInvalid) {
			t.Errorf("saving a prospect with %s: %v, want coach.ErrInvalid", name, err)
		}
	}
	if _, err := s.Prospect(ctx, "T1", "p1"); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("after refused saves, T1/p1 reads %v, want coach.ErrNotFound", err)
	}
	if ps, err := s.ProspectsOf(ctx, "T1", "U1"); err != nil || len(ps) != 0 {
		t.Errorf("after refused saves, U1 owns %d prospects (%v)", len(ps), err)
	}
	for name, tm := range map[string]coach.Team{"no workspace": team("", "M1", 1, "U1"), "no manager": team("T1", "", 1, "U1")} {
		if err := s.SaveTeam(ctx, tm); !errors.Is(err, coach.ErrInvalid) {
			t.Errorf("saving a team with %s: %v, want coach.ErrInvalid", name, err)
		}
	}
	if _, err := s.ManagerOf(ctx, "T1", "U1"); !errors.Is(err, coach.ErrNotFound) {
		t.Errorf("after refused team saves, U1's manager reads %v, want coach.ErrNotFound", err)
	}
}
