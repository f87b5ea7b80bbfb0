package sender

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func testLimiter(o Options) *limiter { return newLimiter(o.withDefaults(), t0) }

func TestLaneReserveQueuesInOrder(t *testing.T) {
	l := testLimiter(Options{})
	keys := []string{channelPrefix + "C1"}
	var got []time.Duration
	for range 6 {
		got = append(got, l.reserve(keys, t0).at.Sub(t0))
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits = %v, want %v", got, want)
		}
	}
	// Tokens come back at the rate: 10 s later the bucket is full again.
	if d := l.reserve(keys, t0.Add(10*time.Second)).at.Sub(t0.Add(10 * time.Second)); d != 0 {
		t.Fatalf("after refill wait = %v", d)
	}
}

func TestCoolDownVoidsReservationsAndPaces(t *testing.T) {
	l := testLimiter(Options{})
	keys := []string{channelPrefix + "C1"}
	before := l.reserve(keys, t0)
	until := t0.Add(30 * time.Second)
	l.coolDown(channelPrefix+"C1", until, t0)
	if l.valid(before) {
		t.Fatal("reservation made before the cool-down is still valid")
	}
	l.cancel(before) // no refund into a reset bucket
	a := l.reserve(keys, t0)
	b := l.reserve(keys, t0)
	if !a.at.Equal(until) || !b.at.Equal(until.Add(time.Second)) {
		t.Fatalf("after cool-down: %v, %v; want %v and a second later", a.at.Sub(t0), b.at.Sub(t0), until.Sub(t0))
	}
	if !l.valid(a) || !l.valid(b) {
		t.Fatal("reservations made during the cool-down are void")
	}
	// A shorter cool-down does not shorten or void anything.
	l.coolDown(channelPrefix+"C1", t0.Add(time.Second), t0)
	if !l.valid(a) {
		t.Fatal("shorter cool-down voided a reservation")
	}
	// Other channels are not affected.
	if at := l.reserve([]string{channelPrefix + "C2"}, t0).at; !at.Equal(t0) {
		t.Fatalf("C2 waits %v", at.Sub(t0))
	}
}

func TestCancelRefunds(t *testing.T) {
	l := testLimiter(Options{})
	keys := []string{channelPrefix + "C1"}
	for range 3 {
		l.reserve(keys, t0)
	}
	r := l.reserve(keys, t0) // waits 1 s
	l.cancel(r)
	if d := l.reserve(keys, t0).at.Sub(t0); d != time.Second {
		t.Fatalf("after cancel the next waits %v, want 1s (the slot was given back)", d)
	}
}

func TestWorkspaceLaneSharedByChannels(t *testing.T) {
	l := testLimiter(Options{PostPerMinute: 30}) // 0.5/s, burst 3
	var last time.Duration
	for i := range 5 {
		keys := []string{channelPrefix + fmt.Sprint(i), workspaceKey}
		last = l.reserve(keys, t0).at.Sub(t0)
	}
	if last != 4*time.Second {
		t.Fatalf("5th post across channels waits %v, want 4s", last)
	}
}

func TestIdleChannelLanesEvicted(t *testing.T) {
	l := testLimiter(Options{})
	for i := range 1000 {
		l.reserve([]string{channelPrefix + fmt.Sprint(i)}, t0)
	}
	l.coolDown(channelPrefix+"hot", t0.Add(10*time.Minute), t0)
	if n := l.channelLanes(); n != 1001 {
		t.Fatalf("lanes = %d", n)
	}
	// Not yet idle long enough: nothing evicted.
	l.reserve([]string{channelPrefix + "x"}, t0.Add(30*time.Second))
	if n := l.channelLanes(); n != 1002 {
		t.Fatalf("lanes = %d, want none evicted yet", n)
	}
	l.reserve([]string{channelPrefix + "y"}, t0.Add(2*time.Minute))
	// Left: "hot" (cooling down), "x" (unused for 90 s) is evicted, "y" just created.
	if n := l.channelLanes(); n != 2 {
		t.Fatalf("lanes = %d, want 2 (the cooling one and the new one)", n)
	}
}
