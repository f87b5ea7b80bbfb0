package command

import "testing"

func TestDateAttempt(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme tomorrow 25pm", "tomorrow 25pm"},
		{"Acme 13pm", "13pm"},
		{"Acme blursday 10am", "10am"},
		{"Acme 32/13", "32/13"},
		{"Acme Corp", ""},
		{"Acme 2026-02-30 10:00 with Jane", "2026-02-30 10:00"},
		{"Next Inc", ""},
		{"Monday.com", ""},
		{"Acme thu morning", "thu morning"},
		{"Acme tomorrow afternoon", "tomorrow afternoon"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := DateAttempt(tc.in); got != tc.want {
			t.Errorf("DateAttempt(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
