package coach_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// A quarter of a team of eight, run through the service's scheduler every
// working morning over the store as the deals stood: four healthy reps and
// four with a planted problem. Every problem is raised within a week of the
// rule first seeing it, no healthy rep gets a brief, no rep gets two in a
// week, and the quarter's briefs are printed as a table
// (go test ./coach -run TestQuarterOfBriefs -v).

// qEvent is one step of a simulated deal.
type qEvent struct {
	at time.Time
	to coach.State
	ev coach.Event
}

// qDeal is a simulated deal: its script of events, read as of any moment.
type qDeal struct {
	p      coach.Prospect // as it ends, with the full script in History
	events []qEvent
	qual   map[string]string
}

// at is the deal as the store would hold it at t; ok is false before it
// was logged.
func (d qDeal) at(t time.Time) (coach.Prospect, bool) {
	p := d.p
	p.History, p.State, p.Loss, p.Qualification, p.SecondMeeting, p.NextStep, p.Amount = nil, coach.Scheduled, nil, nil, time.Time{}, "", 0
	for _, e := range d.events {
		if !e.at.Before(t) {
			break
		}
		p.History = append(p.History, coach.Entry{At: e.at, By: p.Owner, Event: e.ev, From: p.State, To: e.to})
		switch e.to {
		case coach.Opportunity:
			if p.State != coach.Opportunity {
				p.SecondMeeting, p.NextStep, p.Amount, p.Currency, p.Qualification = e.at.Add(48*time.Hour), "next call", d.p.Amount, "USD", d.qual
			}
		case coach.Lost:
			p.Loss = &coach.Loss{Reason: coach.ReasonNoFit, DaysToLose: coach.DaysBetween(p.FirstMeeting, e.at)}
		}
		p.State, p.LastActivity = e.to, e.at
	}
	return p, len(p.History) > 0
}

type qRep struct {
	id, problem     string // problem: "" for a healthy rep, else the finding kind planted
	convert         float64
	lossDays        [2]int // a non-converted prospect is lost this many days after the first meeting
	update          int    // an opportunity is updated every this many days (0: never)
	winDays         [2]int
	win             float64
	qualified       bool
	meetingsPerWeek int
	amount          int64
}

func qPlay(rep qRep, start, end time.Time, rng *rand.Rand) []qDeal {
	var out []qDeal
	n := 0
	day := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo+1)) * 24 * time.Hour }
	for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		for range rep.meetingsPerWeek {
			if rng.IntN(5) != 0 {
				continue // about meetingsPerWeek a week, spread over the days
			}
			n++
			first := d.Add(time.Duration(10+rng.IntN(6)) * time.Hour)
			deal := qDeal{p: coach.Prospect{Workspace: "T1", ID: fmt.Sprintf("%s-%03d", rep.id, n), Owner: rep.id,
				Account: fmt.Sprintf("%s deal %d", rep.id, n), TZ: "UTC", FirstMeeting: first, MeetingEnd: first.Add(time.Hour),
				CreatedAt: first.Add(-24 * time.Hour), Amount: rep.amount}}
			if rep.qualified {
				deal.qual = ndAnswered()
			}
			ev := []qEvent{{first.Add(-24 * time.Hour), coach.Scheduled, coach.EventLogged}, {first.Add(90 * time.Minute), coach.Awaiting, coach.EventAsked}}
			if rng.Float64() < rep.convert {
				opp := first.Add(day(1, 3))
				ev = append(ev, qEvent{opp, coach.Opportunity, coach.EventConfirmed})
				closeAt := opp.Add(day(rep.winDays[0], rep.winDays[1]))
				if rep.update > 0 {
					for u := opp.Add(time.Duration(rep.update) * 24 * time.Hour); u.Before(closeAt); u = u.Add(time.Duration(rep.update) * 24 * time.Hour) {
						ev = append(ev, qEvent{u, coach.Opportunity, coach.EventUpdated})
					}
				}
				if rng.Float64() < rep.win {
					ev = append(ev, qEvent{closeAt, coach.Won, coach.EventWon})
				} else {
					ev = append(ev, qEvent{closeAt, coach.Lost, coach.EventLost})
				}
			} else {
				ev = append(ev, qEvent{first.Add(day(rep.lossDays[0], rep.lossDays[1])), coach.Lost, coach.EventLost})
			}
			deal.events = ev
			out = append(out, deal)
		}
	}
	return out
}

