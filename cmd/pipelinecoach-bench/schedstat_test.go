package main

import (
	"errors"
	"maps"
	"os"
	"runtime"
	"testing"
	"time"
)

func TestParseSchedstat(t *testing.T) {
	w, err := parseSchedstat([]byte("10096609997 139368223467 46338\n"))
	if err != nil {
		t.Fatal(err)
	}
	if w.ran != 10096609997*time.Nanosecond || w.waited != 139368223467*time.Nanosecond {
		t.Fatalf("got %+v, want ran 10.096609997s, waited 2m19.368223467s", w)
	}
	for _, bad := range []string{"", "12", "x 12 1", "12 x 1"} {
		if _, err := parseSchedstat([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// The benchmark's own threads: the time on a CPU must grow as this test
// works, summed over every thread. It works until the count has grown by
// 10 ms, however busy the machine; a reader that counted nothing would
// never get there.
func TestProcessWaitCountsThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("schedstat is Linux's")
	}
	if _, err := os.Stat("/proc/self/schedstat"); err != nil {
		t.Skipf("this kernel keeps no schedstat: %v", err)
	}
	before, err := processWait(os.Getpid())
	if err != nil {
		t.Fatal(err) // the kernel keeps them: the reader is wrong
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		for end := time.Now().Add(time.Millisecond); time.Now().Before(end); {
		}
		after, err := processWait(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		var d cpuWait
		for _, w := range after.since(before) {
			d = d.add(w)
		}
		if d.ran >= 10*time.Millisecond {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("10 s of work counted as %v on a CPU", d.ran)
		}
	}
}

func TestPerEnvelope(t *testing.T) {
	ms := time.Millisecond
	w := threadWaits{
		1: {ran: 300 * ms, waited: 5 * ms},
		2: {ran: 20 * ms, waited: 150 * ms},
		3: {ran: 400 * ms, waited: 5 * ms},
		4: {}, // a thread that did nothing is left out
	}
	want := "on a CPU 720 µs (400 + 300 + 20), waiting for one 160 µs (5 + 5 + 150)"
	if got := w.perEnvelope(1000, nil); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := w.perEnvelope(0, nil); got != "no envelopes" {
		t.Errorf("no envelopes: got %q", got)
	}
	if got := w.perEnvelope(10, errors.New("no /proc")); got != "not measured (no /proc)" {
		t.Errorf("error: got %q", got)
	}
}

// A thread born between two readings counts from zero; the sum over
// readings keeps each thread apart.
func TestThreadWaitsSinceAndAdd(t *testing.T) {
	ms := time.Millisecond
	before := threadWaits{1: {ran: 10 * ms, waited: 1 * ms}}
	after := threadWaits{1: {ran: 15 * ms, waited: 3 * ms}, 2: {ran: 4 * ms, waited: 9 * ms}}
	sum := threadWaits{1: {ran: 1 * ms}}
	sum.add(after.since(before))
	want := threadWaits{1: {ran: 6 * ms, waited: 2 * ms}, 2: {ran: 4 * ms, waited: 9 * ms}}
	if !maps.Equal(sum, want) {
		t.Fatalf("got %v, want %v", sum, want)
	}
}
