package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// Save then Prospect (and ProspectsOf) returns every field as saved.
func testRoundTrip(t *testing.T, newStore func(t *testing.T) coach.Store) {
	paris := time.FixedZone("CET", 3600)
	full := prospect("T1", "full", "U1")
	full.Contact = "Ada Lovelace <ada@example.com> — ünïcode"
	full.FirstMeeting = time.Date(2031, time.March, 3, 10, 30, 0, 123456789, paris)
	full.MeetingEnd = full.FirstMeeting.Add(45 * time.Minute)
	full.State = coach.Lost
	full.SecondMeeting = time.Date(2031, time.March, 10, 14, 0, 0, 1, paris)
	full.Amount = 1<<53 + 1 // not exact as a float64
	full.Currency = "EUR"
	full.NextStep = "Send the \"proposal\"\nthen call"
	full.Qualification = map[string]string{"budget": "€40k approved", "authority": "CFO signs"}
	full.Loss = &coach.Loss{Reason: coach.ReasonCompetitor, Lesson: "Talk to the CFO sooner.", SaveMoment: "The pricing call",
		Shared: true, Stage: coach.Opportunity, DaysToLose: 12, Celebrated: true,
		Post: coach.MessageRef{Channel: "C0LOSSES", TS: "1712345679.000200"}}
	full.Asks = 3
	full.LastAsked = t0.Add(48*time.Hour + 7)
	full.Prompt = coach.MessageRef{Channel: "D0123", TS: "1712345678.000100"}
	full.QuietSince = t0.Add(96 * time.Hour)
	full.FollowUpAt = t0.Add(time.Hour + 999) // nanoseconds: the record keeps them
	full.WaitingOn = "legal review"
	full.WaitingUntil = t0.Add(7 * 24 * time.Hour).In(paris)
	full.CloseDate = t0.Add(60 * 24 * time.Hour).In(paris)
	full.CRM = coach.CRMLink{ID: "deal-7", SyncAt: t0.Add(time.Minute), SyncedAt: t0, Attempts: 3, LastError: "503 Service Unavailable", Refused: "no HubSpot user has rita@example.com"}
	full.Calendar = &coach.CalendarMeeting{EventID: "evt_1", Title: "Acme — intro", Start: t0.In(paris), End: t0.Add(time.Hour), Company: "acme.example"}
	full.NextMeeting = &coach.CalendarMeeting{EventID: "evt_2", Title: "Acme — follow-up", Start: t0.Add(72 * time.Hour), End: t0.Add(73 * time.Hour), Company: "acme.example"}
	full.Waits = []coach.RecordedWait{{From: t0.Add(time.Hour + 3), Until: full.WaitingUntil}}
	full.LastActivity = time.Now() // with a monotonic reading
	full.History = append(full.History,
		coach.Entry{At: t0.Add(time.Hour), By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting, Version: 2},
		coach.Entry{At: t0.Add(2 * time.Hour).In(paris), By: "U1", Event: coach.EventLost, From: coach.Awaiting, To: coach.Lost},
	)

	if zero := zeroFields(full); len(zero) > 0 {
		// coach.Prospect grew: set the new fields above, so the suite checks
		// that backends keep them.
		t.Fatalf("the every-field prospect leaves %v unset", zero)
	}

	minimal := coach.Prospect{Workspace: "T1", ID: "minimal", Owner: "U1", Version: 1}

	quiet := prospect("T1", "quiet", "U1")
	quiet.State = coach.Awaiting
	quiet.QuietSince = t0.Add(time.Hour)
	quiet.History = []coach.Entry{}

	odd := prospect("T:1/x", "id:with/odd {chars}", "U:1")

	for _, tc := range []struct {
		name string
		p    coach.Prospect
	}{
		{"every field", full},
		{"zero values", minimal},
		{"empty history", quiet},
		{"odd ids", odd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			save(t, s, tc.p)
			sameProspect(t, "Prospect", get(t, s, tc.p.Workspace, tc.p.ID), tc.p)
			ps, err := s.ProspectsOf(ctx(), tc.p.Workspace, tc.p.Owner)
			must(t, "ProspectsOf", err)
			if len(ps) != 1 {
				t.Fatalf("ProspectsOf = %d prospects, want 1", len(ps))
			}
			sameProspect(t, "ProspectsOf", ps[0], tc.p)

			// and again for a later version
			p := next(tc.p)
			p.Account += " (renamed)"
			p.FollowUpAt = time.Time{}
			save(t, s, p)
			sameProspect(t, "Prospect after a second save", get(t, s, p.Workspace, p.ID), p)
		})
	}
}