func TestQuarterOfBriefs(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 2026))
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC) // a month of history before the quarter
	qStart := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	qEnd := time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)
	healthy := func(id string) qRep {
		return qRep{id: id, convert: 0.6, lossDays: [2]int{1, 8}, update: 5, winDays: [2]int{15, 35}, win: 0.5, qualified: true, meetingsPerWeek: 4, amount: 20000}
	}
	reps := []qRep{
		healthy("Ana"), healthy("Ben"), healthy("Cem"), healthy("Dia"),
		{id: "Low", problem: string(coach.FindingLowConversion), convert: 0.05, lossDays: [2]int{1, 6}, update: 5, winDays: [2]int{15, 35}, win: 0.5, qualified: true, meetingsPerWeek: 5, amount: 20000},
		{id: "Slow", problem: string(coach.FindingSlowLosses), convert: 0.5, lossDays: [2]int{35, 60}, update: 5, winDays: [2]int{15, 35}, win: 0.5, qualified: true, meetingsPerWeek: 4, amount: 20000},
		{id: "Late", problem: string(coach.FindingLateQualification), convert: 0.6, lossDays: [2]int{1, 8}, update: 5, winDays: [2]int{40, 60}, win: 0.5, qualified: false, meetingsPerWeek: 3, amount: 20000},
		{id: "Drift", problem: string(coach.FindingStalled), convert: 0.6, lossDays: [2]int{1, 8}, update: 0, winDays: [2]int{20, 40}, win: 0.5, qualified: true, meetingsPerWeek: 3, amount: 20000},
	}
	team := coach.Team{Workspace: "T1", Manager: "M1", TZ: "UTC"}
	var deals []qDeal
	for _, r := range reps {
		team.Reps = append(team.Reps, r.id)
		deals = append(deals, qPlay(r, start, qEnd, rng)...)
	}
	th := coach.DefaultThresholds
	type sent struct {
		at    time.Time
		brief coach.Brief
	}
	// The team, made as an admin and its manager would, and the scheduler
	// run every working morning over the store as the deals stood then.
	f := newFixture(t, qStart)
	ctx := context.Background()
	manager := coach.Actor{Workspace: "T1", User: "M1"}
	if _, err := f.svc.MakeManager(ctx, admin, "M1", "UTC"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddReps(ctx, manager, team.Reps); err != nil {
		t.Fatal(err)
	}
	saved := map[string]int{}     // deal → history entries saved
	version := map[string]int64{} // deal → its version in the store
	var log []sent
	firstSeen := map[string]time.Time{}   // rep → when the rules first saw the planted problem
	firstRaised := map[string]time.Time{} // rep → the first brief holding it
	discussed := 0
	posts := map[string][]coach.MessageRef{} // brief key → the messages it was posted as
	for d := qStart; d.Before(qEnd); d = d.AddDate(0, 0, 1) {
		now := d.Add(9 * time.Hour)
		var ps []coach.Prospect
		for _, dl := range deals {
			p, ok := dl.at(now)
			if !ok {
				continue
			}
			ps = append(ps, p)
			if n := len(p.History); n != saved[p.ID] {
				// A save each time the deal moved, over the version before.
				version[p.ID]++
				p.Version = version[p.ID]
				if err := f.store.Save(ctx, p); err != nil {
					t.Fatalf("save %s: %v", p.ID, err)
				}
				saved[p.ID] = n
			}
		}
		for _, n := range th.Findings(team, ndBANT, ps, now) {
			for _, r := range reps {
				if n.Rep == r.id && string(n.Kind) == r.problem && firstSeen[r.id].IsZero() {
					firstSeen[r.id] = now
				}
			}
		}
		before := len(f.notify.Briefs)
		f.clock.Set(now)
		if _, err := f.svc.RunDue(ctx); err != nil {
			t.Fatalf("RunDue at %s: %v", now, err)
		}
		for _, b := range f.notify.Briefs[before:] {
			log = append(log, sent{now, b})
			posts[b.Key()] = append(posts[b.Key()], f.svc.NudgePost(ctx, manager, b.Key(), coach.MessageRef{}))
			for _, n := range b.Findings {
				for _, r := range reps {
					if n.Rep == r.id && string(n.Kind) == r.problem && firstRaised[r.id].IsZero() {
						firstRaised[r.id] = now
					}
				}
			}
			// The manager talks every other brief through and says so.
			if len(log)%2 == 0 {
				if _, err := f.svc.AnswerNudge(ctx, manager, b.Key(), false); err != nil {
					t.Fatal(err)
				}
				discussed++
			}
		}
	}

	// The checks.
	perRep := map[string][]time.Time{}
	perDay := map[string]int{}
	kinds := map[string]map[coach.FindingKind]int{}
	for _, s := range log {
		perRep[s.brief.Rep] = append(perRep[s.brief.Rep], s.at)
		perDay[s.at.Format("2006-01-02")]++
		if kinds[s.brief.Rep] == nil {
			kinds[s.brief.Rep] = map[coach.FindingKind]int{}
		}
		for _, n := range s.brief.Findings {
			kinds[s.brief.Rep][n.Kind]++
		}
	}
	for _, r := range reps {
		times := perRep[r.id]
		for i := 1; i < len(times); i++ {
			if times[i].Sub(times[i-1]) < 7*24*time.Hour {
				t.Errorf("%s had two briefs within a week: %s and %s", r.id, times[i-1].Format("Jan 2"), times[i].Format("Jan 2"))
			}
		}
		if r.problem == "" {
			if len(times) > 0 {
				t.Errorf("healthy %s got %d briefs: %v", r.id, len(times), kinds[r.id])
			}
			continue
		}
		seen, raised := firstSeen[r.id], firstRaised[r.id]
		switch {
		case seen.IsZero():
			t.Errorf("%s's planted %s was never seen by the rules", r.id, r.problem)
		case raised.IsZero() || raised.Sub(seen) > 7*24*time.Hour:
			t.Errorf("%s's %s, seen %s, raised %v: later than a week", r.id, r.problem, seen.Format("Jan 2"), raised)
		case seen.After(qStart.AddDate(0, 0, 42)):
			t.Errorf("%s's %s first seen %s: more than six weeks into the quarter", r.id, r.problem, seen.Format("Jan 2"))
		}
	}
	// A rep's brief comes weekly under one key: an answer to an earlier
	// message still in the nudge log is shown on that message; a message of
	// another brief, or another manager's click, is not taken at its word.
	var other coach.MessageRef
	for key, refs := range posts {
		if len(refs) < 2 {
			continue
		}
		latest, earlier := refs[len(refs)-1], refs[len(refs)-2]
		if got := f.svc.NudgePost(ctx, manager, key, earlier); got != earlier {
			t.Errorf("%s: an answer to its brief before the last is shown on %+v, want %+v", key, got, earlier)
		}
		if !other.IsZero() {
			if got := f.svc.NudgePost(ctx, manager, key, other); got != latest {
				t.Errorf("%s: a click on another brief's message %+v is shown on %+v, want its latest %+v", key, other, got, latest)
			}
		}
		if got := f.svc.NudgePost(ctx, coach.Actor{Workspace: "T1", User: "M2"}, key, earlier); !got.IsZero() {
			t.Errorf("%s: another manager's answer is shown on %+v", key, got)
		}
		other = earlier
	}
	for day, n := range perDay {
		if n > th.MaxNudgesPerDay {
			t.Errorf("%d briefs on %s", n, day)
		}
	}

	// The quarter's total, as the manager received it.
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-6s %-20s %7s %7s %7s  %s\n", "rep", "planted", "first", "raised", "briefs", "findings in them")
	total := 0
	for _, r := range reps {
		var fs []string
		for _, k := range slices.Sorted(func(yield func(coach.FindingKind) bool) {
			for k := range kinds[r.id] {
				if !yield(k) {
					return
				}
			}
		}) {
			fs = append(fs, fmt.Sprintf("%s×%d", k, kinds[r.id][k]))
		}
		day := func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.Format("Jan 2")
		}
		planted := r.problem
		if planted == "" {
			planted = "healthy"
		}
		fmt.Fprintf(&b, "%-6s %-20s %7s %7s %7d  %s\n", r.id, planted, day(firstSeen[r.id]), day(firstRaised[r.id]), len(perRep[r.id]), strings.Join(fs, " "))
		total += len(perRep[r.id])
	}
	busiest := 0
	for _, n := range perDay {
		busiest = max(busiest, n)
	}
	fmt.Fprintf(&b, "quarter: %d briefs to the manager over %d working days with any (busiest day: %d), %d marked discussed; %d deals simulated\n",
		total, len(perDay), busiest, discussed, len(deals))
	t.Log(b.String())
}
