package bot

import "testing"

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
