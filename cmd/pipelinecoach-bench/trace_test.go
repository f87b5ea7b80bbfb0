package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// -trace: a child's execution trace is a Go trace file, complete once
// stopped, with the goroutines that ran meanwhile in it.
func TestStartTraceWritesATrace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.trace.bot")
	stop, err := startTrace(path)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {})
	}
	wg.Wait()
	stop()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("go 1.")) || len(raw) < 1024 {
		t.Errorf("not a Go execution trace (%d bytes): %.20q", len(raw), raw)
	}
	if _, err := startTrace(filepath.Join(t.TempDir(), "missing", "dir", "trace")); err == nil {
		t.Error("a trace file that cannot be created gave no error")
	}
}
