package phrase

import (
	"errors"
	"strings"
	"testing"
)

// Bare hours after a day are read in the working day, for a rep in Berlin
// and one in New York alike; the parts of the day narrow them or are asked
// back.
func TestWhenBareHours(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "America/New_York"} {
		loc := mustLoad(t, zone)
		now := wednesday(loc) // Wed 2026-11-25 10:00
		tests := []struct {
			in   string
			want string // "2006-01-02 15:04" in loc; "" for an error
		}{
			{"thu 10", "2026-11-26 10:00"},
			{"Thu 10", "2026-11-26 10:00"},
			{"thursday at 10", "2026-11-26 10:00"},
			{"tomorrow 9", "2026-11-26 09:00"},
			{"tomorrow at 8", "2026-11-26 08:00"},
			{"next tuesday at 3", "2026-12-01 15:00"},
			{"tue 1", "2026-12-01 13:00"},
			{"tue 12", "2026-12-01 12:00"},
			{"tue 7", "2026-12-01 19:00"},
			{"tue 11", "2026-12-01 11:00"},
			{"tue 14", "2026-12-01 14:00"},
			{"tue 23", "2026-12-01 23:00"},
			{"dec 3 10", "2026-12-03 10:00"},
			{"2026-12-03 4", "2026-12-03 16:00"},
			{"10 tomorrow", "2026-11-26 10:00"},
			{"wed 11", "2026-11-25 11:00"}, // still ahead today
			{"wed 10", "2026-12-02 10:00"}, // now: next week
			// parts of the day narrow a bare hour
			{"thu morning 10", "2026-11-26 10:00"},
			{"thu 10 in the morning", "2026-11-26 10:00"},
			{"thu morning 7", "2026-11-26 07:00"},
			{"thu afternoon 4", "2026-11-26 16:00"},
			{"thu 4 in the afternoon", "2026-11-26 16:00"},
			{"thu afternoon 12", "2026-11-26 12:00"},
			{"thu evening 8", "2026-11-26 20:00"},
			{"tonight 8", "2026-11-25 20:00"},
			{"tomorrow morning 9:30", "2026-11-26 09:30"},
			{"thu 3pm in the afternoon", "2026-11-26 15:00"},
			{"this afternoon 3", "2026-11-25 15:00"},
			// stated words for times
			{"thu noon", "2026-11-26 12:00"},
			{"thu end of day", "2026-11-26 17:00"},
			{"tomorrow eod", "2026-11-26 17:00"},
			{"fri close of business", "2026-11-27 17:00"},
			{"fri end of the day", "2026-11-27 17:00"},
			// refused: asked back
			{"thu 0", ""},
			{"thu 24", ""},
			{"thu 99", ""},
			{"thu 123", ""},
			{"10", ""},
			{"at 3", ""},
			{"thu morning", ""},
			{"tomorrow afternoon", ""},
			{"tonight", ""},
			{"morning", ""},
			{"thu morning 3", ""},
			{"thu afternoon 9", ""},
			{"thu 9pm in the morning", ""},
			{"thu 10 2pm", ""},
			{"thu morning afternoon 3", ""},
		}
		for _, tt := range tests {
			got, err := When(tt.in, now, loc)
			if tt.want == "" {
				if err == nil {
					t.Errorf("%s: When(%q) = %v, want it asked back", zone, tt.in, got)
				} else if !errors.Is(err, ErrDate) {
					t.Errorf("%s: When(%q): %v does not wrap ErrDate", zone, tt.in, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: When(%q): %v", zone, tt.in, err)
				continue
			}
			if s := got.Format("2006-01-02 15:04"); s != tt.want {
				t.Errorf("%s: When(%q) = %s, want %s", zone, tt.in, s, tt.want)
			}
		}
	}
}

// What is asked back says what to write.
func TestWhenBareHourErrors(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := wednesday(berlin)
	tests := []struct{ in, want string }{
		{"10", `or a day before it, like "thu 10"`},
		{"thu morning", `"morning" is not a time: at what time?`},
		{"tonight", `"evening" is not a time`},
		{"thu 0", "of the working day (8 to 11 morning, 12 noon, 1 to 7 afternoon)"},
		{"thu morning 3", "in the morning (5 to 11)"},
		{"thu 9pm morning", `"9pm" is not in the morning`},
	}
	for _, tt := range tests {
		_, err := When(tt.in, now, berlin)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("When(%q): %v, want it to say %q", tt.in, err, tt.want)
		}
	}
}

// Dates as written in Berlin: day, month, dots.
func TestWhenDottedDates(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := wednesday(berlin)
	tests := []struct{ in, want string }{
		{"3.12. 10:00", "2026-12-03 10:00"},
		{"3.12. 10", "2026-12-03 10:00"},
		{"03.12.2026 14:30", "2026-12-03 14:30"},
		{"thu 3.12. 2pm", ""}, // two days
		{"3.12", ""},          // could be a time: asked back
		{"31.02.", ""},
		{"3.13.", ""},
		{"3.12.26", ""},
		{"1.1. 9am", "2027-01-01 09:00"},
	}
	for _, tt := range tests {
		got, err := When(tt.in, now, berlin)
		if tt.want == "" {
			if err == nil {
				t.Errorf("When(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Format("2006-01-02 15:04") != tt.want {
			t.Errorf("When(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}
