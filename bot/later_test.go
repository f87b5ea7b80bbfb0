package bot

import (
	"context"
	"sync"
	"testing"
	"time"
)

// later runs the latest work of each key once, in the order the keys came,
// and drops work beyond its bound rather than growing.
func TestLaterCoalescesInOrder(t *testing.T) {
	l := newLater("test", 1, 3, time.Minute)
	dropped := 0
	l.drop = func() { dropped++ }
	var mu sync.Mutex
	var ran []string
	job := func(name string) func(context.Context) {
		return func(context.Context) {
			mu.Lock()
			ran = append(ran, name)
			mu.Unlock()
		}
	}
	l.add("a", job("a1"))
	l.add("b", job("b1"))
	l.add("a", job("a2")) // replaces a1, keeps a's place
	l.add("c", job("c1"))
	l.add("d", job("d1")) // over the bound
	if dropped != 1 {
		t.Fatalf("dropped %d, want 1", dropped)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	panics := make(chan any, 1)
	go func() { defer close(done); l.run(ctx, func(r any) { panics <- r }) }()
	for {
		mu.Lock()
		n := len(ran)
		mu.Unlock()
		if n == 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	l.add("e", func(context.Context) { panic("boom") }) // reported, the worker goes on
	l.add("f", job("f1"))
	for {
		mu.Lock()
		n := len(ran)
		mu.Unlock()
		if n == 4 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if r := <-panics; r != "boom" {
		t.Errorf("panic reported as %v", r)
	}
	want := []string{"a2", "b1", "c1", "f1"}
	for i, w := range want {
		if ran[i] != w {
			t.Fatalf("ran %v, want %v", ran, want)
		}
	}
}
