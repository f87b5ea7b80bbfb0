package phrase

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones for the tests, whatever the machine has
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

const layout = "2006-01-02 15:04 -0700"

// A Wednesday, 10:00 in the rep's zone.
func wednesday(loc *time.Location) time.Time {
	return time.Date(2026, 11, 25, 10, 0, 0, 0, loc)
}

func TestWhen(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := wednesday(berlin)
	if now.Weekday() != time.Wednesday {
		t.Fatalf("now is a %s", now.Weekday())
	}
	tests := []struct {
		in   string
		want string // layout in Berlin
	}{
		{"today 2pm", "2026-11-25 14:00 +0100"},
		{"today 14:00", "2026-11-25 14:00 +0100"},
		{"Today 2 PM", "2026-11-25 14:00 +0100"},
		{"tomorrow 10:00", "2026-11-26 10:00 +0100"},
		{"tomorrow at 10am", "2026-11-26 10:00 +0100"},
		{"  TOMORROW    at   10AM  ", "2026-11-26 10:00 +0100"},
		{"tmrw 10 a.m.", "2026-11-26 10:00 +0100"},
		{"10am tomorrow", "2026-11-26 10:00 +0100"},
		{"tomorrow", "2026-11-26 09:00 +0100"},
		{"mon 9am", "2026-11-30 09:00 +0100"},
		{"monday 9:30am", "2026-11-30 09:30 +0100"},
		{"Monday 9:30 am", "2026-11-30 09:30 +0100"},
		{"tue 10am", "2026-12-01 10:00 +0100"},
		{"tues 10am", "2026-12-01 10:00 +0100"},
		{"next tue 10am", "2026-12-01 10:00 +0100"},
		{"on tuesday at 10am", "2026-12-01 10:00 +0100"},
		{"thu", "2026-11-26 09:00 +0100"},
		{"next thu", "2026-11-26 09:00 +0100"},
		{"thursday 2pm", "2026-11-26 14:00 +0100"},
		{"fri", "2026-11-27 09:00 +0100"},
		{"this fri 4pm", "2026-11-27 16:00 +0100"},
		{"sat 11:00", "2026-11-28 11:00 +0100"},
		{"sunday", "2026-11-29 09:00 +0100"},
		// bare weekday = today only while that time is still ahead
		{"wed 2pm", "2026-11-25 14:00 +0100"},
		{"wed 10:01", "2026-11-25 10:01 +0100"},
		{"wed 10:00", "2026-12-02 10:00 +0100"},
		{"wed 9am", "2026-12-02 09:00 +0100"},
		{"wed", "2026-12-02 09:00 +0100"},
		{"this wed 2pm", "2026-11-25 14:00 +0100"},
		// next = in the 7 days after today
		{"next wed 2pm", "2026-12-02 14:00 +0100"},
		{"next mon", "2026-11-30 09:00 +0100"},
		// last = in the 7 days before today
		{"last wed 2pm", "2026-11-18 14:00 +0100"},
		{"last tue", "2026-11-24 09:00 +0100"},
		{"last thu 3pm", "2026-11-19 15:00 +0100"},
		{"last mon", "2026-11-23 09:00 +0100"},
		{"yesterday 3pm", "2026-11-24 15:00 +0100"},
		{"yesterday", "2026-11-24 09:00 +0100"},
		{"2026-12-01 14:30", "2026-12-01 14:30 +0100"},
		{"2026-12-01 2:30pm", "2026-12-01 14:30 +0100"},
		{"2026-12-01 at 2:30 pm", "2026-12-01 14:30 +0100"},
		{"2026-12-01", "2026-12-01 09:00 +0100"},
		{"2026-1-5", "2026-01-05 09:00 +0100"},
		{"2024-02-29 08:00", "2024-02-29 08:00 +0100"},
		{"2026-07-01 12:00", "2026-07-01 12:00 +0200"},
		{"dec 1 2pm", "2026-12-01 14:00 +0100"},
		{"Dec 1, 2pm", "2026-12-01 14:00 +0100"},
		{"dec. 1 2pm", "2026-12-01 14:00 +0100"},
		{"1 dec 14:00", "2026-12-01 14:00 +0100"},
		{"december 1st at 2pm", "2026-12-01 14:00 +0100"},
		{"December 1st, 2026 at 2pm", "2026-12-01 14:00 +0100"},
		{"1st december 2027", "2027-12-01 09:00 +0100"},
		{"dec 1 2026", "2026-12-01 09:00 +0100"},
		{"sept 22nd", "2026-09-22 09:00 +0200"},
		{"nov 3rd 16:15", "2026-11-03 16:15 +0100"},
		// no year: the closest to today
		{"jan 5", "2027-01-05 09:00 +0100"},
		{"nov 1", "2026-11-01 09:00 +0100"},
		{"may 20", "2027-05-20 09:00 +0200"},
		{"may 1", "2027-05-01 09:00 +0200"},
		{"jun 1", "2026-06-01 09:00 +0200"},
		{"noon", "2026-11-25 12:00 +0100"},
		{"today noon", "2026-11-25 12:00 +0100"},
		{"tomorrow at noon", "2026-11-26 12:00 +0100"},
		{"midnight", "2026-11-25 00:00 +0100"},
		{"in 2 hours", "2026-11-25 12:00 +0100"},
		{"in 2h", "2026-11-25 12:00 +0100"},
		{"in an hour", "2026-11-25 11:00 +0100"},
		{"in 30 min", "2026-11-25 10:30 +0100"},
		{"in 90 minutes", "2026-11-25 11:30 +0100"},
		{"in 3 days", "2026-11-28 10:00 +0100"},
		{"in 3d", "2026-11-28 10:00 +0100"},
		{"in a day", "2026-11-26 10:00 +0100"},
		{"in 3 days at 2pm", "2026-11-28 14:00 +0100"},
		{"in 2 weeks", "2026-12-09 10:00 +0100"},
		{"3 days ago", "2026-11-22 10:00 +0100"},
		{"3d ago", "2026-11-22 10:00 +0100"},
		{"2 hours ago", "2026-11-25 08:00 +0100"},
		{"now", "2026-11-25 10:00 +0100"},
		{"NOW", "2026-11-25 10:00 +0100"},
		// a time alone is today, even when already past
		{"2pm", "2026-11-25 14:00 +0100"},
		{"14:00", "2026-11-25 14:00 +0100"},
		{"9am", "2026-11-25 09:00 +0100"},
		{"12am", "2026-11-25 00:00 +0100"},
		{"12pm", "2026-11-25 12:00 +0100"},
		{"12:30am", "2026-11-25 00:30 +0100"},
		{"0:00", "2026-11-25 00:00 +0100"},
		{"23:59", "2026-11-25 23:59 +0100"},
		{"at 9", ""},
	}
	for _, tt := range tests {
		got, err := When(tt.in, now, berlin)
		if tt.want == "" {
			if err == nil {
				t.Errorf("When(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("When(%q): %v", tt.in, err)
			continue
		}
		if s := got.Format(layout); s != tt.want {
			t.Errorf("When(%q) = %s, want %s", tt.in, s, tt.want)
		}
		if got.Location() != berlin {
			t.Errorf("When(%q) is in %v, want Europe/Berlin", tt.in, got.Location())
		}
	}
}

func TestWhenErrors(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := wednesday(berlin)
	tests := []struct {
		in   string
		want string // in the message
	}{
		{"", "nothing typed"},
		{"   ", "nothing typed"},
		{"abc", `"abc" is not a day or a time`},
		{"tomorrow abc", `"abc"`},
		{"2026-02-30", "February 2026 has 28 days"},
		{"2026-02-29", "February 2026 has 28 days"},
		{"2026-13-01", "month must be 01 to 12"},
		{"2026-00-10", "month must be 01 to 12"},
		{"2026-04-31 10:00", "April 2026 has 30 days"},
		{"1969-12-31", "year must be between"},
		{"25:00", "hours go up to 23"},
		{"24:00", "hours go up to 23"},
		{"14:60", "minutes go up to 59"},
		{"13pm", "1 to 12"},
		{"0am", "1 to 12"},
		{"14:00pm", "1 to 12"},
		{"2:5pm", "not a time"},
		{"123pm", "not a time"},
		{"12/01 14:30", "month/day or day/month"},
		{"12/01", "month/day or day/month"},
		{"1/12/2026", "month/day or day/month"},
		{"tomorrow tomorrow", "two days"},
		{"tomorrow mon", "two days"},
		{"2026-12-01 dec 2", "two days"},
		{"2pm 3pm", "two times"},
		{"noon 2pm", "two times"},
		{"now 2pm", "stand alone"},
		{"now tomorrow", "stand alone"},
		{"in 2 hours tomorrow", "stand alone"},
		{"in 2 hours in 3 hours", "two time spans"},
		{"next", "needs a weekday"},
		{"next week", "needs a weekday"},
		{"last month", "needs a weekday"},
		{"14", "needs am/pm or minutes"},
		{"9", "needs am/pm or minutes"},
		{"dec", "needs a day of the month"},
		{"dec 32", "needs a day of the month"},
		{"31 feb", "has no day 31"},
		{"feb 29", "has no day 29"},
		{"feb 29 2027", "February 2027 has 28 days"},
		{"dec 1 1492", "year must be between"},
		{"in", `"in" needs a time span`},
		{"in 2", "needs a unit"},
		{"in 2 fortnights", "not a time span"},
		{"in x hours", "not a whole number"},
		{"in 99999 days", "too far away"},
		{"in 999999 hours", "too far away"},
		{"3 days", `needs "in" before it`},
		{"at", "no day or time found"},
		{"at on for", "no day or time found"},
		{"am", "is not a day or a time"},
		{"pm tomorrow", "is not a day or a time"},
		{strings.Repeat("a", MaxLen+1), "too long"},
		{"monday.com", "is not a day or a time"},
	}
	for _, tt := range tests {
		got, err := When(tt.in, now, berlin)
		if err == nil {
			t.Errorf("When(%q) = %v, want an error", tt.in, got)
			continue
		}
		if !errors.Is(err, ErrDate) {
			t.Errorf("When(%q): %v does not wrap ErrDate", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("When(%q): %q does not say %q", tt.in, err, tt.want)
		}
	}
}

// Days count on the calendar across daylight-saving changes; hours count
// elapsed time.
func TestWhenDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		loc  *time.Location
		now  string // layout without offset, in loc
		in   string
		want string
	}{
		// Berlin springs forward on Sunday 2026-03-29 at 02:00.
		{berlin, "2026-03-28 10:00", "tomorrow 10:00", "2026-03-29 10:00 +0200"},
		{berlin, "2026-03-28 10:00", "in 1 day", "2026-03-29 10:00 +0200"},
		{berlin, "2026-03-28 10:00", "in 24 hours", "2026-03-29 11:00 +0200"},
		{berlin, "2026-03-28 10:00", "tomorrow 2:30am", "2026-03-29 03:30 +0200"},
		{berlin, "2026-03-28 10:00", "tomorrow 1:59am", "2026-03-29 01:59 +0100"},
		{berlin, "2026-03-28 10:00", "tomorrow 3:00am", "2026-03-29 03:00 +0200"},
		{berlin, "2026-03-28 10:00", "mon 9am", "2026-03-30 09:00 +0200"},
		{berlin, "2026-03-28 10:00", "in 3 days", "2026-03-31 10:00 +0200"},
		{berlin, "2026-03-30 10:00", "last sat 10am", "2026-03-28 10:00 +0100"},
		{berlin, "2026-03-30 10:00", "yesterday 10am", "2026-03-29 10:00 +0200"},
		{berlin, "2026-03-30 10:00", "2 days ago", "2026-03-28 10:00 +0100"},
		// Berlin falls back on Sunday 2026-10-25 at 03:00: 02:30 happens twice.
		{berlin, "2026-10-24 10:00", "tomorrow 10:00", "2026-10-25 10:00 +0100"},
		{berlin, "2026-10-24 10:00", "tomorrow 2:30am", "2026-10-25 02:30 +0200"},
		{berlin, "2026-10-24 10:00", "2026-10-25 02:30", "2026-10-25 02:30 +0200"},
		{berlin, "2026-10-24 10:00", "in 24 hours", "2026-10-25 09:00 +0100"},
		// New York springs forward on Sunday 2026-03-08 at 02:00.
		{ny, "2026-03-07 10:00", "tomorrow 10am", "2026-03-08 10:00 -0400"},
		{ny, "2026-03-07 10:00", "tomorrow 2:30am", "2026-03-08 03:30 -0400"},
		{ny, "2026-03-07 10:00", "sun 2:30am", "2026-03-08 03:30 -0400"},
		{ny, "2026-03-07 10:00", "in 24 hours", "2026-03-08 11:00 -0400"},
		// New York falls back on Sunday 2026-11-01 at 02:00: 01:30 happens twice.
		{ny, "2026-10-31 10:00", "tomorrow 10am", "2026-11-01 10:00 -0500"},
		{ny, "2026-10-31 10:00", "tomorrow 1:30am", "2026-11-01 01:30 -0400"},
		{ny, "2026-10-31 10:00", "in 24 hours", "2026-11-01 09:00 -0500"},
		{ny, "2026-10-31 10:00", "next sun 9am", "2026-11-01 09:00 -0500"},
		{ny, "2026-10-31 10:00", "in 1 week", "2026-11-07 10:00 -0500"},
		{ny, "2026-11-25 10:00", "today 2pm", "2026-11-25 14:00 -0500"},
	}
	for _, tt := range tests {
		now, err := time.ParseInLocation("2006-01-02 15:04", tt.now, tt.loc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := When(tt.in, now, tt.loc)
		if err != nil {
			t.Errorf("%s at %s: When(%q): %v", tt.loc, tt.now, tt.in, err)
			continue
		}
		if s := got.Format(layout); s != tt.want {
			t.Errorf("%s at %s: When(%q) = %s, want %s", tt.loc, tt.now, tt.in, s, tt.want)
		}
	}
}

func TestWhenNowIsToTheMinuteInLoc(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	now := time.Date(2026, 11, 25, 9, 0, 42, 123, time.UTC) // 10:00:42 in Berlin
	got, err := When("now", now, ny)
	if err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-25 04:00 -0500"; got.Format(layout) != want || got.Second() != 0 || got.Nanosecond() != 0 || got.Location() != ny {
		t.Errorf("now = %v, want %s to the minute", got, want)
	}
	// The rep's day, not the server's: 23:30 UTC is already tomorrow in Berlin.
	late := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC)
	got, err = When("today 2pm", late, berlin)
	if err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-26 14:00 +0100"; got.Format(layout) != want {
		t.Errorf("today 2pm = %s, want %s", got.Format(layout), want)
	}
	// A nil zone is UTC.
	got, err = When("tomorrow 10:00", late, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := "2026-11-26 10:00 +0000"; got.Format(layout) != want {
		t.Errorf("nil loc: %s, want %s", got.Format(layout), want)
	}
}
