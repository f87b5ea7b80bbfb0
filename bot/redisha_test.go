package bot_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"pipelinecoach/coach"
	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
)

// The week of TestTwoReplicasOneWeek on a Redis Cluster of three primaries,
// with the store's slot moved to another primary on Thursday while the rep
// logs a meeting: every message still goes out exactly once.
func TestTwoReplicasOneWeekOnCluster(t *testing.T) {
	cl := redistest.StartCluster(t)
	rdb := cl.Client(t)
	c := newClusterOn(t, 2, redisstore.New(rdb, "e2e"), rdb, leasesRunOut(new(atomic.Int64)), 0)
	slot := cl.Slot(t, "{e2e}")
	from := cl.Owner(t, slot)
	twoReplicasOneWeek(t, c, func() {
		var acked <-chan error
		cl.MigrateSlot(t, slot, (from+1)%3, func() {
			// Sent now, answered once the keys have moved: a script whose
			// keys are split between the nodes is refused (TRYAGAIN) until
			// then, and the store tries it again meanwhile. The command's
			// ack waits for its answer, so the move goes on once the save
			// has met it (or got through before it), not once it is acked.
			before := movedAnswers(t, cl.Nodes[from])
			var done <-chan struct{}
			acked, done = c.slashAsync(rep, "log Zeta 2026-12-21 10:00")
			waitUntil(t, func() bool {
				select {
				case <-done:
					return true
				default:
					return movedAnswers(t, cl.Nodes[from]) > before
				}
			})
		})
		if err := <-acked; err != nil {
			t.Fatalf("/pipeline log Zeta: %v", err)
		}
		c.reply(rep, "*Zeta*")
	})
	errs := cl.Nodes[from].Errors(t)
	t.Logf("the slot's first primary answered %v", errs)
	// ASK while the keys move, MOVED after: either shows a command met the
	// move (which of the two depends on when the client next looks).
	if errs["MOVED"]+errs["ASK"] == 0 {
		t.Errorf("no command met the moving slot (ASK %d, MOVED %d): the test did not exercise the move", errs["ASK"], errs["MOVED"])
	}
}

