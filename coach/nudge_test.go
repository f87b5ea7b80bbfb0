package coach_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// ndNow is "now" in the nudge fixtures: Wednesday 2026-03-11 10:00 UTC,
// within default working hours, in 2026-Q1.
var ndNow = time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC)

const ndDay = 24 * time.Hour

// ndAgo is n days before ndNow.
func ndAgo(n int) time.Time { return ndNow.Add(-time.Duration(n) * ndDay) }

type ndMove struct {
	to coach.State
	at time.Time
}

func ndOpp(at time.Time) ndMove  { return ndMove{coach.Opportunity, at} }
func ndWon(at time.Time) ndMove  { return ndMove{coach.Won, at} }
func ndLost(at time.Time) ndMove { return ndMove{coach.Lost, at} }

var ndBANT, _ = coach.FrameworkNamed("bant")

func ndAnswered() map[string]string {
	return map[string]string{"budget": "set aside", "authority": "CFO", "need": "manual billing", "timeline": "Q2"}
}

// ndDeal builds a prospect of owner's, first met at first, moved as the
// moves say, with every field the rules read set as the transitions would:
// an opportunity has a second meeting, a next step and every BANT item
// answered; its last activity is its last move.
func ndDeal(id, owner string, first time.Time, moves ...ndMove) coach.Prospect {
	logged := first.Add(-ndDay)
	p := coach.Prospect{
		Workspace: "W1", ID: id, Owner: owner, Account: "Account " + id, TZ: "UTC",
		FirstMeeting: first, MeetingEnd: first.Add(45 * time.Minute),
		State: coach.Awaiting, CreatedAt: logged, LastActivity: first.Add(time.Hour),
		History: []coach.Entry{
			{At: logged, By: owner, Event: coach.EventLogged, To: coach.Scheduled},
			{At: first.Add(time.Hour), By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting},
		},
	}
	events := map[coach.State]coach.Event{coach.Opportunity: coach.EventConfirmed, coach.Won: coach.EventWon, coach.Lost: coach.EventLost}
	for _, m := range moves {
		switch m.to {
		case coach.Lost:
			p.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Shared: true, Stage: p.State, DaysToLose: coach.DaysBetween(first, m.at)}
		case coach.Opportunity:
			p.SecondMeeting = m.at.Add(2 * ndDay)
			p.NextStep = "demo with the team"
			p.Qualification = ndAnswered()
			p.Amount, p.Currency = 20000, "USD"
		}
		p.History = append(p.History, coach.Entry{At: m.at, By: owner, Event: events[m.to], From: p.State, To: m.to})
		p.State = m.to
		p.LastActivity = m.at
	}
	return p
}

// ndActive makes an open opportunity active at t.
func ndActive(p coach.Prospect, t time.Time) coach.Prospect {
	p.LastActivity = t
	p.History = append(p.History, coach.Entry{At: t, By: p.Owner, Event: coach.EventUpdated, From: p.State, To: p.State})
	return p
}

// The reps of the fixtures: one healthy, and one planted per kind.

// ndHealthy converts 4 of 6 first meetings, loses fast (but not today),
// wins 2 of 5 closed opportunities, and its open deals move, are
// qualified, and cover 1.3× the quota.
func ndHealthy(rep string) []coach.Prospect {
	var ps []coach.Prospect
	for i := range 4 {
		first := ndAgo(20 + i)
		ps = append(ps, ndActive(ndDeal(fmt.Sprintf("%s-open%d", rep, i), rep, first, ndOpp(first.Add(3*ndDay))), ndAgo(2)))
	}
	for i := range 2 {
		first := ndAgo(30 + i)
		ps = append(ps, ndDeal(fmt.Sprintf("%s-nofit%d", rep, i), rep, first, ndLost(first.Add(3*ndDay))))
	}
	for i := range 5 {
		first := ndAgo(60 + i)
		last := ndLost(first.Add(8 * ndDay))
		if i < 2 {
			last = ndWon(first.Add(30 * ndDay))
		}
		ps = append(ps, ndDeal(fmt.Sprintf("%s-closed%d", rep, i), rep, first, ndOpp(first.Add(2*ndDay)), last))
	}
	return ps
}

var ndHealthyQuota = coach.Quota{Amount: 60000, Currency: "USD", Period: "2026-Q1"}

// ndLowConversion: 2 of 10 first meetings led to a second, all long ago
// enough that no loss is today's.
func ndLowConversion(rep string) []coach.Prospect {
	var ps []coach.Prospect
	for i := range 10 {
		first := ndAgo(40 + 2*i)
		if i < 2 {
			ps = append(ps, ndDeal(fmt.Sprintf("%s-%d", rep, i), rep, first, ndOpp(first.Add(ndDay)), ndLost(first.Add(4*ndDay))))
			continue
		}
		ps = append(ps, ndDeal(fmt.Sprintf("%s-%d", rep, i), rep, first, ndLost(first.Add(2*ndDay))))
	}
	return ps
}

// ndSlowLosses: n opportunities lost about 50 days after the first meeting.
func ndSlowLosses(rep string, n int) []coach.Prospect {
	var ps []coach.Prospect
	for i := range n {
		first := ndAgo(70 + i)
		ps = append(ps, ndDeal(fmt.Sprintf("%s-%d", rep, i), rep, first, ndOpp(first.Add(5*ndDay)), ndLost(first.Add(time.Duration(48+i)*ndDay))))
	}
	return ps
}

