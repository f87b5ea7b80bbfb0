package coach_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"pipelinecoach/coach"
)

const mDay = 24 * time.Hour

// mStart is day 0 of the metrics fixtures: Monday 2026-01-05 10:00 UTC.
var mStart = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

// on is day n of the fixtures, plus an optional offset.
func on(n int, plus ...time.Duration) time.Time {
	t := mStart.Add(time.Duration(n) * mDay)
	for _, d := range plus {
		t = t.Add(d)
	}
	return t
}

// move is one state change in a fixture's history.
type move struct {
	to coach.State
	at time.Time
}

// mProspect builds a prospect whose first meeting is at first, logged a day
// before, asked about an hour after, then moved as the moves say. Every
// field metrics might read is set as the real transitions would set it.
func mProspect(id string, first time.Time, moves ...move) coach.Prospect {
	logged, asked := first.Add(-mDay), first.Add(time.Hour)
	p := coach.Prospect{
		Workspace: "T1", ID: id, Owner: "U1", Account: "Acme " + id, TZ: "UTC",
		FirstMeeting: first, MeetingEnd: first.Add(45 * time.Minute),
		State: coach.Awaiting, CreatedAt: logged, LastActivity: logged,
		History: []coach.Entry{
			{At: logged, By: "U1", Event: coach.EventLogged, To: coach.Scheduled},
			{At: asked, By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting},
		},
	}
	events := map[coach.State]coach.Event{coach.Opportunity: coach.EventConfirmed, coach.Won: coach.EventWon, coach.Lost: coach.EventLost}
	for _, m := range moves {
		if m.to == coach.Lost {
			p.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Shared: true, Stage: p.State, DaysToLose: coach.DaysBetween(first, m.at)}
		}
		if m.to == coach.Opportunity {
			p.SecondMeeting = m.at.Add(3 * mDay)
		}
		p.History = append(p.History, coach.Entry{At: m.at, By: "U1", Event: events[m.to], From: p.State, To: m.to})
		p.State = m.to
		p.LastActivity = m.at
	}
	return p
}

func opp(at time.Time) move  { return move{coach.Opportunity, at} }
func won(at time.Time) move  { return move{coach.Won, at} }
func lost(at time.Time) move { return move{coach.Lost, at} }

// mWindow is days [from, to) of the fixtures.
func mWindow(from, to int) coach.Window { return coach.Window{From: on(from), To: on(to)} }

func TestLastDaysAndContains(t *testing.T) {
	now := on(30)
	w := coach.LastDays(now, 7)
	if !w.From.Equal(on(23).Add(time.Nanosecond)) || !w.To.Equal(now.Add(time.Nanosecond)) {
		t.Fatalf("LastDays(day 30, 7) = [%v, %v), want (day 23, day 30]", w.From, w.To)
	}
	if got := coach.LastDays(now, 0); got.Contains(now) || got.Contains(now.Add(-time.Nanosecond)) {
		t.Errorf("LastDays(now, 0) = %v is not empty", got)
	}
	for _, tc := range []struct {
		name string
		t    time.Time
		want bool
	}{
		{"the first instant", on(23).Add(time.Nanosecond), true},
		{"the start, excluded", on(23), false},
		{"inside", on(26), true},
		{"now, included", now, true},
		{"just after now", now.Add(time.Nanosecond), false},
		{"after", on(31), false},
		{"zero time", time.Time{}, false},
	} {
		if got := w.Contains(tc.t); got != tc.want {
			t.Errorf("%s: Contains(%v) = %v, want %v", tc.name, tc.t, got, tc.want)
		}
	}
	// Consecutive windows split events between them, never twice.
	prev := coach.LastDays(now.Add(-7*mDay), 7)
	if !prev.Contains(on(23)) || prev.Contains(on(23).Add(time.Nanosecond)) {
		t.Errorf("the week before %v overlaps or leaves a gap", prev)
	}
}

