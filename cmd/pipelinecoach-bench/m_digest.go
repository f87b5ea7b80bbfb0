package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/sender"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// digestTeam is one team of test 5, alone in its workspace (so a bare
// HVALS of the workspace's prospects is the same deals, undecoded), with its
// own digest channel.
type digestTeam struct {
	team  coach.Team
	deals int
}

// digestDeals makes n prospects of the team's reps in every state, first
// met over the last year (a few of them this week), as the real transitions
// leave them: open prospects, opportunities with amounts and qualification
// answers (some stalled, some aged), won deals, and losses before and after
// the second meeting, half of them shared with a lesson.
func digestDeals(t coach.Team, n int, now time.Time) []coach.Prospect {
	ps := make([]coach.Prospect, n)
	for i := range ps {
		owner := t.Reps[i%len(t.Reps)]
		first := now.Add(-time.Duration(i%365)*24*time.Hour - 3*time.Hour).Truncate(time.Minute)
		logged, asked := first.Add(-24*time.Hour), first.Add(time.Hour)
		p := coach.Prospect{
			Workspace: t.Workspace, ID: fmt.Sprintf("g%06d", i), Owner: owner, Account: fmt.Sprintf("Account %d GmbH", i),
			Contact: "Jane Doe", TZ: "UTC", FirstMeeting: first, MeetingEnd: first.Add(45 * time.Minute),
			State: coach.Awaiting, Asks: 1, LastAsked: asked, CreatedAt: logged, LastActivity: asked, Version: 1,
			Prompt: coach.MessageRef{Channel: "D" + owner, TS: fmt.Sprintf("1764064800.%06d", i)},
			History: []coach.Entry{
				{At: logged, By: owner, Event: coach.EventLogged, To: coach.Scheduled},
				{At: asked, By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting},
			},
		}
		move := func(to coach.State, ev coach.Event, at time.Time) {
			p.History = append(p.History, coach.Entry{At: at, By: owner, Event: ev, From: p.State, To: to})
			p.State, p.LastActivity = to, at
		}
		opp := func(at time.Time, amount int64, currency string) {
			move(coach.Opportunity, coach.EventConfirmed, at)
			p.SecondMeeting, p.Amount, p.Currency = at.Add(72*time.Hour), amount, currency
			p.NextStep = "Demo for the operations team, then a pilot"
			p.Qualification = map[string]string{"budget": "approved for Q1", "authority": "VP Sales signs", "need": "pipeline hygiene"}
		}
		lose := func(at time.Time, reason coach.LossReason) {
			p.Loss = &coach.Loss{Reason: reason, Stage: p.State, DaysToLose: coach.DaysBetween(first, at), Shared: i%2 == 0}
			if p.Loss.Shared {
				p.Loss.Lesson = "Asked about budget only at the second meeting; next time qualify it in the first."
			}
			move(coach.Lost, coach.EventLost, at)
		}
		switch i % 6 {
		case 0: // first meeting held, no answer yet
			p.FollowUpAt = now.Add(7 * 24 * time.Hour)
		case 1: // an opportunity
			opp(first.Add(72*time.Hour), int64(1000+i), "EUR")
		case 2: // won
			opp(first.Add(48*time.Hour), 5000, "EUR")
			move(coach.Won, coach.EventWon, first.Add(40*24*time.Hour))
		case 3: // lost before a second meeting
			lose(first.Add(24*time.Hour), coach.ReasonNoFit)
		case 4: // lost as an opportunity
			opp(first.Add(72*time.Hour), 800, "USD")
			lose(first.Add(20*24*time.Hour), coach.ReasonCompetitor)
		default: // gone quiet
			p.Asks, p.QuietSince = 4, first.Add(10*24*time.Hour)
		}
		if p.LastActivity.After(now) { // a move still ahead of now did not happen yet
			p.LastActivity = now.Add(-time.Minute)
		}
		ps[i] = p
	}
	return ps
}

