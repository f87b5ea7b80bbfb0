package coach_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // zones for the tests, whatever the machine has

	"pipelinecoach/coach"
)

// dgNow is when the digest fixtures build the digest: Monday 2026-11-30
// 09:00 UTC, in 2026-Q4.
var dgNow = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// dgAgo is days (of 24 hours) before dgNow, plus an optional offset.
func dgAgo(days int, plus ...time.Duration) time.Time {
	t := dgNow.Add(-time.Duration(days) * 24 * time.Hour)
	for _, d := range plus {
		t = t.Add(d)
	}
	return t
}

type dgMove struct {
	to coach.State
	at time.Time
}

func dgOpp(at time.Time) dgMove  { return dgMove{coach.Opportunity, at} }
func dgWon(at time.Time) dgMove  { return dgMove{coach.Won, at} }
func dgLost(at time.Time) dgMove { return dgMove{coach.Lost, at} }

// dgProspect is a prospect of workspace T1 owned by owner, first met at
// first, asked an hour later, then moved as the moves say, every field set
// as the real transitions set it. A loss is shared unless changed.
func dgProspect(id, owner string, first time.Time, moves ...dgMove) coach.Prospect {
	logged, asked := first.Add(-24*time.Hour), first.Add(time.Hour)
	p := coach.Prospect{
		Workspace: "T1", ID: id, Owner: owner, Account: "Acme " + id, TZ: "UTC",
		FirstMeeting: first, MeetingEnd: first.Add(45 * time.Minute),
		State: coach.Awaiting, CreatedAt: logged, LastActivity: asked,
		History: []coach.Entry{
			{At: logged, By: owner, Event: coach.EventLogged, To: coach.Scheduled},
			{At: asked, By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting},
		},
	}
	events := map[coach.State]coach.Event{coach.Opportunity: coach.EventConfirmed, coach.Won: coach.EventWon, coach.Lost: coach.EventLost}
	for _, m := range moves {
		switch m.to {
		case coach.Lost:
			p.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Lesson: "asked about budget late", Shared: true, Stage: p.State, DaysToLose: coach.DaysBetween(first, m.at)}
		case coach.Opportunity:
			p.SecondMeeting = m.at.Add(3 * 24 * time.Hour)
		}
		p.History = append(p.History, coach.Entry{At: m.at, By: owner, Event: events[m.to], From: p.State, To: m.to})
		p.State = m.to
		p.LastActivity = m.at
	}
	return p
}

// priced sets a deal's amount.
func priced(p coach.Prospect, amount int64, currency string) coach.Prospect {
	p.Amount, p.Currency = amount, currency
	return p
}

func dgIDs(ps []coach.Prospect) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func dgTeam(reps ...string) coach.Team {
	return coach.Team{Workspace: "T1", Manager: "M1", Reps: reps, Channel: "C1", TZ: "UTC"}
}

func TestBuildDigestEmptyTeam(t *testing.T) {
	team := dgTeam()
	ps := []coach.Prospect{dgProspect("a", "U1", dgAgo(2)), dgProspect("b", "U2", dgAgo(20), dgOpp(dgAgo(30)))}
	d := coach.DefaultThresholds.BuildDigest(team, ps, dgNow)
	if !reflect.DeepEqual(d.Team, team) || d.Week != coach.LastDays(dgNow, 7) {
		t.Errorf("team %+v, week %+v", d.Team, d.Week)
	}
	if d.Rows == nil || len(d.Rows) != 0 {
		t.Errorf("rows = %#v, want none (and not nil)", d.Rows)
	}
	if d.Integrity != (coach.Integrity{}) || d.Stalled != nil || d.Aged != nil || d.SharedLosses != nil {
		t.Errorf("an empty team got %+v", d)
	}
	if d := coach.DefaultThresholds.BuildDigest(team, nil, dgNow); len(d.Rows) != 0 {
		t.Errorf("no prospects: %+v", d)
	}
}