func TestRate(t *testing.T) {
	for _, tc := range []struct {
		r       coach.Rate
		value   float64
		str     string
		known5  bool
		known0  bool
		known1  bool
		comment string
	}{
		{coach.Rate{}, 0, "— (no data)", false, false, false, "no sample"},
		{coach.Rate{Num: 0, Den: 1}, 0, "0% (0 of 1)", false, true, true, "one, failed"},
		{coach.Rate{Num: 1, Den: 1}, 1, "100% (1 of 1)", false, true, true, "one, converted"},
		{coach.Rate{Num: 2, Den: 5}, 0.4, "40% (2 of 5)", true, true, true, "the product's example"},
		{coach.Rate{Num: 1, Den: 3}, 1.0 / 3, "33% (1 of 3)", false, true, true, "rounds down"},
		{coach.Rate{Num: 2, Den: 3}, 2.0 / 3, "67% (2 of 3)", false, true, true, "rounds up"},
		{coach.Rate{Num: 1, Den: 4}, 0.25, "25% (1 of 4)", false, true, true, "four: one short of a verdict"},
	} {
		if got := tc.r.Value(); got != tc.value {
			t.Errorf("%s: %+v.Value() = %v, want %v", tc.comment, tc.r, got, tc.value)
		}
		if got := tc.r.String(); got != tc.str {
			t.Errorf("%s: %+v.String() = %q, want %q", tc.comment, tc.r, got, tc.str)
		}
		if got := tc.r.Known(5); got != tc.known5 {
			t.Errorf("%s: %+v.Known(5) = %v, want %v", tc.comment, tc.r, got, tc.known5)
		}
		if got := tc.r.Known(0); got != tc.known0 {
			t.Errorf("%s: %+v.Known(0) = %v, want %v", tc.comment, tc.r, got, tc.known0)
		}
		if got := tc.r.Known(1); got != tc.known1 {
			t.Errorf("%s: %+v.Known(1) = %v, want %v", tc.comment, tc.r, got, tc.known1)
		}
	}
}

func TestDefaultThresholds(t *testing.T) {
	d := coach.DefaultThresholds
	want := coach.Thresholds{
		ConversionWindow: 90 * mDay, StalledAfter: 14 * mDay, DefaultCycle: 90 * mDay,
		MinWonForCycle: 8, MinSample: 5, FastLossDays: 14,
		LowConversion: 0.30, SlowLossDays: 30, PaddedCoverage: 3, PaddedWinRate: 0.25,
		LateQualificationDays: 30, LateQualificationPart: 0.5, NudgeRepeat: 7 * mDay, MaxNudgesPerDay: 3,
	}
	if d != want {
		t.Fatalf("DefaultThresholds = %+v, want %+v", d, want)
	}
	if err := d.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	w := d.ConversionPeriod(on(100))
	if w != coach.LastDays(on(100), 90) {
		t.Errorf("ConversionPeriod = %v, want the last 90 days", w)
	}
	for name, change := range map[string]func(*coach.Thresholds){
		"no conversion window": func(t *coach.Thresholds) { t.ConversionWindow = 0 },
		"no stalled time":      func(t *coach.Thresholds) { t.StalledAfter = -mDay },
		"no default cycle":     func(t *coach.Thresholds) { t.DefaultCycle = 0 },
		"no won deals":         func(t *coach.Thresholds) { t.MinWonForCycle = 0 },
		"no sample":            func(t *coach.Thresholds) { t.MinSample = 0 },
		"negative fast loss":   func(t *coach.Thresholds) { t.FastLossDays = -1 },
	} {
		th := coach.DefaultThresholds
		change(&th)
		if err := th.Validate(); !errors.Is(err, coach.ErrInvalid) {
			t.Errorf("%s: Validate() = %v, want ErrInvalid", name, err)
		}
	}
	zeroFast := coach.DefaultThresholds
	zeroFast.FastLossDays = 0
	if err := zeroFast.Validate(); err != nil {
		t.Errorf("fast loss on the day of the first meeting only: %v", err)
	}
}