// measureDigest is test 5: the weekly digest of a 300-rep team with 5,000
// deals in Redis (and 500, to show the reads do not grow with the deals).
// Build: the team and its prospects read as coach reads them, then
// BuildDigest + render.Digest timed in-process (median). Post: the digest
// job run by the bot's own scheduler (one tick) with the sender's shipped
// limits, timed from the tick to the last part posted in the simulator,
// every Redis round trip of the job named. Also: a manager opening App
// Home, whose team section builds the same digest.
func measureDigest(ctx context.Context, o options) ([]row, error) {
	r, err := newDigestRun(ctx, o)
	if err != nil {
		return nil, err
	}
	defer r.close()
	teams, err := r.saveTeams()
	if err != nil {
		return nil, err
	}
	builds, err := r.buildEach(teams)
	if err != nil {
		return nil, err
	}
	shared, err := r.readAmongNeighbours(teams[1].team)
	if err != nil {
		return nil, err
	}
	if err := r.startBot(); err != nil {
		return nil, err
	}
	jobs, err := r.postEach(teams)
	if err != nil {
		return nil, err
	}
	homes, err := r.openManagersHome(teams[len(teams)-1].team)
	if err != nil {
		return nil, err
	}
	return r.rows(teams, builds, shared, jobs, homes), nil
}

// digestRun is what test 5's steps share: one Redis, the simulator and its
// clock, and once started the bot with its scheduler's tick.
type digestRun struct {
	ctx    context.Context
	o      options
	reps   int   // reps per team
	sizes  []int // deals per measured team
	builds int   // in-process builds per team, for the median
	env    *redisEnv
	clock  workdayClock
	sim    *slacksim.Server
	now    time.Time

	bot   *runningBot
	tick  chan time.Time
	posts *postLog
	stop  func()
}

func newDigestRun(ctx context.Context, o options) (*digestRun, error) {
	r := &digestRun{ctx: ctx, o: o, reps: 300, sizes: []int{500, 5000}, builds: 7}
	if o.short {
		r.reps, r.sizes, r.builds = 30, []int{50, 500}, 3
	}
	env, err := startRedis()
	if err != nil {
		return nil, err
	}
	env.trips.keep()
	r.env, r.clock = env, newWorkdayClock()
	r.sim = slacksim.New(slacksim.WithClock(r.clock.Now))
	r.now = r.clock.Now()
	return r, nil
}

func (r *digestRun) close() {
	if r.stop != nil {
		r.stop()
	}
	if r.bot != nil {
		r.bot.stop()
	}
	r.sim.Close()
	r.env.Close()
}

// saveTeams saves a tiny warm-up team first (it loads the job scripts into
// Redis), then one team per size, each in its own workspace; the largest in
// the simulator's, so that its manager can open App Home.
func (r *digestRun) saveTeams() ([]digestTeam, error) {
	var teams []digestTeam
	all := append([]int{10}, r.sizes...)
	for n, deals := range all {
		size := r.reps
		if n == 0 {
			size = 2
		}
		ws := fmt.Sprintf("TDIGEST%d", n)
		if n == len(all)-1 {
			ws = r.sim.TeamID()
		}
		t := r.newTeam(n, ws, size)
		start := time.Now()
		if err := r.env.store.SaveTeam(r.ctx, t); err != nil {
			return nil, err
		}
		// Store.Save answers each save (conflict or not), so saves cannot
		// be sent as one pipeline from outside the store: 16 at a time.
		if err := saveAll(r.ctx, r.env.store, digestDeals(t, deals, r.now), 16); err != nil {
			return nil, err
		}
		r.o.logf("team %s: %d reps, %d deals saved in %s", t.Workspace, size, deals, ms(time.Since(start)))
		teams = append(teams, digestTeam{team: t, deals: deals})
	}
	return teams, nil
}

// newTeam is team n of size reps in workspace ws, two reps in three with a
// quota this quarter, its channel and manager known to the simulator.
func (r *digestRun) newTeam(n int, ws string, size int) coach.Team {
	t := coach.Team{Workspace: ws, Manager: fmt.Sprintf("UMGR%d", n),
		Channel: fmt.Sprintf("CDIGEST%d", n), TZ: "UTC", Version: 1, Quotas: map[string]coach.Quota{}}
	for i := range size {
		rep := fmt.Sprintf("UG%d%04d", n, i)
		t.Reps = append(t.Reps, rep)
		if i%3 != 0 {
			t.Quotas[rep] = coach.Quota{Amount: 250_000, Currency: "EUR", Period: coach.QuarterOf(r.now).Name}
		}
	}
	r.sim.AddChannel(t.Channel, fmt.Sprintf("team-%d", n), true)
	r.sim.AddUser(slacksim.User{ID: t.Manager, Name: fmt.Sprintf("manager%d", n), RealName: "Manager", TZ: "UTC"})
	return t
}

// digestBuild is one team's in-process build: the read as coach reads it,
// and BuildDigest + render.Digest.
type digestBuild struct {
	reads            []string
	read, build, rdr time.Duration
	hvals            time.Duration // the bare HVALS, no decoding
	jsonBytes        int
	msgs, blocks     int
	prospects        int
}