// ndStalled: an opportunity with no activity for 20 days (not aged, fully
// qualified), and one waiting on legal until next week.
func ndStalled(rep string) []coach.Prospect {
	first := ndAgo(25)
	stalled := ndDeal(rep+"-stalled", rep, first, ndOpp(ndAgo(24)))
	stalled = ndActive(stalled, ndAgo(20))
	waiting := ndDeal(rep+"-waiting", rep, first, ndOpp(ndAgo(24)))
	waiting = ndActive(waiting, ndAgo(20))
	waiting.WaitingOn, waiting.WaitingUntil = "legal review", ndNow.Add(5*ndDay)
	return []coach.Prospect{stalled, waiting}
}

// ndAged: an opportunity first met 100 days ago, active yesterday, fully
// qualified.
func ndAged(rep string) []coach.Prospect {
	first := ndAgo(100)
	return []coach.Prospect{ndActive(ndDeal(rep+"-aged", rep, first, ndOpp(ndAgo(95))), ndAgo(1))}
}

// ndLate: an opportunity for 40 days with one BANT item of four answered.
func ndLate(rep string) []coach.Prospect {
	p := ndActive(ndDeal(rep+"-late", rep, ndAgo(41), ndOpp(ndAgo(40))), ndAgo(1))
	p.Qualification = map[string]string{"budget": "50k approved"}
	return []coach.Prospect{p}
}

// ndPadded: 400k open against a 100k quota (10k already won this quarter),
// two deals without a next step, 1 of 5 closed opportunities won.
func ndPadded(rep string) []coach.Prospect {
	var ps []coach.Prospect
	for i := range 4 {
		first := ndAgo(20 + i)
		p := ndActive(ndDeal(fmt.Sprintf("%s-open%d", rep, i), rep, first, ndOpp(first.Add(2*ndDay))), ndAgo(2))
		p.Amount = 100000 + int64(i)
		if i%2 == 1 {
			p.NextStep = ""
		}
		ps = append(ps, p)
	}
	for i := range 5 {
		first := ndAgo(50 + i)
		last := ndLost(first.Add(6 * ndDay))
		if i == 0 {
			last = ndWon(first.Add(20 * ndDay))
		}
		p := ndDeal(fmt.Sprintf("%s-closed%d", rep, i), rep, first, ndOpp(first.Add(2*ndDay)), last)
		p.Amount = 10000
		ps = append(ps, p)
	}
	return ps
}

var ndPaddedQuota = coach.Quota{Amount: 100000, Currency: "USD", Period: "2026-Q1"}

// ndFastLoss: a prospect lost two hours ago, three days after its first
// meeting.
func ndFastLoss(rep string) []coach.Prospect {
	return []coach.Prospect{ndDeal(rep+"-fast", rep, ndAgo(3), ndLost(ndNow.Add(-2*time.Hour)))}
}

// ndImproved: 1 of 5 first meetings converted in the window before, 3 of 5
// in this one; every loss fast and long gone.
func ndImproved(rep string) []coach.Prospect {
	var ps []coach.Prospect
	add := func(name string, first time.Time, converted bool) {
		if converted {
			ps = append(ps, ndDeal(name, rep, first, ndOpp(first.Add(ndDay)), ndLost(first.Add(3*ndDay))))
			return
		}
		ps = append(ps, ndDeal(name, rep, first, ndLost(first.Add(2*ndDay))))
	}
	for i := range 5 {
		add(fmt.Sprintf("%s-before%d", rep, i), ndAgo(120+3*i), i < 1)
		add(fmt.Sprintf("%s-now%d", rep, i), ndAgo(20+3*i), i < 3)
	}
	return ps
}

func ndTeam(reps ...string) coach.Team {
	return coach.Team{Workspace: "W1", Manager: "M1", Reps: reps, TZ: "UTC", Quotas: map[string]coach.Quota{}}
}

type ndFound struct {
	kind    coach.NudgeKind
	subject string
}

func ndKinds(ns []coach.Nudge) []ndFound {
	var out []ndFound
	for _, n := range ns {
		out = append(out, ndFound{n.Kind, n.Subject})
	}
	return out
}