func TestMilestonesOf(t *testing.T) {
	for _, tc := range []struct {
		name      string
		p         coach.Prospect
		want      coach.Milestones
		resolved  time.Time
		converted bool
	}{
		{"no history", coach.Prospect{FirstMeeting: on(0), State: coach.Opportunity},
			coach.Milestones{FirstMeeting: on(0)}, time.Time{}, false},
		{"awaiting", mProspect("a", on(0)),
			coach.Milestones{FirstMeeting: on(0)}, time.Time{}, false},
		{"lost before an opportunity", mProspect("b", on(0), lost(on(3))),
			coach.Milestones{FirstMeeting: on(0), Lost: on(3)}, on(3), false},
		{"opportunity", mProspect("c", on(0), opp(on(2))),
			coach.Milestones{FirstMeeting: on(0), Opportunity: on(2)}, on(2), true},
		{"won", mProspect("d", on(0), opp(on(2)), won(on(40))),
			coach.Milestones{FirstMeeting: on(0), Opportunity: on(2), Won: on(40)}, on(2), true},
		{"lost after an opportunity", mProspect("e", on(0), opp(on(2)), lost(on(20))),
			coach.Milestones{FirstMeeting: on(0), Opportunity: on(2), Lost: on(20)}, on(2), true},
	} {
		m := coach.MilestonesOf(tc.p)
		if m != tc.want {
			t.Errorf("%s: MilestonesOf = %+v, want %+v", tc.name, m, tc.want)
		}
		at, converted, ok := m.Resolved()
		if ok != !tc.resolved.IsZero() || !at.Equal(tc.resolved) || converted != tc.converted {
			t.Errorf("%s: Resolved() = %v, %v, %v; want %v, %v", tc.name, at, converted, ok, tc.resolved, tc.converted)
		}
	}

	// An entry that does not change the state moves no milestone, and the
	// first entry into a state is the one that counts.
	p := mProspect("f", on(0), opp(on(2)))
	p.History = append(p.History,
		coach.Entry{At: on(5), By: "U1", Event: coach.EventConfirmed, From: coach.Opportunity, To: coach.Opportunity},
		coach.Entry{At: on(6), By: "U1", Event: coach.EventConfirmed, From: coach.Awaiting, To: coach.Opportunity})
	if got := coach.MilestonesOf(p).Opportunity; !got.Equal(on(2)) {
		t.Errorf("opportunity milestone = %v, want the first confirmation, day 2", got)
	}
}