// durableStore is the store as REDIS_MIN_REPLICAS=1 opens it.
func durableStore(t *testing.T, rdb redis.UniversalClient) *redisstore.Store {
	t.Helper()
	s, err := redisstore.Open(rdb, redisstore.Options{Prefix: "e2e", MinReplicas: 1, ReplicaWait: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// readySample is one /readyz answer during the failover.
type readySample struct {
	from, to time.Time
	code     int
	body     string
}

// TestSentinelFailoverUnderLoad runs two replicas, each with its own
// failover client and REDIS_MIN_REPLICAS=1, against a primary, a replica
// and three sentinels, while a rep answers questions and logs meetings and
// the scheduler asks; the primary is killed (SIGKILL) and, once the
// sentinels have promoted the replica, comes back as its replica (what a
// supervisor does). The replica stalls (SIGSTOP) shortly before the kill,
// so the primary has changes it does not. Every change the rep was told is
// saved is there after
// the failover, every question was asked exactly once, both replicas
// reconnect by themselves, and /readyz says "not ready" from the kill until
// a change can be acknowledged again, then "ready".
func TestSentinelFailoverUnderLoad(t *testing.T) {
	// The job lease, in real time: a job may take that long (recording a
	// post retries until then), and a send reserved when Redis failed stays
	// reserved for twice that before it is tried again. Longer than the
	// failover, short enough for the test to wait out.
	const lease = 6 * time.Second
	g := redistest.StartSentinel(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("old primary's log:\n%s\nold replica's log:\n%s\nfirst sentinel's log:\n%s", g.Primary.Log(), g.Replica.Log(), g.Sentinels[0].Log())
		}
	})
	stores := make([]*redisstore.Store, 2)
	checker := g.Client(t)
	c := newClusterOn(t, 2, durableStore(t, checker), checker, func(i int, _ coach.Store, _ redis.UniversalClient) coach.Store {
		stores[i] = durableStore(t, g.Client(t))
		return stores[i]
	}, lease)

	deals := make([]string, 20)
	for i := range deals {
		deals[i] = fmt.Sprintf("Deal%02d", i)
		c.slash(rep, "log "+deals[i]+" today 10:00")
	}
	for _, d := range deals {
		c.reply(rep, "Logged a first meeting with *"+d+"*")
	}
	now := berlinAt(25, 11, 15)
	c.at(now)
	for _, d := range deals {
		c.waitFor(c.sim.DMChannel(rep), "Did you book a second meeting with "+d+"?")
	}

	load := startFailoverLoad(t, c, deals, now, stores[0])

	// The replica stalls first, so the primary runs ahead of it: changes
	// made now reach only the primary, and a store that did not wait for
	// the replica would acknowledge changes the failover then loses.
	c.waitReplies(func() bool { return logReplies(c) >= 5 && load.readySince(time.Time{}) }, "the load and a ready /readyz before the stall")
	g.Replica.Pause(t)
	// Past the stores' 500ms wait: a change the replica did not take is
	// refused before the primary goes.
	c.waitReplies(func() bool { return c.countLogs(redisstore.ErrNotReplicated.Error()) > 0 },
		"a change refused for want of the stalled replica")
	killed := time.Now()
	g.Primary.Kill()
	g.Replica.Resume(t)
	promoted := g.WaitFailover(t, killed)
	rejoining := time.Now()
	g.Rejoin(t, g.Primary)
	rejoined := time.Now()
	recovered := firstChangeAfter(t, c, stores[1], killed, now.AddDate(1, 0, 0))
	// The load goes on a while against the new primary.
	since := logReplies(c)
	c.waitReplies(func() bool { return logReplies(c) >= since+5 && load.readySince(rejoined) }, "the load and a ready /readyz after the failover")
	logs, samples, now := load.end()

	// Every command and answer is answered, one way or the other, and what
	// the rep was told is what is stored.
	_, confirmed, failed := c.harness.toldIsStored(t, logs, deals, nil)
	if failed == 0 {
		t.Error("no request hit the failover: the test did not exercise it")
	}
	if c.countLogs(redisstore.ErrNotReplicated.Error()) == 0 {
		t.Error("no change was refused for want of the stalled replica: the test did not exercise WAIT")
	}
	askAllAfter(t, c, stores[0], now, lease)
	askedOnceEach(t, c)
	during, readyAgain := readyzAcrossFailover(t, samples, killed, rejoining, rejoined)
	servedByBothAfter(t, c)

	t.Logf("killed the primary: sentinels promoted the replica after %s; it rejoined as replica %s after the kill; "+
		"a change acknowledged through a bot's client %s after the kill; /readyz ready again %s after it",
		promoted.Round(time.Millisecond), rejoined.Sub(killed).Round(time.Millisecond), recovered.Round(time.Millisecond), readyAgain.Round(time.Millisecond))
	t.Logf("%d log commands and %d answers: %d confirmed, %d told to try again; %d readyz samples during the switch",
		len(logs), len(deals), confirmed, failed, during)
}

// failoverLoad is the load TestSentinelFailoverUnderLoad keeps up across
// the failover: answers in words (even: a second meeting, odd: lost), new
// first meetings, the scheduler every 100 ms (20 s on the clock), and
// /readyz every 50 ms.
type failoverLoad struct {
	c    *cluster
	stop chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	logs    []string      // the accounts logged, in order
	samples []readySample // /readyz's answers
	now     time.Time     // the scheduler's clock, moved by the load until end
}

func startFailoverLoad(t *testing.T, c *cluster, deals []string, now time.Time, ready *redisstore.Store) *failoverLoad {
	l := &failoverLoad{c: c, stop: make(chan struct{}), now: now}
	for w := range 2 {
		l.wg.Go(func() { l.answer(t, deals, w) })
		l.wg.Go(func() { l.logMeetings(t, w) })
	}
	l.wg.Go(func() { l.tick(t) })
	l.wg.Go(func() { l.askReady(ready) })
	return l
}

func (l *failoverLoad) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// answer answers every other question, from the w-th, in words.
func (l *failoverLoad) answer(t *testing.T, deals []string, w int) {
	for i := w; i < len(deals); i += 2 {
		answer := deals[i] + " no"
		if i%2 == 0 {
			answer = "yes " + deals[i] + ", fri 10am"
		}
		if _, err := l.c.sim.DM(l.c.ctx, rep, answer); err != nil {
			t.Errorf("DM: %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// logMeetings logs a first meeting every 40 ms until the load ends.
func (l *failoverLoad) logMeetings(t *testing.T, w int) {
	for n := 0; !l.stopped(); n++ {
		account := fmt.Sprintf("Load%d%03d", w, n)
		l.mu.Lock()
		l.logs = append(l.logs, account)
		l.mu.Unlock()
		if _, err := l.c.sim.Slash(l.c.ctx, rep, "log "+account+" today 10:00"); err != nil {
			t.Errorf("slash: %v", err)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// tick runs the schedulers 20 s further on the clock every 100 ms.
func (l *failoverLoad) tick(t *testing.T) {
	for !l.stopped() {
		l.mu.Lock()
		l.now = l.now.Add(20 * time.Second)
		now := l.now
		l.mu.Unlock()
		if err := l.c.tickAll(now); err != nil {
			t.Error(err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// askReady asks /readyz, as the replica of store answers it, every 50 ms.
func (l *failoverLoad) askReady(store *redisstore.Store) {
	for !l.stopped() {
		from := time.Now()
		code, body := l.c.readyz(store)
		l.mu.Lock()
		l.samples = append(l.samples, readySample{from: from, to: time.Now(), code: code, body: body})
		l.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
}

// readySince says whether /readyz answered "ready" to a question asked
// after from.
func (l *failoverLoad) readySince(from time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.samples {
		if r.code == http.StatusOK && r.from.After(from) {
			return true
		}
	}
	return false
}

// end stops the load and returns what it logged, what /readyz said, and
// the scheduler's clock.
func (l *failoverLoad) end() (logs []string, samples []readySample, now time.Time) {
	close(l.stop)
	l.wg.Wait()
	return l.logs, l.samples, l.now
}

// logReplies counts the answers to the rep's commands in the channel.
func logReplies(c *cluster) int {
	n := 0
	for _, m := range c.sim.Messages("C0GENERAL") {
		if m.Ephemeral && m.ToUser == rep {
			n++
		}
	}
	return n
}

// firstChangeAfter waits for a change acknowledged through store's own
// client (it has found the new primary by itself) and returns how long
// after the kill that was. The change is a job due at probeAt, far ahead
// of the schedulers' clock so that none claims it; it is then removed.
func firstChangeAfter(t *testing.T, c *cluster, store *redisstore.Store, killed, probeAt time.Time) time.Duration {
	t.Helper()
	var recovered time.Duration
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := store.Schedule(c.ctx, "probe", probeAt); err == nil {
			recovered = time.Since(killed)
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("no change acknowledged 15 s after the replica rejoined: %v", err)
		}
	}
	if err := store.Done(c.ctx, "probe"); err != nil {
		t.Fatal(err)
	}
	return recovered
}

// askAllAfter runs the schedulers, a minute further each time, until every
// stored prospect has been asked about: the scheduler catches up on the
// questions the failover delayed. A question whose send was reserved while
// Redis was failing (the reservation reached the replica, the answer never
// came back) waits for the reservation to expire: twice the lease, on
// Redis's clock.
func askAllAfter(t *testing.T, c *cluster, store *redisstore.Store, now time.Time, lease time.Duration) {
	t.Helper()
	unasked := func() int {
		n := 0
		for _, p := range c.prospects(rep) {
			if p.Asks == 0 {
				n++
			}
		}
		return n
	}
	for deadline := time.Now().Add(2*lease + 5*time.Second); unasked() > 0; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			for _, p := range c.prospects(rep) {
				if p.Asks == 0 {
					v, ok, err := store.Lookup(c.ctx, "ask/"+p.Workspace+"/"+p.ID+"/1")
					t.Logf("%s %s: %+v; ledger %q %v %v", p.Account, p.ID, p.State, v, ok, err)
				}
			}
			t.Fatalf("%d prospects still not asked about %s after the load", unasked(), 2*lease+5*time.Second)
		}
		now = now.Add(time.Minute)
		if err := c.tickAll(now); err != nil {
			t.Fatal(err)
		}
	}
}

// askedOnceEach checks that every stored prospect was asked about once,
// and nothing else was.
func askedOnceEach(t *testing.T, c *cluster) {
	t.Helper()
	asked := map[string]int{}
	for _, call := range c.posts() {
		if m := promptText.FindStringSubmatch(call.Params.Get("text")); m != nil {
			asked[m[1]]++
		}
	}
	final := map[string]bool{}
	for _, p := range c.prospects(rep) {
		final[p.Account] = true
		if asked[p.Account] != 1 || p.Asks != 1 {
			t.Errorf("%s: asked %d times, %d questions recorded; want 1", p.Account, asked[p.Account], p.Asks)
		}
	}
	for account := range asked {
		if !final[account] {
			t.Errorf("asked about %s, which is not stored", account)
		}
	}
}

// readyzAcrossFailover checks the /readyz samples: ready before the kill;
// not ready, naming the store, from the kill until the replica rejoined;
// ready again since a change was acknowledged. It returns how many samples
// fell in the switch and when /readyz was first ready again after the kill.
func readyzAcrossFailover(t *testing.T, samples []readySample, killed, rejoining, rejoined time.Time) (during int, readyAgain time.Duration) {
	t.Helper()
	var before, after int
	for _, s := range samples {
		switch {
		case s.to.Before(killed):
			if s.code == http.StatusOK {
				before++
			}
		case s.from.After(killed) && s.to.Before(rejoining):
			during++
			if s.code == http.StatusOK || !strings.Contains(s.body, "store") {
				t.Errorf("/readyz %.0f ms after the kill, before the replica rejoined: %d %q", s.from.Sub(killed).Seconds()*1000, s.code, s.body)
			}
		case s.from.After(rejoined):
			if s.code == http.StatusOK {
				after++
				if readyAgain == 0 {
					readyAgain = s.to.Sub(killed)
				}
			}
		}
	}
	if before == 0 || during == 0 || after == 0 {
		t.Errorf("/readyz ready %d times before the kill, asked %d times during, ready %d times after: the test means each", before, during, after)
	}
	if last := samples[len(samples)-1]; last.code != http.StatusOK {
		t.Errorf("/readyz at the end: %d %q", last.code, last.body)
	}
	return during, readyAgain
}

// servedByBothAfter sends a dozen commands after the failover and checks
// that each was saved and answered without a logged error, and that both
// replicas took some.
func servedByBothAfter(t *testing.T, c *cluster) {
	t.Helper()
	envs := []int64{c.replicas[0].envs.Load(), c.replicas[1].envs.Load()}
	for i := range 12 {
		c.slash(rep, fmt.Sprintf("log After%02d today 10:00", i))
		c.reply(rep, fmt.Sprintf("Logged a first meeting with *After%02d*", i))
	}
	if n := c.countLogs("After"); n > 0 {
		t.Errorf("%d log lines about the commands after the failover: they should all have just worked", n)
	}
	for i, r := range c.replicas {
		if r.envs.Load() == envs[i] {
			t.Errorf("replica %d handled no envelope after the failover", i)
		}
	}
}

// tickAll runs every replica's scheduler at now, as at does, without
// failing the test from another goroutine.
func (c *cluster) tickAll(now time.Time) error {
	c.clock.Set(now)
	for _, r := range c.replicas {
		for range 2 {
			select {
			case r.tick <- now:
			case <-c.ctx.Done():
				return fmt.Errorf("a scheduler did not take its tick: %w", c.ctx.Err())
			}
		}
	}
	return nil
}

// movedAnswers counts the node's answers to commands that met a moving
// slot.
func movedAnswers(t *testing.T, n *redistest.Server) int64 {
	e := n.Errors(t)
	return e["MOVED"] + e["ASK"] + e["TRYAGAIN"]
}