// Prospect returns ErrNotFound for a missing id and for another team's id.
func testNotFound(t *testing.T, newStore func(t *testing.T) coach.Store) {
	s := newStore(t)
	_, err := s.Prospect(ctx(), "T1", "p1")
	wantErr(t, "Prospect in an empty store", err, coach.ErrNotFound)

	save(t, s, prospect("T1", "p1", "U1"))
	_, err = s.Prospect(ctx(), "T1", "p2")
	wantErr(t, "Prospect of a missing id", err, coach.ErrNotFound)
	_, err = s.Prospect(ctx(), "T2", "p1")
	wantErr(t, "Prospect of another team's id", err, coach.ErrNotFound)

	ps, err := s.ProspectsOf(ctx(), "T2", "U1")
	must(t, "ProspectsOf in another team", err)
	if len(ps) != 0 {
		t.Errorf("ProspectsOf(T2, U1) = %d prospects, want none", len(ps))
	}
}

// Save writes only over Version-1 (nothing for 1); on ErrConflict it writes
// nothing, job queue included.
func testVersions(t *testing.T, newStore func(t *testing.T) coach.Store) {
	s := newStore(t)
	due := t0.Add(time.Hour)
	early := t0 // what conflicting saves try to move the follow-up to

	stored := prospect("T1", "p1", "U1")
	stored.FollowUpAt = due

	attempt := func(name string, version int64, followUp time.Time) error {
		p := next(stored)
		p.Version = version
		p.Account = "written by " + name
		p.FollowUpAt = followUp
		return s.Save(ctx(), p)
	}
	conflicts := []struct {
		name     string
		version  int64
		followUp time.Time
	}{
		{"create at version 2", 2, early},
		{"create at version 0", 0, early},
		{"create at a negative version", -1, early},
	}
	for _, c := range conflicts {
		wantErr(t, c.name, attempt(c.name, c.version, c.followUp), coach.ErrConflict)
		_, err := s.Prospect(ctx(), "T1", "p1")
		wantErr(t, c.name+": then Prospect", err, coach.ErrNotFound)
	}
	wantClaim(t, s, t0.Add(24*time.Hour), 10) // no job was made

	save(t, s, stored) // version 1
	v2 := next(stored)
	v2.Account = "second"
	save(t, s, v2)
	stored = v2

	conflicts = []struct {
		name     string
		version  int64
		followUp time.Time
	}{
		{"create over a record", 1, early},
		{"same version twice", 2, early},
		{"skipped version", 4, early},
		{"version 0", 0, early},
		{"same version clearing the follow-up", 2, time.Time{}},
		{"older version clearing the follow-up", 1, time.Time{}},
	}
	for _, c := range conflicts {
		wantErr(t, c.name, attempt(c.name, c.version, c.followUp), coach.ErrConflict)
		sameProspect(t, c.name+": then Prospect", get(t, s, "T1", "p1"), stored)
	}
	// The job is still due at due: not moved earlier, not removed.
	wantClaim(t, s, due.Add(-time.Millisecond), 10)
	wantClaim(t, s, due, 10, followUp(stored))

	// A conflicting save leaves a claimed job leased too.
	for _, c := range conflicts {
		wantErr(t, c.name+" while claimed", attempt(c.name, c.version, c.followUp), coach.ErrConflict)
	}
	wantClaim(t, s, due.Add(lease-time.Millisecond), 10)
	wantClaim(t, s, due.Add(lease), 10, followUp(stored))

	// The next version is written.
	v3 := next(stored)
	v3.Account = "third"
	save(t, s, v3)
	sameProspect(t, "Prospect after v3", get(t, s, "T1", "p1"), v3)
}

