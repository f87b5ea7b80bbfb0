package main

import (
	"runtime"
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
