package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// steadyTurns is n turns alike: each answers in 1–100 ms, times scale.
func steadyTurns(n int, scale time.Duration) turnSamples {
	ts := make(turnSamples, n)
	for i := range ts {
		for ms := 1; ms <= 100; ms++ {
			ts[i] = append(ts[i], time.Duration(ms)*scale)
		}
	}
	return ts
}

func TestByTurnGroupsBySendTime(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	starts := []time.Time{t0, t0.Add(2 * time.Second), t0.Add(6 * time.Second)}
	k := &answerKind{}
	send := func(at time.Duration, took time.Duration) {
		k.times = append(k.times, took)
		k.sent = append(k.sent, t0.Add(at))
	}
	send(-time.Second, 99)         // before the first turn: dropped
	send(0, 1)                     // at a turn's start: that turn
	send(1900*time.Millisecond, 2) // turn 0
	send(2*time.Second, 3)         // turn 1
	send(7*time.Second, 4)         // turn 2
	got := byTurn(k, starts)
	want := turnSamples{{1, 2}, {3}, {4}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("byTurn = %v, want %v", got, want)
	}
}

func TestRatioIntervalIsTightForSteadyTurns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi, ok := ratioInterval(steadyTurns(15, 2*time.Millisecond), steadyTurns(15, time.Millisecond), 500, rng)
	if !ok || lo < 1.9 || hi > 2.1 {
		t.Fatalf("ours twice the base in every turn: interval %.2f–%.2f (ok %v), want within 1.9–2.1", lo, hi, ok)
	}
}

// A burst in one turn of fifteen makes a run's ratio as much luck as
// measure: the interval must say so, spanning a turn drawn or not.
func TestRatioIntervalWidensForABurst(t *testing.T) {
	ours := steadyTurns(15, time.Millisecond)
	for range 30 {
		ours[7] = append(ours[7], 500*time.Millisecond)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lo, hi, ok := ratioInterval(ours, steadyTurns(15, time.Millisecond), 1000, rng)
	if !ok || lo > 1.05 || hi < 3 {
		t.Fatalf("one burst turn: interval %.2f–%.2f (ok %v), want from about 1 to over 3", lo, hi, ok)
	}
}

func TestRatioIntervalNeedsTurns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	if _, _, ok := ratioInterval(nil, steadyTurns(3, time.Millisecond), 10, rng); ok {
		t.Fatal("no turns of ours: want no interval")
	}
	if _, _, ok := ratioInterval(steadyTurns(3, time.Millisecond), turnSamples{}, 10, rng); ok {
		t.Fatal("no turns of the base: want no interval")
	}
}