// Read-modify-save loops that retry on ErrConflict lose no update.
func testConcurrentSaves(t *testing.T, newStore func(t *testing.T) coach.Store) {
	const workers, updates = 8, 15
	s := newStore(t)
	p := prospect("T1", "p1", "U1")
	save(t, s, p)

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for range updates {
				for {
					p, err := s.Prospect(ctx(), "T1", "p1")
					if err != nil {
						errs <- err
						return
					}
					p = next(p)
					p.Asks++
					p.History = append(p.History, coach.Entry{At: t0, By: string(rune('a' + w)), Event: coach.EventAsked, To: p.State})
					p.FollowUpAt = t0.Add(time.Duration(p.Asks) * time.Minute)
					err = s.Save(ctx(), p)
					if err == nil {
						break
					}
					if !errors.Is(err, coach.ErrConflict) {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := get(t, s, "T1", "p1")
	if got.Asks != workers*updates || got.Version != 1+workers*updates || len(got.History) != 1+workers*updates {
		t.Errorf("after %d updates: Asks %d, Version %d, %d history entries; want %d, %d, %d",
			workers*updates, got.Asks, got.Version, len(got.History), workers*updates, 1+workers*updates, 1+workers*updates)
	}
	// The follow-up is where the last save put it, once.
	wantClaim(t, s, t0.Add(24*time.Hour), 10, followUp(got))
}

// ProspectsOf returns the owner's prospects, in any state, and no one
// else's; a prospect id in two teams is two records.
func testProspectsOf(t *testing.T, newStore func(t *testing.T) coach.Store) {
	s := newStore(t)
	a1 := prospect("T1", "p1", "U1")
	a2 := prospect("T1", "p2", "U1")
	a2.State = coach.Won
	a3 := prospect("T1", "p3", "U2")
	b1 := prospect("T2", "p1", "U1") // same id, other team
	b1.Account = "Other team's p1"
	b1.State = coach.Lost
	b1.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Stage: coach.Scheduled}
	for _, p := range []coach.Prospect{a1, a2, a3, b1} {
		save(t, s, p)
	}
	sameProspect(t, "Prospect(T2, p1)", get(t, s, "T2", "p1"), b1)
	sameProspect(t, "Prospect(T1, p1)", get(t, s, "T1", "p1"), a1)

	want := func(team, owner string, ps ...coach.Prospect) {
		t.Helper()
		got, err := s.ProspectsOf(ctx(), team, owner)
		must(t, "ProspectsOf", err)
		sameProspects(t, "ProspectsOf("+team+", "+owner+")", got, ps)
	}
	want("T1", "U1", a1, a2)
	want("T1", "U2", a3)
	want("T2", "U1", b1)
	want("T2", "U2")
	want("T3", "U1")

	// A prospect handed to another rep moves between their lists.
	a2v2 := next(a2)
	a2v2.Owner = "U2"
	save(t, s, a2v2)
	want("T1", "U1", a1)
	want("T1", "U2", a2v2, a3)
	want("T2", "U1", b1)

	// A failed save moves nothing.
	stale := next(a1)
	stale.Version = 5
	stale.Owner = "U2"
	wantErr(t, "stale save with a new owner", s.Save(ctx(), stale), coach.ErrConflict)
	want("T1", "U1", a1)
	want("T1", "U2", a2v2, a3)

	// A team's prospects are all its reps' and no other team's.
	wantTeam := func(team string, ps ...coach.Prospect) {
		t.Helper()
		got, err := s.WorkspaceProspects(ctx(), team)
		must(t, "WorkspaceProspects", err)
		sameProspects(t, "WorkspaceProspects("+team+")", got, ps)
	}
	wantTeam("T1", a1, a2v2, a3)
	wantTeam("T2", b1)
	wantTeam("T3")

	// Several owners' prospects at once: theirs, in this team, each once.
	wantOwners := func(team string, owners []string, ps ...coach.Prospect) {
		t.Helper()
		got, err := s.ProspectsOfOwners(ctx(), team, owners)
		must(t, "ProspectsOfOwners", err)
		sameProspects(t, fmt.Sprintf("ProspectsOfOwners(%s, %v)", team, owners), got, ps)
	}
	wantOwners("T1", []string{"U1", "U2"}, a1, a2v2, a3)
	wantOwners("T1", []string{"U2"}, a2v2, a3)
	wantOwners("T1", []string{"U1", "U1", "U9"}, a1) // duplicates and strangers
	wantOwners("T2", []string{"U1", "U2"}, b1)
	wantOwners("T1", nil)
	wantOwners("T3", []string{"U1"})
}

// sameProspects checks that got holds exactly want, in any order.
func sameProspects(t *testing.T, what string, got, want []coach.Prospect) {
	t.Helper()
	byID := func(a, b coach.Prospect) int { return strings.Compare(a.ID, b.ID) }
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, byID)
	slices.SortFunc(want, byID)
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, ids(got), ids(want))
	}
	for i := range got {
		sameProspect(t, what, got[i], want[i])
	}
}

