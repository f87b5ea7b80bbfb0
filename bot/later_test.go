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

// Work left to a background queue counts as taken until it has run, once
// per key however often it was replaced, and a dropped job not at all: a
// test that waits for the bot to be idle also waits for the question
// updates and App Home publishes its answers started.
func TestLaterWorkIsTakenUntilItRuns(t *testing.T) {
	w := newTaken()
	l := newLater("test", 1, 2, time.Minute)
	l.taken = w
	release := make(chan struct{})
	l.add("a", func(context.Context) { <-release })
	l.add("a", func(context.Context) { <-release }) // replaces the first
	l.add("b", func(context.Context) {})
	l.add("c", func(context.Context) {}) // over the bound: dropped, not counted

	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	if err := w.wait(short); err == nil {
		t.Fatal("idle with background work waiting")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); l.run(ctx, func(any) {}) }()
	close(release)
	wctx, cancelWait := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelWait()
	if err := w.wait(wctx); err != nil {
		t.Fatalf("not idle once the queue ran: %v", err)
	}
	cancel()
	<-done
}
