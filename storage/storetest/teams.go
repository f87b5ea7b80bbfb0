package storetest

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

func team(ws, manager string, version int64, reps ...string) coach.Team {
	return coach.Team{Workspace: ws, Manager: manager, Reps: reps, Channel: "C0DIGEST", TZ: "Europe/Paris", Framework: "meddicc",
		Holidays: []string{"2031-12-24"}, Quotas: map[string]coach.Quota{"U1": {Amount: 250000, Currency: "USD", Period: "2031-Q1"}},
		Currency: "EUR", Numbers: phrase.DecimalPoint, CycleDays: 60, Version: version}
}

// Teams: a manager's team round-trips, versions are checked like prospects',
// a rep has at most one manager (the whole save fails otherwise), and the
// rep index follows additions and removals. Workspaces are apart.
func testTeams(t *testing.T, newStore func(t *testing.T) coach.Store) {
	s := newStore(t)
	teamRoundTrip(t, s)
	oneManagerPerRep(t, s)
	teamsApart(t, s)
}

// teamRoundTrip: nothing before the first save; a saved team reads back as
// saved, and only the next version may replace it.
func teamRoundTrip(t *testing.T, s coach.Store) {
	_, err := s.Team(ctx(), "T1", "M1")
	wantErr(t, "Team of nobody", err, coach.ErrNotFound)
	_, err = s.ManagerOf(ctx(), "T1", "U1")
	wantErr(t, "ManagerOf a rep without team", err, coach.ErrNotFound)

	m1 := team("T1", "M1", 1, "U1", "U2")
	must(t, "SaveTeam", s.SaveTeam(ctx(), m1))
	got, err := s.Team(ctx(), "T1", "M1")
	must(t, "Team", err)
	if !sameTeam(got, m1) {
		t.Fatalf("Team = %+v, want %+v", got, m1)
	}
	wantErr(t, "SaveTeam at the same version", s.SaveTeam(ctx(), m1), coach.ErrConflict)
	wantErr(t, "SaveTeam skipping a version", s.SaveTeam(ctx(), team("T1", "M1", 3, "U1")), coach.ErrConflict)
	wantErr(t, "new team at version 2", s.SaveTeam(ctx(), team("T1", "M9", 2)), coach.ErrConflict)
	wantManager(t, s, "T1", "U1", "M1")
	wantManager(t, s, "T1", "U2", "M1")
}

// oneManagerPerRep: a team with a rep another manager has is refused as a
// whole; removing the rep frees them; TeamOf follows.
func oneManagerPerRep(t *testing.T, s coach.Store) {
	// U2 is taken: M2's whole team is refused, and nothing of it written.
	err := s.SaveTeam(ctx(), team("T1", "M2", 1, "U3", "U2"))
	var taken *coach.RepTakenError
	if !errors.As(err, &taken) || taken.Rep != "U2" || taken.Manager != "M1" || !errors.Is(err, coach.ErrRepTaken) {
		t.Fatalf("SaveTeam with a taken rep = %v, want a RepTakenError for U2 on M1's team", err)
	}
	_, err = s.Team(ctx(), "T1", "M2")
	wantErr(t, "Team after a refused save", err, coach.ErrNotFound)
	wantManager(t, s, "T1", "U3", "")

	// Removing U2 frees them; M2 can then take them.
	must(t, "SaveTeam without U2", s.SaveTeam(ctx(), team("T1", "M1", 2, "U1")))
	wantManager(t, s, "T1", "U2", "")
	must(t, "SaveTeam M2", s.SaveTeam(ctx(), team("T1", "M2", 1, "U3", "U2")))
	wantManager(t, s, "T1", "U2", "M2")
	wantManager(t, s, "T1", "U1", "M1")

	// TeamOf: a manager's own team, a rep's manager's team, nobody's.
	wantTeamOf(t, s, "M1", "M1")
	wantTeamOf(t, s, "U1", "M1")
	wantTeamOf(t, s, "U2", "M2")
	wantTeamOf(t, s, "U8", "")
}

// teamsApart: another workspace is apart, Teams lists a workspace's teams,
// an empty team is a team, and two managers racing for a rep do not both
// get them.
func teamsApart(t *testing.T, s coach.Store) {
	must(t, "SaveTeam in T2", s.SaveTeam(ctx(), team("T2", "M2", 1, "U1")))
	wantManager(t, s, "T2", "U1", "M2")
	wantManager(t, s, "T1", "U1", "M1")

	ts, err := s.Teams(ctx(), "T1")
	must(t, "Teams", err)
	var managers []string
	for _, tm := range ts {
		managers = append(managers, tm.Manager)
	}
	slices.Sort(managers)
	if !slices.Equal(managers, []string{"M1", "M2"}) {
		t.Errorf("Teams(T1) managers = %v, want [M1 M2]", managers)
	}
	if ts, _ := s.Teams(ctx(), "T3"); len(ts) != 0 {
		t.Errorf("Teams(T3) = %v, want none", ts)
	}

	must(t, "SaveTeam empty", s.SaveTeam(ctx(), coach.Team{Workspace: "T1", Manager: "M3", Version: 1}))

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, m := range []string{"M4", "M5"} {
		wg.Go(func() { errs[i] = s.SaveTeam(ctx(), team("T1", m, 1, "U9")) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two managers adding the same rep: errors %v and %v, want exactly one to win", errs[0], errs[1])
	}
}

// wantManager checks a rep's manager in ws ("" for none).
func wantManager(t *testing.T, s coach.Store, ws, rep, want string) {
	t.Helper()
	got, err := s.ManagerOf(ctx(), ws, rep)
	if want == "" {
		wantErr(t, "ManagerOf "+rep, err, coach.ErrNotFound)
		return
	}
	must(t, "ManagerOf "+rep, err)
	if got != want {
		t.Errorf("ManagerOf(%s, %s) = %s, want %s", ws, rep, got, want)
	}
}

// wantTeamOf checks whose team user is on in T1 ("" for none).
func wantTeamOf(t *testing.T, s coach.Store, user, wantManager string) {
	t.Helper()
	got, err := s.TeamOf(ctx(), "T1", user)
	if wantManager == "" {
		wantErr(t, "TeamOf "+user, err, coach.ErrNotFound)
		return
	}
	must(t, "TeamOf "+user, err)
	if got.Manager != wantManager {
		t.Errorf("TeamOf(%s) is %s's team, want %s's", user, got.Manager, wantManager)
	}
}

func sameTeam(a, b coach.Team) bool {
	return a.Workspace == b.Workspace && a.Manager == b.Manager && slices.Equal(a.Reps, b.Reps) && a.Channel == b.Channel &&
		a.TZ == b.TZ && a.Framework == b.Framework && slices.Equal(a.Holidays, b.Holidays) && a.Version == b.Version &&
		len(a.Quotas) == len(b.Quotas) && a.Quotas["U1"] == b.Quotas["U1"] && a.Currency == b.Currency && a.Numbers == b.Numbers &&
		a.CycleDays == b.CycleDays
}
