package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"pipelinecoach/coach"
)

// The file holds these top-level buckets; nothing else writes to it.
//
//	meta       "format" → "pipelinecoach", "version" → formatVersion, "retired-marked" → "1"
//	prospects  str(team) id                → prospect JSON
//	owners     str(team) str(owner) id     → ord(retired ms), empty while open: ProspectsOf's index
//	teams      str(workspace) manager      → team JSON
//	managers   str(workspace) rep          → manager: ManagerOf's index
//	calendars  str(workspace) rep          → calendar sync JSON
//	jobs       job key                     → due ms, then lease end ms when claimed
//	due        ord(due ms) job key         → (empty): unclaimed jobs, earliest first
//	leased     ord(lease end ms) job key   → (empty): claimed jobs, earliest end first
//	ledger     key                         → expiry (Unix ns, 0 for none), then value
//	expiry     ord(expiry ns) key          → (empty): ledger entries that expire
//
// str(s) is s after its length as a uvarint, so no team id can pose as part
// of another key and a prefix scan finds exactly one team's (or owner's)
// keys. ord(n) is n as 8 big-endian bytes with the sign bit flipped, so byte
// order is number order, times before 1970 included.
//
// A job is in jobs and in exactly one of due and leased; jobs finds its entry
// there. ClaimDue reads due and leased from the start and stops at the first
// entry after now, so its cost grows with what is due, not with what is
// pending.
var (
	bucketMeta      = []byte("meta")
	bucketProspects = []byte("prospects")
	bucketOwners    = []byte("owners")
	bucketTeams     = []byte("teams")
	bucketManagers  = []byte("managers")
	bucketCalendars = []byte("calendars")
	bucketJobs      = []byte("jobs")
	bucketDue       = []byte("due")
	bucketLeased    = []byte("leased")
	bucketLedger    = []byte("ledger")
	bucketExpiry    = []byte("expiry")

	allBuckets = [][]byte{bucketMeta, bucketProspects, bucketOwners, bucketTeams, bucketManagers,
		bucketJobs, bucketDue, bucketLeased, bucketLedger, bucketExpiry, bucketCalendars}

	keyFormat  = []byte("format")
	keyVersion = []byte("version")
	// keyRetiredMarked is set once every retired prospect's owner index
	// entry holds when it retired (markRetired). It is a key of its own,
	// not a new format version, so an older Pipeline Coach still opens the
	// file; what it saves is marked when next saved.
	keyRetiredMarked = []byte("retired-marked")
)

// formatMarker marks a file as ours.
const formatMarker = "pipelinecoach"

// formatVersion is the layout above. A file of a later version is refused
// rather than misread.
const formatVersion = 1

// init checks that the file is ours (or new) and makes the buckets a new
// file lacks, in one transaction: a foreign file is left as it was.
func (s *Store) init() error {
	var fileSize int64
	if info, err := os.Stat(s.path); err == nil {
		fileSize = info.Size()
	}
	err := s.guard("open "+s.path, func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			if tx.Size() > fileSize {
				return fmt.Errorf("the file is %d bytes, shorter than the %d its pages need (truncated?): %w",
					fileSize, tx.Size(), ErrCorrupt)
			}
			meta := tx.Bucket(bucketMeta)
			if meta == nil {
				if names := bucketNames(tx, 3); len(names) > 0 {
					return fmt.Errorf("it is a bbolt database of another program (buckets %s, no %q marker): %w",
						strings.Join(names, ", "), formatMarker, ErrForeign)
				}
			} else if err := checkMarker(meta); err != nil {
				return err
			}
			for _, name := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return fmt.Errorf("create bucket %s: %w", name, err)
				}
			}
			meta = tx.Bucket(bucketMeta)
			if meta.Get(keyFormat) == nil {
				if err := meta.Put(keyFormat, []byte(formatMarker)); err != nil {
					return err
				}
				if err := meta.Put(keyRetiredMarked, []byte("1")); err != nil {
					return err
				}
				return meta.Put(keyVersion, []byte(strconv.Itoa(formatVersion)))
			}
			return markRetired(tx)
		})
	})
	switch {
	case errors.Is(err, ErrForeign):
		return fmt.Errorf("%w; move it away to start with an empty store, or set DATA_DIR to another directory", err)
	case errors.Is(err, ErrCorrupt):
		return fmt.Errorf("%w; restore it from a backup, or move it away to start with an empty store", err)
	}
	return err
}

// checkMarker checks the meta bucket of a file that has one.
func checkMarker(meta *bolt.Bucket) error {
	if f := meta.Get(keyFormat); string(f) != formatMarker {
		return fmt.Errorf("it is a bbolt database of another program (format %q, want %q): %w", f, formatMarker, ErrForeign)
	}
	raw := meta.Get(keyVersion)
	v, err := strconv.Atoi(string(raw))
	if err != nil || v < 1 {
		return fmt.Errorf("its format version %q is unreadable: %w", raw, ErrCorrupt)
	}
	if v > formatVersion {
		return fmt.Errorf("it was written by a newer Pipeline Coach (format version %d, this one reads up to %d): "+
			"run that version or a newer one: %w", v, formatVersion, ErrForeign)
	}
	return nil
}

