package bot

import (
	"context"
	"sync"
)

// taken counts the work the bot has accepted into its pools and not yet
// finished. Work is counted before it is queued and before its envelope is
// acked, so once Slack has every ack, WaitIdle returning means every
// envelope was handled: a test can count what happened without guessing
// how long handling takes.
type taken struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0
}

func newTaken() *taken {
	t := &taken{idle: make(chan struct{})}
	close(t.idle)
	return t
}

func (t *taken) add() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.idle = make(chan struct{})
	}
	t.n++
}

func (t *taken) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 {
		close(t.idle)
	}
}

// wait returns once nothing is in flight, or ctx's error.
func (t *taken) wait(ctx context.Context) error {
	for {
		t.mu.Lock()
		idle, n := t.idle, t.n
		t.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// offer queues task in pool if it has room, counting it as taken.
func (b *Bot) offer(pool chan<- func(context.Context), task func(context.Context)) bool {
	b.taken.add()
	select {
	case pool <- task:
		return true
	default:
		b.taken.done()
		return false
	}
}

// WaitIdle returns once every envelope the bot has acked has also been
// handled (its pools are empty and no handler runs) and what the handlers
// left to the background queues (App Home publishes, question updates;
// later.go) has run, or ctx's error. It does not wait for the scheduler,
// which runs on its own ticks, nor for the workspace directory's loads.
func (b *Bot) WaitIdle(ctx context.Context) error { return b.taken.wait(ctx) }
