package coach

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
)

// A changeMark tells replicas that something they keep in memory changed
// in the store, so that they can keep it for long without reading it again
// on every answer. The replica that changes it records a new token in the
// ledger after the change is saved; every replica looks at the token now
// and then (one read for a whole workspace) and, while it is the one it saw
// last, keeps what it read since.
//
// A replica's own mark is not news to it: it applied its change to what it
// keeps as it made it. So marking swaps the token in and, when the token it
// replaced is the one this replica saw at its last look (no other replica
// marked since), takes the new token as seen. When another replica's mark
// came between, the token is not taken as seen, and the next look drops
// what was kept before it, as for any change.
type changeMark struct {
	ledger Ledger
	what   string // "directory": the ledger key is what/<workspace>/changed

	mu   sync.Mutex
	seen map[string]string // workspace → token seen last
}

// changeMarkKeep is how long a token is kept: far longer than anything is
// kept in memory, so an expired token is never taken for a change.
const changeMarkKeep = 30 * 24 * time.Hour

func newChangeMark(ledger Ledger, what string) *changeMark {
	return &changeMark{ledger: ledger, what: what, seen: map[string]string{}}
}

func (c *changeMark) key(workspace string) string { return c.what + "/" + workspace + "/changed" }

// mark records that workspace's what changed; call it after the change is
// saved, and applied to what this replica keeps.
func (c *changeMark) mark(ctx context.Context, workspace string, now time.Time) error {
	token := fmt.Sprintf("%d-%08x", now.UnixNano(), rand.Uint32())
	replaced, found, err := c.ledger.Swap(ctx, c.key(workspace), token, changeMarkKeep)
	if err != nil {
		return fmt.Errorf("mark the %s of %s changed: %w", c.what, workspace, err)
	}
	if !found {
		replaced = "" // as changed reads a mark never made
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if last, looked := c.seen[workspace]; looked && last == replaced {
		c.seen[workspace] = token
	}
	return nil
}

// changed reports whether workspace's what changed since the last look (at
// the first look: always, since nothing was seen).
func (c *changeMark) changed(ctx context.Context, workspace string) (bool, error) {
	token, found, err := c.ledger.Lookup(ctx, c.key(workspace))
	if err != nil {
		return false, fmt.Errorf("look for changes to the %s of %s: %w", c.what, workspace, err)
	}
	if !found {
		token = "" // never changed since the ledger was started
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	last, looked := c.seen[workspace]
	c.seen[workspace] = token
	return !looked || last != token, nil
}

// cached is a value a replica read from the store (found false: read as
// absent), kept until until.
type cached[V any] struct {
	v     V
	found bool
	read  time.Time
	until time.Time
}

// keepOrDrop applies one look at a workspace's mark, begun at at, to the
// entries of cache keyed workspace/…: since is when a look last saw a
// change. When this look saw one (changed), what was read before it is
// dropped; otherwise what was read since the last change seen is kept for
// another cacheFor, up to keepAtMost after it was read. An entry read
// before since but stored after the look that saw the change ends with
// its own until.
func keepOrDrop[V any](cache map[string]cached[V], workspace string, at, since time.Time, changed bool, cacheFor, keepAtMost time.Duration) {
	prefix := workspace + "/"
	for key, e := range cache {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		if e.read.Before(since) {
			if changed {
				delete(cache, key)
			}
			continue
		}
		until := at.Add(cacheFor)
		if most := e.read.Add(keepAtMost); most.Before(until) {
			until = most
		}
		if until.After(e.until) {
			e.until = until
			cache[key] = e
		}
	}
}

// cachedWorkspaces are the workspaces of cache's keys (workspace/…).
func cachedWorkspaces[V any](cache map[string]cached[V]) []string {
	seen := map[string]bool{}
	var out []string
	for key := range cache {
		ws, _, _ := strings.Cut(key, "/")
		if !seen[ws] {
			seen[ws] = true
			out = append(out, ws)
		}
	}
	return out
}