func TestBuildDigestOneRep(t *testing.T) {
	team := dgTeam("U1")
	team.Quotas = map[string]coach.Quota{"U1": {Amount: 25000, Currency: "EUR", Period: "2026-Q4"}}
	ps := []coach.Prospect{
		dgProspect("met", "U1", dgAgo(3)), // first meeting this week, not yet pipeline
		priced(dgProspect("new", "U1", dgAgo(20), dgOpp(dgAgo(2))), 10000, "EUR"),
		priced(dgProspect("won", "U1", dgAgo(50), dgOpp(dgAgo(45)), dgWon(dgAgo(1))), 5000, "EUR"),
		dgProspect("lostfast", "U1", dgAgo(10), dgLost(dgAgo(4))),
		dgProspect("ahead", "U1", dgNow.Add(48*time.Hour)), // scheduled, not counted as met
	}
	quiet := dgProspect("quiet", "U1", dgAgo(60))
	quiet.QuietSince = dgAgo(50)
	ps = append(ps, quiet)
	ps[4].State = coach.Scheduled
	ps[4].History = ps[4].History[:1]

	d := coach.DefaultThresholds.BuildDigest(team, ps, dgNow)
	want := coach.DigestRow{
		Rep: "U1", FirstMeetings: 1, NewOpportunities: 1, Won: 1, Lost: 1,
		Conversion:       coach.Rate{Num: 2, Den: 3},
		MedianDaysToLose: 6, HasMedian: true,
		OpenAmount: 10000, Currency: "EUR",
		Coverage: 0.5, HasCoverage: true, // 10,000 open over 25,000 − 5,000 won
	}
	if len(d.Rows) != 1 || d.Rows[0] != want {
		t.Errorf("rows = %+v\nwant  %+v", d.Rows, want)
	}
	if want := (coach.Integrity{Opportunities: 1, NotYet: 1, GoneQuiet: 1, Removed: 1}); d.Integrity != want {
		t.Errorf("integrity = %+v, want %+v", d.Integrity, want)
	}
	if got := dgIDs(d.SharedLosses); !slices.Equal(got, []string{"lostfast"}) {
		t.Errorf("shared losses = %v", got)
	}
	if len(d.Stalled)+len(d.Aged) != 0 {
		t.Errorf("stalled %v, aged %v: want none", dgIDs(d.Stalled), dgIDs(d.Aged))
	}
}