// TestMetricsFromRealTransitions checks the milestones against prospects
// moved by Confirm, Lose and Win themselves, not by hand-written history.
func TestMetricsFromRealTransitions(t *testing.T) {
	p := mProspect("r", on(0))
	p, _, err := p.Confirm(on(2), "U1", coach.SecondMeeting{At: on(5)})
	if err != nil {
		t.Fatal(err)
	}
	wonP, err := p.Win(on(30, 6*time.Hour), "U1")
	if err != nil {
		t.Fatal(err)
	}
	lostP, err := p.Lose(on(14, 23*time.Hour), "U1", coach.LossReport{Reason: coach.ReasonTiming, Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := coach.MilestonesOf(wonP); !got.Opportunity.Equal(on(2)) || !got.Won.Equal(on(30, 6*time.Hour)) || !got.Lost.IsZero() {
		t.Errorf("won milestones = %+v", got)
	}
	if d, ok := coach.MilestonesOf(wonP).SalesCycle(); !ok || d != 30*mDay+6*time.Hour {
		t.Errorf("SalesCycle = %v, %v; want 30d6h", d, ok)
	}
	if d, ok := coach.MilestonesOf(lostP).TimeToLose(); !ok || d != 14*mDay+23*time.Hour {
		t.Errorf("TimeToLose = %v, %v; want 14d23h", d, ok)
	}
	// LostFast counts whole days, as the loss debrief does.
	if lostP.Loss.DaysToLose != 14 || !coach.DefaultThresholds.LostFast(lostP) {
		t.Errorf("lost after %d whole days: LostFast = %v, want true", lostP.Loss.DaysToLose, coach.DefaultThresholds.LostFast(lostP))
	}
	all := []coach.Prospect{wonP, lostP}
	if got := coach.WinRate(all, mWindow(0, 60)); got != (coach.Rate{Num: 1, Den: 2}) {
		t.Errorf("WinRate = %v, want 1 of 2", got)
	}
	if got := coach.Conversion(all, mWindow(0, 60)); got != (coach.Rate{Num: 2, Den: 2}) {
		t.Errorf("Conversion = %v, want 2 of 2", got)
	}
}

func TestConversion(t *testing.T) {
	w := mWindow(10, 20)
	for _, tc := range []struct {
		name string
		ps   []coach.Prospect
		want coach.Rate
	}{
		{"none", nil, coach.Rate{}},
		{"one converted", []coach.Prospect{mProspect("a", on(9), opp(on(12)))}, coach.Rate{Num: 1, Den: 1}},
		{"one lost before an opportunity", []coach.Prospect{mProspect("a", on(9), lost(on(12)))}, coach.Rate{Num: 0, Den: 1}},
		{"awaiting is not resolved", []coach.Prospect{mProspect("a", on(9))}, coach.Rate{}},
		{"gone quiet is not resolved", []coach.Prospect{func() coach.Prospect {
			p := mProspect("a", on(9))
			p.QuietSince = on(15)
			p.History = append(p.History, coach.Entry{At: on(15), By: coach.SystemActor, Event: coach.EventQuiet, From: coach.Awaiting, To: coach.Awaiting})
			return p
		}()}, coach.Rate{}},
		{"lost after an opportunity counts as converted",
			[]coach.Prospect{mProspect("a", on(9), opp(on(12)), lost(on(15)))}, coach.Rate{Num: 1, Den: 1}},
		{"won counts as converted",
			[]coach.Prospect{mProspect("a", on(9), opp(on(12)), won(on(15)))}, coach.Rate{Num: 1, Den: 1}},
		{"converted before the window, lost in it: not resolved in it",
			[]coach.Prospect{mProspect("a", on(1), opp(on(5)), lost(on(12)))}, coach.Rate{}},
		{"resolved at the window's start counts",
			[]coach.Prospect{mProspect("a", on(8), lost(on(10)))}, coach.Rate{Num: 0, Den: 1}},
		{"resolved at the window's end does not",
			[]coach.Prospect{mProspect("a", on(18), opp(on(20)))}, coach.Rate{}},
		{"a loss outside the window does not count",
			[]coach.Prospect{mProspect("a", on(1), lost(on(5))), mProspect("b", on(9), opp(on(11)))}, coach.Rate{Num: 1, Den: 1}},
		{"two of five", []coach.Prospect{
			mProspect("a", on(9), opp(on(11))),
			mProspect("b", on(9), opp(on(12)), lost(on(30))),
			mProspect("c", on(9), lost(on(13))),
			mProspect("d", on(9), lost(on(14))),
			mProspect("e", on(9), lost(on(19, 23*time.Hour))),
			mProspect("f", on(15)),
		}, coach.Rate{Num: 2, Den: 5}},
	} {
		if got := coach.Conversion(tc.ps, w); got != tc.want {
			t.Errorf("%s: Conversion = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDaysToLose(t *testing.T) {
	w := mWindow(10, 40)
	for _, tc := range []struct {
		name string
		ps   []coach.Prospect
		want []float64
	}{
		{"none", nil, nil},
		{"one", []coach.Prospect{mProspect("a", on(5), lost(on(12)))}, []float64{7}},
		{"fractional days", []coach.Prospect{mProspect("a", on(5), lost(on(12, 12*time.Hour)))}, []float64{7.5}},
		{"before and after an opportunity, shortest first", []coach.Prospect{
			mProspect("a", on(0), opp(on(3)), lost(on(30))),
			mProspect("b", on(8), lost(on(10))),
			mProspect("c", on(5), lost(on(19))),
		}, []float64{2, 14, 30}},
		{"a loss outside the window does not count", []coach.Prospect{
			mProspect("a", on(0), lost(on(9))),
			mProspect("b", on(30), lost(on(40))),
			mProspect("c", on(30), lost(on(39))),
		}, []float64{9}},
		{"won and open prospects have no time to lose", []coach.Prospect{
			mProspect("a", on(5), opp(on(12)), won(on(20))),
			mProspect("b", on(5), opp(on(12))),
			mProspect("c", on(5)),
		}, nil},
		{"lost before the first meeting is zero", []coach.Prospect{mProspect("a", on(20), lost(on(15)))}, []float64{0}},
	} {
		if got := coach.DaysToLose(tc.ps, w); !slices.Equal(got, tc.want) {
			t.Errorf("%s: DaysToLose = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
		ok   bool
	}{
		{nil, 0, false},
		{[]float64{}, 0, false},
		{[]float64{7}, 7, true},
		{[]float64{2, 30}, 16, true},
		{[]float64{30, 2, 14}, 14, true},
		{[]float64{40, 1, 3, 2}, 2.5, true},
	} {
		in := slices.Clone(tc.xs)
		got, ok := coach.Median(tc.xs)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Median(%v) = %v, %v; want %v, %v", tc.xs, got, ok, tc.want, tc.ok)
		}
		if !slices.Equal(in, tc.xs) {
			t.Errorf("Median reordered its input: %v, was %v", tc.xs, in)
		}
	}
}

func TestWinRate(t *testing.T) {
	w := mWindow(30, 60)
	for _, tc := range []struct {
		name string
		ps   []coach.Prospect
		want coach.Rate
	}{
		{"none", nil, coach.Rate{}},
		{"one won", []coach.Prospect{mProspect("a", on(0), opp(on(5)), won(on(40)))}, coach.Rate{Num: 1, Den: 1}},
		{"one opportunity lost", []coach.Prospect{mProspect("a", on(0), opp(on(5)), lost(on(40)))}, coach.Rate{Num: 0, Den: 1}},
		{"lost before an opportunity is not counted", []coach.Prospect{mProspect("a", on(30), lost(on(40)))}, coach.Rate{}},
		{"open opportunities are not counted", []coach.Prospect{mProspect("a", on(30), opp(on(35)))}, coach.Rate{}},
		{"closed at the window's start counts", []coach.Prospect{mProspect("a", on(0), opp(on(5)), won(on(30)))}, coach.Rate{Num: 1, Den: 1}},
		{"closed at the window's end does not", []coach.Prospect{mProspect("a", on(0), opp(on(5)), won(on(60)))}, coach.Rate{}},
		{"a loss outside the window does not count", []coach.Prospect{
			mProspect("a", on(0), opp(on(5)), lost(on(29))),
			mProspect("b", on(0), opp(on(5)), won(on(31))),
		}, coach.Rate{Num: 1, Den: 1}},
		{"one of three, with a first-meeting loss left out", []coach.Prospect{
			mProspect("a", on(0), opp(on(5)), won(on(31))),
			mProspect("b", on(0), opp(on(5)), lost(on(32))),
			mProspect("c", on(20), opp(on(25)), lost(on(33))),
			mProspect("d", on(30), lost(on(34))),
		}, coach.Rate{Num: 1, Den: 3}},
	} {
		if got := coach.WinRate(tc.ps, w); got != tc.want {
			t.Errorf("%s: WinRate = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPastWindowStaysTrue: a prospect converted last quarter and lost this
// quarter counts as converted last quarter and in this quarter's win rate.
func TestPastWindowStaysTrue(t *testing.T) {
	ps := []coach.Prospect{mProspect("a", on(0), opp(on(5)), lost(on(100)))}
	last, this := mWindow(0, 90), mWindow(90, 180)
	if got := coach.Conversion(ps, last); got != (coach.Rate{Num: 1, Den: 1}) {
		t.Errorf("last quarter's conversion = %v, want 1 of 1", got)
	}
	if got := coach.Conversion(ps, this); got != (coach.Rate{}) {
		t.Errorf("this quarter's conversion = %v, want no data", got)
	}
	if got := coach.WinRate(ps, last); got != (coach.Rate{}) {
		t.Errorf("last quarter's win rate = %v, want no data", got)
	}
	if got := coach.WinRate(ps, this); got != (coach.Rate{Num: 0, Den: 1}) {
		t.Errorf("this quarter's win rate = %v, want 0 of 1", got)
	}
	if got := coach.NewOpportunities(ps, last); got != 1 {
		t.Errorf("last quarter's new opportunities = %d, want 1", got)
	}
}

func TestSalesCycles(t *testing.T) {
	w := mWindow(30, 60)
	for _, tc := range []struct {
		name string
		ps   []coach.Prospect
		want []time.Duration
	}{
		{"none", nil, nil},
		{"one", []coach.Prospect{mProspect("a", on(0), opp(on(5)), won(on(40, 2*time.Hour)))}, []time.Duration{40*mDay + 2*time.Hour}},
		{"shortest first, lost and open left out", []coach.Prospect{
			mProspect("a", on(0), opp(on(5)), won(on(50))),
			mProspect("b", on(20), opp(on(25)), won(on(35))),
			mProspect("c", on(0), opp(on(5)), lost(on(40))),
			mProspect("d", on(0), opp(on(5))),
		}, []time.Duration{15 * mDay, 50 * mDay}},
		{"window edges", []coach.Prospect{
			mProspect("a", on(0), opp(on(5)), won(on(30))),
			mProspect("b", on(0), opp(on(5)), won(on(60))),
			mProspect("c", on(0), opp(on(5)), won(on(29))),
		}, []time.Duration{30 * mDay}},
	} {
		if got := coach.SalesCycles(tc.ps, w); !slices.Equal(got, tc.want) {
			t.Errorf("%s: SalesCycles = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWonCycle(t *testing.T) {
	wins := func(n int) []coach.Prospect {
		var ps []coach.Prospect
		for i := range n {
			// Cycles of 10, 20, 30, … days.
			ps = append(ps, mProspect(string(rune('a'+i)), on(0), opp(on(2)), won(on(10*(i+1)))))
		}
		// Lost and open deals never count.
		return append(ps, mProspect("lost", on(0), opp(on(2)), lost(on(500))), mProspect("open", on(0), opp(on(2))))
	}
	th := coach.DefaultThresholds
	for _, tc := range []struct {
		name string
		th   coach.Thresholds
		ps   []coach.Prospect
		want time.Duration
	}{
		{"none won", th, nil, 90 * mDay},
		{"one won", th, wins(1), 90 * mDay},
		{"seven won, one short", th, wins(7), 90 * mDay},
		{"eight won: the median, not the mean (the lost deal lasted past them all)", th, wins(8), 50 * mDay},
		{"nine won", th, wins(9), 50 * mDay},
		{"configured: one is enough", coach.Thresholds{DefaultCycle: 60 * mDay, MinWonForCycle: 1}, wins(1), 10 * mDay},
		{"configured: a slow outlier does not pull it", coach.Thresholds{DefaultCycle: 60 * mDay, MinWonForCycle: 3},
			append(wins(2), mProspect("slow", on(0), opp(on(2)), won(on(400)))), 20 * mDay},
		{"configured default cycle", coach.Thresholds{DefaultCycle: 60 * mDay, MinWonForCycle: 5}, wins(2), 60 * mDay},
		{"misconfigured minimum of zero, none won", coach.Thresholds{DefaultCycle: 60 * mDay}, nil, 60 * mDay},
	} {
		if got := tc.th.WonCycle(tc.ps, time.Time{}); got != tc.want {
			t.Errorf("%s: WonCycle = %v, want %v", tc.name, got, tc.want)
		}
	}
	// A cycle the manager set wins over the won deals.
	if got := th.CycleOf(coach.Team{CycleDays: 45}, wins(9), time.Time{}); got != 45*mDay {
		t.Errorf("CycleOf a team with a set cycle = %v, want 45 days", got)
	}
	if got := th.CycleOf(coach.Team{}, wins(9), time.Time{}); got != 50*mDay {
		t.Errorf("CycleOf a team without one = %v, want the median, 50 days", got)
	}
}

func TestCoverage(t *testing.T) {
	for _, tc := range []struct {
		open, quota int64
		want        float64
		ok          bool
	}{
		{0, 0, 0, false},
		{50000, 0, 0, false},
		{50000, -10000, 0, false},
		{0, 100000, 0, true},
		{200000, 100000, 2, true},
		{350000, 100000, 3.5, true},
		{25000, 100000, 0.25, true},
	} {
		got, ok := coach.Coverage(tc.open, tc.quota)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Coverage(%d, %d) = %v, %v; want %v, %v", tc.open, tc.quota, got, ok, tc.want, tc.ok)
		}
	}
}

func TestStalled(t *testing.T) {
	opportunity := mProspect("a", on(0), opp(on(2))) // last activity: day 2
	waiting := func(until time.Time) coach.Prospect {
		p := opportunity
		p.WaitingOn, p.WaitingUntil = "legal review", until
		return p
	}
	noActivity := opportunity
	noActivity.LastActivity = time.Time{} // falls back on the latest history entry
	th := coach.DefaultThresholds
	short := th
	short.StalledAfter = 7 * mDay
	for _, tc := range []struct {
		name    string
		th      coach.Thresholds
		p       coach.Prospect
		now     time.Time
		stalled bool
		days    int
	}{
		{"just active", th, opportunity, on(2), false, 0},
		{"13 days 23 hours", th, opportunity, on(15, 23*time.Hour), false, 13},
		{"exactly 14 days", th, opportunity, on(16), true, 14},
		{"30 days", th, opportunity, on(32), true, 30},
		{"configured: 7 days", short, opportunity, on(9), true, 7},
		{"awaiting is never stalled", th, mProspect("b", on(0)), on(60), false, 61},
		{"won is never stalled", th, mProspect("c", on(0), opp(on(2)), won(on(3))), on(60), false, 57},
		{"lost is never stalled", th, mProspect("d", on(0), opp(on(2)), lost(on(3))), on(60), false, 57},
		{"waiting pauses it", th, waiting(on(40)), on(30), false, 0},
		{"waiting, to the last instant", th, waiting(on(40)), on(40).Add(-time.Nanosecond), false, 0},
		{"the wait ended 13 days ago", th, waiting(on(40)), on(53), false, 13},
		{"the wait ended 14 days ago", th, waiting(on(40)), on(54), true, 14},
		{"a wait that ended before the last activity changes nothing", th, waiting(on(1)), on(16), true, 14},
		{"no last activity: the latest history entry", th, noActivity, on(16), true, 14},
	} {
		if got := tc.th.Stalled(tc.p, tc.now); got != tc.stalled {
			t.Errorf("%s: Stalled = %v, want %v", tc.name, got, tc.stalled)
		}
		if got := tc.th.DaysSinceActivity(tc.p, tc.now); got != tc.days {
			t.Errorf("%s: DaysSinceActivity = %d, want %d", tc.name, got, tc.days)
		}
	}
}

func TestAged(t *testing.T) {
	opportunity := mProspect("a", on(0), opp(on(2)))
	cycle := 30 * mDay
	for _, tc := range []struct {
		name string
		p    coach.Prospect
		now  time.Time
		want bool
	}{
		{"young", opportunity, on(10), false},
		{"just past the cycle: within the margin", opportunity, on(31), false},
		{"exactly the cycle and a half", opportunity, on(45), false},
		{"just past it", opportunity, on(45).Add(time.Nanosecond), true},
		{"a recorded wait does not count as age", waited(opportunity, on(10), on(30)), on(50), false},
		{"a wait cut short counts only as long as it ran", waitedCut(opportunity, on(10), on(30), on(12)), on(50), true},
		{"long past it", opportunity, on(200), true},
		{"awaiting is not pipeline", mProspect("b", on(0)), on(200), false},
		{"won is not open", mProspect("c", on(0), opp(on(2)), won(on(100))), on(200), false},
		{"lost is not open", mProspect("d", on(0), opp(on(2)), lost(on(100))), on(200), false},
	} {
		if got := coach.Aged(tc.p, tc.now, cycle); got != tc.want {
			t.Errorf("%s: Aged = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// waited records a wait on p from from to until, through Update.
func waited(p coach.Prospect, from, until time.Time) coach.Prospect {
	what := "legal review"
	next, err := p.Update(from, p.Owner, coach.DealUpdate{WaitingOn: &what, WaitingUntil: until})
	if err != nil {
		panic(err)
	}
	return next
}

// waitedCut records a wait and clears it at cut.
func waitedCut(p coach.Prospect, from, until, cut time.Time) coach.Prospect {
	p = waited(p, from, until)
	none := ""
	next, err := p.Update(cut, p.Owner, coach.DealUpdate{WaitingOn: &none})
	if err != nil {
		panic(err)
	}
	return next
}

func TestLostFast(t *testing.T) {
	th := coach.DefaultThresholds
	strict := th
	strict.FastLossDays = 7
	for _, tc := range []struct {
		name string
		th   coach.Thresholds
		p    coach.Prospect
		want bool
	}{
		{"not lost", th, mProspect("a", on(0), opp(on(2))), false},
		{"won", th, mProspect("a", on(0), opp(on(2)), won(on(3))), false},
		{"the same day", th, mProspect("a", on(0), lost(on(0, time.Hour))), true},
		{"13 days", th, mProspect("a", on(0), lost(on(13))), true},
		{"exactly 14 days", th, mProspect("a", on(0), lost(on(14))), true},
		{"14 days 23 hours: still 14 whole days", th, mProspect("a", on(0), lost(on(14, 23*time.Hour))), true},
		{"15 days", th, mProspect("a", on(0), lost(on(15))), false},
		{"lost fast as an opportunity", th, mProspect("a", on(0), opp(on(2)), lost(on(10))), true},
		{"configured: 7 days", strict, mProspect("a", on(0), lost(on(8))), false},
	} {
		if got := tc.th.LostFast(tc.p); got != tc.want {
			t.Errorf("%s: LostFast = %v, want %v", tc.name, got, tc.want)
		}
		if tc.p.Loss != nil && tc.th.LostFast(tc.p) != (tc.p.Loss.DaysToLose <= tc.th.FastLossDays) {
			t.Errorf("%s: LostFast disagrees with the debrief's %d days", tc.name, tc.p.Loss.DaysToLose)
		}
	}
}

func TestCounts(t *testing.T) {
	w := mWindow(10, 17)
	type counts struct{ first, opps, won, lost int }
	for _, tc := range []struct {
		name string
		ps   []coach.Prospect
		want counts
	}{
		{"none", nil, counts{}},
		{"one first meeting, still awaiting", []coach.Prospect{mProspect("a", on(11))}, counts{first: 1}},
		{"one of everything", []coach.Prospect{
			mProspect("a", on(11), opp(on(12))),
			mProspect("b", on(1), opp(on(5)), won(on(12))),
			mProspect("c", on(1), opp(on(5)), lost(on(13))),
			mProspect("d", on(11), lost(on(14))),
		}, counts{first: 2, opps: 1, won: 1, lost: 2}},
		{"window edges", []coach.Prospect{
			mProspect("a", on(10), opp(on(10, time.Hour))),
			mProspect("b", on(9), opp(on(10)), won(on(17))),
			mProspect("c", on(17), lost(on(18))),
			mProspect("d", on(3), lost(on(10))),
		}, counts{first: 1, opps: 2, won: 0, lost: 1}},
		{"a meeting still ahead in a window past now", []coach.Prospect{func() coach.Prospect {
			p := mProspect("a", on(16))
			p.State = coach.Scheduled
			p.History = p.History[:1]
			return p
		}()}, counts{first: 1}},
	} {
		var got counts
		got.first = coach.FirstMeetings(tc.ps, w)
		got.opps = coach.NewOpportunities(tc.ps, w)
		got.won, got.lost = coach.Closed(tc.ps, w)
		if got != tc.want {
			t.Errorf("%s: counts = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
