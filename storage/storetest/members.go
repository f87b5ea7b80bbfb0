package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// member is a plausible directory entry, updated at t0+updated seconds.
func member(workspace, user, tz string, updated int) coach.Member {
	return coach.Member{Workspace: workspace, User: user, Name: user, RealName: "Person " + user,
		Email: user + "@example.com", TZ: tz, Updated: t0.Add(time.Duration(updated) * time.Second)}
}

// Members: a member reads back as written; an older write never replaces a
// newer one; workspaces are apart; a whole workspace goes in one call.
func testMembers(t *testing.T, newStore func(t *testing.T) coach.Store) {
	s := newStore(t)
	_, err := s.Member(ctx(), "T1", "U1")
	wantErr(t, "Member before any write", err, coach.ErrNotFound)
	must(t, "SaveMembers of none", s.SaveMembers(ctx(), "T1", nil))

	rita := member("T1", "U1", "Europe/Berlin", 10)
	rita.Admin = true
	must(t, "SaveMembers", s.SaveMembers(ctx(), "T1", []coach.Member{rita, member("T1", "U2", "Asia/Tokyo", 10)}))
	wantMember(t, s, rita)

	moved := rita
	moved.TZ, moved.Updated = "America/New_York", rita.Updated.Add(time.Minute)
	must(t, "SaveMembers newer", s.SaveMembers(ctx(), "T1", []coach.Member{moved}))
	wantMember(t, s, moved)

	// A page of a load read before the change: it must not undo it, and
	// the rest of the page is still written.
	stale := rita
	must(t, "SaveMembers older", s.SaveMembers(ctx(), "T1", []coach.Member{stale, member("T1", "U3", "UTC", 1)}))
	wantMember(t, s, moved)
	wantMember(t, s, member("T1", "U3", "UTC", 1))

	same := moved
	same.Deleted = true // the same moment twice: the last write wins
	must(t, "SaveMembers same time", s.SaveMembers(ctx(), "T1", []coach.Member{same}))
	wantMember(t, s, same)

	_, err = s.Member(ctx(), "T2", "U1")
	wantErr(t, "Member of another workspace", err, coach.ErrNotFound)
	if err := s.SaveMembers(ctx(), "T2", []coach.Member{member("T1", "U9", "UTC", 1)}); err == nil {
		t.Error("SaveMembers of a member of another workspace: no error")
	}
	if err := s.SaveMembers(ctx(), "T2", []coach.Member{{Workspace: "T2"}}); err == nil {
		t.Error("SaveMembers of a member without a user id: no error")
	}

	// A workspace of thousands in pages, concurrently, like a load beside
	// change events.
	var wg sync.WaitGroup
	for page := range 10 {
		wg.Go(func() {
			ms := make([]coach.Member, 500)
			for i := range ms {
				ms[i] = member("T3", fmt.Sprintf("U%05d", page*500+i), "Europe/Paris", 5)
			}
			if err := s.SaveMembers(ctx(), "T3", ms); err != nil {
				t.Errorf("SaveMembers page %d: %v", page, err)
			}
		})
	}
	wg.Wait()
	for _, u := range []string{"U00000", "U02499", "U04999"} {
		wantMember(t, s, member("T3", u, "Europe/Paris", 5))
	}
}

func wantMember(t *testing.T, s coach.Store, want coach.Member) {
	t.Helper()
	got, err := s.Member(ctx(), want.Workspace, want.User)
	must(t, "Member "+want.User, err)
	if !got.Updated.Equal(want.Updated) {
		t.Errorf("Member %s: updated %v, want %v", want.User, got.Updated, want.Updated)
	}
	got.Updated = want.Updated
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Member %s = %+v, want %+v", want.User, got, want)
	}
}
