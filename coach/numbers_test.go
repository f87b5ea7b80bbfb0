package coach_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/coach/phrase"
)

// A team's convention: its own style, else its currency's, else the
// workspace's.
func TestTeamConvention(t *testing.T) {
	usd := coach.TeamDefaults{Currency: "USD"}
	eur := coach.TeamDefaults{Currency: "EUR"}
	tests := []struct {
		name string
		team coach.Team
		d    coach.TeamDefaults
		want phrase.Convention
	}{
		{"nothing set", coach.Team{}, coach.TeamDefaults{}, phrase.Convention{Style: phrase.DecimalPoint}},
		{"workspace in dollars", coach.Team{}, usd, phrase.Convention{Style: phrase.DecimalPoint, Currency: "USD"}},
		{"workspace in euros", coach.Team{}, eur, phrase.Convention{Style: phrase.DecimalComma, Currency: "EUR"}},
		{"workspace style set", coach.Team{}, coach.TeamDefaults{Currency: "EUR", Numbers: phrase.DecimalPoint}, phrase.Convention{Style: phrase.DecimalPoint, Currency: "EUR"}},
		{"team in euros, workspace in dollars", coach.Team{Currency: "EUR"}, usd, phrase.Convention{Style: phrase.DecimalComma, Currency: "EUR"}},
		{"team in pounds, workspace in euros", coach.Team{Currency: "GBP"}, eur, phrase.Convention{Style: phrase.DecimalPoint, Currency: "GBP"}},
		{"Irish team: euros, decimal point", coach.Team{Currency: "EUR", Numbers: phrase.DecimalPoint}, usd, phrase.Convention{Style: phrase.DecimalPoint, Currency: "EUR"}},
		{"style only", coach.Team{Numbers: phrase.DecimalComma}, usd, phrase.Convention{Style: phrase.DecimalComma, Currency: "USD"}},
	}
	for _, tt := range tests {
		if got := tt.team.Convention(tt.d); got != tt.want {
			t.Errorf("%s: Convention = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestSetCurrencyAndNumbers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	f.svc.TeamDefaults = coach.TeamDefaults{Currency: "USD"}
	manager := managerOfU1(t, f)
	if got := f.svc.ConventionFor(ctx, "T1", "U1"); got != (phrase.Convention{Style: phrase.DecimalPoint, Currency: "USD"}) {
		t.Fatalf("before: %+v", got)
	}
	team, err := f.svc.SetCurrency(ctx, manager, "eur")
	if err != nil || team.Currency != "EUR" {
		t.Fatalf("SetCurrency(eur) = %+v, %v", team, err)
	}
	if got := f.svc.ConventionFor(ctx, "T1", "U1"); got != (phrase.Convention{Style: phrase.DecimalComma, Currency: "EUR"}) {
		t.Fatalf("a rep of a team in euros: %+v", got)
	}
	a, err := f.svc.ConventionFor(ctx, "T1", "U1").ParseAmount("25.000")
	if err != nil || a != (phrase.Amount{Units: 25_000, Currency: "EUR"}) {
		t.Fatalf("25.000 in the team's style = %+v, %v", a, err)
	}
	if _, err := f.svc.SetNumbers(ctx, manager, "1,234.56"); err != nil {
		t.Fatal(err)
	}
	if got := f.svc.ConventionFor(ctx, "T1", "U1"); got != (phrase.Convention{Style: phrase.DecimalPoint, Currency: "EUR"}) {
		t.Fatalf("style set: %+v", got)
	}
	if _, err := f.svc.SetNumbers(ctx, manager, "auto"); err != nil {
		t.Fatal(err)
	}
	if got := f.svc.ConventionFor(ctx, "T1", "U1"); got.Style != phrase.DecimalComma {
		t.Fatalf("auto: %+v, want the euro's decimal comma again", got)
	}
	// A rep on no team writes as the workspace does.
	if got := f.svc.ConventionFor(ctx, "T1", "U9"); got != (phrase.Convention{Style: phrase.DecimalPoint, Currency: "USD"}) {
		t.Fatalf("no team: %+v", got)
	}
	for _, bad := range []string{"", "euro", "XYZ", "¥"} {
		if _, err := f.svc.SetCurrency(ctx, manager, bad); !errors.Is(err, coach.ErrInvalid) {
			t.Errorf("SetCurrency(%q): %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := f.svc.SetNumbers(ctx, manager, "roman"); !errors.Is(err, coach.ErrInvalid) {
		t.Errorf("SetNumbers(roman): %v, want ErrInvalid", err)
	}
	var role *coach.RoleError
	if _, err := f.svc.SetCurrency(ctx, rep, "EUR"); !errors.As(err, &role) {
		t.Errorf("a rep sets the currency: %v, want a RoleError", err)
	}
}

// Every view that shows amounts carries how its team writes them: the
// rep's view, the manager's digest however it is sent, and the brief.
func TestViewsCarryTheTeamsNumbers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	manager := managerOfU1(t, f)
	if _, err := f.svc.SetCurrency(ctx, manager, "EUR"); err != nil {
		t.Fatal(err)
	}
	euro := phrase.Convention{Style: phrase.DecimalComma, Currency: "EUR"}
	v, err := f.svc.RepView(ctx, "T1", "U1")
	if err != nil || v.Numbers != euro {
		t.Fatalf("the rep's view: %+v, %v; want %+v", v.Numbers, err, euro)
	}
	if d, err := f.svc.TeamDigest(ctx, manager); err != nil || d.Numbers != euro {
		t.Fatalf("the manager's digest: %+v, %v; want %+v", d.Numbers, err, euro)
	}
	if _, err := f.svc.PostDigestsNow(ctx, admin, []string{"UM"}); err != nil {
		t.Fatal(err)
	}
	if len(f.notify.Digests) != 1 || f.notify.Digests[0].Numbers != euro {
		t.Fatalf("the digest sent: %+v", f.notify.Digests)
	}
	// A rep on no team sees the workspace's.
	if v, _ := f.svc.RepView(ctx, "T1", "U9"); v.Numbers != (phrase.Convention{Style: phrase.DecimalPoint}) {
		t.Fatalf("no team: %+v", v.Numbers)
	}
}

// A brief is written in the style of the team of the rep it is about,
// whichever job sends it; the manager need not be on a team.
func TestBriefCarriesTheTeamsNumbers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	manager := managerOfU1(t, f)
	if _, err := f.svc.SetCurrency(ctx, manager, "EUR"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Notify().Brief(ctx, coach.Brief{Workspace: "T1", Manager: "UM", Rep: "U1"}); err != nil {
		t.Fatal(err)
	}
	euro := phrase.Convention{Style: phrase.DecimalComma, Currency: "EUR"}
	if len(f.notify.Briefs) != 1 || f.notify.Briefs[0].Numbers != euro {
		t.Fatalf("the brief sent: %+v, want numbers %+v", f.notify.Briefs, euro)
	}
}

// teamReads counts a replica's reads of a person's team.
type teamReads struct {
	*coachtest.MemStore
	n int
}

func (s *teamReads) TeamOf(ctx context.Context, workspace, user string) (coach.Team, error) {
	s.n++
	return s.MemStore.TeamOf(ctx, workspace, user)
}

// A replica that looks for team changes every DirectoryLookEvery keeps the
// teams it read while none changes, so an amount a rep types is read in
// their team's style without a store read; a change made on another
// replica reaches it at its next look.
func TestTeamsKeptUntilAChange(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	manager := managerOfU1(t, f)
	reads := &teamReads{MemStore: f.store}
	b := coach.NewService(reads, f.notify, f.clock, coach.DefaultTiming)
	lookAndRead := func(d time.Duration) phrase.Convention {
		t.Helper()
		var c phrase.Convention
		lookFor(t, f.clock, d, b.KeepFresh, func() { c = b.ConventionFor(ctx, "T1", "U1") })
		return c
	}
	b.ConventionFor(ctx, "T1", "U1")
	// The first look cannot tell whether what b read came before the
	// change it sees: b reads again once.
	if c := lookAndRead(5 * time.Minute); c.Style != phrase.DecimalPoint || reads.n != 2 {
		t.Fatalf("over 5 minutes of looks b read U1's team %d times (%+v); want twice", reads.n, c)
	}
	if _, err := f.svc.SetCurrency(ctx, manager, "EUR"); err != nil {
		t.Fatal(err)
	}
	euro := phrase.Convention{Style: phrase.DecimalComma, Currency: "EUR"}
	if c := lookAndRead(coach.DirectoryLookEvery); c != euro || reads.n != 3 {
		t.Errorf("at the look after the change b reads %+v (%d reads); want %+v, read again once", c, reads.n, euro)
	}
}

// managerOfU1 makes UM the manager of a team with rep U1 in workspace T1.
func managerOfU1(t *testing.T, f *fixture) coach.Actor {
	t.Helper()
	ctx := context.Background()
	manager := coach.Actor{Workspace: "T1", User: "UM"}
	if _, err := f.svc.MakeManager(ctx, admin, "UM", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddReps(ctx, manager, []string{"U1"}); err != nil {
		t.Fatal(err)
	}
	return manager
}

// The cycle a manager sets counts in their reps' views at once, and so
// does setting it back to the one their won deals show.
func TestSetCycleCountsAtOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, ndNow)
	manager := managerOfU1(t, f)
	p := ndActive(ndDeal("P1", "U1", ndAgo(100), ndOpp(ndAgo(99))), ndAgo(1))
	p.Workspace, p.Version = "T1", 1
	if err := f.store.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	aged := func() bool {
		t.Helper()
		v, err := f.svc.RepView(ctx, "T1", "U1")
		if err != nil {
			t.Fatal(err)
		}
		return v.Flags["P1"].Aged
	}
	setCycle := func(days int) {
		t.Helper()
		if _, err := f.svc.EditTeam(ctx, manager, func(t coach.Team) (coach.Team, error) { t.CycleDays = days; return t, nil }); err != nil {
			t.Fatal(err)
		}
	}
	if aged() {
		t.Fatal("a 100-day deal is aged on the default 90-day cycle (aged past 135 days)")
	}
	setCycle(60)
	if !aged() {
		t.Error("right after the manager set a 60-day cycle, a 100-day deal is not aged (past 90 days)")
	}
	setCycle(0)
	if aged() {
		t.Error("right after the manager set the cycle back to auto, a 100-day deal is still aged")
	}
}