// markRetired gives every retired prospect's owner index entry its time,
// once per file: files written before entries held it list retired deals as
// if open, and ProspectsOfSince would read each of them forever.
func markRetired(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta.Get(keyRetiredMarked) != nil {
		return nil
	}
	owners, prospects := tx.Bucket(bucketOwners), tx.Bucket(bucketProspects)
	marks := map[string][]byte{}
	err := owners.ForEach(func(k, v []byte) error {
		if len(v) != 0 {
			return nil
		}
		key, err := prospectKeyOfOwnerKey(k)
		if err != nil {
			return err
		}
		raw := prospects.Get(key)
		if raw == nil {
			return fmt.Errorf("owner index entry %q names no stored prospect: %w", k, ErrCorrupt)
		}
		var p coach.Prospect
		if err := decode(raw, &p); err != nil {
			return err
		}
		if mark := retiredMark(p); mark != nil {
			marks[string(k)] = mark
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark retired prospects: %w", err)
	}
	// Written after the walk: a cursor does not survive its bucket's writes.
	for k, mark := range marks {
		if err := owners.Put([]byte(k), mark); err != nil {
			return fmt.Errorf("mark retired prospects: %w", err)
		}
	}
	return meta.Put(keyRetiredMarked, []byte("1"))
}

// prospectKeyOfOwnerKey reads an owner index key, str(team) str(owner) id,
// and returns the prospect's key, str(team) id.
func prospectKeyOfOwnerKey(k []byte) ([]byte, error) {
	if _, rest, ok := cutStr(k); ok {
		if _, id, ok := cutStr(rest); ok {
			team := k[:len(k)-len(rest)]
			return append(append(make([]byte, 0, len(team)+len(id)), team...), id...), nil
		}
	}
	return nil, fmt.Errorf("owner index key %q is unreadable: %w", k, ErrCorrupt)
}

// cutStr splits b after the str() it begins with, returning what the str
// held and what follows.
func cutStr(b []byte) (s, rest []byte, ok bool) {
	n, size := binary.Uvarint(b)
	if size <= 0 || uint64(len(b)-size) < n {
		return nil, nil, false
	}
	return b[size : size+int(n)], b[size+int(n):], true
}

var errEnough = errors.New("enough")

// bucketNames returns up to n names of the file's top-level buckets.
func bucketNames(tx *bolt.Tx, n int) []string {
	var names []string
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		names = append(names, strconv.Quote(string(name)))
		if len(names) == n {
			return errEnough
		}
		return nil
	})
	return names
}

// str is s prefixed with its length.
func str(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func prospectKey(team, id string) []byte { return append(str(nil, team), id...) }

// teamKey is the key of a manager's team, and managerKey of a rep's
// manager; both start with str(workspace).
func teamKey(workspace, manager string) []byte { return append(str(nil, workspace), manager...) }

func managerKey(workspace, rep string) []byte { return append(str(nil, workspace), rep...) }

func ownerPrefix(team, owner string) []byte { return str(str(nil, team), owner) }

func ownerKey(team, owner, id string) []byte { return append(ownerPrefix(team, owner), id...) }

// ord is n as 8 bytes whose byte order is the number order.
func ord(b []byte, n int64) []byte { return binary.BigEndian.AppendUint64(b, uint64(n)^1<<63) }

// unord reads what ord wrote.
func unord(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ 1<<63) }

// timedKey is ord(n) followed by key: an entry of due, leased or expiry.
func timedKey(n int64, key string) []byte { return append(ord(make([]byte, 0, 8+len(key)), n), key...) }

// scanUpTo returns copies of the keys of a timed bucket (see timedKey) whose
// time is at or before limit, from the earliest, at most max of them. It
// reads no further than the first key after limit.
func scanUpTo(b *bolt.Bucket, limit int64, max int) [][]byte {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(keys) < max; k, _ = c.Next() {
		if len(k) < 8 || unord(k) > limit {
			break
		}
		keys = append(keys, append([]byte(nil), k...))
	}
	return keys
}

// buckets are the top-level buckets of a transaction.
type buckets struct {
	prospects, owners, teams, managers, jobs, due, leased, ledger, expiry, calendars *bolt.Bucket
}

// open returns the buckets of tx; init made them all.
func open(tx *bolt.Tx) (buckets, error) {
	b := buckets{
		prospects: tx.Bucket(bucketProspects), owners: tx.Bucket(bucketOwners),
		teams: tx.Bucket(bucketTeams), managers: tx.Bucket(bucketManagers),
		jobs: tx.Bucket(bucketJobs), due: tx.Bucket(bucketDue), leased: tx.Bucket(bucketLeased),
		ledger: tx.Bucket(bucketLedger), expiry: tx.Bucket(bucketExpiry), calendars: tx.Bucket(bucketCalendars),
	}
	for _, x := range []*bolt.Bucket{b.prospects, b.owners, b.teams, b.managers, b.jobs, b.due, b.leased, b.ledger, b.expiry, b.calendars} {
		if x == nil {
			return b, fmt.Errorf("a bucket is missing: %w", ErrCorrupt)
		}
	}
	return b, nil
}