// buildEach reads and builds each team's digest in-process.
func (r *digestRun) buildEach(teams []digestTeam) ([]digestBuild, error) {
	var out []digestBuild
	for _, dt := range teams {
		b, err := r.build(dt)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func (r *digestRun) build(dt digestTeam) (digestBuild, error) {
	var b digestBuild
	// The bare HVALS first, to split the read into Redis and decoding.
	hstart := time.Now()
	raws, err := r.env.rdb.HVals(r.ctx, "{"+benchPrefix+"}:t:"+dt.team.Workspace+":p").Result()
	if err != nil {
		return b, err
	}
	b.hvals = time.Since(hstart)
	if len(raws) != dt.deals {
		return b, fmt.Errorf("HVALS of %s: %d prospects, want %d (has the key layout changed?)", dt.team.Workspace, len(raws), dt.deals)
	}
	m := r.env.trips.mark()
	start := time.Now()
	t, err := r.env.store.Team(r.ctx, dt.team.Workspace, dt.team.Manager)
	if err != nil {
		return b, err
	}
	ps, err := r.env.store.ProspectsOfOwners(r.ctx, t.Workspace, t.Reps) // as coach's teamProspects
	if err != nil {
		return b, err
	}
	b.read, b.reads, b.prospects = time.Since(start), r.env.trips.since(m), len(ps)
	if raw, err := json.Marshal(ps); err == nil {
		b.jsonBytes = len(raw)
	}
	thresholds := coach.NewService(nil, nil, nil, coach.Timing{}).Thresholds
	var totals, bs, rs []time.Duration
	for range r.builds {
		t0 := time.Now()
		d := thresholds.BuildDigest(t, ps, r.clock.Now())
		t1 := time.Now()
		msgs := render.Digest(d, d.Week.To)
		t2 := time.Now()
		totals, bs, rs = append(totals, t2.Sub(t0)), append(bs, t1.Sub(t0)), append(rs, t2.Sub(t1))
		b.msgs, b.blocks = len(msgs), 0
		for _, msg := range msgs {
			b.blocks += len(msg.Blocks)
		}
		if len(d.Rows) != len(t.Reps) {
			return b, fmt.Errorf("digest of %s: %d rows for %d reps", t.Workspace, len(d.Rows), len(t.Reps))
		}
	}
	b.build, b.rdr = median(totals), median(rs)
	r.o.logf("%s: read %d deals in %s (%s; bare HVALS %s), build %s (BuildDigest %s, render %s)", t.Workspace, b.prospects,
		ms(b.read), summary(b.reads), ms(b.hvals), ms(b.build), ms(median(bs)), ms(b.rdr))
	return b, nil
}

// sharedReads is a team's read in a workspace it shares with nine others.
type sharedReads struct {
	neighbours       int // their deals
	own, whole       int // deals read: the team's, the workspace's
	ownRead, wholeRd time.Duration
}

// readAmongNeighbours adds nine more teams with as many deals as the
// largest to shared's workspace, then reads shared's deals and the whole
// workspace's: a digest reads its own team's deals
// (Store.ProspectsOfOwners), no longer the whole workspace's.
func (r *digestRun) readAmongNeighbours(shared coach.Team) (sharedReads, error) {
	var s sharedReads
	for k := range 9 {
		t := coach.Team{Workspace: shared.Workspace, Manager: fmt.Sprintf("UNMGR%d", k), TZ: "UTC", Version: 1}
		for i := range r.reps {
			t.Reps = append(t.Reps, fmt.Sprintf("UN%d%04d", k, i))
		}
		if err := r.env.store.SaveTeam(r.ctx, t); err != nil {
			return s, err
		}
		ps := digestDeals(t, r.sizes[len(r.sizes)-1], r.now)
		for i := range ps {
			ps[i].ID = fmt.Sprintf("n%d-%06d", k, i)
		}
		if err := saveAll(r.ctx, r.env.store, ps, 16); err != nil {
			return s, err
		}
		s.neighbours += len(ps)
	}
	var ownRead, wholeRead []time.Duration
	for range 3 {
		start := time.Now()
		ps, err := r.env.store.ProspectsOfOwners(r.ctx, shared.Workspace, shared.Reps)
		if err != nil {
			return s, err
		}
		ownRead, s.own = append(ownRead, time.Since(start)), len(ps)
		start = time.Now()
		if ps, err = r.env.store.WorkspaceProspects(r.ctx, shared.Workspace); err != nil {
			return s, err
		}
		wholeRead, s.whole = append(wholeRead, time.Since(start)), len(ps)
	}
	s.ownRead, s.wholeRd = median(ownRead), median(wholeRead)
	r.o.logf("shared workspace: the team's %d deals in %s, the workspace's %d in %s", s.own, ms(s.ownRead), s.whole, ms(s.wholeRd))
	return s, nil
}

// postLog records the simulator's successful chat.postMessage calls as
// they come.
type postLog struct {
	mu    sync.Mutex
	posts []digestPost
}

type digestPost struct {
	channel  string
	sent, at time.Time // when the simulator got the call and when it answered (wall clock)
}

// count is how many posts have been recorded.
func (l *postLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.posts)
}

// since returns the posts to channel after the first skip posts.
func (l *postLog) since(skip int, channel string) []digestPost {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []digestPost
	for _, p := range l.posts[skip:] {
		if p.channel == channel {
			out = append(out, p)
		}
	}
	return out
}

// startBot starts recording posts and runs the bot, whose scheduler runs on
// r.tick.
func (r *digestRun) startBot() error {
	watchCtx, stopWatch := context.WithCancel(r.ctx)
	r.stop, r.posts = stopWatch, &postLog{}
	go func() {
		_, _ = r.sim.WaitCall(watchCtx, func(c slacksim.Call) bool {
			if c.Method == "chat.postMessage" && c.Error == "" {
				r.posts.mu.Lock()
				r.posts.posts = append(r.posts.posts, digestPost{channel: c.Params.Get("channel"), sent: c.At.Add(-r.clock.offset), at: time.Now()})
				r.posts.mu.Unlock()
			}
			return false
		})
	}()
	r.tick = make(chan time.Time)
	rb, err := startBot(r.sim, r.env.store, r.clock, r.tick, sender.Options{})
	if err != nil {
		return err
	}
	r.bot = rb
	return nil
}

// digestJob is one digest job as the scheduler ran it.
type digestJob struct {
	trips      []string
	took, post time.Duration
	parts      int
}

// postEach runs each team's digest job through the bot's scheduler.
func (r *digestRun) postEach(teams []digestTeam) ([]digestJob, error) {
	var jobs []digestJob
	for _, dt := range teams {
		j, err := r.post(dt.team)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// post schedules t's digest job, ticks the scheduler once and times it from
// the tick to the last part posted.
func (r *digestRun) post(t coach.Team) (digestJob, error) {
	var j digestJob
	if err := r.env.store.Schedule(r.ctx, coach.DigestKey(t.Workspace, t.Manager), r.clock.Now().Add(-time.Second)); err != nil {
		return j, err
	}
	r.env.trips.quiet(50*time.Millisecond, 5*time.Second)
	m := r.env.trips.mark()
	seen := r.posts.count()
	start := time.Now()
	select {
	case r.tick <- r.clock.Now():
	case <-r.ctx.Done():
		return j, r.ctx.Err()
	}
	// The job's last step schedules next week's digest.
	deadline := time.Now().Add(30 * time.Second)
	for !slices.Contains(r.env.trips.since(m), "schedule") {
		if time.Now().After(deadline) {
			return j, fmt.Errorf("digest job of %s never finished: round trips %s (bot log: %s)", t.Workspace, summary(r.env.trips.since(m)), r.bot.logs)
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.env.trips.quiet(50*time.Millisecond, 5*time.Second)
	j.trips = r.env.trips.since(m)
	parts := r.posts.since(seen, t.Channel)
	if len(parts) == 0 {
		return j, fmt.Errorf("digest job of %s posted nothing to %s (bot log: %s)", t.Workspace, t.Channel, r.bot.logs)
	}
	last := parts[len(parts)-1].at
	j.parts, j.took, j.post = len(parts), last.Sub(start), last.Sub(parts[0].sent)
	r.o.logf("%s: digest job %s, %d part(s), round trips: %s", t.Workspace, ms(j.took), j.parts, summary(j.trips))
	return j, nil
}

// homeOpen is one opening of a manager's App Home.
type homeOpen struct {
	took  time.Duration
	trips []string
}

// openManagersHome opens big's manager's App Home twice: with the
// service's caches cold (team lookup, team's won cycle), then warm. The
// store's scripts are loaded first, so that no round trip is a NOSCRIPT
// retry.
func (r *digestRun) openManagersHome(big coach.Team) ([]homeOpen, error) {
	_, _ = r.env.store.ProspectsOf(r.ctx, big.Workspace, "UNOBODY")
	_, _ = r.env.store.TeamOf(r.ctx, big.Workspace, "UNOBODY")
	var homes []homeOpen
	for range 2 {
		r.env.trips.quiet(50*time.Millisecond, 5*time.Second)
		m := r.env.trips.mark()
		k := len(r.sim.Calls())
		start := time.Now()
		if _, err := r.sim.OpenHome(r.ctx, big.Manager); err != nil {
			return nil, err
		}
		if err := afterCall(r.ctx, r.sim, k, method("views.publish")); err != nil {
			return nil, fmt.Errorf("manager's App Home: %w (bot log: %s)", err, r.bot.logs)
		}
		h := homeOpen{took: time.Since(start)}
		r.env.trips.quiet(50*time.Millisecond, 5*time.Second)
		h.trips = r.env.trips.since(m)
		r.o.logf("manager's App Home: %s, round trips: %s", ms(h.took), summary(h.trips))
		homes = append(homes, h)
	}
	return homes, nil
}

// rows are test 5's results; the warm-up team is teams[0] and has none.
func (r *digestRun) rows(teams []digestTeam, b []digestBuild, s sharedReads, jobs []digestJob, homes []homeOpen) []row {
	var rows []row
	for i := 1; i < len(teams); i++ {
		rows = append(rows, row{name: fmt.Sprintf("digest: build (BuildDigest + render.Digest), %d reps, %d deals", len(teams[i].team.Reps), teams[i].deals),
			measured: fmt.Sprintf("%s median of %d (render %s; %d message(s), %d blocks)", ms(b[i].build), r.builds, ms(b[i].rdr), b[i].msgs, b[i].blocks),
			target:   "< 200 ms", verdict: pass(b[i].build < 200*time.Millisecond), ratio: ratio(float64(b[i].build), float64(200*time.Millisecond))})
	}
	small, large := 1, len(teams)-1
	rs, rl := len(readsIn(jobs[small].trips)), len(readsIn(jobs[large].trips))
	rows = append(rows, row{name: fmt.Sprintf("digest: reads, %d vs %d deals", teams[small].deals, teams[large].deals),
		measured: fmt.Sprintf("job: %d vs %d read round trips (%s); read + decode in-process: %s vs %s (%s vs %s of JSON; the bare HVALS %s vs %s)",
			rs, rl, readNames(jobs[large].trips), ms(b[small].read), ms(b[large].read), mb(int64(b[small].jsonBytes)), mb(int64(b[large].jsonBytes)),
			ms(b[small].hvals), ms(b[large].hvals)),
		target:  "reads pipelined: round trips independent of the number of deals",
		verdict: pass(rs == rl && rl <= 2 && len(b[small].reads) == len(b[large].reads)), ratio: fmt.Sprintf("%d / %d", rl, rs)})
	rows = append(rows, row{name: fmt.Sprintf("digest: reads, a %d-deal team in a workspace with 9 other teams (%d deals more)", teams[small].deals, s.neighbours),
		measured: fmt.Sprintf("the team's %d deals read + decoded in %s, 1 round trip; the whole workspace's %d (what a digest read before) in %s",
			s.own, ms(s.ownRead), s.whole, ms(s.wholeRd)),
		target: "—", verdict: verdictInfo, ratio: ratio(float64(s.ownRead), float64(s.wholeRd))})
	for _, i := range []int{small, large} {
		j := jobs[i]
		rows = append(rows, row{name: fmt.Sprintf("digest: post, the digest job via the scheduler, %d deals", teams[i].deals),
			measured: fmt.Sprintf("%s from the tick to the last part posted (posting %d part(s): %s); %d round trips: %s",
				ms(j.took), j.parts, ms(j.post), len(j.trips), summary(j.trips)),
			target: "—", verdict: verdictInfo, ratio: "—"})
	}
	rows = append(rows, row{name: fmt.Sprintf("digest: a manager opens App Home (its team section is the digest), %d deals", teams[large].deals),
		measured: fmt.Sprintf("first open %s to views.publish, %d round trips (%s); again %s, %d round trips (%s)",
			ms(homes[0].took), len(homes[0].trips), summary(homes[0].trips), ms(homes[1].took), len(homes[1].trips), summary(homes[1].trips)),
		target: "—", verdict: verdictInfo, ratio: "—"})
	return rows
}

// readsIn is the reads among a job's round trips.
func readsIn(what []string) []string {
	var out []string
	for _, w := range what {
		if w == "team read" || w == "team-of read" || w == "team prospects read" || w == "workspace prospects read" {
			out = append(out, w)
		}
	}
	return out
}

// readNames lists the reads among a job's round trips.
func readNames(what []string) string { return summary(readsIn(what)) }

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
