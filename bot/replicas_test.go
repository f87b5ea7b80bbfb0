package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"pipelinecoach/bot"
	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
)

// cluster is several replicas of the bot over one simulated Slack (which
// spreads envelopes over their connections at random), one Redis and one
// fake clock. Its embedded harness drives Slack and reads the store; its at
// ticks every replica's scheduler at once.
type cluster struct {
	*harness
	replicas []*replica
}

type replica struct {
	rt    *bot.Runtime
	tick  chan time.Time
	envs  atomic.Int64 // envelopes acked
	evs   atomic.Int64 // events_api envelopes acked
	jobs  atomic.Int64 // scheduler jobs run
	fails atomic.Int64 // handler errors
}

// replica is the bot.Observer counting what one replica did.
func (r *replica) Envelope(kind string, _ time.Duration) {
	r.envs.Add(1)
	if kind == "events_api" {
		r.evs.Add(1)
	}
}
func (r *replica) HandlerError(string) { r.fails.Add(1) }
func (r *replica) Dropped(string)      {}
func (r *replica) Connected(bool)      {}

// storeFor gives replica i its view of the shared store; nil means the
// store itself.
type storeFor func(i int, store coach.Store, rdb redis.UniversalClient) coach.Store

func newCluster(t *testing.T, n int, storeOf storeFor) *cluster {
	t.Helper()
	rdb := redistest.Start(t).Client(t)
	return newClusterOn(t, n, redisstore.New(rdb, "e2e"), rdb, storeOf, 0)
}

// newClusterOn is newCluster on a given store and its client (a Sentinel
// group's, a Redis Cluster's), with the replicas' job lease (coach's
// default when zero).
func newClusterOn(t *testing.T, n int, store coach.Store, rdb redis.UniversalClient, storeOf storeFor, lease time.Duration) *cluster {
	t.Helper()
	clock := coachtest.NewClock(start)
	sim := slacksim.New(slacksim.WithClock(clock.Now))
	t.Cleanup(sim.Close)
	addCast(sim)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	c := &cluster{harness: &harness{t: t, ctx: ctx, sim: sim, clock: clock, store: store, logs: &logBuffer{}, settled: true}}
	var wg sync.WaitGroup
	for i := range n {
		r := &replica{tick: make(chan time.Time)}
		own := coach.Store(store)
		if storeOf != nil {
			own = storeOf(i, store, rdb)
		}
		r.rt = bot.Assemble(bot.Setup{
			APIURL: sim.APIURL(), AppToken: sim.AppToken(), BotToken: sim.BotToken(),
			Config: bot.Config{CelebrationChannel: wins},
			Sender: unlimited(),
			Store:  own, Clock: clock, Timing: coach.DefaultTiming, Tick: r.tick, Lease: lease,
			Log: zerolog.New(c.logs).Level(zerolog.DebugLevel).With().Int("replica", i).Logger(),
		})
		// One job per claim, so the replicas interleave job by job rather
		// than one of them taking every due job of a tick.
		r.rt.Service.Batch = 1
		r.rt.Service.OnJob = func(coach.Job, time.Duration, error) { r.jobs.Add(1) }
		r.rt.Bot.Observe(r)
		wg.Go(func() { _ = r.rt.Run(ctx) })
		c.replicas = append(c.replicas, r)
	}
	c.rt, c.tick = c.replicas[0].rt, c.replicas[0].tick
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		if t.Failed() {
			t.Logf("bot log:\n%s", c.logs.String())
		}
	})
	for sim.Connections() < n {
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d replicas connected to the simulator", sim.Connections(), n)
		case <-time.After(5 * time.Millisecond):
		}
	}
	for _, r := range c.replicas {
		c.waitDirectory(r.rt)
	}
	return c
}

// at moves the clock and runs every replica's scheduler at once, returning
// when every run has finished.
func (c *cluster) at(t time.Time) {
	c.t.Helper()
	c.clock.Set(t)
	c.act()
	var wg sync.WaitGroup
	var late atomic.Bool
	for _, r := range c.replicas {
		wg.Go(func() {
			for range 2 { // the second send is taken once the first run is over
				select {
				case r.tick <- t:
				case <-c.ctx.Done():
					late.Store(true)
					return
				}
			}
		})
	}
	wg.Wait()
	if late.Load() {
		c.t.Fatal("a scheduler did not take its tick")
	}
}

// say sends a DM from user and waits for the bot's answer containing want.
func (c *cluster) say(user, text, want string) {
	c.t.Helper()
	c.dm(user, text)
	c.waitFor(c.sim.DMChannel(user), want)
}

// idle waits until every replica has handled every envelope it acked.
func (c *cluster) idle() {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	for i, r := range c.replicas {
		if err := r.rt.Bot.WaitIdle(ctx); err != nil {
			c.t.Fatalf("replica %d did not become idle: %v", i, err)
		}
	}
}