func TestNudgeCandidatesEachKind(t *testing.T) {
	th := coach.DefaultThresholds
	for _, tc := range []struct {
		name  string
		ps    []coach.Prospect
		quota *coach.Quota
		want  []ndFound
	}{
		{"healthy rep: nothing", nil, nil, nil},
		{"low conversion", ndLowConversion("R"), nil, []ndFound{{coach.NudgeLowConversion, "R"}}},
		{"low conversion on two meetings: no verdict", ndLowConversion("R")[8:], nil, nil},
		{"low conversion on four meetings: no verdict", ndLowConversion("R")[6:], nil, nil},
		{"slow losses", ndSlowLosses("R", 5), nil, []ndFound{{coach.NudgeSlowLosses, "R"}}},
		{"slow losses on four: no verdict", ndSlowLosses("R", 4), nil, nil},
		{"stalled, the waiting deal paused", ndStalled("R"), nil, []ndFound{{coach.NudgeStalled, "R-stalled"}}},
		{"aged", ndAged("R"), nil, []ndFound{{coach.NudgeAged, "R-aged"}}},
		{"late qualification", ndLate("R"), nil, []ndFound{{coach.NudgeLateQualification, "R-late"}}},
		{"padded", ndPadded("R"), &ndPaddedQuota, []ndFound{{coach.NudgePadded, "R"}}},
		{"padded numbers without a quota: nothing", ndPadded("R"), nil, nil},
		{"padded with last quarter's quota: nothing", ndPadded("R"), &coach.Quota{Amount: 100000, Currency: "USD", Period: "2025-Q4"}, nil},
		{"padded with win rate on four deals: no verdict", ndPadded("R")[:8], &ndPaddedQuota, nil},
		{"praise for a fast loss", ndFastLoss("R"), nil, []ndFound{{coach.NudgePraise, "R"}}},
		{"praise for a better conversion", ndImproved("R"), nil, []ndFound{{coach.NudgePraise, "R"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			team := ndTeam("R", "OK")
			team.Quotas["OK"] = ndHealthyQuota
			if tc.quota != nil {
				team.Quotas["R"] = *tc.quota
			}
			ps := append(slices.Clone(tc.ps), ndHealthy("OK")...)
			got := ndKinds(th.NudgeCandidates(team, ndBANT, ps, ndNow))
			if !slices.Equal(got, tc.want) {
				t.Errorf("candidates = %v, want %v", got, tc.want)
			}
		})
	}
}

// ndWholeTeam is one team holding every planted rep and a healthy one.
func ndWholeTeam() (coach.Team, []coach.Prospect) {
	team := ndTeam("OK", "LOW", "SLOW", "STALL", "AGED", "LATE", "PAD", "FAST", "UP", "TWO")
	team.Quotas["OK"], team.Quotas["PAD"] = ndHealthyQuota, ndPaddedQuota
	ps := slices.Concat(ndHealthy("OK"), ndLowConversion("LOW"), ndSlowLosses("SLOW", 6), ndStalled("STALL"),
		ndAged("AGED"), ndLate("LATE"), ndPadded("PAD"), ndFastLoss("FAST"), ndImproved("UP"), ndLowConversion("TWO")[8:])
	return team, ps
}

func TestNudgeCandidatesWholeTeam(t *testing.T) {
	team, ps := ndWholeTeam()
	// A prospect of someone off the team, and one of another workspace,
	// count for nothing.
	stranger := ndStalled("STRANGER")
	other := ndStalled("OK")[0]
	other.Workspace = "W2"
	ps = append(ps, append(stranger, other)...)

	got := coach.DefaultThresholds.NudgeCandidates(team, ndBANT, ps, ndNow)
	want := []ndFound{
		{coach.NudgeLowConversion, "LOW"},
		{coach.NudgePadded, "PAD"},
		{coach.NudgeSlowLosses, "SLOW"},
		{coach.NudgeStalled, "STALL-stalled"},
		{coach.NudgeLateQualification, "LATE-late"},
		{coach.NudgeAged, "AGED-aged"},
		{coach.NudgePraise, "FAST"},
		{coach.NudgePraise, "UP"},
	}
	if !slices.Equal(ndKinds(got), want) {
		t.Fatalf("candidates, most important first =\n %v\nwant\n %v", ndKinds(got), want)
	}
	for _, n := range got {
		if n.Workspace != "W1" || n.Manager != "M1" || n.Rep == "" || n.Why == "" {
			t.Errorf("%s: workspace %q manager %q rep %q why %q", n.Key(), n.Workspace, n.Manager, n.Rep, n.Why)
		}
		if len(n.Deals) == 0 || len(n.Deals) > coach.MaxNudgeDeals {
			t.Errorf("%s: %d deals, want 1 to %d", n.Key(), len(n.Deals), coach.MaxNudgeDeals)
		}
		for _, d := range n.Deals {
			if d.Owner != n.Rep {
				t.Errorf("%s lists %s, a deal of %s", n.Key(), d.ID, d.Owner)
			}
		}
		if got := coach.DefaultThresholds.ShouldNudge(n, coach.NudgeState{}, ndNow); !got.Send {
			t.Errorf("%s: a fresh candidate is held: %v", n.Key(), got.Reason)
		}
	}
}

func TestNudgeQuestions(t *testing.T) {
	team, ps := ndWholeTeam()
	seen := map[coach.NudgeKind]bool{}
	for _, n := range coach.DefaultThresholds.NudgeCandidates(team, ndBANT, ps, ndNow) {
		seen[n.Kind] = true
		t.Logf("%s (%d): %s\n\t%s", n.Key(), n.Importance, n.Why, strings.Join(n.Questions, "\n\t"))
		if len(n.Questions) < 2 || len(n.Questions) > 3 {
			t.Errorf("%s: %d questions, want 2 or 3: %q", n.Key(), len(n.Questions), n.Questions)
		}
		dup := map[string]bool{}
		for _, q := range n.Questions {
			if strings.TrimSpace(q) == "" || dup[q] {
				t.Errorf("%s: empty or repeated question in %q", n.Key(), n.Questions)
			}
			dup[q] = true
			if strings.Contains(q, "%!") {
				t.Errorf("%s: badly formatted question %q", n.Key(), q)
			}
		}
		if strings.Contains(n.Why, "%!") {
			t.Errorf("%s: badly formatted why %q", n.Key(), n.Why)
		}
	}
	for _, k := range []coach.NudgeKind{coach.NudgeLowConversion, coach.NudgeSlowLosses, coach.NudgeStalled, coach.NudgeAged,
		coach.NudgePadded, coach.NudgeLateQualification, coach.NudgePraise} {
		if !seen[k] {
			t.Errorf("no %s nudge in the whole team", k)
		}
	}
	// Praise for a fast loss alone, for a better conversion alone, and for
	// both: always two or three.
	both := slices.Concat(ndImproved("R"), ndFastLoss("R"))
	for name, ps := range map[string][]coach.Prospect{"fast": ndFastLoss("R"), "up": ndImproved("R"), "both": both} {
		ns := coach.DefaultThresholds.NudgeCandidates(ndTeam("R"), ndBANT, ps, ndNow)
		if len(ns) != 1 || ns[0].Kind != coach.NudgePraise || len(ns[0].Questions) < 2 || len(ns[0].Questions) > 3 {
			t.Errorf("%s: %v", name, ns)
		}
	}
}

func TestNudgeContents(t *testing.T) {
	th := coach.DefaultThresholds
	one := func(t *testing.T, ps []coach.Prospect, quota *coach.Quota) coach.Nudge {
		t.Helper()
		team := ndTeam("R")
		if quota != nil {
			team.Quotas["R"] = *quota
		}
		ns := th.NudgeCandidates(team, ndBANT, ps, ndNow)
		if len(ns) != 1 {
			t.Fatalf("want one nudge, got %v", ndKinds(ns))
		}
		return ns[0]
	}
	t.Run("low conversion", func(t *testing.T) {
		n := one(t, ndLowConversion("R"), nil)
		if n.RepRate != (coach.Rate{Num: 2, Den: 10}) || n.Sample != 10 || n.Key() != "W1/M1/low_conversion/R" {
			t.Errorf("rate %v sample %d key %s", n.RepRate, n.Sample, n.Key())
		}
		// The 8 first meetings that led nowhere, newest first: 5 listed.
		if len(n.Deals) != 5 || n.MoreDeals != 3 || n.Deals[0].ID != "R-2" || n.Deals[4].ID != "R-6" {
			t.Errorf("deals %v (+%d)", ndIDs(n.Deals), n.MoreDeals)
		}
		if !strings.Contains(n.Questions[0], "8 of the last 10") {
			t.Errorf("first question lacks the numbers: %q", n.Questions[0])
		}
	})
	t.Run("slow losses", func(t *testing.T) {
		n := one(t, ndSlowLosses("R", 7), nil)
		if n.RepMedian < 50 || n.RepMedian > 52 || n.Sample != 7 || n.HasTeamMedian != true {
			t.Errorf("median %v sample %d team %v", n.RepMedian, n.Sample, n.HasTeamMedian)
		}
		if len(n.Deals) != 5 || n.MoreDeals != 2 || n.Deals[0].ID != "R-6" {
			t.Errorf("slowest first: %v (+%d)", ndIDs(n.Deals), n.MoreDeals)
		}
	})
	t.Run("padded", func(t *testing.T) {
		n := one(t, ndPadded("R"), &ndPaddedQuota)
		if n.RepRate != (coach.Rate{Num: 1, Den: 5}) || n.Coverage < 4.4 || n.Coverage > 4.5 || n.Currency != "USD" {
			t.Errorf("win rate %v coverage %v %s", n.RepRate, n.Coverage, n.Currency)
		}
		if !slices.Equal(ndIDs(n.Deals), []string{"R-open3", "R-open1"}) {
			t.Errorf("deals lacking a next step, biggest first: %v", ndIDs(n.Deals))
		}
	})
	t.Run("late qualification", func(t *testing.T) {
		n := one(t, ndLate("R"), nil)
		var missing []string
		for _, it := range n.Missing {
			missing = append(missing, it.Key)
			if it.Question == "" {
				t.Errorf("missing item %s without its question", it.Key)
			}
		}
		if !slices.Equal(missing, []string{"authority", "need", "timeline"}) || n.Part != 0.25 || n.Framework != "BANT" || n.DaysAsOpportunity != 40 {
			t.Errorf("missing %v part %v framework %q days %d", missing, n.Part, n.Framework, n.DaysAsOpportunity)
		}
	})
	t.Run("a deal gets one nudge with every flag", func(t *testing.T) {
		p := ndDeal("R-all", "R", ndAgo(120), ndOpp(ndAgo(110)))
		p.Qualification = nil
		n := one(t, []coach.Prospect{p}, nil)
		if n.Kind != coach.NudgeStalled || !n.Stalled || !n.Aged || !n.LateQualification || len(n.Missing) != 4 || n.DaysStalled != 110 {
			t.Errorf("kind %s stalled %v aged %v late %v missing %d days %d", n.Kind, n.Stalled, n.Aged, n.LateQualification, len(n.Missing), n.DaysStalled)
		}
	})
	t.Run("praise", func(t *testing.T) {
		n := one(t, slices.Concat(ndImproved("R"), ndFastLoss("R")), nil)
		if !n.Improved || n.RepRate != (coach.Rate{Num: 3, Den: 6}) || n.PreviousRate != (coach.Rate{Num: 1, Den: 5}) || !slices.Equal(ndIDs(n.Deals), []string{"R-fast"}) {
			t.Errorf("improved %v %v from %v, deals %v", n.Improved, n.RepRate, n.PreviousRate, ndIDs(n.Deals))
		}
	})
	t.Run("improved but still low: flagged, not praised", func(t *testing.T) {
		var ps []coach.Prospect
		for i := range 10 {
			first := ndAgo(120 + 3*i)
			ps = append(ps, ndDeal(fmt.Sprintf("old%d", i), "R", first, ndLost(first.Add(2*ndDay))))
		}
		ps = append(ps, ndLowConversion("R")...)
		n := one(t, ps, nil)
		if n.Kind != coach.NudgeLowConversion || n.PreviousRate != (coach.Rate{Num: 0, Den: 10}) {
			t.Errorf("kind %s previous %v", n.Kind, n.PreviousRate)
		}
	})
}

func TestNudgeMedianNeedsThreeLosses(t *testing.T) {
	th := coach.DefaultThresholds
	th.MinSample = 1
	for n, want := range map[int]bool{2: false, 3: true} {
		got := th.NudgeCandidates(ndTeam("R"), ndBANT, ndSlowLosses("R", n), ndNow)
		if fired := len(got) == 1 && got[0].Kind == coach.NudgeSlowLosses; fired != want {
			t.Errorf("MinSample 1, %d slow losses: fired %v, want %v (%v)", n, fired, want, ndKinds(got))
		}
	}
}

func TestNudgeBiggerDealFirst(t *testing.T) {
	small := ndStalled("R")[0]
	big := small
	big.ID, big.Amount = "R-big", 500000
	ns := coach.DefaultThresholds.NudgeCandidates(ndTeam("R"), ndBANT, []coach.Prospect{small, big}, ndNow)
	if len(ns) != 2 || ns[0].Subject != "R-big" || ns[0].Importance <= ns[1].Importance {
		t.Fatalf("got %v", ns)
	}
	if ns[0].Importance >= 70 {
		t.Errorf("a big stalled deal (%d) outranks a rep's slow losses (70)", ns[0].Importance)
	}
}

func ndIDs(ps []coach.Prospect) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestShouldNudge(t *testing.T) {
	th := coach.DefaultThresholds
	low := coach.Nudge{Kind: coach.NudgeLowConversion, Workspace: "W1", Manager: "M1", Rep: "R", Subject: "R", RepRate: coach.Rate{Num: 1, Den: 10}, Sample: 10}
	thu9 := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		n     func(coach.Nudge) coach.Nudge
		s     coach.NudgeState
		now   time.Time
		th    func(*coach.Thresholds)
		want  coach.NudgeReason
		retry time.Time
	}{
		{name: "fresh", want: coach.SendNudge},
		{name: "two meetings: no verdict", n: func(n coach.Nudge) coach.Nudge { n.RepRate, n.Sample = coach.Rate{Num: 0, Den: 2}, 2; return n }, want: coach.HeldSampleTooSmall},
		{name: "padded on four deals", n: func(n coach.Nudge) coach.Nudge {
			n.Kind, n.RepRate = coach.NudgePadded, coach.Rate{Num: 0, Den: 4}
			return n
		}, want: coach.HeldSampleTooSmall},
		{name: "median of two losses", n: func(n coach.Nudge) coach.Nudge { n.Kind, n.Sample = coach.NudgeSlowLosses, 2; return n }, want: coach.HeldSampleTooSmall},
		{name: "median of five losses", n: func(n coach.Nudge) coach.Nudge { n.Kind, n.Sample = coach.NudgeSlowLosses, 5; return n }, want: coach.SendNudge},
		{name: "praise for a rise on a small sample", n: func(n coach.Nudge) coach.Nudge {
			n.Kind, n.Improved, n.PreviousRate = coach.NudgePraise, true, coach.Rate{Num: 0, Den: 2}
			return n
		}, want: coach.HeldSampleTooSmall},
		{name: "praise for a fast loss needs no sample", n: func(n coach.Nudge) coach.Nudge { n.Kind, n.RepRate = coach.NudgePraise, coach.Rate{}; return n }, want: coach.SendNudge},
		{name: "a deal needs no sample", n: func(n coach.Nudge) coach.Nudge { n.Kind, n.RepRate = coach.NudgeStalled, coach.Rate{}; return n }, want: coach.SendNudge},
		{name: "sent 7 days less a second ago", s: coach.NudgeState{LastSent: ndNow.Add(-7*ndDay + time.Second)}, want: coach.HeldTooSoon, retry: ndNow.Add(time.Second)},
		{name: "sent yesterday", s: coach.NudgeState{LastSent: ndAgo(1)}, want: coach.HeldTooSoon, retry: ndNow.Add(6 * ndDay)},
		{name: "sent exactly 7 days ago", s: coach.NudgeState{LastSent: ndAgo(7)}, want: coach.SendNudge},
		{name: "snoozed", s: coach.NudgeState{SnoozedUntil: ndNow.Add(3 * ndDay)}, want: coach.HeldSnoozed, retry: ndNow.Add(3 * ndDay)},
		{name: "snooze just over", s: coach.NudgeState{SnoozedUntil: ndNow}, want: coach.SendNudge},
		{name: "discussed 3 days ago", s: coach.NudgeState{Discussed: ndAgo(3), LastSent: ndAgo(4)}, want: coach.HeldDiscussed, retry: ndNow.Add(11 * ndDay)},
		{name: "discussed 14 days ago", s: coach.NudgeState{Discussed: ndAgo(14), LastSent: ndAgo(15)}, want: coach.SendNudge},
		{name: "daily limit", s: coach.NudgeState{SentToday: 3}, want: coach.HeldDailyLimit, retry: thu9},
		{name: "one left today", s: coach.NudgeState{SentToday: 2}, want: coach.SendNudge},
		{name: "nudges off", th: func(th *coach.Thresholds) { th.MaxNudgesPerDay = 0 }, want: coach.HeldDailyLimit, retry: thu9},
		{name: "evening", now: ndNow.Add(10 * time.Hour), want: coach.HeldOutsideHours, retry: thu9},
		{name: "before nine", now: ndNow.Add(-2 * time.Hour), want: coach.HeldOutsideHours, retry: ndNow.Add(-time.Hour)},
		{name: "saturday", now: ndNow.Add(3 * ndDay), want: coach.HeldOutsideHours, retry: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)},
		{name: "own hours", s: coach.NudgeState{Hours: coach.WorkingHours{Start: 11 * time.Hour, End: 15 * time.Hour, Days: coach.DefaultWorkingHours.Days}},
			want: coach.HeldOutsideHours, retry: ndNow.Add(time.Hour)},
		{name: "manager's zone: 06:00 in New York", s: coach.NudgeState{TZ: "America/New_York"}, want: coach.HeldOutsideHours,
			retry: time.Date(2026, 3, 11, 13, 0, 0, 0, time.UTC)},
		{name: "holiday", s: coach.NudgeState{Holidays: []string{"2026-03-11"}}, want: coach.HeldHoliday, retry: thu9},
		{name: "holiday then the next day too", s: coach.NudgeState{Holidays: []string{"2026-03-11", "2026-03-12"}}, want: coach.HeldHoliday, retry: thu9.Add(ndDay)},
		{name: "evening before a holiday", now: ndNow.Add(10 * time.Hour), s: coach.NudgeState{Holidays: []string{"2026-03-12"}}, want: coach.HeldOutsideHours, retry: thu9.Add(ndDay)},
		{name: "someone else's holiday", s: coach.NudgeState{Holidays: []string{"2026-03-10"}}, want: coach.SendNudge},
		{name: "on vacation until Monday", s: coach.NudgeState{Away: true, AwayUntil: ndNow.Add(5 * ndDay)}, want: coach.HeldManagerAway, retry: ndNow.Add(5 * ndDay)},
		{name: "do not disturb for an hour", s: coach.NudgeState{AwayUntil: ndNow.Add(time.Hour)}, want: coach.HeldManagerAway, retry: ndNow.Add(time.Hour)},
		{name: "out of office, no end given", s: coach.NudgeState{Away: true}, want: coach.HeldManagerAway},
		{name: "back", s: coach.NudgeState{AwayUntil: ndNow}, want: coach.SendNudge},
		{name: "status still says away after its end", s: coach.NudgeState{Away: true, AwayUntil: ndAgo(1)}, want: coach.HeldManagerAway},
		{name: "snoozed and on holiday: the snooze says more", s: coach.NudgeState{SnoozedUntil: ndNow.Add(ndDay), Holidays: []string{"2026-03-11"}}, want: coach.HeldSnoozed, retry: ndNow.Add(ndDay)},
		{name: "away and at the limit: back first", s: coach.NudgeState{Away: true, SentToday: 3}, want: coach.HeldManagerAway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, now, th := low, ndNow, th
			if tc.n != nil {
				n = tc.n(n)
			}
			if !tc.now.IsZero() {
				now = tc.now
			}
			if tc.th != nil {
				tc.th(&th)
			}
			got := th.ShouldNudge(n, tc.s, now)
			if got.Reason != tc.want || got.Send != (tc.want == coach.SendNudge) || !got.Retry.Equal(tc.retry) {
				t.Errorf("ShouldNudge = %+v, want %s retry %v", got, tc.want, tc.retry)
			}
			if got.Reason.String() == "" || got.Reason.String() == string(got.Reason) {
				t.Errorf("reason %q has no sentence", got.Reason)
			}
		})
	}
}

