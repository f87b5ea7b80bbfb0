package redisstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/storage/redisstore"
	"pipelinecoach/storage/redisstore/redistest"
	"pipelinecoach/storage/storetest"
)

// A deal retired before retired deals had a set of their own sits in its
// rep's set of open ones. A read since a later time still returns it (a
// store may return more, never fewer), and moves it to the retired set, so
// the next read leaves it out; a deal saved again in between is left where
// its save put it.
func TestRetiredDealsSavedBeforeTheirIndexMoveOnRead(t *testing.T) {
	ctx := context.Background()
	client := redistest.Start(t).Client(t)
	s := fresh(client)
	open, retired := redisstore.OwnerKeys(s, "T1", "U1")
	lostAt := t0.Add(24 * time.Hour)
	asBefore := func(id string) coach.Prospect {
		t.Helper()
		p := prospect("T1", id, "U1")
		p.State, p.LastActivity = coach.Lost, lostAt
		p.History = []coach.Entry{{At: lostAt, By: "U1", Event: coach.EventLost, From: coach.Scheduled, To: coach.Lost}}
		if err := s.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
		// What a save wrote before: the id in the open set, none retired.
		if err := client.ZRem(ctx, retired, id).Err(); err != nil {
			t.Fatal(err)
		}
		if err := client.SAdd(ctx, open, id).Err(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := asBefore("old")
	changing := asBefore("changing")
	// A save of "changing" between the read and the move: its version in
	// the store is past the one read.
	if err := client.HSet(ctx, redisstore.VersionsKey(s, "T1"), "changing", 2).Err(); err != nil {
		t.Fatal(err)
	}
	live := prospect("T1", "live", "U1")
	if err := s.Save(ctx, live); err != nil {
		t.Fatal(err)
	}

	since := lostAt.Add(time.Hour)
	read := func() []string {
		t.Helper()
		ps, err := s.ProspectsOfSince(ctx, "T1", "U1", since)
		if err != nil {
			t.Fatal(err)
		}
		return storetest.SortedIDs(ps)
	}
	if got := read(); !equal(got, "changing", "live", "old") {
		t.Fatalf("first read since %s = %v, want [changing live old]: a deal not yet indexed is read whatever since", since, got)
	}
	if got := read(); !equal(got, "changing", "live") {
		t.Fatalf("second read = %v, want [changing live]: the first moves %s to the retired set, and not %s, saved again since", got, old.ID, changing.ID)
	}
	if score, err := client.ZScore(ctx, retired, old.ID).Result(); err != nil || int64(score) != lostAt.UnixMilli() {
		t.Errorf("%s's retired score = %v (%v), want %d", old.ID, score, err, lostAt.UnixMilli())
	}
	if in, _ := client.SIsMember(ctx, open, changing.ID).Result(); !in {
		t.Errorf("%s, saved again after the read, was moved by the read", changing.ID)
	}
	all, err := s.ProspectsOf(ctx, "T1", "U1")
	if err != nil {
		t.Fatal(err)
	}
	if got := storetest.SortedIDs(all); !equal(got, "changing", "live", "old") {
		t.Errorf("ProspectsOf = %v, want every deal", got)
	}
}

func equal(got []string, want ...string) bool { return slices.Equal(got, want) }