// zeroFields names the fields of p left at their zero value, looking into
// nested structs, pointers and slices (a slice's field is set if it is set
// in any element).
func zeroFields(p coach.Prospect) []string {
	return unset(reflect.ValueOf(p), "Prospect")
}

func unset(v reflect.Value, path string) []string {
	switch {
	case v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice:
		if v.IsNil() || v.Kind() == reflect.Slice && v.Len() == 0 {
			return []string{path}
		}
		if v.Kind() == reflect.Pointer {
			return unset(v.Elem(), path)
		}
		var zero []string // fields unset in every element
		for i := range v.Len() {
			u := unset(v.Index(i), path+"[]")
			if i == 0 {
				zero = u
			} else {
				zero = slices.DeleteFunc(zero, func(f string) bool { return !slices.Contains(u, f) })
			}
		}
		return zero
	case v.Kind() == reflect.Struct && v.Type() != timeType:
		var zero []string
		for i := range v.NumField() {
			zero = append(zero, unset(v.Field(i), path+"."+v.Type().Field(i).Name)...)
		}
		return zero
	case v.IsZero():
		return []string{path}
	}
	return nil
}

func ids(ps []coach.Prospect) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Workspace + "/" + p.ID
	}
	return out
}

// SortedIDs returns the ids of ps, sorted: what a backend's own tests
// compare a read with.
func SortedIDs(ps []coach.Prospect) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	slices.Sort(out)
	return out
}

// retire is p won or lost at at (a caller saving it over a stored version
// passes next(p)).
func retire(p coach.Prospect, to coach.State, at time.Time) coach.Prospect {
	p.History = append([]coach.Entry(nil), p.History...)
	event := coach.EventLost
	if to == coach.Won {
		event = coach.EventWon
	}
	p.History = append(p.History, coach.Entry{At: at, By: p.Owner, Event: event, From: p.State, To: to})
	p.State, p.LastActivity = to, at
	return p
}

