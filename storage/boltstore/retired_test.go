package boltstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/storage/boltstore"
	"pipelinecoach/storage/storetest"
)

// A file written before the owner index held retirement times lists
// retired deals as open. Opened once, it is marked: a read since a later
// time leaves them out, open deals and deals of other reps stay where they
// were, and every deal is still there.
func TestAFileFromBeforeRetiredMarksIsMarkedOnOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir, boltstore.Options{})
	lostAt := t0.Add(24 * time.Hour)
	lost := prospect("T1", "lost", "U1")
	lost.State, lost.LastActivity = coach.Lost, lostAt
	lost.History = []coach.Entry{{At: lostAt, By: "U1", Event: coach.EventLost, From: coach.Scheduled, To: coach.Lost}}
	others := prospect("T1", "others", "U22") // an owner id of another length
	others.State, others.LastActivity, others.History = lost.State, lost.LastActivity, lost.History
	for _, p := range []coach.Prospect{lost, others, prospect("T1", "live", "U1")} {
		if err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	boltstore.AsBeforeRetiredMarks(t, s)
	since := lostAt.Add(time.Hour)
	read := func(s *boltstore.Store, owner string, since time.Time) []string {
		t.Helper()
		ps, err := s.ProspectsOfSince(ctx, "T1", owner, since)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.SortedIDs(ps)
	}
	if got := read(s, "U1", since); !slices.Equal(got, []string{"live", "lost"}) {
		t.Fatalf("before the file is opened again, ProspectsOfSince = %v; want [live lost] (unmarked, read as open)", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir, boltstore.Options{})
	if got := read(s, "U1", since); !slices.Equal(got, []string{"live"}) {
		t.Errorf("ProspectsOfSince(U1) = %v; want [live]: lost retired before since", got)
	}
	if got := read(s, "U22", since); len(got) != 0 {
		t.Errorf("ProspectsOfSince(U22) = %v; want none", got)
	}
	if got := read(s, "U1", lostAt); !slices.Equal(got, []string{"live", "lost"}) {
		t.Errorf("ProspectsOfSince(U1, when it was lost) = %v; want [live lost]", got)
	}
	all, err := s.ProspectsOf(ctx, "T1", "U1")
	if err != nil || len(all) != 2 {
		t.Errorf("ProspectsOf = %d deals (%v); want both", len(all), err)
	}
}