func ndNudge(kind coach.NudgeKind, manager, subject string, importance int) coach.Nudge {
	return coach.Nudge{Kind: kind, Workspace: "W1", Manager: manager, Rep: subject, Subject: subject, Importance: importance,
		RepRate: coach.Rate{Num: 1, Den: 10}, Sample: 10}
}

func TestPickNudges(t *testing.T) {
	th := coach.DefaultThresholds
	praise := ndNudge(coach.NudgePraise, "M1", "FAST", 30)
	aged := ndNudge(coach.NudgeAged, "M1", "deal-aged", 41)
	low := ndNudge(coach.NudgeLowConversion, "M1", "LOW", 90)
	stalled := ndNudge(coach.NudgeStalled, "M1", "deal-stalled", 65)
	padded := ndNudge(coach.NudgePadded, "M1", "PAD", 80)
	other := ndNudge(coach.NudgeStalled, "M2", "deal-other", 60)
	cands := []coach.Nudge{praise, aged, low, stalled, padded}
	praisedYesterday := coach.NudgeState{LastPraise: ndAgo(1)}

	keys := func(ns []coach.Nudge) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Subject)
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		cands []coach.Nudge
		state func(coach.Nudge) coach.NudgeState
		send  []string
		held  map[string]coach.NudgeReason
	}{
		{
			name:  "most important first, three a day",
			cands: cands, state: func(coach.Nudge) coach.NudgeState { return praisedYesterday },
			send: []string{"LOW", "PAD", "deal-stalled"},
			held: map[string]coach.NudgeReason{aged.Key(): coach.HeldDailyLimit, praise.Key(): coach.HeldDailyLimit},
		},
		{
			name:  "two already sent today",
			cands: cands, state: func(coach.Nudge) coach.NudgeState { return coach.NudgeState{SentToday: 2} },
			send: []string{"LOW"},
			held: map[string]coach.NudgeReason{padded.Key(): coach.HeldDailyLimit, stalled.Key(): coach.HeldDailyLimit, aged.Key(): coach.HeldDailyLimit, praise.Key(): coach.HeldDailyLimit},
		},
		{
			name:  "a held nudge takes no slot",
			cands: cands, state: func(n coach.Nudge) coach.NudgeState {
				s := praisedYesterday
				if n.Kind == coach.NudgeLowConversion {
					s.LastSent = ndAgo(2)
				}
				return s
			},
			send: []string{"PAD", "deal-stalled", "deal-aged"},
			held: map[string]coach.NudgeReason{low.Key(): coach.HeldTooSoon, praise.Key(): coach.HeldDailyLimit},
		},
		{
			name:  "praise fills a free slot",
			cands: []coach.Nudge{praise, low}, state: func(coach.Nudge) coach.NudgeState { return praisedYesterday },
			send: []string{"LOW", "FAST"},
		},
		{
			name:  "praise starved for a week keeps the last slot",
			cands: cands, state: func(coach.Nudge) coach.NudgeState { return coach.NudgeState{LastPraise: ndAgo(7)} },
			send: []string{"LOW", "PAD", "FAST"},
			held: map[string]coach.NudgeReason{stalled.Key(): coach.HeldDailyLimit, aged.Key(): coach.HeldDailyLimit},
		},
		{
			name:  "never praised: same",
			cands: cands, state: func(coach.Nudge) coach.NudgeState { return coach.NudgeState{} },
			send: []string{"LOW", "PAD", "FAST"},
			held: map[string]coach.NudgeReason{stalled.Key(): coach.HeldDailyLimit, aged.Key(): coach.HeldDailyLimit},
		},
		{
			name:  "starved praise never takes the only slot left",
			cands: cands, state: func(coach.Nudge) coach.NudgeState { return coach.NudgeState{SentToday: 2} },
			send: []string{"LOW"},
			held: map[string]coach.NudgeReason{padded.Key(): coach.HeldDailyLimit, stalled.Key(): coach.HeldDailyLimit, aged.Key(): coach.HeldDailyLimit, praise.Key(): coach.HeldDailyLimit},
		},
		{
			name:  "starved praise itself held: problems take the slots",
			cands: cands, state: func(n coach.Nudge) coach.NudgeState {
				if n.Kind == coach.NudgePraise {
					return coach.NudgeState{SnoozedUntil: ndNow.Add(ndDay)}
				}
				return coach.NudgeState{}
			},
			send: []string{"LOW", "PAD", "deal-stalled"},
			held: map[string]coach.NudgeReason{aged.Key(): coach.HeldDailyLimit, praise.Key(): coach.HeldSnoozed},
		},
		{
			name:  "each manager has their own limit",
			cands: append(slices.Clone(cands), other), state: func(coach.Nudge) coach.NudgeState { return praisedYesterday },
			send: []string{"LOW", "PAD", "deal-stalled", "deal-other"},
			held: map[string]coach.NudgeReason{aged.Key(): coach.HeldDailyLimit, praise.Key(): coach.HeldDailyLimit},
		},
		{
			name:  "the same nudge twice goes once",
			cands: []coach.Nudge{low, low}, state: func(coach.Nudge) coach.NudgeState { return coach.NudgeState{} },
			send: []string{"LOW"},
		},
		{
			name:  "a manager away gets nothing",
			cands: cands, state: func(coach.Nudge) coach.NudgeState { return coach.NudgeState{Away: true} },
			held: map[string]coach.NudgeReason{low.Key(): coach.HeldManagerAway, padded.Key(): coach.HeldManagerAway, stalled.Key(): coach.HeldManagerAway,
				aged.Key(): coach.HeldManagerAway, praise.Key(): coach.HeldManagerAway},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			state := func(n coach.Nudge) coach.NudgeState { calls++; return tc.state(n) }
			send, held := th.PickNudges(tc.cands, state, ndNow)
			if !slices.Equal(keys(send), tc.send) {
				t.Errorf("send %v, want %v", keys(send), tc.send)
			}
			if len(held) != len(tc.held) {
				t.Errorf("held %v, want %v", held, tc.held)
			}
			for k, want := range tc.held {
				if got, ok := held[k]; !ok || got.Reason != want || got.Send {
					t.Errorf("held[%s] = %+v, want %s", k, got, want)
				}
			}
			if calls != len(tc.cands) {
				t.Errorf("state asked %d times for %d candidates", calls, len(tc.cands))
			}
		})
	}
}

