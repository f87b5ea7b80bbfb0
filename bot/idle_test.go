package bot

import (
	"context"
	"testing"
	"time"
)

// WaitIdle returns at once with nothing in flight, waits while work is
// taken, and returns when the last of it is done.
func TestWaitIdleWaitsForTakenWork(t *testing.T) {
	w := newTaken()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := w.wait(ctx); err != nil {
		t.Fatalf("idle bot: %v", err)
	}

	w.add()
	w.add()
	short, cancelShort := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancelShort()
	if err := w.wait(short); err == nil {
		t.Fatal("WaitIdle returned with two tasks in flight")
	}
	returned := make(chan error, 1)
	go func() { returned <- w.wait(ctx) }()
	w.done()
	select {
	case err := <-returned:
		t.Fatalf("WaitIdle returned with a task in flight: %v", err)
	default:
	}
	w.done()
	if err := <-returned; err != nil {
		t.Fatalf("after the last task: %v", err)
	}

	// A full pool refuses the task, which is then not counted.
	b := &Bot{taken: newTaken()}
	full := make(chan func(context.Context))
	if b.offer(full, func(context.Context) {}) {
		t.Fatal("an unbuffered pool nobody reads took the task")
	}
	if err := b.WaitIdle(ctx); err != nil {
		t.Fatalf("a refused task is still counted: %v", err)
	}
}
