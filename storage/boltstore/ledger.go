package boltstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"pipelinecoach/coach"
)

// sweep is how many expired ledger entries each Reserve and Record deletes
// besides its own work. Each adds at most one entry, so expired entries
// never pile up, and no write pays for more than a few.
const sweep = 16

// A ledger entry: its value and when it expires (Unix ns, 0 for never).
type ledgerEntry struct {
	expires int64
	value   []byte
}

// held reports whether the entry still holds its key at now (Unix ns).
func (e ledgerEntry) held(now int64) bool { return e.expires == 0 || now < e.expires }

// entry returns the entry of key, expired or not, and whether there is one.
func (b buckets) entry(key string) (ledgerEntry, bool, error) {
	v := b.ledger.Get([]byte(key))
	if v == nil {
		return ledgerEntry{}, false, nil
	}
	if len(v) < 8 {
		return ledgerEntry{}, false, fmt.Errorf("ledger entry %s of %d bytes: %w", key, len(v), ErrCorrupt)
	}
	return ledgerEntry{expires: int64(binary.BigEndian.Uint64(v)), value: v[8:]}, true, nil
}

// record stores value under key, replacing any entry, until now+ttl (for
// good when ttl is zero or less).
func (b buckets) record(key, value string, now int64, ttl time.Duration) error {
	if err := b.forget(key); err != nil {
		return err
	}
	var expires int64
	if ttl > 0 && now+int64(ttl) > now { // a ttl past the year 2262 is for good
		expires = now + int64(ttl)
		if err := b.expiry.Put(timedKey(expires, key), nil); err != nil {
			return err
		}
	}
	v := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(value)), uint64(expires))
	return b.ledger.Put([]byte(key), append(v, value...))
}

// forget removes key's entry, if any.
func (b buckets) forget(key string) error {
	e, ok, err := b.entry(key)
	if err != nil || !ok {
		return err
	}
	if e.expires != 0 {
		if err := b.expiry.Delete(timedKey(e.expires, key)); err != nil {
			return err
		}
	}
	return b.ledger.Delete([]byte(key))
}

// sweepExpired deletes up to sweep entries that expired at or before now.
func (b buckets) sweepExpired(now int64) error {
	for _, k := range scanUpTo(b.expiry, now, sweep) {
		key := string(k[8:])
		if err := b.expiry.Delete(k); err != nil {
			return err
		}
		if e, ok, err := b.entry(key); err != nil {
			return err
		} else if ok && e.expires == unord(k) {
			if err := b.ledger.Delete([]byte(key)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Reserve stores value under key unless the key holds a value; then it
// returns that value and reserved == false. A ttl of zero or less keeps the
// value until it is forgotten. Expired entries count as absent; they are
// deleted as later writes come by. A key must not be empty (coach.ErrInvalid).
func (s *Store) Reserve(ctx context.Context, key, value string, ttl time.Duration) (existing string, reserved bool, err error) {
	existing, held, err := s.put(ctx, "reserve", key, value, ttl, false)
	return existing, err == nil && !held, err
}

// Record stores value under key for ttl, whatever was there. A ttl of zero
// or less keeps the value until it is forgotten. A key must not be empty
// (coach.ErrInvalid).
func (s *Store) Record(ctx context.Context, key, value string, ttl time.Duration) error {
	_, _, err := s.put(ctx, "record", key, value, ttl, true)
	return err
}

// Swap is Record that also returns what the key held (found false:
// nothing, or only an expired value), in the same transaction.
func (s *Store) Swap(ctx context.Context, key, value string, ttl time.Duration) (old string, found bool, err error) {
	return s.put(ctx, "swap", key, value, ttl, true)
}

// put stores value under key, over a value the key holds only when
// overwrite is set, in one transaction, and returns the value held before
// (held false: none, or only an expired one).
func (s *Store) put(ctx context.Context, what, key, value string, ttl time.Duration, overwrite bool) (old string, held bool, err error) {
	if key == "" {
		return "", false, fmt.Errorf("%s: no key: %w", what, coach.ErrInvalid)
	}
	err = s.update(ctx, what+" "+key, func(b buckets) error {
		old, held = "", false
		now := s.now().UnixNano()
		e, ok, err := b.entry(key)
		if err != nil {
			return err
		}
		if ok && e.held(now) {
			old, held = string(e.value), true
			if !overwrite {
				return nil
			}
		}
		if err := b.record(key, value, now, ttl); err != nil {
			return err
		}
		return b.sweepExpired(now)
	})
	if err != nil {
		return "", false, err
	}
	return old, held, nil
}

// Forget removes key. Forgetting a key that is not there does nothing.
func (s *Store) Forget(ctx context.Context, key string) error {
	if key == "" {
		return nil
	}
	return s.update(ctx, "forget "+key, func(b buckets) error {
		return b.forget(key)
	})
}

// Lookup returns the value under key, if it holds one (expired entries
// count as absent).
func (s *Store) Lookup(ctx context.Context, key string) (value string, found bool, err error) {
	if key == "" {
		return "", false, nil
	}
	err = s.view(ctx, "look up "+key, func(b buckets) error {
		e, ok, err := b.entry(key)
		if err != nil {
			return err
		}
		if ok && e.held(s.now().UnixNano()) {
			value, found = string(e.value), true
		}
		return nil
	})
	if err != nil {
		return "", false, err
	}
	return value, found, nil
}
