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
	reps, sizes, builds := 300, []int{500, 5000}, 7
	if o.short {
		reps, sizes, builds = 30, []int{50, 500}, 3
	}
	env, err := startRedis()
	if err != nil {
		return nil, err
	}
	defer env.Close()
	env.trips.keep()
	clock := newWorkdayClock()
	sim := slacksim.New(slacksim.WithClock(clock.Now))
	defer sim.Close()
	now := clock.Now()

	// A tiny warm-up team first (loads the job scripts into Redis), then one
	// team per size, each in its own workspace; the largest in the
	// simulator's, so that its manager can open App Home.
	var teams []digestTeam
	all := append([]int{10}, sizes...)
	for n, deals := range all {
		size := reps
		if n == 0 {
			size = 2
		}
		ws := fmt.Sprintf("TDIGEST%d", n)
		if n == len(all)-1 {
			ws = sim.TeamID()
		}
		t := coach.Team{Workspace: ws, Manager: fmt.Sprintf("UMGR%d", n),
			Channel: fmt.Sprintf("CDIGEST%d", n), TZ: "UTC", Version: 1, Quotas: map[string]coach.Quota{}}
		for i := range size {
			rep := fmt.Sprintf("UG%d%04d", n, i)
			t.Reps = append(t.Reps, rep)
			if i%3 != 0 { // two reps in three have a quota this quarter
				t.Quotas[rep] = coach.Quota{Amount: 250_000, Currency: "EUR", Period: coach.QuarterOf(now).Name}
			}
		}
		sim.AddChannel(t.Channel, fmt.Sprintf("team-%d", n), true)
		sim.AddUser(slacksim.User{ID: t.Manager, Name: fmt.Sprintf("manager%d", n), RealName: "Manager", TZ: "UTC"})
		start := time.Now()
		if err := env.store.SaveTeam(ctx, t); err != nil {
			return nil, err
		}
		ps := digestDeals(t, deals, now)
		// Store.Save answers each save (conflict or not), so saves cannot
		// be sent as one pipeline from outside the store: 16 at a time.
		if err := saveAll(ctx, env.store, ps, 16); err != nil {
			return nil, err
		}
		o.logf("team %s: %d reps, %d deals saved in %s", t.Workspace, size, deals, ms(time.Since(start)))
		teams = append(teams, digestTeam{team: t, deals: deals})
	}

	// Build, in-process, from what coach reads.
	thresholds := coach.NewService(nil, nil, nil, coach.Timing{}).Thresholds
	type built struct {
		reads            []string
		read, build, rdr time.Duration
		hvals            time.Duration // the bare HVALS, no decoding
		jsonBytes        int
		msgs, blocks     int
		prospects        int
	}
	var b []built
	for _, dt := range teams {
		var r built
		// The bare HVALS first, to split the read into Redis and decoding.
		hstart := time.Now()
		raws, err := env.rdb.HVals(ctx, "{"+benchPrefix+"}:t:"+dt.team.Workspace+":p").Result()
		if err != nil {
			return nil, err
		}
		r.hvals = time.Since(hstart)
		if len(raws) != dt.deals {
			return nil, fmt.Errorf("HVALS of %s: %d prospects, want %d (has the key layout changed?)", dt.team.Workspace, len(raws), dt.deals)
		}
		m := env.trips.mark()
		start := time.Now()
		t, err := env.store.Team(ctx, dt.team.Workspace, dt.team.Manager)
		if err != nil {
			return nil, err
		}
		ps, err := env.store.ProspectsOfOwners(ctx, t.Workspace, t.Reps) // as coach's teamProspects
		if err != nil {
			return nil, err
		}
		r.read = time.Since(start)
		r.reads = env.trips.since(m)
		r.prospects = len(ps)
		if raw, err := json.Marshal(ps); err == nil {
			r.jsonBytes = len(raw)
		}
		var totals, bs, rs []time.Duration
		for range builds {
			at := clock.Now()
			t0 := time.Now()
			d := thresholds.BuildDigest(t, ps, at)
			t1 := time.Now()
			msgs := render.Digest(d, d.Week.To)
			t2 := time.Now()
			totals, bs, rs = append(totals, t2.Sub(t0)), append(bs, t1.Sub(t0)), append(rs, t2.Sub(t1))
			r.msgs, r.blocks = len(msgs), 0
			for _, msg := range msgs {
				r.blocks += len(msg.Blocks)
			}
			if len(d.Rows) != len(t.Reps) {
				return nil, fmt.Errorf("digest of %s: %d rows for %d reps", t.Workspace, len(d.Rows), len(t.Reps))
			}
		}
		r.build = median(totals)
		r.rdr = median(rs)
		b = append(b, r)
		o.logf("%s: read %d deals in %s (%s; bare HVALS %s), build %s (BuildDigest %s, render %s)", t.Workspace, r.prospects,
			ms(r.read), summary(r.reads), ms(r.hvals), ms(r.build), ms(median(bs)), ms(r.rdr))
	}

	// Neighbours: nine more teams with as many deals as the largest, in the
	// smallest team's workspace. A digest reads its own team's deals
	// (Store.ProspectsOfOwners), no longer the whole workspace's.
	shared := teams[1].team
	neighbours := 0
	for k := range 9 {
		t := coach.Team{Workspace: shared.Workspace, Manager: fmt.Sprintf("UNMGR%d", k), TZ: "UTC", Version: 1}
		for i := range reps {
			t.Reps = append(t.Reps, fmt.Sprintf("UN%d%04d", k, i))
		}
		if err := env.store.SaveTeam(ctx, t); err != nil {
			return nil, err
		}
		ps := digestDeals(t, sizes[len(sizes)-1], now)
		for i := range ps {
			ps[i].ID = fmt.Sprintf("n%d-%06d", k, i)
		}
		if err := saveAll(ctx, env.store, ps, 16); err != nil {
			return nil, err
		}
		neighbours += len(ps)
	}
	var ownRead, wholeRead []time.Duration
	var own, whole int
	for range 3 {
		start := time.Now()
		ps, err := env.store.ProspectsOfOwners(ctx, shared.Workspace, shared.Reps)
		if err != nil {
			return nil, err
		}
		ownRead, own = append(ownRead, time.Since(start)), len(ps)
		start = time.Now()
		if ps, err = env.store.WorkspaceProspects(ctx, shared.Workspace); err != nil {
			return nil, err
		}
		wholeRead, whole = append(wholeRead, time.Since(start)), len(ps)
	}
	o.logf("shared workspace: the team's %d deals in %s, the workspace's %d in %s", own, ms(median(ownRead)), whole, ms(median(wholeRead)))

	// Post: the digest job, run by the bot's scheduler.
	var mu sync.Mutex
	type post struct {
		channel  string
		sent, at time.Time // when the simulator got the call and when it answered (wall clock)
	}
	var posts []post
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go func() {
		_, _ = sim.WaitCall(watchCtx, func(c slacksim.Call) bool {
			if c.Method == "chat.postMessage" && c.Error == "" {
				mu.Lock()
				posts = append(posts, post{channel: c.Params.Get("channel"), sent: c.At.Add(-clock.offset), at: time.Now()})
				mu.Unlock()
			}
			return false
		})
	}()
	tick := make(chan time.Time)
	rb, err := startBot(sim, env.store, clock, tick, sender.Options{})
	if err != nil {
		return nil, err
	}
	defer rb.stop()
	type job struct {
		trips      []string
		took, post time.Duration
		parts      int
	}
	var jobs []job
	for _, dt := range teams {
		t := dt.team
		if err := env.store.Schedule(ctx, coach.DigestKey(t.Workspace, t.Manager), clock.Now().Add(-time.Second)); err != nil {
			return nil, err
		}
		env.trips.quiet(50*time.Millisecond, 5*time.Second)
		m := env.trips.mark()
		mu.Lock()
		seen := len(posts)
		mu.Unlock()
		start := time.Now()
		select {
		case tick <- clock.Now():
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The job's last step schedules next week's digest.
		deadline := time.Now().Add(30 * time.Second)
		for !slices.Contains(env.trips.since(m), "schedule") {
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("digest job of %s never finished: round trips %s (bot log: %s)", t.Workspace, summary(env.trips.since(m)), rb.logs)
			}
			time.Sleep(2 * time.Millisecond)
		}
		env.trips.quiet(50*time.Millisecond, 5*time.Second)
		var j job
		j.trips = env.trips.since(m)
		mu.Lock()
		var first, last time.Time
		for _, p := range posts[seen:] {
			if p.channel != t.Channel {
				continue
			}
			if first.IsZero() {
				first = p.sent
			}
			last = p.at
			j.parts++
		}
		mu.Unlock()
		if j.parts == 0 {
			return nil, fmt.Errorf("digest job of %s posted nothing to %s (bot log: %s)", t.Workspace, t.Channel, rb.logs)
		}
		j.took, j.post = last.Sub(start), last.Sub(first)
		jobs = append(jobs, j)
		o.logf("%s: digest job %s, %d part(s), round trips: %s", t.Workspace, ms(j.took), j.parts, summary(j.trips))
	}

	// A manager opening App Home (the biggest team's), twice: with the
	// service's caches cold (team lookup, team's won cycle), then warm. The
	// store's scripts are loaded first, so that no round trip is a NOSCRIPT
	// retry.
	big := teams[len(teams)-1].team
	_, _ = env.store.ProspectsOf(ctx, big.Workspace, "UNOBODY")
	_, _ = env.store.TeamOf(ctx, big.Workspace, "UNOBODY")
	type homeOpen struct {
		took  time.Duration
		trips []string
	}
	var homes []homeOpen
	for range 2 {
		env.trips.quiet(50*time.Millisecond, 5*time.Second)
		m := env.trips.mark()
		k := len(sim.Calls())
		start := time.Now()
		if _, err := sim.OpenHome(ctx, big.Manager); err != nil {
			return nil, err
		}
		if err := afterCall(ctx, sim, k, method("views.publish")); err != nil {
			return nil, fmt.Errorf("manager's App Home: %w (bot log: %s)", err, rb.logs)
		}
		h := homeOpen{took: time.Since(start)}
		env.trips.quiet(50*time.Millisecond, 5*time.Second)
		h.trips = env.trips.since(m)
		o.logf("manager's App Home: %s, round trips: %s", ms(h.took), summary(h.trips))
		homes = append(homes, h)
	}

	// Rows: the warm-up team is teams[0].
	readsOf := func(what []string) int {
		n := 0
		for _, w := range what {
			if w == "team read" || w == "team-of read" || w == "team prospects read" || w == "workspace prospects read" {
				n++
			}
		}
		return n
	}
	var rows []row
	for i := 1; i < len(teams); i++ {
		r := b[i]
		rows = append(rows, row{name: fmt.Sprintf("digest: build (BuildDigest + render.Digest), %d reps, %d deals", len(teams[i].team.Reps), teams[i].deals),
			measured: fmt.Sprintf("%s median of %d (render %s; %d message(s), %d blocks)", ms(r.build), builds, ms(r.rdr), r.msgs, r.blocks),
			target:   "< 200 ms", verdict: pass(r.build < 200*time.Millisecond), ratio: ratio(float64(r.build), float64(200*time.Millisecond))})
	}
	small, large := 1, len(teams)-1
	rs, rl := readsOf(jobs[small].trips), readsOf(jobs[large].trips)
	rows = append(rows, row{name: fmt.Sprintf("digest: reads, %d vs %d deals", teams[small].deals, teams[large].deals),
		measured: fmt.Sprintf("job: %d vs %d read round trips (%s); read + decode in-process: %s vs %s (%s vs %s of JSON; the bare HVALS %s vs %s)",
			rs, rl, readNames(jobs[large].trips), ms(b[small].read), ms(b[large].read), mb(int64(b[small].jsonBytes)), mb(int64(b[large].jsonBytes)),
			ms(b[small].hvals), ms(b[large].hvals)),
		target:  "reads pipelined: round trips independent of the number of deals",
		verdict: pass(rs == rl && rl <= 2 && len(b[small].reads) == len(b[large].reads)), ratio: fmt.Sprintf("%d / %d", rl, rs)})
	rows = append(rows, row{name: fmt.Sprintf("digest: reads, a %d-deal team in a workspace with 9 other teams (%d deals more)", teams[small].deals, neighbours),
		measured: fmt.Sprintf("the team's %d deals read + decoded in %s, 1 round trip; the whole workspace's %d (what a digest read before) in %s",
			own, ms(median(ownRead)), whole, ms(median(wholeRead))),
		target: "—", verdict: verdictInfo, ratio: ratio(float64(median(ownRead)), float64(median(wholeRead)))})
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
	return rows, nil
}

// readNames lists the reads among a job's round trips.
func readNames(what []string) string {
	var out []string
	for _, w := range what {
		if w == "team read" || w == "team-of read" || w == "team prospects read" || w == "workspace prospects read" {
			out = append(out, w)
		}
	}
	return summary(out)
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
