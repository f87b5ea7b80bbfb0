package boltstore

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// AddJobs schedules n jobs named name(i), due at due(i), as Schedule would
// on an empty queue, in one transaction: fast enough to fill a queue.
func AddJobs(t *testing.T, s *Store, n int, name func(i int) string, due func(i int) time.Time) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := open(tx)
		if err != nil {
			return err
		}
		for i := range n {
			if err := b.schedule(name(i), due(i).UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("add %d jobs: %v", n, err)
	}
}

// QueueSizes returns how many jobs are due (unclaimed) and leased.
func QueueSizes(t *testing.T, s *Store) (due, leased int) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		due, leased = tx.Bucket(bucketDue).Stats().KeyN, tx.Bucket(bucketLeased).Stats().KeyN
		if jobs := tx.Bucket(bucketJobs).Stats().KeyN; jobs != due+leased {
			t.Errorf("%d jobs, but %d due and %d leased", jobs, due, leased)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return due, leased
}

// LedgerSize returns how many ledger entries the file holds, expired or not.
func LedgerSize(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bucketLedger).Stats().KeyN; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// Check runs bbolt's consistency check of the whole file.
func Check(t *testing.T, s *Store) {
	t.Helper()
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt check: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// AsBeforeRetiredMarks makes the file look written before the owner index
// held retirement times: every entry empty, no mark of the one-off pass.
func AsBeforeRetiredMarks(t *testing.T, s *Store) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		owners := tx.Bucket(bucketOwners)
		var keys [][]byte
		_ = owners.ForEach(func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		})
		for _, k := range keys {
			if err := owners.Put(k, nil); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Delete(keyRetiredMarked)
	})
	if err != nil {
		t.Fatal(err)
	}
}
