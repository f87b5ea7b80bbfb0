// Package storetest is the conformance suite of coach.Store: every backend's
// test calls Run, and passes it before coach may use the backend.
//
// Each subtest checks one part of the contract written in coach/store.go,
// on a fresh store from newStore. Times given to the job queue are whole
// milliseconds, the coarsest resolution a backend may keep them at; the
// suite never sleeps for a lease (it passes a later now), and waits on the
// backend's clock only for ledger expiry.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// Run runs every conformance test against stores made by newStore, which is
// called once per subtest (sometimes more) and must return an empty store.
func Run(t *testing.T, newStore func(t *testing.T) coach.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, newStore func(t *testing.T) coach.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"NotFound", testNotFound},
		{"Versions", testVersions},
		{"ConcurrentSaves", testConcurrentSaves},
		{"ProspectsOf", testProspectsOf},
		{"ProspectsOfSince", testProspectsOfSince},
		{"FollowUp", testFollowUp},
		{"CRMJob", testCRMJob},
		{"ClaimOrder", testClaimOrder},
		{"ConcurrentClaims", testConcurrentClaims},
		{"Schedule", testSchedule},
		{"Ledger", testLedger},
		{"LedgerExpiry", testLedgerExpiry},
		{"RandomFollowUps", testRandomFollowUps},
		{"Teams", testTeams},
		{"Validate", testValidate},
		{"CalendarSyncs", testCalendarSyncs},
		{"Members", testMembers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore) })
	}
}

// t0 is the suite's epoch: whole milliseconds, far from any real clock.
var t0 = time.Date(2031, time.March, 3, 9, 0, 0, 0, time.UTC)

const lease = time.Hour

// prospect is a plausible first-version prospect.
func prospect(team, id, owner string) coach.Prospect {
	return coach.Prospect{
		Workspace:    team,
		ID:           id,
		Owner:        owner,
		Account:      "Account " + id,
		TZ:           "Europe/Paris",
		FirstMeeting: t0,
		MeetingEnd:   t0.Add(45 * time.Minute),
		State:        coach.Scheduled,
		CreatedAt:    t0.Add(-time.Hour),
		LastActivity: t0.Add(-time.Hour),
		History:      []coach.Entry{{At: t0.Add(-time.Hour), By: owner, Event: coach.EventLogged, To: coach.Scheduled}},
		Version:      1,
	}
}

// next is p as its next version, the way a caller changes a prospect.
func next(p coach.Prospect) coach.Prospect {
	p.History = append([]coach.Entry(nil), p.History...)
	p.Version++
	return p
}

func save(t *testing.T, s coach.Store, p coach.Prospect) {
	t.Helper()
	if err := s.Save(context.Background(), p); err != nil {
		t.Fatalf("Save %s/%s v%d: %v", p.Workspace, p.ID, p.Version, err)
	}
}

func get(t *testing.T, s coach.Store, team, id string) coach.Prospect {
	t.Helper()
	p, err := s.Prospect(context.Background(), team, id)
	if err != nil {
		t.Fatalf("Prospect %s/%s: %v", team, id, err)
	}
	return p
}

// normal is p with every time in UTC without a monotonic reading, an empty
// history as nil, and no pointer shared with p, so that reflect.DeepEqual
// compares times as Equal does.
func normal(p coach.Prospect) coach.Prospect {
	utc(reflect.ValueOf(&p).Elem())
	if len(p.History) == 0 {
		p.History = nil
	} else {
		h := make([]coach.Entry, len(p.History))
		for i, e := range p.History {
			utc(reflect.ValueOf(&e).Elem())
			h[i] = e
		}
		p.History = h
	}
	if p.Loss != nil {
		l := *p.Loss
		utc(reflect.ValueOf(&l).Elem())
		p.Loss = &l
	}
	for _, m := range []**coach.CalendarMeeting{&p.Calendar, &p.NextMeeting} {
		if *m != nil {
			c := **m
			utc(reflect.ValueOf(&c).Elem())
			*m = &c
		}
	}
	if len(p.Waits) == 0 {
		p.Waits = nil
	} else {
		ws := make([]coach.RecordedWait, len(p.Waits))
		for i, w := range p.Waits {
			utc(reflect.ValueOf(&w).Elem())
			ws[i] = w
		}
		p.Waits = ws
	}
	return p
}

var timeType = reflect.TypeFor[time.Time]()

// utc sets every time.Time field of the struct v to UTC.
func utc(v reflect.Value) {
	for i := range v.NumField() {
		if f := v.Field(i); f.Type() == timeType && f.CanSet() {
			f.Set(reflect.ValueOf(f.Interface().(time.Time).UTC()))
		}
	}
}

func sameProspect(t *testing.T, what string, got, want coach.Prospect) {
	t.Helper()
	g, w := normal(got), normal(want)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, dump(g), dump(w))
	}
}

func dump(p coach.Prospect) string {
	s := fmt.Sprintf("%+v", p)
	if p.Loss != nil {
		s += fmt.Sprintf(" Loss=%+v", *p.Loss)
	}
	return s
}

func claim(t *testing.T, s coach.Store, now time.Time, max int) []coach.Job {
	t.Helper()
	jobs, err := s.ClaimDue(context.Background(), now, lease, max)
	if err != nil {
		t.Fatalf("ClaimDue(%s): %v", now.Sub(t0), err)
	}
	return jobs
}

// wantClaim claims at now and checks the jobs, in order.
func wantClaim(t *testing.T, s coach.Store, now time.Time, max int, want ...coach.Job) {
	t.Helper()
	got := claim(t, s, now, max)
	if !sameJobs(got, want) {
		t.Errorf("ClaimDue(t0%+v, max %d) = %s, want %s", now.Sub(t0), max, jobsString(got), jobsString(want))
	}
}

func sameJobs(got, want []coach.Job) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i].Key != want[i].Key || !got[i].Due.Equal(want[i].Due) {
			return false
		}
	}
	return true
}

func jobsString(jobs []coach.Job) string {
	s := "["
	for i, j := range jobs {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%s@t0%+v", j.Key, j.Due.Sub(t0))
	}
	return s + "]"
}

func job(key string, due time.Time) coach.Job { return coach.Job{Key: key, Due: due} }

func followUp(p coach.Prospect) coach.Job {
	return coach.Job{Key: coach.FollowUpKey(p.Workspace, p.ID), Due: p.FollowUpAt}
}

func ctx() context.Context { return context.Background() }

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}