func TestBuildDigestOpenAmountAndCoverage(t *testing.T) {
	open := func(id string, amount int64, currency string) coach.Prospect {
		return priced(dgProspect(id, "U1", dgAgo(20), dgOpp(dgAgo(10))), amount, currency)
	}
	tests := []struct {
		name  string
		quota *coach.Quota
		tz    string
		now   time.Time
		ps    []coach.Prospect
		want  coach.DigestRow // the amount fields only
	}{
		{
			name: "no quota: the most common currency",
			ps:   []coach.Prospect{open("a", 100, "USD"), open("b", 200, "EUR"), open("c", 300, "EUR"), open("d", 0, "USD")},
			want: coach.DigestRow{OpenAmount: 500, Currency: "EUR", OtherCurrency: 1},
		},
		{
			name: "no quota, a tie: alphabetical",
			ps:   []coach.Prospect{open("a", 100, "USD"), open("b", 200, "EUR")},
			want: coach.DigestRow{OpenAmount: 200, Currency: "EUR", OtherCurrency: 1},
		},
		{
			name: "no quota, a tie with no currency: the named one",
			ps:   []coach.Prospect{open("a", 100, ""), open("b", 200, "USD")},
			want: coach.DigestRow{OpenAmount: 200, Currency: "USD", OtherCurrency: 1},
		},
		{
			name: "no quota, only amounts without currency",
			ps:   []coach.Prospect{open("a", 100, ""), open("b", 50, "")},
			want: coach.DigestRow{OpenAmount: 150},
		},
		{
			name: "no quota, no amounts",
			ps:   []coach.Prospect{open("a", 0, ""), dgProspect("b", "U1", dgAgo(2))},
			want: coach.DigestRow{},
		},
		{
			name:  "quota in the deals' currency",
			quota: &coach.Quota{Amount: 1000, Currency: "EUR", Period: "2026-Q4"},
			ps:    []coach.Prospect{open("a", 1500, "EUR"), open("b", 500, "EUR")},
			want:  coach.DigestRow{OpenAmount: 2000, Currency: "EUR", Coverage: 2, HasCoverage: true},
		},
		{
			name:  "quota in another currency: only its currency counts",
			quota: &coach.Quota{Amount: 4000, Currency: "USD", Period: "2026-Q4"},
			ps:    []coach.Prospect{open("a", 1500, "EUR"), open("b", 500, "EUR"), open("c", 1000, "USD")},
			want:  coach.DigestRow{OpenAmount: 1000, Currency: "USD", OtherCurrency: 2, Coverage: 0.25, HasCoverage: true},
		},
		{
			name:  "quota in another currency, no deal in it",
			quota: &coach.Quota{Amount: 4000, Currency: "USD", Period: "2026-Q4"},
			ps:    []coach.Prospect{open("a", 1500, "EUR")},
			want:  coach.DigestRow{Currency: "USD", OtherCurrency: 1, Coverage: 0, HasCoverage: true},
		},
		{
			name:  "won this quarter in the quota's currency lowers what remains",
			quota: &coach.Quota{Amount: 4000, Currency: "EUR", Period: "2026-Q4"},
			ps: []coach.Prospect{open("a", 3000, "EUR"),
				priced(dgProspect("w1", "U1", dgAgo(60), dgOpp(dgAgo(50)), dgWon(dgAgo(20))), 2000, "EUR"),
				priced(dgProspect("w2", "U1", dgAgo(60), dgOpp(dgAgo(50)), dgWon(dgAgo(21))), 9000, "USD"),
				priced(dgProspect("w3", "U1", dgAgo(200), dgOpp(dgAgo(190)), dgWon(dgAgo(100))), 9000, "EUR")},
			want: coach.DigestRow{OpenAmount: 3000, Currency: "EUR", Coverage: 1.5, HasCoverage: true},
		},
		{
			name:  "quota met: nothing to cover",
			quota: &coach.Quota{Amount: 1000, Currency: "EUR", Period: "2026-Q4"},
			ps: []coach.Prospect{open("a", 3000, "EUR"),
				priced(dgProspect("w1", "U1", dgAgo(60), dgOpp(dgAgo(50)), dgWon(dgAgo(20))), 1000, "EUR")},
			want: coach.DigestRow{OpenAmount: 3000, Currency: "EUR"},
		},
		{
			name:  "quota for another quarter: as if none",
			quota: &coach.Quota{Amount: 1000, Currency: "USD", Period: "2026-Q3"},
			ps:    []coach.Prospect{open("a", 3000, "EUR")},
			want:  coach.DigestRow{OpenAmount: 3000, Currency: "EUR"},
		},
		{
			name:  "quota period written another way",
			quota: &coach.Quota{Amount: 1000, Currency: "EUR", Period: "Q4 2026"},
			ps:    []coach.Prospect{open("a", 3000, "EUR")},
			want:  coach.DigestRow{OpenAmount: 3000, Currency: "EUR", Coverage: 3, HasCoverage: true},
		},
		{
			name:  "the quarter is the team's: already Q1 in Tokyo",
			quota: &coach.Quota{Amount: 1000, Currency: "EUR", Period: "2027-Q1"},
			tz:    "Asia/Tokyo",
			now:   time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC),
			ps:    []coach.Prospect{open("a", 3000, "EUR")},
			want:  coach.DigestRow{OpenAmount: 3000, Currency: "EUR", Coverage: 3, HasCoverage: true},
		},
		{
			name:  "the quarter is the team's: still Q4 in UTC",
			quota: &coach.Quota{Amount: 1000, Currency: "USD", Period: "2027-Q1"},
			now:   time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC),
			ps:    []coach.Prospect{open("a", 3000, "EUR")},
			want:  coach.DigestRow{OpenAmount: 3000, Currency: "EUR"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			team := dgTeam("U1")
			if tc.tz != "" {
				team.TZ = tc.tz
			}
			if tc.quota != nil {
				team.Quotas = map[string]coach.Quota{"U1": *tc.quota}
			}
			now := dgNow
			if !tc.now.IsZero() {
				now = tc.now
			}
			d := coach.DefaultThresholds.BuildDigest(team, tc.ps, now)
			if len(d.Rows) != 1 {
				t.Fatalf("rows = %+v", d.Rows)
			}
			r := d.Rows[0]
			got := coach.DigestRow{OpenAmount: r.OpenAmount, Currency: r.Currency, OtherCurrency: r.OtherCurrency, Coverage: r.Coverage, HasCoverage: r.HasCoverage}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestBuildDigestRemovedPlaceholders(t *testing.T) {
	tests := []struct {
		name    string
		p       coach.Prospect
		removed int
		lost    int // in the rep's row
	}{
		{"lost while awaiting, this week", dgProspect("a", "U1", dgAgo(9), dgLost(dgAgo(2))), 1, 1},
		{"lost while scheduled, this week", func() coach.Prospect {
			p := dgProspect("a", "U1", dgAgo(1))
			p.History = p.History[:1]
			p.State = coach.Scheduled
			p.History = append(p.History, coach.Entry{At: dgAgo(3), By: "U1", Event: coach.EventLost, From: coach.Scheduled, To: coach.Lost})
			p.State = coach.Lost
			return p
		}(), 1, 1},
		{"lost just inside the week", dgProspect("a", "U1", dgAgo(30), dgLost(dgAgo(7, time.Second))), 1, 1},
		{"lost just outside the week", dgProspect("a", "U1", dgAgo(30), dgLost(dgAgo(7))), 0, 0},
		{"lost before opportunity, last week", dgProspect("a", "U1", dgAgo(30), dgLost(dgAgo(8))), 0, 0},
		{"lost after becoming an opportunity, this week", dgProspect("a", "U1", dgAgo(30), dgOpp(dgAgo(20)), dgLost(dgAgo(1))), 0, 1},
		{"confirmed and lost the same week", dgProspect("a", "U1", dgAgo(6), dgOpp(dgAgo(5)), dgLost(dgAgo(1))), 0, 1},
		{"gone quiet is not removed", func() coach.Prospect {
			p := dgProspect("a", "U1", dgAgo(30))
			p.QuietSince = dgAgo(2)
			return p
		}(), 0, 0},
		{"won is not removed", dgProspect("a", "U1", dgAgo(30), dgOpp(dgAgo(20)), dgWon(dgAgo(1))), 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := coach.DefaultThresholds.BuildDigest(dgTeam("U1"), []coach.Prospect{tc.p}, dgNow)
			if d.Integrity.Removed != tc.removed {
				t.Errorf("removed = %d, want %d", d.Integrity.Removed, tc.removed)
			}
			if d.Rows[0].Lost != tc.lost {
				t.Errorf("lost = %d, want %d", d.Rows[0].Lost, tc.lost)
			}
		})
	}
}

func TestBuildDigestSharedLosses(t *testing.T) {
	private := dgProspect("private", "U1", dgAgo(5), dgLost(dgAgo(1)))
	private.Loss.Shared = false
	noLesson := dgProspect("nolesson", "U2", dgAgo(12), dgOpp(dgAgo(10)), dgLost(dgAgo(3)))
	noLesson.Loss.Lesson = ""
	debriefLess := dgProspect("nodebrief", "U1", dgAgo(5), dgLost(dgAgo(2)))
	debriefLess.Loss = nil // an old record without a debrief: not shared
	ps := []coach.Prospect{
		private,
		noLesson,
		debriefLess,
		dgProspect("newest", "U2", dgAgo(4), dgLost(dgAgo(0, -time.Hour))),
		dgProspect("older", "U1", dgAgo(20), dgLost(dgAgo(6))),
		dgProspect("tie-b", "U1", dgAgo(20), dgLost(dgAgo(4))),
		dgProspect("tie-a", "U2", dgAgo(20), dgLost(dgAgo(4))),
		dgProspect("lastweek", "U1", dgAgo(20), dgLost(dgAgo(9))),
		dgProspect("outsider", "U9", dgAgo(5), dgLost(dgAgo(1))),
	}
	d := coach.DefaultThresholds.BuildDigest(dgTeam("U1", "U2"), ps, dgNow)
	want := []string{"newest", "nolesson", "tie-a", "tie-b", "older"}
	if got := dgIDs(d.SharedLosses); !slices.Equal(got, want) {
		t.Errorf("shared losses = %v, want %v", got, want)
	}
	// Removed: every loss this week before an opportunity, shared or not
	// (private, nodebrief, newest, older, tie-a, tie-b; not nolesson).
	if d.Integrity.Removed != 6 {
		t.Errorf("removed = %d, want 6", d.Integrity.Removed)
	}
}

func TestBuildDigestStalledAndAged(t *testing.T) {
	opp := func(id string, firstAgo, activityAgo int) coach.Prospect {
		p := dgProspect(id, "U1", dgAgo(firstAgo), dgOpp(dgAgo(firstAgo-1)))
		p.LastActivity = dgAgo(activityAgo)
		return p
	}
	waiting := opp("waiting", 40, 30)
	waiting.WaitingOn, waiting.WaitingUntil = "legal review", dgAgo(-3)
	other := opp("other-rep", 150, 35)
	other.Owner = "U2"
	ps := []coach.Prospect{
		opp("fresh", 20, 1),
		opp("stalled-21", 30, 21),
		opp("stalled-40", 50, 40),
		opp("stalled-14", 16, 14),
		opp("tie-b", 140, 20),
		opp("tie-a", 140, 20),
		opp("aged-200", 200, 2),
		opp("aged-136", 136, 5),
		opp("not-aged-134", 134, 5), // within the margin: 90 days × 1.5
		waiting,
		other,
		opp("wait-ended", 60, 40), // a wait that ended 15 days ago
		dgProspect("closed-old", "U1", dgAgo(300), dgOpp(dgAgo(299)), dgLost(dgAgo(200))),
		dgProspect("outsider", "U9", dgAgo(300), dgOpp(dgAgo(299))),
	}
	ps[11].WaitingOn, ps[11].WaitingUntil = "budget cycle", dgAgo(15)
	d := coach.DefaultThresholds.BuildDigest(dgTeam("U1", "U2"), ps, dgNow)
	wantStalled := []string{"stalled-40", "other-rep", "stalled-21", "tie-a", "tie-b", "wait-ended", "stalled-14"}
	if got := dgIDs(d.Stalled); !slices.Equal(got, wantStalled) {
		t.Errorf("stalled = %v\nwant      %v", got, wantStalled)
	}
	wantAged := []string{"aged-200", "other-rep", "tie-a", "tie-b", "aged-136"}
	if got := dgIDs(d.Aged); !slices.Equal(got, wantAged) {
		t.Errorf("aged = %v\nwant  %v", got, wantAged)
	}
	if d.Integrity.Opportunities != 12 {
		t.Errorf("opportunities = %d, want 12", d.Integrity.Opportunities)
	}
}

func TestBuildDigestCycleIsTheTeams(t *testing.T) {
	// Eight fast wins by a rep on another team would make the cycle 10
	// days; the team has none, so its deals age against the default 90.
	var ps []coach.Prospect
	for i := range 8 {
		ps = append(ps, dgProspect(fmt.Sprint("w", i), "U9", dgAgo(100), dgOpp(dgAgo(95)), dgWon(dgAgo(90))))
	}
	ps = append(ps, dgProspect("mine", "U1", dgAgo(30), dgOpp(dgAgo(29))))
	d := coach.DefaultThresholds.BuildDigest(dgTeam("U1"), ps, dgNow)
	if len(d.Aged) != 0 {
		t.Errorf("aged = %v: the cycle came from another team", dgIDs(d.Aged))
	}
	// Eight of the team's own wins after 10 days do age it (past 15 days).
	for i := range ps[:8] {
		ps[i].Owner = "U1"
	}
	d = coach.DefaultThresholds.BuildDigest(dgTeam("U1"), ps, dgNow)
	if got := dgIDs(d.Aged); !slices.Equal(got, []string{"mine"}) {
		t.Errorf("aged = %v, want [mine]", got)
	}
}

func TestBuildDigestOnlyTheTeam(t *testing.T) {
	team := dgTeam("U3", "U1", "U2", "U1", "")
	otherWorkspace := dgProspect("elsewhere", "U1", dgAgo(2), dgOpp(dgAgo(1)))
	otherWorkspace.Workspace = "T2"
	ps := []coach.Prospect{
		dgProspect("u1", "U1", dgAgo(2)),
		otherWorkspace,
		dgProspect("u9-met", "U9", dgAgo(2)),
		priced(dgProspect("u9-opp", "U9", dgAgo(30), dgOpp(dgAgo(25))), 900, "EUR"),
		dgProspect("u9-lost", "U9", dgAgo(3), dgLost(dgAgo(1))),
		dgProspect("u2", "U2", dgAgo(3), dgOpp(dgAgo(1))),
	}
	d := coach.DefaultThresholds.BuildDigest(team, ps, dgNow)
	var reps []string
	for _, r := range d.Rows {
		reps = append(reps, r.Rep)
	}
	if !slices.Equal(reps, []string{"U1", "U2", "U3"}) {
		t.Fatalf("rows for %v, want U1, U2, U3 once each", reps)
	}
	if r := d.Rows[0]; r.FirstMeetings != 1 || r.NewOpportunities != 0 || r.Conversion != (coach.Rate{}) {
		t.Errorf("U1 = %+v: counted another workspace's deal", r)
	}
	if r := d.Rows[2]; r != (coach.DigestRow{Rep: "U3"}) {
		t.Errorf("U3 without prospects = %+v, want an empty row", r)
	}
	if want := (coach.Integrity{Opportunities: 1, NotYet: 1}); d.Integrity != want {
		t.Errorf("integrity = %+v, want %+v", d.Integrity, want)
	}
	if len(d.SharedLosses)+len(d.Stalled)+len(d.Aged) != 0 {
		t.Errorf("another team's deals listed: %+v", d)
	}

	// A team without a workspace id takes every prospect of its reps.
	team.Workspace = ""
	d = coach.DefaultThresholds.BuildDigest(team, ps, dgNow)
	if d.Rows[0].NewOpportunities != 1 {
		t.Errorf("U1 = %+v", d.Rows[0])
	}
}

func TestBuildDigestLeavesInputAlone(t *testing.T) {
	ps := []coach.Prospect{
		dgProspect("b", "U2", dgAgo(30), dgOpp(dgAgo(25))),
		dgProspect("a", "U1", dgAgo(30), dgOpp(dgAgo(28))),
		dgProspect("c", "U1", dgAgo(3), dgLost(dgAgo(1))),
	}
	before := dgIDs(ps)
	coach.DefaultThresholds.BuildDigest(dgTeam("U1", "U2"), ps, dgNow)
	if got := dgIDs(ps); !slices.Equal(got, before) {
		t.Errorf("input reordered: %v", got)
	}
}

// dgWorkspace is a workspace of reps reps (all on one team, each with a
// quota) and deals prospects in every state, spread over the last year.
func dgWorkspace(reps, deals int) (coach.Team, []coach.Prospect) {
	team := dgTeam()
	team.Quotas = map[string]coach.Quota{}
	for i := range reps {
		rep := fmt.Sprintf("U%04d", i)
		team.Reps = append(team.Reps, rep)
		team.Quotas[rep] = coach.Quota{Amount: 100000, Currency: "EUR", Period: "2026-Q4"}
	}
	ps := make([]coach.Prospect, 0, deals)
	for i := range deals {
		rep := team.Reps[i%reps]
		first := dgAgo(i % 365)
		id := fmt.Sprintf("p%05d", i)
		var p coach.Prospect
		switch i % 6 {
		case 0:
			p = dgProspect(id, rep, first)
		case 1:
			p = priced(dgProspect(id, rep, first, dgOpp(first.Add(72*time.Hour))), int64(1000+i), "EUR")
		case 2:
			p = priced(dgProspect(id, rep, first, dgOpp(first.Add(48*time.Hour)), dgWon(first.Add(40*24*time.Hour))), 5000, "EUR")
		case 3:
			p = dgProspect(id, rep, first, dgLost(first.Add(24*time.Hour)))
		case 4:
			p = priced(dgProspect(id, rep, first, dgOpp(first.Add(72*time.Hour)), dgLost(first.Add(20*24*time.Hour))), 800, "USD")
		default:
			p = dgProspect(id, rep, first)
			p.QuietSince = first.Add(10 * 24 * time.Hour)
		}
		ps = append(ps, p)
	}
	return team, ps
}

func BenchmarkBuildDigest(b *testing.B) {
	team, ps := dgWorkspace(300, 5000)
	b.ReportAllocs()
	for b.Loop() {
		coach.DefaultThresholds.BuildDigest(team, ps, dgNow)
	}
}