// posts returns the successful chat.postMessage calls.
func (c *cluster) posts() []slacksim.Call {
	var out []slacksim.Call
	for _, call := range c.sim.Calls() {
		if call.Method == "chat.postMessage" && call.Error == "" {
			out = append(out, call)
		}
	}
	return out
}

var promptText = regexp.MustCompile(`^(?:Did you book a second meeting with|Close out) (.+)\?$`)

// stealing is a replica's store whose every claim first takes over the jobs
// other replicas hold, as if each of their leases had just run out (a
// replica stalled in a slow send, or a clock ahead): the send ledger alone
// must then keep each message to one post.
type stealing struct {
	coach.Store
	rdb    redis.UniversalClient
	stolen *atomic.Int64 // leases taken over
}

func (s stealing) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, max int) ([]coach.Job, error) {
	// The store's own key builder names the leased set, so the test follows
	// any change of layout.
	keyed, ok := s.Store.(interface{ LeasedJobsKey() string })
	if !ok {
		return nil, fmt.Errorf("stealing needs a Redis store, got %T", s.Store)
	}
	held, err := s.rdb.ZRange(ctx, keyed.LeasedJobsKey(), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	if err := s.Store.Release(ctx, held...); err != nil {
		return nil, err
	}
	s.stolen.Add(int64(len(held)))
	return s.Store.ClaimDue(ctx, now, lease, max)
}

// A week of a team's activity on two replicas sharing one Redis: every
// question, reminder, close-out, celebration, digest and nudge the
// scheduler sends goes out exactly once, however the replicas interleave,
// and even when one replica takes over every job the other holds.
func TestTwoReplicasOneWeek(t *testing.T) {
	t.Run("leases hold", func(t *testing.T) { twoReplicasOneWeek(t, newCluster(t, 2, nil), nil) })
	t.Run("leases run out", func(t *testing.T) {
		var stolen atomic.Int64
		twoReplicasOneWeek(t, newCluster(t, 2, leasesRunOut(&stolen)), nil)
		if stolen.Load() == 0 {
			t.Error("replica 1 never took over a lease replica 0 held: the test means to")
		}
	})
}

// leasesRunOut has the second replica take over every job the first holds.
// It counts the leases taken over in stolen.
func leasesRunOut(stolen *atomic.Int64) storeFor {
	return func(i int, store coach.Store, rdb redis.UniversalClient) coach.Store {
		if i == 0 {
			return store
		}
		return stealing{Store: store, rdb: rdb, stolen: stolen}
	}
}

// twoReplicasOneWeek runs the week on c; midweek, if not nil, runs on
// Thursday at noon, between two scheduler runs.
func twoReplicasOneWeek(t *testing.T, c *cluster, midweek func()) {
	c.addManagers()
	c.slash(admin, "admin manager "+mention(mia))
	c.reply(admin, "can now manage a team")
	c.slash(mia, "team add "+mention(rep)+" "+mention(other))
	c.reply(mia, "Added")
	c.slash(mia, "team channel <#"+teamRoom+"|team>")
	c.reply(mia, "Digest channel set")

	// Wednesday: Rita has four first meetings, Omar three (4am in New York
	// is 10:00 in Berlin; he is asked at 9:00 his time, 15:00 in Berlin).
	for _, l := range []string{"Acme today 10:00", "Globex today 11:00", "Initech today 13:00", "Stark today 14:00"} {
		c.slash(rep, "log "+l)
		c.reply(rep, "*"+strings.Fields(l)[0]+"*")
	}
	for i := range 3 {
		c.slash(other, fmt.Sprintf("log Omar%d today 4am", i))
		c.reply(other, fmt.Sprintf("*Omar%d*", i))
	}

	dm := c.sim.DMChannel(rep)
	end := berlinAt(25, 9, 0).AddDate(0, 0, 8).Add(9 * time.Hour) // Thursday Dec 3, 18:00
	for now := berlinAt(25, 9, 30); !now.After(end); now = now.Add(30 * time.Minute) {
		c.at(now)
		if now.Equal(berlinAt(26, 12, 0)) && midweek != nil {
			midweek()
		}
		switch now {
		case berlinAt(25, 11, 30): // Acme: yes, with the form
			prompt := c.waitFor(dm, "Did you book a second meeting with Acme?")
			c.click(rep, prompt, render.ActionYes)
			v := c.view(rep, render.ViewConfirm)
			c.submit(rep, v, map[string]string{
				render.InputSecondDate: "2026-11-27", render.InputSecondTime: "10:00",
				render.InputAmount: "25k", render.InputNextStep: "Demo",
			})
			c.waitFor(dm, "*Acme* is an opportunity")
		case berlinAt(25, 12, 30): // Globex: not yet, in words
			c.waitFor(dm, "Did you book a second meeting with Globex?")
			c.say(rep, "globex not yet", "*Globex*: no second meeting yet")
		case berlinAt(25, 15, 0): // Omar is asked, 9:00 in New York, and answers
			c.waitFor(c.sim.DMChannel(other), "Did you book a second meeting with Omar2?")
			c.say(other, "no omar0", "*Omar0* is lost")
			c.say(other, "yes omar1 fri 10am", "*Omar1* is an opportunity")
		case berlinAt(25, 15, 30): // Stark: lost fast and shared
			prompt := c.waitFor(dm, "Did you book a second meeting with Stark?")
			c.click(rep, prompt, render.ActionLose)
			v := c.view(rep, render.ViewLose)
			c.submit(rep, v, map[string]string{
				render.InputReason: string(coach.ReasonNoFit), render.InputShare: render.ShareOptionValue,
			})
			c.waitFor(dm, "*Stark* is lost")
		case berlinAt(27, 12, 30): // Globex, reminded: lost
			c.waitFor(dm, "*Globex* (first meeting")
			c.say(rep, "no globex", "*Globex* is lost")
		}
	}

	// Every question: Initech and Omar2, never answered, were asked four
	// times (first, two reminders, close-out); Globex twice; the rest once.
	want := map[string]int{"Acme": 1, "Globex": 2, "Initech": 4, "Stark": 1, "Omar0": 1, "Omar1": 1, "Omar2": 4}
	got := map[string]int{}
	for _, call := range c.posts() {
		if m := promptText.FindStringSubmatch(call.Params.Get("text")); m != nil {
			got[m[1]]++
		}
	}
	for account, n := range want {
		if got[account] != n {
			t.Errorf("%s was asked %d times, want %d", account, got[account], n)
		}
	}
	for account := range got {
		if _, ok := want[account]; !ok {
			t.Errorf("asked about %s, which nobody logged", account)
		}
	}
	// The store agrees: each question recorded once.
	for _, user := range []string{rep, other} {
		for _, p := range c.prospects(user) {
			if p.Asks != want[p.Account] {
				t.Errorf("%s records %d questions, want %d", p.Account, p.Asks, want[p.Account])
			}
		}
	}

	// One celebration of the shared loss; one digest for the one Monday;
	// each nudge once a day at most.
	celebrations, digests := 0, 0
	nudges := map[string]int{}
	for _, call := range c.posts() {
		ch, blocks := call.Params.Get("channel"), call.Params.Get("blocks")
		switch {
		case ch == wins:
			celebrations++
			if !strings.Contains(blocks, "Stark") {
				t.Errorf("celebrated something else: %s", call.Params.Get("text"))
			}
		case ch == teamRoom && strings.Contains(blocks, "Weekly pipeline digest") && !strings.Contains(call.Params.Get("text"), "continued"):
			digests++
		case strings.Contains(blocks, "nudge_discussed"):
			nudges[nudgeKey(blocks)+" on "+call.At.In(berlin).Format("2006-01-02")]++
		}
	}
	if celebrations != 1 {
		t.Errorf("%d celebrations of Stark's loss, want 1", celebrations)
	}
	if digests != 1 {
		t.Errorf("%d digests in the week, want 1 (Monday)", digests)
	}
	// A week is too little evidence for a coaching brief (coach's
	// evidence rules); TestNudgesAndDigestOverWeeks counts them over weeks.
	for key, n := range nudges {
		if n != 1 {
			t.Errorf("nudge %s sent %d times", key, n)
		}
	}

	// Both replicas did their share: the test means concurrency.
	for i, r := range c.replicas {
		if r.envs.Load() == 0 || r.jobs.Load() == 0 {
			t.Errorf("replica %d handled %d envelopes and %d jobs; both should have some", i, r.envs.Load(), r.jobs.Load())
		}
		if n := r.fails.Load(); n > 0 {
			t.Errorf("replica %d: %d handler errors", i, n)
		}
	}
	if n := c.countLogs(`"level":"error"`); n > 0 {
		t.Errorf("%d error lines in the log", n)
	}
	t.Logf("%d posts; replica envelopes/jobs: %d/%d, %d/%d; nudges %v", len(c.posts()),
		c.replicas[0].envs.Load(), c.replicas[0].jobs.Load(), c.replicas[1].envs.Load(), c.replicas[1].jobs.Load(), nudges)
}

// eventPayload is an events_api payload of a DM from user, as Slack sends
// it (again, with the same event_id, when it retries).
func eventPayload(sim *slacksim.Server, eventID, user, text, ts string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"token": "sim-verification", "team_id": sim.TeamID(), "api_app_id": "A0SIM",
		"type": "event_callback", "event_id": eventID, "event_time": start.Unix(),
		"event": map[string]any{
			"type": "message", "channel_type": "im", "channel": sim.DMChannel(user),
			"user": user, "text": text, "ts": ts, "event_ts": ts,
		},
		"authorizations": []any{map[string]any{"team_id": sim.TeamID(), "user_id": sim.BotUserID(), "is_bot": true}},
	})
	return b
}

