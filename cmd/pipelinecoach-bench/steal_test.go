package main

import (
	"testing"
	"time"
)

const statSample = `cpu  292797 0 8663 48085 249 0 978 30 0 0
cpu0 146278 0 4189 24427 26 0 456 14 0 0
cpu1 146519 0 4473 23657 223 0 522 16 0 0
intr 1 2 3
`

func TestParseStealSumsTheCPUsAsked(t *testing.T) {
	for _, tc := range []struct {
		cpus []int
		want time.Duration
	}{
		{[]int{1}, 160 * time.Millisecond},
		{[]int{0, 1}, 300 * time.Millisecond},
	} {
		got, err := parseSteal([]byte(statSample), tc.cpus)
		if err != nil || got != tc.want {
			t.Errorf("CPUs %v: %v, %v; want %v", tc.cpus, got, err, tc.want)
		}
	}
}

func TestParseStealRefusesWhatItCannotRead(t *testing.T) {
	if _, err := parseSteal([]byte(statSample), []int{2}); err == nil {
		t.Error("a CPU /proc/stat does not list was read as no steal")
	}
	if _, err := parseSteal([]byte("cpu1 1 2 3 4\n"), []int{1}); err == nil {
		t.Error("a line without the steal column was read")
	}
}

func TestStealShare(t *testing.T) {
	if got := stealShare(300*time.Millisecond, 10*time.Second, 2); got != "15.0 ms a second" {
		t.Errorf("got %q", got)
	}
	if got := stealShare(0, 0, 1); got != "—" {
		t.Errorf("no time: got %q", got)
	}
}
