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

	// The load: answers in words (even: a second meeting, odd: lost), new
	// first meetings, the scheduler every 100 ms (20 s on the clock), and
	// /readyz every 50 ms.
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		logs    []string
		samples []readySample
	)
	for w := range 2 {
		wg.Go(func() {
			for i := w; i < len(deals); i += 2 {
				answer := deals[i] + " no"
				if i%2 == 0 {
					answer = "yes " + deals[i] + ", fri 10am"
				}
				if _, err := c.sim.DM(c.ctx, rep, answer); err != nil {
					t.Errorf("DM: %v", err)
				}
				time.Sleep(250 * time.Millisecond)
			}
		})
		wg.Go(func() {
			for n := 0; !stopped(); n++ {
				account := fmt.Sprintf("Load%d%03d", w, n)
				mu.Lock()
				logs = append(logs, account)
				mu.Unlock()
				if _, err := c.sim.Slash(c.ctx, rep, "log "+account+" today 10:00"); err != nil {
					t.Errorf("slash: %v", err)
				}
				time.Sleep(40 * time.Millisecond)
			}
		})
	}
	// The probe below runs while the ticker moves now: it gets a time of
	// its own, far ahead, so it is never claimed.
	probeAt := now.AddDate(1, 0, 0)
	wg.Go(func() {
		for !stopped() {
			now = now.Add(20 * time.Second)
			if err := c.tickAll(now); err != nil {
				t.Error(err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	wg.Go(func() {
		for !stopped() {
			from := time.Now()
			code, body := c.readyz(stores[0])
			mu.Lock()
			samples = append(samples, readySample{from: from, to: time.Now(), code: code, body: body})
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	})

	// The replica stalls first, so the primary runs ahead of it: changes
	// made now reach only the primary, and a store that did not wait for
	// the replica would acknowledge changes the failover then loses.
	logReplies := func() int {
		n := 0
		for _, m := range c.sim.Messages("C0GENERAL") {
			if m.Ephemeral && m.ToUser == rep {
				n++
			}
		}
		return n
	}
	readySince := func(from time.Time) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range samples {
			if r.code == http.StatusOK && r.from.After(from) {
				return true
			}
		}
		return false
	}
	c.waitReplies(func() bool { return logReplies() >= 5 && readySince(time.Time{}) }, "the load and a ready /readyz before the stall")
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
	// A change acknowledged through a replica's own client: it has found
	// the new primary by itself.
	var recovered time.Duration
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := stores[1].Schedule(c.ctx, "probe", probeAt); err == nil {
			recovered = time.Since(killed)
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("no change acknowledged 15 s after the replica rejoined: %v", err)
		}
	}
	if err := stores[1].Done(c.ctx, "probe"); err != nil {
		t.Fatal(err)
	}
	// The load goes on a while against the new primary.
	since := logReplies()
	c.waitReplies(func() bool { return logReplies() >= since+5 && readySince(rejoined) }, "the load and a ready /readyz after the failover")
	close(stop)
	wg.Wait()

	// Every command and answer is answered, one way or the other, and what
	// the rep was told is what is stored.
	_, confirmed, failed := c.harness.toldIsStored(t, logs, deals, nil)
	if failed == 0 {
		t.Error("no request hit the failover: the test did not exercise it")
	}
	if c.countLogs(redisstore.ErrNotReplicated.Error()) == 0 {
		t.Error("no change was refused for want of the stalled replica: the test did not exercise WAIT")
	}

	// Every stored prospect is asked about, once: the scheduler catches up
	// on the questions the failover delayed.
	unasked := func() int {
		n := 0
		for _, p := range c.prospects(rep) {
			if p.Asks == 0 {
				n++
			}
		}
		return n
	}
	// A question whose send was reserved while Redis was failing (the
	// reservation reached the replica, the answer never came back) waits
	// for the reservation to expire: twice the lease, on Redis's clock.
	for deadline := time.Now().Add(2*lease + 5*time.Second); unasked() > 0; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			for _, p := range c.prospects(rep) {
				if p.Asks == 0 {
					v, ok, err := stores[0].Lookup(c.ctx, "ask/"+p.Workspace+"/"+p.ID+"/1")
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
	askedOnceEach(t, c)
	during, readyAgain := readyzAcrossFailover(t, samples, killed, rejoining, rejoined)
	servedByBothAfter(t, c)

	t.Logf("killed the primary: sentinels promoted the replica after %s; it rejoined as replica %s after the kill; "+
		"a change acknowledged through a bot's client %s after the kill; /readyz ready again %s after it",
		promoted.Round(time.Millisecond), rejoined.Sub(killed).Round(time.Millisecond), recovered.Round(time.Millisecond), readyAgain.Round(time.Millisecond))
	t.Logf("%d log commands and %d answers: %d confirmed, %d told to try again; %d readyz samples during the switch",
		len(logs), len(deals), confirmed, failed, during)
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
