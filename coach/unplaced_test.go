package coach_test

import (
	"slices"
	"testing"

	"pipelinecoach/coach"
)

func TestUnplaced(t *testing.T) {
	p := coach.Prospect{Account: "3M Deutschland", Contact: "Jan 2"}
	tests := []struct{ in, want []string }{
		{[]string{"3M"}, nil},
		{[]string{"3m", "10"}, []string{"10"}},
		{[]string{"2"}, nil},
		{[]string{"tue", "10am"}, []string{"tue", "10am"}},
		{[]string{"25,000"}, []string{"25,000"}},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := coach.Unplaced(tt.in, p); !slices.Equal(got, tt.want) {
			t.Errorf("Unplaced(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
