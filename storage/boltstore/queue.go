package boltstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"pipelinecoach/coach"
)

// A job's entry in the jobs bucket: its due time in Unix ms, then, while it
// is claimed, when its lease ends.
type jobEntry struct {
	due      int64
	leaseEnd int64
	leased   bool
}

func (j jobEntry) bytes() []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(j.due))
	if j.leased {
		b = binary.BigEndian.AppendUint64(b, uint64(j.leaseEnd))
	}
	return b
}

// job returns the entry of key, and whether there is one.
func (b buckets) job(key string) (jobEntry, bool, error) {
	v := b.jobs.Get([]byte(key))
	switch len(v) {
	case 0:
		return jobEntry{}, false, nil
	case 8:
		return jobEntry{due: int64(binary.BigEndian.Uint64(v))}, true, nil
	case 16:
		return jobEntry{due: int64(binary.BigEndian.Uint64(v)), leaseEnd: int64(binary.BigEndian.Uint64(v[8:])), leased: true}, true, nil
	}
	return jobEntry{}, false, fmt.Errorf("job %s: entry of %d bytes: %w", key, len(v), ErrCorrupt)
}

// unlist removes key's entry from due or leased, whichever holds it.
func (b buckets) unlist(key string, j jobEntry) error {
	if j.leased {
		return b.leased.Delete(timedKey(j.leaseEnd, key))
	}
	return b.due.Delete(timedKey(j.due, key))
}

// put writes j as key's entry and lists it in due or leased.
func (b buckets) put(key string, j jobEntry) error {
	if err := b.jobs.Put([]byte(key), j.bytes()); err != nil {
		return err
	}
	if j.leased {
		return b.leased.Put(timedKey(j.leaseEnd, key), nil)
	}
	return b.due.Put(timedKey(j.due, key), nil)
}

// schedule makes key due at the Unix ms due: left alone, lease and all, when
// it is already due or claimed at due; otherwise due at due and not claimed.
func (b buckets) schedule(key string, due int64) error {
	j, ok, err := b.job(key)
	if err != nil {
		return err
	}
	if ok {
		if j.due == due {
			return nil
		}
		if err := b.unlist(key, j); err != nil {
			return err
		}
	}
	return b.put(key, jobEntry{due: due})
}

// unschedule removes key, claimed or not.
func (b buckets) unschedule(key string) error {
	j, ok, err := b.job(key)
	if err != nil || !ok {
		return err
	}
	if err := b.unlist(key, j); err != nil {
		return err
	}
	return b.jobs.Delete([]byte(key))
}

// unlease makes a claimed job due again at its own due time.
func (b buckets) unlease(key string, j jobEntry) error {
	if err := b.leased.Delete(timedKey(j.leaseEnd, key)); err != nil {
		return err
	}
	return b.put(key, jobEntry{due: j.due})
}

// ClaimDue leases up to max jobs due at or before now, earliest first. Jobs
// whose lease ended at or before now are due again at their own due time.
// Both are reads of ordered buckets from the start that stop at the first
// entry after now, or after max: the cost grows with what is due, not with
// what is pending.
//
// When more than max leases have ended, only max of them (those that ended
// first) are put back per call, so a job put back later may be claimed after
// a job due later than it (as in redisstore).
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, max int) ([]coach.Job, error) {
	if max <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("claim due jobs: lease %s is not positive: %w", lease, coach.ErrInvalid)
	}
	nowMs, end := now.UnixMilli(), now.Add(lease).UnixMilli()
	var jobs []coach.Job
	err := s.update(ctx, "claim due jobs", func(b buckets) error {
		for _, k := range scanUpTo(b.leased, nowMs, max) {
			key := string(k[8:])
			j, ok, err := b.job(key)
			if err != nil {
				return err
			}
			if !ok || !j.leased || j.leaseEnd != unord(k) {
				return fmt.Errorf("leased job %s does not match its entry: %w", key, ErrCorrupt)
			}
			if err := b.unlease(key, j); err != nil {
				return err
			}
		}
		for _, k := range scanUpTo(b.due, nowMs, max) {
			key, due := string(k[8:]), unord(k)
			if err := b.due.Delete(k); err != nil {
				return err
			}
			if err := b.put(key, jobEntry{due: due, leaseEnd: end, leased: true}); err != nil {
				return err
			}
			jobs = append(jobs, coach.Job{Key: key, Due: time.UnixMilli(due)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// Schedule adds a job, or moves it to due. Moving a claimed job ends its
// lease; scheduling it again at the same due time keeps the lease, as Save
// does for a follow-up. A job needs a key (coach.ErrInvalid).
func (s *Store) Schedule(ctx context.Context, key string, due time.Time) error {
	if key == "" {
		return fmt.Errorf("schedule job: no key: %w", coach.ErrInvalid)
	}
	return s.update(ctx, "schedule job "+key, func(b buckets) error {
		return b.schedule(key, due.UnixMilli())
	})
}

// Done removes a job, claimed or not. Removing a job that is not there does
// nothing.
func (s *Store) Done(ctx context.Context, key string) error {
	if key == "" {
		return nil
	}
	return s.update(ctx, "finish job "+key, func(b buckets) error {
		return b.unschedule(key)
	})
}

// Release ends the leases of the given jobs, so they are due again at once
// (at their own due time, which has passed). Jobs not claimed are left alone.
func (s *Store) Release(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return s.update(ctx, fmt.Sprintf("release %d jobs", len(keys)), func(b buckets) error {
		for _, key := range keys {
			if key == "" {
				continue
			}
			j, ok, err := b.job(key)
			if err != nil {
				return err
			}
			if ok && j.leased {
				if err := b.unlease(key, j); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
