package demo

import (
	"sync"
	"time"
)

// scriptClock is the demo's time: it stands still while people act and
// jumps only when the script moves it, to the next due job or to the hour a
// step names. The bot, the store and the simulated Slack all read it.
type scriptClock struct {
	mu  sync.Mutex
	now time.Time
}

func newScriptClock(start time.Time) *scriptClock { return &scriptClock{now: start} }

// Now is the script's current time.
func (c *scriptClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the script to t.
func (c *scriptClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