// ProspectsOfSince leaves out exactly the prospects retired before since,
// follows a prospect that reopens, retires again or changes hands, and
// ProspectsOf and ProspectsOfOwners still return every one.
func testProspectsOfSince(t *testing.T, newStore func(t *testing.T) coach.Store) {
	s := newStore(t)
	day := 24 * time.Hour
	since := t0.Add(30 * day)
	open := prospect("T1", "open", "U1")
	longAgo := retire(prospect("T1", "long-ago", "U1"), coach.Won, t0.Add(day))
	justBefore := retire(prospect("T1", "just-before", "U1"), coach.Lost, since.Add(-time.Millisecond))
	atSince := retire(prospect("T1", "at-since", "U1"), coach.Lost, since)
	lately := retire(prospect("T1", "lately", "U1"), coach.Lost, since.Add(5*day))
	withdrawn := prospect("T1", "withdrawn", "U1")
	withdrawn.State = coach.Withdrawn
	otherRep := retire(prospect("T1", "other-rep", "U2"), coach.Lost, since.Add(day))
	otherTeam := prospect("T2", "open", "U1")
	for _, p := range []coach.Prospect{open, longAgo, justBefore, atSince, lately, withdrawn, otherRep, otherTeam} {
		save(t, s, p)
	}
	wantSince := func(what, team, owner string, since time.Time, ps ...coach.Prospect) {
		t.Helper()
		got, err := s.ProspectsOfSince(ctx(), team, owner, since)
		must(t, "ProspectsOfSince", err)
		sameProspects(t, fmt.Sprintf("%s: ProspectsOfSince(%s, %s, %s)", what, team, owner, since.Format(time.RFC3339Nano)), got, ps)
		got, err = s.ProspectsOfOwnersSince(ctx(), team, []string{owner}, since)
		must(t, "ProspectsOfOwnersSince", err)
		sameProspects(t, fmt.Sprintf("%s: ProspectsOfOwnersSince(%s, [%s], %s)", what, team, owner, since.Format(time.RFC3339Nano)), got, ps)
	}
	// Several owners at once: each one's open deals and recent ones, an
	// owner named twice read once, an owner with none adding none.
	wantOwnersSince := func(what string, since time.Time, ps ...coach.Prospect) {
		t.Helper()
		got, err := s.ProspectsOfOwnersSince(ctx(), "T1", []string{"U2", "U1", "U9", "U2"}, since)
		must(t, "ProspectsOfOwnersSince", err)
		sameProspects(t, fmt.Sprintf("%s: ProspectsOfOwnersSince(T1, [U2 U1 U9 U2], %s)", what, since.Format(time.RFC3339Nano)), got, ps)
	}
	wantAll := func(what string, ps ...coach.Prospect) {
		t.Helper()
		got, err := s.ProspectsOf(ctx(), "T1", "U1")
		must(t, "ProspectsOf", err)
		sameProspects(t, what+": ProspectsOf(T1, U1)", got, ps)
		got, err = s.ProspectsOfOwners(ctx(), "T1", []string{"U1"})
		must(t, "ProspectsOfOwners", err)
		sameProspects(t, what+": ProspectsOfOwners(T1, [U1])", got, ps)
	}
	// A withdrawn meeting retired at its first meeting, t0: long before.
	wantSince("saved", "T1", "U1", since, open, atSince, lately)
	wantSince("saved", "T1", "U1", t0, open, longAgo, justBefore, atSince, lately, withdrawn)
	wantSince("saved", "T1", "U2", since, otherRep)
	wantSince("saved", "T2", "U1", since, otherTeam)
	wantSince("saved", "T3", "U1", since)
	wantAll("saved", open, longAgo, justBefore, atSince, lately, withdrawn)
	wantOwnersSince("saved", since, open, atSince, lately, otherRep)
	wantOwnersSince("saved", since.Add(2*day), open, lately)

	// A deal won long ago and reopened is open again: read whatever since.
	reopened := next(longAgo)
	reopened.State = coach.Opportunity
	save(t, s, reopened)
	wantSince("reopened", "T1", "U1", since, open, reopened, atSince, lately)

	// Retired again later, it is read from then on.
	again := retire(next(reopened), coach.Won, since.Add(10*day))
	save(t, s, again)
	wantSince("retired again", "T1", "U1", since.Add(10*day), open, again)
	wantSince("retired again", "T1", "U1", since.Add(10*day+time.Millisecond), open)

	// A retired deal handed to another rep leaves the first one's lists.
	handed := next(lately)
	handed.Owner = "U2"
	save(t, s, handed)
	wantSince("handed over", "T1", "U1", since, open, again, atSince)
	wantSince("handed over", "T1", "U2", since, otherRep, handed)
	wantAll("handed over", open, again, justBefore, atSince, withdrawn)
	wantOwnersSince("handed over", since, open, again, atSince, otherRep, handed)

	// A failed save moves nothing.
	stale := retire(next(open), coach.Lost, t0)
	stale.Version = 9
	wantErr(t, "stale save retiring a deal", s.Save(ctx(), stale), coach.ErrConflict)
	wantSince("after a failed save", "T1", "U1", since, open, again, atSince)
}
