package main

import (
	"math/rand/v2"
	"slices"
	"time"
)

// A p99 over 2,000 answers rests on its 20 slowest, and here those come in
// bursts (a host stall delays every answer queued behind it), so the ratio
// of two such p99s moves from run to run more than its two digits suggest:
// test 9 met its 1.5× in one run and missed it the next, same tree, same
// host. ratioInterval says how far the ratio of one run could move by
// chance: it draws each bot's turns again, whole turns with replacement
// (a burst stays inside its turn, so it is drawn or not as one), and
// takes the 5th and 95th percentiles of the ratios of the drawn p99s. It
// is information beside the ratio, not the verdict.

// turnSamples are one bot's times to answer of one kind, by the turn
// their envelopes were sent in.
type turnSamples [][]time.Duration

// byTurn groups k's times by the turn they were sent in: starts are the
// turns' start times, in order; a time sent before the first is dropped.
func byTurn(k *answerKind, starts []time.Time) turnSamples {
	out := make(turnSamples, len(starts))
	for i, d := range k.times {
		t, found := slices.BinarySearchFunc(starts, k.sent[i], func(s, at time.Time) int { return s.Compare(at) })
		if !found {
			t--
		}
		if t < 0 {
			continue
		}
		out[t] = append(out[t], d)
	}
	return slices.DeleteFunc(out, func(ds []time.Duration) bool { return len(ds) == 0 })
}

// ratioInterval is the 90 % interval of p99(ours) ÷ p99(base) over rounds
// draws of whole turns; ok is false when either has no turn.
func ratioInterval(ours, base turnSamples, rounds int, rng *rand.Rand) (lo, hi float64, ok bool) {
	if len(ours) == 0 || len(base) == 0 || rounds <= 0 {
		return 0, 0, false
	}
	ratios := make([]float64, rounds)
	var a, b []time.Duration
	for i := range ratios {
		a, b = drawTurns(a[:0], ours, rng), drawTurns(b[:0], base, rng)
		pb := p99(b)
		if pb <= 0 {
			return 0, 0, false
		}
		ratios[i] = float64(p99(a)) / float64(pb)
	}
	slices.Sort(ratios)
	return quantile(ratios, 0.05), quantile(ratios, 0.95), true
}

// drawTurns appends to dst as many turns of ts as it has, drawn with
// replacement.
func drawTurns(dst []time.Duration, ts turnSamples, rng *rand.Rand) []time.Duration {
	for range ts {
		dst = append(dst, ts[rng.IntN(len(ts))]...)
	}
	return dst
}

// p99 is newDist's p99 of ds, which it sorts.
func p99(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return quantile(ds, 0.99)
}
