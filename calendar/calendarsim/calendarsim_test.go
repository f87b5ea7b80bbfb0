package calendarsim_test

import (
	"slices"
	"testing"

	"pipelinecoach/calendar/calendarsim"
)

type event struct {
	ID   string
	Gone bool
	calendarsim.Change
}

func ids(evs []*event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.ID)
	}
	return out
}

// Every change is numbered; a full listing at a snapshot leaves out what
// changed after it, an incremental one gives only what changed since its
// token, and pages follow change numbers.
func TestListingsFollowChanges(t *testing.T) {
	c := calendarsim.New[event]()
	c.AddUser("Ada@example.com")
	if c.Put("nobody@example.com", "x", event{ID: "x"}) {
		t.Error("Put for no such user succeeded")
	}
	for _, id := range []string{"a", "b", "c"} {
		c.Put("ada@example.com", id, event{ID: id})
	}
	snapshot := c.Seq()
	c.Change("ADA@example.com", "a", func(ev *event) { ev.Gone = true })
	c.Change("ada@example.com", "missing", func(*event) { t.Error("changed an event that is not there") })
	cal, ok := c.Calendar("ada@example.com")
	if !ok {
		t.Fatal("no calendar for ada")
	}
	all := func(*event) bool { return true }

	if got := ids(calendarsim.Listing(cal, snapshot, 0, false, all)); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("listing at the snapshot before a's change = %v; want b, c (a changed after it)", got)
	}
	full := calendarsim.Listing(cal, c.Seq(), 0, false, func(ev *event) bool { return !ev.Gone })
	if got := ids(full); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("full listing now, without what is gone = %v; want b, c", got)
	}
	if got := ids(calendarsim.Listing(cal, c.Seq(), snapshot, true, all)); !slices.Equal(got, []string{"a"}) {
		t.Errorf("changes since the snapshot = %v; want a", got)
	}

	every := calendarsim.Listing(cal, c.Seq(), 0, false, all) // b, c, a by change
	first := calendarsim.Page(every, 0, 2)
	if got := ids(first); !slices.Equal(got, []string{"b", "c"}) || !calendarsim.More(first, every) {
		t.Errorf("first page of 2 = %v (more: %v); want b, c and more", got, calendarsim.More(first, every))
	}
	last := calendarsim.Page(every, first[len(first)-1].Seq(), 2)
	if got := ids(last); !slices.Equal(got, []string{"a"}) || calendarsim.More(last, every) {
		t.Errorf("second page = %v (more: %v); want a and no more", got, calendarsim.More(last, every))
	}

	if c.Expired(snapshot) {
		t.Error("a token expired before ExpireTokens")
	}
	c.ExpireTokens()
	if !c.Expired(snapshot) || c.Expired(c.Seq()) {
		t.Error("after ExpireTokens, tokens issued before are gone and those issued now are not")
	}
	c.RemoveUser("ada@example.com")
	if _, ok := c.Calendar("ada@example.com"); ok {
		t.Error("a removed user still has a calendar")
	}
}
