package phrase

import (
	"slices"
	"strings"
	"testing"
)

// Numbers, times and dates a reply holds are read or reported, never
// dropped: for reps writing the English way and the European way.
func TestParseReplyUnplaced(t *testing.T) {
	for _, zone := range []string{"Europe/Berlin", "America/New_York"} {
		loc := mustLoad(t, zone)
		now := wednesday(loc)
		tests := []struct {
			in       string
			answer   Answer
			when     string // "2006-01-02 15:04"; "" for none
			whenText string
			unplaced string // space-joined
		}{
			{"yes, thu 10", Yes, "2026-11-26 10:00", "thu 10", ""},
			{"yes thu 10", Yes, "2026-11-26 10:00", "thu 10", ""},
			{"yes tomorrow 9", Yes, "2026-11-26 09:00", "tomorrow 9", ""},
			{"yes next tuesday at 3", Yes, "2026-12-01 15:00", "next tuesday at 3", ""},
			{"booked tue 1", Yes, "2026-12-01 13:00", "tue 1", ""},
			{"Yes, Thu 3pm.", Yes, "2026-11-26 15:00", "Thu 3pm", ""},
			{"yes thu eod", Yes, "2026-11-26 17:00", "thu eod", ""},
			{"yes, 2026-12-03 10:00", Yes, "2026-12-03 10:00", "2026-12-03 10:00", ""},
			// cut short or left over: asked back
			{"yes thu morning", Yes, "2026-11-26 09:00", "thu", "morning"},
			{"yes 10", Yes, "", "", "10"},
			{"yes thu 10 or 11", Yes, "2026-11-26 10:00", "thu 10", "11"},
			{"yes thu 10am or fri 2pm", Yes, "2026-11-27 14:00", "fri 2pm", "thu 10am"},
			{"yes, 25,000 thu 10am", Yes, "2026-11-26 10:00", "thu 10am", "25,000"},
			{"yes 3 people thu 10am", Yes, "2026-11-26 10:00", "thu 10am", "3"},
			{"yes 25:00", Yes, "", "", "25:00"},
			{"yes, 12/03 10am", Yes, "2026-11-25 10:00", "10am", "12/03"},
			{"yes 3.12. 10 Uhr", Yes, "2026-12-03 10:00", "3.12. 10", ""},
			{"yes, 3.12.", Yes, "2026-12-03 09:00", "3.12.", ""},
			{"yes 3.12 10am", Yes, "2026-11-25 10:00", "10am", "3.12"},
			{"not yet, tue 10am", NotYet, "", "", "tue 10am"},
			{"not yet, tomorrow", NotYet, "", "", "tomorrow"},
			{"no, lost it on 2026-11-20", No, "", "", "2026-11-20"},
			{"hmm 5", Unclear, "", "", "5"},
			// words that are only sometimes dates, away from a date, stay words
			{"good morning! yes booked thu 10am", Yes, "2026-11-26 10:00", "thu 10am", ""},
			{"yes, with Jan, thu 10am", Yes, "2026-11-26 10:00", "thu 10am", ""},
			{"yes I sat with them, fri 11", Yes, "2026-11-27 11:00", "fri 11", ""},
			{"yep <@U0123ABC> thu 10am", Yes, "2026-11-26 10:00", "thu 10am", ""},
			{"yes have a 2nd meeting thu 10am", Yes, "2026-11-26 10:00", "thu 10am", ""},
			{":+1: thu 2pm", Yes, "2026-11-26 14:00", "thu 2pm", ""},
		}
		for _, tt := range tests {
			r := ParseReply(tt.in, now, loc)
			when := ""
			if r.HasWhen {
				when = r.When.Format("2006-01-02 15:04")
			}
			if r.Answer != tt.answer || when != tt.when || r.WhenText != tt.whenText || strings.Join(r.Unplaced, " ") != tt.unplaced {
				t.Errorf("%s: ParseReply(%q) = %v %q from %q, unplaced %q; want %v %q from %q, unplaced %q",
					zone, tt.in, r.Answer, when, r.WhenText, r.Unplaced, tt.answer, tt.when, tt.whenText, tt.unplaced)
			}
			if !slices.Equal(r.Unplaced, strings.Fields(tt.unplaced)) {
				t.Errorf("%s: ParseReply(%q).Unplaced = %q", zone, tt.in, r.Unplaced)
			}
		}
	}
}

func TestLooksLikeDate(t *testing.T) {
	for w, want := range map[string]bool{
		"12/01": true, "3.12.": true, "03.12.2026": true, "14:30": true, "25:00": true, "3pm": true,
		"2026-12-01": true, "tue": true, "Tomorrow": true, "noon": true,
		"3M": false, "54": false, "Monday.com": false, "1.5": true, "Acme": false, "2026": false, "v2.0.1": false, "": false,
	} {
		if got := LooksLikeDate(w); got != want {
			t.Errorf("LooksLikeDate(%q) = %v, want %v", w, got, want)
		}
	}
}
