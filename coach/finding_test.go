package coach_test

import (
	"fmt"
	"slices"
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

// ndLowConversion: 1 of 12 first meetings led to a second, every other
// day over three weeks, all long ago enough that no loss is today's.
func ndLowConversion(rep string) []coach.Prospect {
	var ps []coach.Prospect
	for i := range 12 {
		first := ndAgo(40 + 2*i)
		if i < 1 {
			ps = append(ps, ndDeal(fmt.Sprintf("%s-%02d", rep, i), rep, first, ndOpp(first.Add(ndDay)), ndLost(first.Add(4*ndDay))))
			continue
		}
		ps = append(ps, ndDeal(fmt.Sprintf("%s-%02d", rep, i), rep, first, ndLost(first.Add(2*ndDay))))
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

// ndAged: an opportunity first met 140 days ago (past the default 90-day
// cycle and its margin, 135 days), active yesterday, fully qualified.
func ndAged(rep string) []coach.Prospect {
	first := ndAgo(140)
	return []coach.Prospect{ndActive(ndDeal(rep+"-aged", rep, first, ndOpp(ndAgo(130))), ndAgo(1))}
}

// ndLate: an opportunity for 40 days with one BANT item of four answered.
func ndLate(rep string) []coach.Prospect {
	p := ndActive(ndDeal(rep+"-late", rep, ndAgo(41), ndOpp(ndAgo(40))), ndAgo(1))
	p.Qualification = map[string]string{"budget": "50k approved"}
	return []coach.Prospect{p}
}

// ndPadded: 400k open against a 100k quota, two deals without a next
// step, none of 6 closed opportunities won, over three weeks.
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
	for i := range 6 {
		first := ndAgo(50 + 4*i)
		p := ndDeal(fmt.Sprintf("%s-closed%d", rep, i), rep, first, ndOpp(first.Add(2*ndDay)), ndLost(first.Add(6*ndDay)))
		p.Amount = 10000
		ps = append(ps, p)
	}
	return ps
}

var ndPaddedQuota = coach.Quota{Amount: 100000, Currency: "USD", Period: "2026-Q1"}

// ndFastLoss: one prospect lost two hours ago, three days after its first
// meeting: celebrated in the channel, not yet a pattern.
func ndFastLoss(rep string) []coach.Prospect {
	return []coach.Prospect{ndDeal(rep+"-fast", rep, ndAgo(3), ndLost(ndNow.Add(-2*time.Hour)))}
}

// ndFastHabit: four prospects lost within a week of the first meeting over
// the last month, and no slow loss.
func ndFastHabit(rep string) []coach.Prospect {
	var ps []coach.Prospect
	for i := range 4 {
		first := ndAgo(10 + 7*i)
		ps = append(ps, ndDeal(fmt.Sprintf("%s-fast%d", rep, i), rep, first, ndLost(first.Add(time.Duration(2+i)*ndDay))))
	}
	return ps
}

// ndImproved: 2 of 10 first meetings converted in the window before, 6 of
// 10 in this one; every loss fast and long gone.
func ndImproved(rep string) []coach.Prospect {
	var ps []coach.Prospect
	add := func(name string, first time.Time, converted bool) {
		if converted {
			ps = append(ps, ndDeal(name, rep, first, ndOpp(first.Add(ndDay)), ndLost(first.Add(3*ndDay))))
			return
		}
		ps = append(ps, ndDeal(name, rep, first, ndLost(first.Add(20*ndDay))))
	}
	for i := range 10 {
		add(fmt.Sprintf("%s-before%d", rep, i), ndAgo(150+3*i), i < 2)
		add(fmt.Sprintf("%s-now%d", rep, i), ndAgo(45+3*i), i < 6)
	}
	return ps
}

func ndTeam(reps ...string) coach.Team {
	return coach.Team{Workspace: "W1", Manager: "M1", Reps: reps, TZ: "UTC", Quotas: map[string]coach.Quota{}}
}

type ndFound struct {
	kind    coach.FindingKind
	subject string
}

func ndKinds(ns []coach.Finding) []ndFound {
	var out []ndFound
	for _, n := range ns {
		out = append(out, ndFound{n.Kind, n.Subject})
	}
	return out
}

func ndOf(rep string, ns []coach.Finding) []coach.Finding {
	var out []coach.Finding
	for _, n := range ns {
		if n.Rep == rep {
			out = append(out, n)
		}
	}
	return out
}

func TestFindingsEachKind(t *testing.T) {
	th := coach.DefaultThresholds
	for _, tc := range []struct {
		name   string
		ps     []coach.Prospect
		quota  *coach.Quota
		want   []ndFound
		praise bool
	}{
		{"healthy rep: nothing", nil, nil, nil, false},
		{"low conversion: 1 of 12 over three weeks; losing fast is still praised", ndLowConversion("R"), nil, []ndFound{{coach.FindingLowConversion, "R"}}, true},
		{"1 of 5: no verdict", ndLowConversion("R")[:5], nil, nil, true},
		{"0 of 3 within a week: no verdict", ndLowConversion("R")[1:4], nil, nil, true},
		{"slow losses", ndSlowLosses("R", 5), nil, []ndFound{{coach.FindingSlowLosses, "R"}}, false},
		{"slow losses on four: no verdict", ndSlowLosses("R", 4), nil, nil, false},
		{"stalled, the waiting deal paused", ndStalled("R"), nil, []ndFound{{coach.FindingStalled, "R-stalled"}}, false},
		{"aged", ndAged("R"), nil, []ndFound{{coach.FindingAged, "R-aged"}}, false},
		{"late qualification", ndLate("R"), nil, []ndFound{{coach.FindingLateQualification, "R-late"}}, false},
		{"padded", ndPadded("R"), &ndPaddedQuota, []ndFound{{coach.FindingPadded, "R"}}, true},
		{"padded numbers without a quota: nothing", ndPadded("R"), nil, nil, true},
		{"padded with last quarter's quota: nothing", ndPadded("R"), &coach.Quota{Amount: 100000, Currency: "USD", Period: "2025-Q4"}, nil, true},
		{"padded with win rate on four deals: no verdict", ndPadded("R")[:8], &ndPaddedQuota, nil, true},
		{"one fast loss the same day: no praise yet", ndFastLoss("R"), nil, nil, false},
		{"losing fast as a habit: praise", ndFastHabit("R"), nil, nil, true},
		{"praise for a better conversion", ndImproved("R"), nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			team := ndTeam("R", "OK")
			team.Quotas["OK"] = ndHealthyQuota
			if tc.quota != nil {
				team.Quotas["R"] = *tc.quota
			}
			ps := append(slices.Clone(tc.ps), ndHealthy("OK")...)
			all := th.Findings(team, ndBANT, ps, ndNow)
			var problems []coach.Finding
			praised := false
			for _, n := range ndOf("R", all) {
				if n.Kind.Problem() {
					problems = append(problems, n)
				} else {
					praised = true
				}
			}
			if got := ndKinds(problems); !slices.Equal(got, tc.want) {
				t.Errorf("problems = %v, want %v", got, tc.want)
			}
			if praised != tc.praise {
				t.Errorf("praised %v, want %v", praised, tc.praise)
			}
			for _, n := range ndOf("OK", all) {
				if n.Kind.Problem() {
					t.Errorf("the healthy rep has a problem: %v", ndKinds([]coach.Finding{n}))
				}
			}
		})
	}
}

// ndWholeTeam is one team holding every planted rep and a healthy one.
func ndWholeTeam() (coach.Team, []coach.Prospect) {
	team := ndTeam("OK", "LOW", "SLOW", "STALL", "AGED", "LATE", "PAD", "FAST", "UP", "TWO")
	team.Quotas["OK"], team.Quotas["PAD"] = ndHealthyQuota, ndPaddedQuota
	ps := slices.Concat(ndHealthy("OK"), ndLowConversion("LOW"), ndSlowLosses("SLOW", 6), ndStalled("STALL"),
		ndAged("AGED"), ndLate("LATE"), ndPadded("PAD"), ndFastHabit("FAST"), ndImproved("UP"), ndLowConversion("TWO")[:2])
	return team, ps
}

func TestFindingsWholeTeam(t *testing.T) {
	team, ps := ndWholeTeam()
	// A prospect of someone off the team, and one of another workspace,
	// count for nothing.
	stranger := ndStalled("STRANGER")
	other := ndStalled("OK")[0]
	other.Workspace = "W2"
	ps = append(ps, append(stranger, other)...)

	got := coach.DefaultThresholds.Findings(team, ndBANT, ps, ndNow)
	want := []ndFound{
		{coach.FindingLowConversion, "LOW"},
		{coach.FindingPadded, "PAD"},
		{coach.FindingSlowLosses, "SLOW"},
		{coach.FindingStalled, "STALL-stalled"},
		{coach.FindingLateQualification, "LATE-late"},
		{coach.FindingAged, "AGED-aged"},
		{coach.FindingPraise, "FAST"},
		{coach.FindingPraise, "LOW"},
		{coach.FindingPraise, "OK"},
		{coach.FindingPraise, "PAD"},
		{coach.FindingPraise, "UP"},
	}
	if !slices.Equal(ndKinds(got), want) {
		t.Fatalf("findings, most important first =\n %v\nwant\n %v", ndKinds(got), want)
	}
	for _, n := range got {
		if n.Workspace != "W1" || n.Manager != "M1" || n.Rep == "" || n.WindowDays != 90 {
			t.Errorf("%s: workspace %q manager %q rep %q window %d", n.Key(), n.Workspace, n.Manager, n.Rep, n.WindowDays)
		}
		if len(n.Deals) == 0 || len(n.Deals) > coach.MaxFindingDeals {
			t.Errorf("%s: %d deals, want 1 to %d", n.Key(), len(n.Deals), coach.MaxFindingDeals)
		}
		for _, d := range n.Deals {
			if d.Owner != n.Rep {
				t.Errorf("%s lists %s, a deal of %s", n.Key(), d.ID, d.Owner)
			}
		}
	}
	// One brief per rep with a problem; praise alone makes none.
	var reps []string
	for _, b := range coach.Briefs(got, nil) {
		reps = append(reps, b.Rep)
	}
	if want := []string{"LOW", "PAD", "SLOW", "STALL", "LATE", "AGED"}; !slices.Equal(reps, want) {
		t.Errorf("briefs for %v, want %v", reps, want)
	}
}

func TestFindingContents(t *testing.T) {
	th := coach.DefaultThresholds
	problem := true
	one := func(t *testing.T, ps []coach.Prospect, quota *coach.Quota) coach.Finding {
		t.Helper()
		team := ndTeam("R")
		if quota != nil {
			team.Quotas["R"] = *quota
		}
		var ns []coach.Finding
		for _, n := range th.Findings(team, ndBANT, ps, ndNow) {
			if n.Kind.Problem() == problem {
				ns = append(ns, n)
			}
		}
		if len(ns) != 1 {
			t.Fatalf("want one finding, got %v", ndKinds(ns))
		}
		return ns[0]
	}
	t.Run("low conversion", func(t *testing.T) {
		n := one(t, ndLowConversion("R"), nil)
		if n.RepRate != (coach.Rate{Num: 1, Den: 12}) || n.Sample != 12 || n.Key() != "W1/M1/low_conversion/R" || n.Line != 0.30 {
			t.Errorf("rate %v sample %d key %s line %v", n.RepRate, n.Sample, n.Key(), n.Line)
		}
		if n.RepUpper >= n.Line || n.RepUpper <= n.RepRate.Value() {
			t.Errorf("upper bound %v: want between the rate %v and the line", n.RepUpper, n.RepRate.Value())
		}
		// The 11 first meetings that led nowhere, newest first: 5 listed.
		if len(n.Deals) != 5 || n.MoreDeals != 6 || n.Deals[0].ID != "R-01" || n.Deals[4].ID != "R-05" {
			t.Errorf("deals %v (+%d)", ndIDs(n.Deals), n.MoreDeals)
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
		if n.RepRate != (coach.Rate{Num: 0, Den: 6}) || n.Coverage < 4 || n.Coverage > 4.1 || n.Currency != "USD" || n.Thin != 2 {
			t.Errorf("win rate %v coverage %v %s thin %d", n.RepRate, n.Coverage, n.Currency, n.Thin)
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
	t.Run("a deal gets one finding with every flag", func(t *testing.T) {
		p := ndDeal("R-all", "R", ndAgo(150), ndOpp(ndAgo(110)))
		p.Qualification = nil
		n := one(t, []coach.Prospect{p}, nil)
		if n.Kind != coach.FindingStalled || !n.Stalled || !n.Aged || !n.LateQualification || len(n.Missing) != 4 || n.DaysStalled != 110 ||
			n.CycleDays != 90 || n.AgedAfterDays != 135 || n.DaysOpen != 150 {
			t.Errorf("kind %s stalled %v aged %v late %v missing %d days %d cycle %d/%d open %d", n.Kind, n.Stalled, n.Aged,
				n.LateQualification, len(n.Missing), n.DaysStalled, n.CycleDays, n.AgedAfterDays, n.DaysOpen)
		}
	})
	t.Run("the cycle the manager set", func(t *testing.T) {
		team := ndTeam("R")
		team.CycleDays = 60
		ps := []coach.Prospect{ndActive(ndDeal("R-x", "R", ndAgo(100), ndOpp(ndAgo(99))), ndAgo(1))}
		ns := th.Findings(team, ndBANT, ps, ndNow)
		if len(ns) != 1 || ns[0].Kind != coach.FindingAged || !ns[0].CycleSet || ns[0].CycleDays != 60 || ns[0].AgedAfterDays != 90 {
			t.Errorf("with a 60-day cycle set, a 100-day deal: %+v", ns)
		}
		if ns := th.Findings(ndTeam("R"), ndBANT, ps, ndNow); len(ns) != 0 {
			t.Errorf("without it (90 days, aged past 135), a 100-day deal: %v", ndKinds(ns))
		}
	})
	t.Run("praise for a habit", func(t *testing.T) {
		problem = false
		n := one(t, ndFastHabit("R"), nil)
		if !n.FastHabit || n.Improved || n.Sample != 4 || n.Deals[0].ID != "R-fast0" || n.RepMedian > 14 {
			t.Errorf("habit %v improved %v sample %d deals %v median %v", n.FastHabit, n.Improved, n.Sample, ndIDs(n.Deals), n.RepMedian)
		}
	})
	t.Run("praise for a rise", func(t *testing.T) {
		n := one(t, ndImproved("R"), nil)
		if !n.Improved || n.RepRate != (coach.Rate{Num: 6, Den: 10}) || n.PreviousRate != (coach.Rate{Num: 2, Den: 10}) {
			t.Errorf("improved %v %v from %v", n.Improved, n.RepRate, n.PreviousRate)
		}
	})
}

func TestFindingBiggerDealFirst(t *testing.T) {
	small := ndStalled("R")[0]
	big := small
	big.ID, big.Amount = "R-big", 500000
	ns := coach.DefaultThresholds.Findings(ndTeam("R"), ndBANT, []coach.Prospect{small, big}, ndNow)
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