func TestPickNudgesAfterCandidates(t *testing.T) {
	team, ps := ndWholeTeam()
	th := coach.DefaultThresholds
	cands := th.NudgeCandidates(team, ndBANT, ps, ndNow)
	send, held := th.PickNudges(cands, func(coach.Nudge) coach.NudgeState { return coach.NudgeState{LastPraise: ndAgo(1)} }, ndNow)
	if len(send) != 3 || send[0].Kind != coach.NudgeLowConversion || send[1].Kind != coach.NudgePadded || send[2].Kind != coach.NudgeSlowLosses {
		t.Errorf("send %v", ndKinds(send))
	}
	if len(held) != len(cands)-3 {
		t.Errorf("held %d of %d", len(held), len(cands))
	}
}

// ndBig is a team of reps with deals spread over every state and age.
func ndBig(reps, deals int) (coach.Team, []coach.Prospect) {
	team := ndTeam()
	for i := range reps {
		rep := fmt.Sprintf("R%03d", i)
		team.Reps = append(team.Reps, rep)
		team.Quotas[rep] = coach.Quota{Amount: 50000, Currency: "USD", Period: "2026-Q1"}
	}
	ps := make([]coach.Prospect, 0, deals)
	for i := range deals {
		rep := team.Reps[i%reps]
		first := ndAgo(1 + i*7%200)
		id := fmt.Sprintf("D%05d", i)
		var p coach.Prospect
		switch i % 5 {
		case 0:
			p = ndDeal(id, rep, first)
		case 1:
			p = ndDeal(id, rep, first, ndLost(first.Add(time.Duration(i%40)*ndDay)))
		case 2, 3:
			p = ndDeal(id, rep, first, ndOpp(first.Add(ndDay)))
			p.Amount = int64(1000 + i*13%90000)
			if i%3 == 0 {
				p.Qualification = nil
			}
		case 4:
			p = ndDeal(id, rep, first, ndOpp(first.Add(ndDay)), ndWon(first.Add(time.Duration(10+i%50)*ndDay)))
		}
		ps = append(ps, p)
	}
	return team, ps
}

