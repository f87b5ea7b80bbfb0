package coach

import (
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func TestWorkingHoursNext(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	ny := mustZone(t, "America/New_York")
	wh := DefaultWorkingHours
	everyDay := DefaultWorkingHours
	everyDay.Days = [7]bool{true, true, true, true, true, true, true}

	tests := []struct {
		name string
		wh   WorkingHours
		in   time.Time
		want time.Time
		// wantUTC, when set, pins the instant too, so a wrong offset shows.
		wantUTC time.Time
	}{
		{"before hours on a working day", wh,
			time.Date(2026, 11, 25, 7, 30, 0, 0, berlin), time.Date(2026, 11, 25, 9, 0, 0, 0, berlin), time.Time{}},
		{"at the start exactly", wh,
			time.Date(2026, 11, 25, 9, 0, 0, 0, berlin), time.Date(2026, 11, 25, 9, 0, 0, 0, berlin), time.Time{}},
		{"within hours stays", wh,
			time.Date(2026, 11, 25, 15, 15, 30, 7, berlin), time.Date(2026, 11, 25, 15, 15, 30, 7, berlin), time.Time{}},
		{"a minute before the end stays", wh,
			time.Date(2026, 11, 25, 17, 59, 0, 0, berlin), time.Date(2026, 11, 25, 17, 59, 0, 0, berlin), time.Time{}},
		{"at the end exactly moves to next morning", wh,
			time.Date(2026, 11, 25, 18, 0, 0, 0, berlin), time.Date(2026, 11, 26, 9, 0, 0, 0, berlin), time.Time{}},
		{"after hours moves to next morning", wh,
			time.Date(2026, 11, 25, 21, 0, 0, 0, berlin), time.Date(2026, 11, 26, 9, 0, 0, 0, berlin), time.Time{}},
		{"just after midnight moves to the same morning", wh,
			time.Date(2026, 11, 26, 0, 0, 1, 0, berlin), time.Date(2026, 11, 26, 9, 0, 0, 0, berlin), time.Time{}},
		{"saturday moves to monday", wh,
			time.Date(2026, 11, 28, 11, 0, 0, 0, berlin), time.Date(2026, 11, 30, 9, 0, 0, 0, berlin), time.Time{}},
		{"sunday moves to monday", wh,
			time.Date(2026, 11, 29, 23, 59, 0, 0, berlin), time.Date(2026, 11, 30, 9, 0, 0, 0, berlin), time.Time{}},
		{"friday evening moves to monday 09:00", wh,
			time.Date(2026, 11, 27, 19, 5, 0, 0, berlin), time.Date(2026, 11, 30, 9, 0, 0, 0, berlin), time.Time{}},
		{"friday evening before spring DST in Berlin", wh,
			time.Date(2026, 3, 27, 19, 0, 0, 0, berlin), time.Date(2026, 3, 30, 9, 0, 0, 0, berlin),
			time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)},
		{"friday evening before autumn DST in Berlin", wh,
			time.Date(2026, 10, 23, 19, 0, 0, 0, berlin), time.Date(2026, 10, 26, 9, 0, 0, 0, berlin),
			time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC)},
		{"the DST sunday itself, working every day, Berlin", everyDay,
			time.Date(2026, 3, 29, 1, 0, 0, 0, berlin), time.Date(2026, 3, 29, 9, 0, 0, 0, berlin),
			time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)},
		{"friday evening before spring DST in New York", wh,
			time.Date(2026, 3, 6, 19, 0, 0, 0, ny), time.Date(2026, 3, 9, 9, 0, 0, 0, ny),
			time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)},
		{"friday evening before autumn DST in New York", wh,
			time.Date(2026, 10, 30, 19, 0, 0, 0, ny), time.Date(2026, 11, 2, 9, 0, 0, 0, ny),
			time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)},
		{"the fall-back sunday itself, working every day, New York", everyDay,
			time.Date(2026, 11, 1, 1, 30, 0, 0, ny), time.Date(2026, 11, 1, 9, 0, 0, 0, ny),
			time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC)},
		{"empty Days is always working", WorkingHours{Start: 9 * time.Hour, End: 18 * time.Hour},
			time.Date(2026, 11, 28, 3, 0, 0, 0, berlin), time.Date(2026, 11, 28, 3, 0, 0, 0, berlin), time.Time{}},
		{"zero value is always working", WorkingHours{},
			time.Date(2026, 11, 28, 23, 0, 0, 0, berlin), time.Date(2026, 11, 28, 23, 0, 0, 0, berlin), time.Time{}},
		{"single working day a week ahead", WorkingHours{Start: 10 * time.Hour, End: 12 * time.Hour, Days: [7]bool{time.Wednesday: true}},
			time.Date(2026, 11, 25, 12, 0, 0, 0, berlin), time.Date(2026, 12, 2, 10, 0, 0, 0, berlin), time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.wh.Next(tc.in)
			if !got.Equal(tc.want) {
				t.Errorf("Next(%s) = %s, want %s", tc.in, got, tc.want)
			}
			if got.Location() != tc.in.Location() {
				t.Errorf("Next(%s) is in %s, want the input's zone %s", tc.in, got.Location(), tc.in.Location())
			}
			if !tc.wantUTC.IsZero() && !got.Equal(tc.wantUTC) {
				t.Errorf("Next(%s) = %s (%s UTC), want %s UTC", tc.in, got, got.UTC(), tc.wantUTC)
			}
			// Whatever comes out is inside the window (or the input, with no days).
			if tc.wh.Days != [7]bool{} {
				h := time.Duration(got.Hour())*time.Hour + time.Duration(got.Minute())*time.Minute
				if !tc.wh.Days[got.Weekday()] || h < tc.wh.Start || h >= tc.wh.End {
					t.Errorf("Next(%s) = %s is outside working hours", tc.in, got)
				}
				if got.Before(tc.in) {
					t.Errorf("Next(%s) = %s went back in time", tc.in, got)
				}
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	wh := DefaultWorkingHours
	tests := []struct {
		name string
		wh   WorkingHours
		in   time.Time
		n    int
		want time.Time
	}{
		{"wednesday +2 is friday", wh, time.Date(2026, 11, 25, 15, 15, 0, 0, berlin), 2, time.Date(2026, 11, 27, 15, 15, 0, 0, berlin)},
		{"thursday +2 skips the weekend", wh, time.Date(2026, 11, 26, 10, 0, 0, 0, berlin), 2, time.Date(2026, 11, 30, 10, 0, 0, 0, berlin)},
		{"friday +1 is monday", wh, time.Date(2026, 11, 27, 17, 59, 0, 0, berlin), 1, time.Date(2026, 11, 30, 17, 59, 0, 0, berlin)},
		{"friday +5 is next friday", wh, time.Date(2026, 11, 27, 9, 0, 0, 0, berlin), 5, time.Date(2026, 12, 4, 9, 0, 0, 0, berlin)},
		{"saturday +1 is monday", wh, time.Date(2026, 11, 28, 11, 0, 0, 0, berlin), 1, time.Date(2026, 11, 30, 11, 0, 0, 0, berlin)},
		{"landing after hours moves to the next morning", wh, time.Date(2026, 11, 25, 19, 0, 0, 0, berlin), 2, time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"zero days is just Next", wh, time.Date(2026, 11, 28, 11, 0, 0, 0, berlin), 0, time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"across spring DST keeps the wall clock", wh, time.Date(2026, 3, 27, 10, 0, 0, 0, berlin), 1, time.Date(2026, 3, 30, 10, 0, 0, 0, berlin)},
		{"across autumn DST keeps the wall clock", wh, time.Date(2026, 10, 23, 16, 0, 0, 0, berlin), 2, time.Date(2026, 10, 27, 16, 0, 0, 0, berlin)},
		{"no working days: calendar days", WorkingHours{}, time.Date(2026, 11, 27, 20, 0, 0, 0, berlin), 2, time.Date(2026, 11, 29, 20, 0, 0, 0, berlin)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.wh.AddWorkingDays(tc.in, tc.n)
			if !got.Equal(tc.want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

func TestParseWorkingHours(t *testing.T) {
	days := func(ds ...time.Weekday) [7]bool {
		var out [7]bool
		for _, d := range ds {
			out[d] = true
		}
		return out
	}
	ok := []struct {
		window, days string
		want         WorkingHours
	}{
		{"09:00-18:00", "Mon-Fri", DefaultWorkingHours},
		{" 09:00 - 18:00 ", " mon - fri ", DefaultWorkingHours},
		{"9:00-17:30", "Mon,Wed,Fri", WorkingHours{Start: 9 * time.Hour, End: 17*time.Hour + 30*time.Minute,
			Days: days(time.Monday, time.Wednesday, time.Friday)}},
		{"08:15-12:00", "Sat-Tue", WorkingHours{Start: 8*time.Hour + 15*time.Minute, End: 12 * time.Hour,
			Days: days(time.Saturday, time.Sunday, time.Monday, time.Tuesday)}},
		{"00:00-23:59", "Sunday", WorkingHours{Start: 0, End: 23*time.Hour + 59*time.Minute, Days: days(time.Sunday)}},
		{"10:00-16:00", "Mo-We,Fr", WorkingHours{Start: 10 * time.Hour, End: 16 * time.Hour,
			Days: days(time.Monday, time.Tuesday, time.Wednesday, time.Friday)}},
		{"10:00-16:00", "Thursday,,", WorkingHours{Start: 10 * time.Hour, End: 16 * time.Hour, Days: days(time.Thursday)}},
		{"10:00-16:00", "Fri-Fri", WorkingHours{Start: 10 * time.Hour, End: 16 * time.Hour, Days: days(time.Friday)}},
	}
	for _, tc := range ok {
		t.Run(tc.window+" "+tc.days, func(t *testing.T) {
			got, err := ParseWorkingHours(tc.window, tc.days)
			if err != nil {
				t.Fatalf("ParseWorkingHours(%q, %q): %v", tc.window, tc.days, err)
			}
			if got != tc.want {
				t.Errorf("ParseWorkingHours(%q, %q) = %+v, want %+v", tc.window, tc.days, got, tc.want)
			}
		})
	}

	bad := []struct{ window, days string }{
		{"", "Mon-Fri"},
		{"09:00", "Mon-Fri"},
		{"0900-1800", "Mon-Fri"},
		{"9-18", "Mon-Fri"},
		{"09:00-25:00", "Mon-Fri"},
		{"09:60-18:00", "Mon-Fri"},
		{"18:00-09:00", "Mon-Fri"},
		{"09:00-09:00", "Mon-Fri"},
		{"09:00-18:00-20:00", "Mon-Fri"},
		{"nine-six", "Mon-Fri"},
		{"09:00-18:00", ""},
		{"09:00-18:00", " , "},
		{"09:00-18:00", "Funday"},
		{"09:00-18:00", "M"},
		{"09:00-18:00", "T-F"},
		{"09:00-18:00", "Mon-"},
		{"09:00-18:00", "-Fri"},
		{"09:00-18:00", "Mon-Fri-Sat"},
		{"09:00-18:00", "Mon;Tue"},
	}
	for _, tc := range bad {
		t.Run("bad "+tc.window+" "+tc.days, func(t *testing.T) {
			got, err := ParseWorkingHours(tc.window, tc.days)
			if err == nil {
				t.Errorf("ParseWorkingHours(%q, %q) = %+v, want an error", tc.window, tc.days, got)
			}
		})
	}
}

func TestParseWait(t *testing.T) {
	tests := []struct {
		in      string
		want    Wait
		wantErr bool
	}{
		{"2d", Wait{WorkingDays: 2}, false},
		{"2", Wait{WorkingDays: 2}, false},
		{" 3d ", Wait{WorkingDays: 3}, false},
		{"1", Wait{WorkingDays: 1}, false},
		{"48h", Wait{Duration: 48 * time.Hour}, false},
		{"90m", Wait{Duration: 90 * time.Minute}, false},
		{"0", Wait{}, true},
		{"0d", Wait{}, true},
		{"-1d", Wait{}, true},
		{"-1", Wait{}, true},
		{"-48h", Wait{}, true},
		{"0h", Wait{}, true},
		{"abc", Wait{}, true},
		{"", Wait{}, true},
		{"d", Wait{}, true},
		{"2 days", Wait{}, true},
		{"1.5d", Wait{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseWait(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Errorf("ParseWait(%q) = %+v, want an error", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWait(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseWait(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestWaitAfter(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	wh := DefaultWorkingHours
	start := time.Date(2026, 11, 27, 16, 0, 0, 0, berlin) // Friday
	if got, want := (Wait{WorkingDays: 2}).After(wh, start), time.Date(2026, 12, 1, 16, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("2 working days after %s = %s, want %s", start, got, want)
	}
	if got, want := (Wait{Duration: 3 * time.Hour}).After(wh, start), time.Date(2026, 11, 30, 9, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("3h after %s = %s, want %s (moved into working hours)", start, got, want)
	}
	if got, want := (Wait{Duration: time.Hour}).After(wh, start), time.Date(2026, 11, 27, 17, 0, 0, 0, berlin); !got.Equal(want) {
		t.Errorf("1h after %s = %s, want %s", start, got, want)
	}
}

func TestFirstAsk(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	ny := mustZone(t, "America/New_York")
	tokyo := mustZone(t, "Asia/Tokyo")
	tm := DefaultTiming
	tests := []struct {
		name       string
		meetingEnd time.Time
		now        time.Time
		loc        *time.Location
		want       time.Time
	}{
		{"end + 30 min inside hours", time.Date(2026, 11, 25, 14, 45, 0, 0, berlin), time.Date(2026, 11, 25, 13, 0, 0, 0, berlin), berlin,
			time.Date(2026, 11, 25, 15, 15, 0, 0, berlin)},
		{"end + 30 min after 18:00 is next working morning", time.Date(2026, 11, 25, 17, 45, 0, 0, berlin), time.Date(2026, 11, 25, 13, 0, 0, 0, berlin), berlin,
			time.Date(2026, 11, 26, 9, 0, 0, 0, berlin)},
		{"end + 30 min exactly 18:00 is next working morning", time.Date(2026, 11, 25, 17, 30, 0, 0, berlin), time.Date(2026, 11, 25, 13, 0, 0, 0, berlin), berlin,
			time.Date(2026, 11, 26, 9, 0, 0, 0, berlin)},
		{"friday evening is monday morning", time.Date(2026, 11, 27, 18, 35, 0, 0, berlin), time.Date(2026, 11, 27, 17, 50, 0, 0, berlin), berlin,
			time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		{"early meeting waits for 09:00", time.Date(2026, 11, 25, 7, 45, 0, 0, berlin), time.Date(2026, 11, 25, 6, 0, 0, 0, berlin), berlin,
			time.Date(2026, 11, 25, 9, 0, 0, 0, berlin)},
		{"logged after it happened is asked now", time.Date(2026, 11, 24, 11, 45, 0, 0, berlin), time.Date(2026, 11, 25, 10, 20, 0, 0, berlin), berlin,
			time.Date(2026, 11, 25, 10, 20, 0, 0, berlin)},
		{"logged after it happened, in the evening, is asked next morning", time.Date(2026, 11, 24, 11, 45, 0, 0, berlin), time.Date(2026, 11, 25, 22, 0, 0, 0, berlin), berlin,
			time.Date(2026, 11, 26, 9, 0, 0, 0, berlin)},
		{"logged after it happened, on saturday, is asked monday", time.Date(2026, 11, 27, 11, 45, 0, 0, berlin), time.Date(2026, 11, 28, 10, 0, 0, 0, berlin), berlin,
			time.Date(2026, 11, 30, 9, 0, 0, 0, berlin)},
		// Times given in UTC, the rep elsewhere: hours are the rep's.
		{"UTC input, New York rep, inside NY hours", time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), ny,
			time.Date(2026, 11, 25, 15, 30, 0, 0, ny)},
		{"UTC input inside UTC hours, but after hours in Tokyo", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), tokyo,
			time.Date(2026, 11, 26, 9, 0, 0, 0, tokyo)},
		{"08:30 UTC is 03:30 in New York: wait for 09:00 there", time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC), ny,
			time.Date(2026, 11, 25, 9, 0, 0, 0, ny)},
		{"UTC input on friday night UTC is still friday afternoon in New York", time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), ny,
			time.Date(2026, 11, 27, 15, 30, 0, 0, ny)},
		{"UTC input on monday early UTC is still sunday in New York", time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC), time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), ny,
			time.Date(2026, 11, 30, 9, 0, 0, 0, ny)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tm.FirstAsk(tc.meetingEnd, tc.now, tc.loc)
			if !got.Equal(tc.want) {
				t.Errorf("FirstAsk(end %s, now %s, %s) = %s, want %s", tc.meetingEnd, tc.now, tc.loc, got, tc.want)
			}
			if got.Location() != tc.loc {
				t.Errorf("FirstAsk returned a time in %s, want the rep's zone %s", got.Location(), tc.loc)
			}
			if got.Before(tc.now) {
				t.Errorf("FirstAsk = %s is before now %s", got, tc.now)
			}
		})
	}
}

func TestNextAskSequence(t *testing.T) {
	for _, maxRem := range []int{0, 1, 2, 3} {
		tm := DefaultTiming
		tm.MaxReminders = maxRem
		p := Prospect{State: Awaiting}
		var kinds []AskKind
		for asks := 0; asks < maxRem+5; asks++ {
			p.Asks = asks
			ask, ok, quiet := tm.nextAsk(p)
			if !ok {
				if asks != maxRem+2 {
					t.Fatalf("MaxReminders %d: nothing to ask after %d asks, want the sequence to end after %d", maxRem, asks, maxRem+2)
				}
				if !quiet {
					t.Errorf("MaxReminders %d: after the close-out went unanswered, quiet = false", maxRem)
				}
				// Once marked quiet, nothing more: not asked, not marked again.
				p.QuietSince = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
				if ask, ok, quiet := tm.nextAsk(p); ok || quiet {
					t.Errorf("MaxReminders %d: gone quiet prospect got %+v ok=%v quiet=%v, want nothing", maxRem, ask, ok, quiet)
				}
				p.Asks += 10
				if ask, ok, quiet := tm.nextAsk(p); ok || quiet {
					t.Errorf("MaxReminders %d: long-quiet prospect got %+v ok=%v quiet=%v, want nothing", maxRem, ask, ok, quiet)
				}
				break
			}
			if quiet {
				t.Errorf("MaxReminders %d: quiet with a question to ask at %d asks", maxRem, asks)
			}
			if ask.N != asks+1 {
				t.Errorf("MaxReminders %d: ask after %d asks has N %d, want %d", maxRem, asks, ask.N, asks+1)
			}
			kinds = append(kinds, ask.Kind)
		}
		want := []AskKind{AskFirst}
		for range maxRem {
			want = append(want, AskReminder)
		}
		want = append(want, AskCloseOut)
		if len(kinds) != len(want) {
			t.Fatalf("MaxReminders %d: asked %v, want %v", maxRem, kinds, want)
		}
		for i := range want {
			if kinds[i] != want[i] {
				t.Errorf("MaxReminders %d: asked %v, want %v", maxRem, kinds, want)
				break
			}
		}
	}
}

func TestNextAskScheduledFirst(t *testing.T) {
	ask, ok, quiet := DefaultTiming.nextAsk(Prospect{State: Scheduled})
	if !ok || quiet || ask != (Ask{Kind: AskFirst, N: 1}) {
		t.Errorf("scheduled prospect: got %+v ok=%v quiet=%v, want the first ask", ask, ok, quiet)
	}
}

func TestNextAskDecidedNeverAsked(t *testing.T) {
	for _, s := range []State{Opportunity, Won, Lost} {
		for _, asks := range []int{0, 1, 3, 4} {
			ask, ok, quiet := DefaultTiming.nextAsk(Prospect{State: s, Asks: asks})
			if ok || quiet {
				t.Errorf("%s with %d asks: got %+v ok=%v quiet=%v, want nothing", s, asks, ask, ok, quiet)
			}
		}
	}
}

func TestLoadLocationFallsBackToUTC(t *testing.T) {
	if got := (Prospect{}).Location(); got != time.UTC {
		t.Errorf("no zone: %s, want UTC", got)
	}
	if got := (Prospect{TZ: "Mars/Olympus_Mons"}).Location(); got != time.UTC {
		t.Errorf("unknown zone: %s, want UTC", got)
	}
	if got := (Prospect{TZ: "Europe/Berlin"}).Location(); got.String() != "Europe/Berlin" {
		t.Errorf("Berlin: %s", got)
	}
	if ValidZone("Mars/Olympus_Mons") || !ValidZone("America/New_York") {
		t.Error("ValidZone disagrees with the zone database")
	}
}