// An envelope Slack delivers again (same event, retry_attempt > 0) is acted
// on once, whichever replica gets each delivery, and whether the retry
// comes after the first delivery or alongside it.
func TestRetriedEnvelopeActedOnOnce(t *testing.T) {
	c := newCluster(t, 2, nil)
	dm := c.sim.DMChannel(rep)
	accounts := []string{"Acme", "Globex", "Hooli", "Umbrella"}
	for _, account := range accounts {
		c.slash(rep, "log "+account+" today 10:00")
		c.reply(rep, "*"+account+"*")
	}
	c.at(berlinAt(25, 11, 15))
	for _, account := range accounts {
		c.waitFor(dm, "Did you book a second meeting with "+account+"?")
	}

	cases := []struct {
		account, eventID, ts string
		together             bool
	}{
		{"Acme", "Ev0RETRY000001", "1764065700.000100", false},
		{"Globex", "Ev0RETRY000002", "1764065760.000100", true},
		{"Hooli", "Ev0RETRY000003", "1764065820.000100", false},
		{"Umbrella", "Ev0RETRY000004", "1764065880.000100", true},
	}
	for _, tc := range cases {
		payload := eventPayload(c.sim, tc.eventID, rep, "no "+strings.ToLower(tc.account), tc.ts)
		c.act()
		send := func(retry int) {
			if _, err := c.sim.Send(c.ctx, "events_api", payload, retry); err != nil {
				t.Errorf("deliver %s (retry_attempt %d): %v", tc.eventID, retry, err)
			}
		}
		if tc.together {
			var wg sync.WaitGroup
			wg.Go(func() { send(0) })
			wg.Go(func() { send(1) })
			wg.Wait()
		} else {
			send(0)
			c.waitFor(dm, "*"+tc.account+"* is lost")
			send(1)
		}
		// Both deliveries were acked; once both replicas are idle, both
		// have been handled, and the duplicate says so in the log.
		c.idle()
		if !strings.Contains(c.logs.String(), `"event_id":"`+tc.eventID+`","retry_attempt"`) {
			t.Errorf("%s: no replica saw the second delivery as a duplicate", tc.eventID)
		}
		wctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
		_, err := c.sim.WaitCall(wctx, func(call slacksim.Call) bool {
			return call.Method == "chat.postMessage" && call.Params.Get("channel") == dm && strings.Contains(call.Params.Get("text"), tc.account)
		})
		if err == nil {
			// The prompt is updated after the answer, in the background.
			_, err = c.sim.WaitCall(wctx, func(call slacksim.Call) bool {
				return call.Method == "chat.update" && strings.Contains(call.Params.Get("text")+call.Params.Get("blocks"), tc.account)
			})
		}
		cancel()
		if err != nil {
			t.Fatalf("%s: no answer and prompt update: %v", tc.account, err)
		}

		// One answer posted, one prompt updated to what was decided.
		replies, updates := 0, 0
		for _, call := range c.sim.Calls() {
			text := call.Params.Get("text") + call.Params.Get("blocks")
			switch {
			case call.Method == "chat.postMessage" && call.Params.Get("channel") == dm &&
				(strings.Contains(text, tc.account) || strings.Contains(text, "no prospect waiting")) &&
				!promptText.MatchString(call.Params.Get("text")):
				replies++
			case call.Method == "chat.update" && strings.Contains(text, tc.account):
				updates++
			}
		}
		if replies != 1 || updates != 1 {
			t.Errorf("%s: %d answers and %d prompt updates for one event delivered twice, want 1 each:\n%s", tc.account, replies, updates, c.dump(dm))
		}
		for _, p := range c.prospects(rep) {
			if p.Account != tc.account {
				continue
			}
			lost := 0
			for _, e := range p.History {
				if e.To == coach.Lost {
					lost++
				}
			}
			if p.State != coach.Lost || lost != 1 {
				t.Errorf("%s: state %s with %d changes to lost, want one", tc.account, p.State, lost)
			}
		}
	}
	// The simulator spreads deliveries at random (from a fixed seed): the
	// duplicates must have crossed replicas at least once.
	for i, r := range c.replicas {
		if r.evs.Load() == 0 {
			t.Errorf("replica %d got none of the %d deliveries; the test means both", i, 2*len(cases))
		}
	}
}
