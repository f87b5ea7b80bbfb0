package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestApplyProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))

	t.Setenv("GOMAXPROCS", "")
	runtime.GOMAXPROCS(4)
	if got := applyProcs(); got != defaultProcs || runtime.GOMAXPROCS(0) != defaultProcs {
		t.Fatalf("GOMAXPROCS unset: %d Ps, want the default %d", got, defaultProcs)
	}

	// The runtime read GOMAXPROCS when the process started; applyProcs only
	// leaves it alone.
	t.Setenv("GOMAXPROCS", "3")
	runtime.GOMAXPROCS(3)
	if got := applyProcs(); got != 3 {
		t.Fatalf("GOMAXPROCS=3: %d Ps, want 3", got)
	}
}

func TestApplyGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	t.Setenv("GOGC", "")
	if got := applyGC(); got != defaultGCPercent {
		t.Fatalf("GOGC unset: GC percent %d, want the default %d", got, defaultGCPercent)
	}
	if prev := debug.SetGCPercent(100); prev != defaultGCPercent {
		t.Fatalf("GOGC unset: the runtime runs at %d, want %d", prev, defaultGCPercent)
	}

	// The runtime read GOGC when the process started; applyGC only leaves
	// it alone.
	for _, tc := range []struct {
		env  string
		set  int
		want int
	}{{"150", 150, 150}, {"off", -1, -1}} {
		t.Setenv("GOGC", tc.env)
		debug.SetGCPercent(tc.set)
		if got := applyGC(); got != tc.want {
			t.Fatalf("GOGC=%s: GC percent %d, want %d", tc.env, got, tc.want)
		}
	}
}