func TestNudgeCandidatesBoundedTime(t *testing.T) {
	team, ps := ndBig(300, 5000)
	start := time.Now()
	cands := coach.DefaultThresholds.NudgeCandidates(team, ndBANT, ps, ndNow)
	took := time.Since(start)
	if took > 5*time.Second {
		t.Errorf("300 reps and 5,000 deals took %v", took)
	}
	if len(cands) == 0 {
		t.Fatal("the big team has nothing to say: the fixture is wrong")
	}
	send, _ := coach.DefaultThresholds.PickNudges(cands, func(coach.Nudge) coach.NudgeState { return coach.NudgeState{} }, ndNow)
	if len(send) != coach.DefaultThresholds.MaxNudgesPerDay {
		t.Errorf("a manager of 300 reps gets %d nudges, want %d", len(send), coach.DefaultThresholds.MaxNudgesPerDay)
	}
	t.Logf("300 reps, 5,000 deals: %d candidates in %v", len(cands), took)
}

func BenchmarkNudgeCandidates(b *testing.B) {
	team, ps := ndBig(300, 5000)
	th := coach.DefaultThresholds
	b.ReportAllocs()
	for b.Loop() {
		th.NudgeCandidates(team, ndBANT, ps, ndNow)
	}
}

func TestNudgePraiseSeesFridayOnMonday(t *testing.T) {
	monday := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		lost time.Time
		now  time.Time
		want bool
	}{
		{"Friday afternoon, seen on Monday", time.Date(2026, 3, 13, 16, 0, 0, 0, time.UTC), monday, true},
		{"Thursday, gone by Monday", time.Date(2026, 3, 12, 16, 0, 0, 0, time.UTC), monday, false},
		{"yesterday, seen on Wednesday", ndAgo(1).Add(time.Hour), ndNow, true},
		{"the day before, gone on Wednesday", ndAgo(2), ndNow, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ndDeal("R-fast", "R", tc.lost.Add(-3*ndDay), ndLost(tc.lost))
			got := coach.DefaultThresholds.NudgeCandidates(ndTeam("R"), ndBANT, []coach.Prospect{p}, tc.now)
			if fired := len(got) == 1 && got[0].Kind == coach.NudgePraise; fired != tc.want {
				t.Errorf("praise %v, want %v (%v)", fired, tc.want, ndKinds(got))
			}
		})
	}
	slow := ndDeal("R-slow", "R", ndAgo(40), ndLost(ndNow.Add(-time.Hour)))
	if got := coach.DefaultThresholds.NudgeCandidates(ndTeam("R"), ndBANT, []coach.Prospect{slow}, ndNow); len(got) != 0 {
		t.Errorf("a slow loss today is praised: %v", ndKinds(got))
	}
}
