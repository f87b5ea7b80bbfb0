package storetest

import (
	"testing"
	"time"

	"pipelinecoach/coach"
)

// Reserve: first wins, later ones get its value; Record overwrites; Swap
// overwrites and returns what was there; Forget removes.
func testLedger(t *testing.T, newStore func(t *testing.T) coach.Store) {
	const ttl = time.Hour
	s := newStore(t)
	reserve := func(key, value string, wantExisting string, wantReserved bool) {
		t.Helper()
		existing, reserved, err := s.Reserve(ctx(), key, value, ttl)
		must(t, "Reserve "+key, err)
		if reserved != wantReserved || (!reserved && existing != wantExisting) {
			t.Errorf("Reserve(%q, %q) = %q, %v; want %q, %v", key, value, existing, reserved, wantExisting, wantReserved)
		}
	}
	reserve("post/1", "first", "", true)
	reserve("post/1", "second", "first", false)
	reserve("post/1", "first", "first", false)
	reserve("post/2", "other", "", true) // keys are independent

	must(t, "Record", s.Record(ctx(), "post/1", "recorded", ttl))
	reserve("post/1", "third", "recorded", false)
	must(t, "Record new key", s.Record(ctx(), "post/3", "fresh", ttl))
	reserve("post/3", "x", "fresh", false)

	must(t, "Forget", s.Forget(ctx(), "post/1"))
	reserve("post/1", "again", "", true)
	reserve("post/1", "more", "again", false)
	reserve("post/2", "y", "other", false)
	must(t, "Forget of no key", s.Forget(ctx(), "nothing"))

	reserve("post/4", "", "", true) // an empty value is still a value
	reserve("post/4", "z", "", false)

	lookup := func(key, want string, wantFound bool) {
		t.Helper()
		got, found, err := s.Lookup(ctx(), key)
		must(t, "Lookup "+key, err)
		if found != wantFound || got != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", key, got, found, want, wantFound)
		}
	}
	lookup("post/1", "again", true)
	lookup("post/4", "", true)
	lookup("never", "", false)
	lookup("never", "", false) // looking does not create
	reserve("never", "now", "", true)

	swap := func(key, value, wantOld string, wantFound bool) {
		t.Helper()
		old, found, err := s.Swap(ctx(), key, value, ttl)
		must(t, "Swap "+key, err)
		if found != wantFound || old != wantOld {
			t.Errorf("Swap(%q, %q) = %q, %v; want %q, %v", key, value, old, found, wantOld, wantFound)
		}
	}
	swap("mark", "t1", "", false)
	swap("mark", "t2", "t1", true)
	swap("mark", "", "t2", true) // an empty value is still a value
	swap("mark", "t3", "", true)
	lookup("mark", "t3", true)
	reserve("mark", "x", "t3", false)
	swap("post/4", "w", "", true) // over a reserved value
	must(t, "Forget", s.Forget(ctx(), "mark"))
	swap("mark", "t4", "", false)

	// The ledger is apart from prospects and jobs.
	key := coach.FollowUpKey("T1", "p1")
	reserve(key, "v", "", true)
	_, err := s.Prospect(ctx(), "T1", "p1")
	wantErr(t, "Prospect after Reserve", err, coach.ErrNotFound)
	wantClaim(t, s, t0.Add(100*lease), 10)
}

// Reserved and recorded values expire after their ttl. Expiry runs on the
// backend's clock, so this test waits (briefly) for it.
func testLedgerExpiry(t *testing.T, newStore func(t *testing.T) coach.Store) {
	const short, long, limit = 200 * time.Millisecond, time.Hour, 3 * time.Second
	s := newStore(t)
	start := time.Now()
	_, ok, err := s.Reserve(ctx(), "reserved", "a", short)
	must(t, "Reserve", err)
	if !ok {
		t.Fatal("Reserve of a new key did not reserve")
	}
	must(t, "Record", s.Record(ctx(), "recorded", "b", short))
	must(t, "Record", s.Record(ctx(), "kept", "c", long))
	must(t, "Record", s.Record(ctx(), "overwritten", "d", long))
	must(t, "Record", s.Record(ctx(), "overwritten", "e", short)) // the new ttl counts
	// gone first, so it has expired once swapped has.
	for _, key := range []string{"gone", "swapped"} {
		if _, _, err := s.Swap(ctx(), key, "f", short); err != nil {
			t.Fatal(err)
		}
	}

	expired := map[string]bool{}
	// Right away, it is held. (Only a machine stalling for the whole ttl
	// could see otherwise; the wait below is what matters.)
	existing, ok, err := s.Reserve(ctx(), "recorded", "x", long)
	must(t, "Reserve", err)
	if ok {
		expired["recorded"] = true
		if d := time.Since(start); d < short {
			t.Errorf("recorded expired after %s, before its ttl of %s", d, short)
		}
	} else if existing != "b" {
		t.Errorf("Reserve(recorded) right after Record = %q, want b", existing)
	}

	for time.Since(start) < limit && len(expired) < 4 {
		for _, key := range []string{"reserved", "recorded", "overwritten", "swapped"} {
			if expired[key] {
				continue
			}
			_, ok, err := s.Reserve(ctx(), key, "new", long)
			must(t, "Reserve "+key, err)
			if ok {
				expired[key] = true
				if d := time.Since(start); d < short {
					t.Errorf("%s expired after %s, before its ttl of %s", key, d, short)
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, key := range []string{"reserved", "recorded", "overwritten", "swapped"} {
		if !expired[key] {
			t.Errorf("%s with a ttl of %s still held after %s", key, short, limit)
		}
	}
	if old, found, err := s.Swap(ctx(), "gone", "g", long); err != nil || found {
		t.Errorf("Swap over an expired value = %q, %v, %v; want nothing found", old, found, err)
	}
	if existing, ok, err := s.Reserve(ctx(), "kept", "x", long); err != nil || ok || existing != "c" {
		t.Errorf("Reserve(kept) = %q, %v, %v; want c, false", existing, ok, err)
	}
}
