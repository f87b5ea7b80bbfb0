package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/storage/record"
)

// Prospect returns one prospect of a team, or coach.ErrNotFound.
func (s *Store) Prospect(ctx context.Context, team, id string) (coach.Prospect, error) {
	var p coach.Prospect
	err := s.view(ctx, "get prospect "+team+"/"+id, func(b buckets) error {
		raw := b.prospects.Get(prospectKey(team, id))
		if raw == nil {
			return coach.ErrNotFound
		}
		return decode(raw, &p)
	})
	return p, err
}

// ProspectsOf returns every prospect owner owns in team, in no order.
func (s *Store) ProspectsOf(ctx context.Context, team, owner string) ([]coach.Prospect, error) {
	var ps []coach.Prospect
	err := s.view(ctx, "list prospects of "+team+"/"+owner, func(b buckets) error {
		var err error
		ps, err = b.owned(ps, team, owner)
		return err
	})
	return ps, err
}

// ProspectsOfSince returns the prospects owner owns in team that are open,
// or retired at or after since, in no order. The owner index holds each
// retired prospect's time, so the older ones are skipped unread.
func (s *Store) ProspectsOfSince(ctx context.Context, team, owner string, since time.Time) ([]coach.Prospect, error) {
	var ps []coach.Prospect
	err := s.view(ctx, "list recent prospects of "+team+"/"+owner, func(b buckets) error {
		var err error
		ps, err = b.ownedSince(ps, team, owner, since.UnixMilli())
		return err
	})
	return ps, err
}

// owned appends the prospects the owner index lists for owner in team.
func (b buckets) owned(ps []coach.Prospect, team, owner string) ([]coach.Prospect, error) {
	return b.ownedSince(ps, team, owner, math.MinInt64)
}

// ownedSince appends the prospects the owner index lists for owner in team,
// leaving out those it marks retired before since (Unix ms). An entry with
// no time is an open prospect, or one saved before the index held times:
// both are read.
func (b buckets) ownedSince(ps []coach.Prospect, team, owner string, since int64) ([]coach.Prospect, error) {
	prefix := ownerPrefix(team, owner)
	c := b.owners.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(v) == 8 && unord(v) < since {
			continue
		}
		id := string(k[len(prefix):])
		raw := b.prospects.Get(prospectKey(team, id))
		if raw == nil {
			return ps, fmt.Errorf("owner index names %s, which is not stored: %w", id, ErrCorrupt)
		}
		var p coach.Prospect
		if err := decode(raw, &p); err != nil {
			return ps, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// ProspectsOfOwners returns every prospect the owners own in team, in no
// order, from the owner index (one read transaction).
func (s *Store) ProspectsOfOwners(ctx context.Context, workspace string, owners []string) ([]coach.Prospect, error) {
	var ps []coach.Prospect
	err := s.view(ctx, fmt.Sprintf("list prospects of %d owners in %s", len(owners), workspace), func(b buckets) error {
		for _, owner := range slices.Compact(slices.Sorted(slices.Values(owners))) {
			var err error
			if ps, err = b.owned(ps, workspace, owner); err != nil {
				return err
			}
		}
		return nil
	})
	return ps, err
}

// ProspectsOfOwnersSince returns the prospects the owners own that are
// open, or retired at or after since, in no order.
func (s *Store) ProspectsOfOwnersSince(ctx context.Context, workspace string, owners []string, since time.Time) ([]coach.Prospect, error) {
	var ps []coach.Prospect
	err := s.view(ctx, fmt.Sprintf("list recent prospects of %d owners in %s", len(owners), workspace), func(b buckets) error {
		for _, owner := range slices.Compact(slices.Sorted(slices.Values(owners))) {
			var err error
			if ps, err = b.ownedSince(ps, workspace, owner, since.UnixMilli()); err != nil {
				return err
			}
		}
		return nil
	})
	return ps, err
}

// WorkspaceProspects returns every prospect of a workspace, in no order.
func (s *Store) WorkspaceProspects(ctx context.Context, workspace string) ([]coach.Prospect, error) {
	var ps []coach.Prospect
	err := s.view(ctx, "list prospects of team "+workspace, func(b buckets) error {
		prefix := str(nil, workspace)
		c := b.prospects.Cursor()
		for k, raw := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, raw = c.Next() {
			var p coach.Prospect
			if err := decode(raw, &p); err != nil {
				return err
			}
			ps = append(ps, p)
		}
		return nil
	})
	return ps, err
}

// Save writes p if the stored version is p.Version-1 (or there is none and
// p.Version is 1), moves it between owners' lists and keeps its follow-up and
// CRM jobs in step, in one transaction. Otherwise it returns coach.ErrConflict
// and writes nothing. A prospect that fails coach.Prospect.Validate is not
// written (coach.ErrInvalid).
func (s *Store) Save(ctx context.Context, p coach.Prospect) error {
	what := fmt.Sprintf("save prospect %s/%s", p.Workspace, p.ID)
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	raw, err := record.Encode(p)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", what, err)
	}
	return s.update(ctx, what, func(b buckets) error {
		key := prospectKey(p.Workspace, p.ID)
		var old coach.Prospect
		if stored := b.prospects.Get(key); stored != nil {
			if err := decode(stored, &old); err != nil {
				return err
			}
			if p.Version != old.Version+1 {
				return fmt.Errorf("version %d over stored version %d: %w", p.Version, old.Version, coach.ErrConflict)
			}
		} else if p.Version != 1 {
			return fmt.Errorf("version %d over stored version none: %w", p.Version, coach.ErrConflict)
		}
		if err := b.prospects.Put(key, raw); err != nil {
			return err
		}
		if old.Owner != "" && old.Owner != p.Owner {
			if err := b.owners.Delete(ownerKey(p.Workspace, old.Owner, p.ID)); err != nil {
				return err
			}
		}
		if err := b.owners.Put(ownerKey(p.Workspace, p.Owner, p.ID), retiredMark(p)); err != nil {
			return err
		}
		if err := b.keepJob(coach.FollowUpKey(p.Workspace, p.ID), p.FollowUpAt); err != nil {
			return err
		}
		return b.keepJob(coach.CRMKey(p.Workspace, p.ID), p.CRM.SyncAt)
	})
}

// keepJob keeps a prospect's job in step with its due time: none when zero.
func (b buckets) keepJob(job string, due time.Time) error {
	if due.IsZero() {
		return b.unschedule(job)
	}
	return b.schedule(job, due.UnixMilli())
}

// retiredMark is p's entry in the owner index: when it retired, as
// ord(Unix ms), or nothing while it is open.
func retiredMark(p coach.Prospect) []byte {
	at, retired := p.Retired()
	if !retired {
		return nil
	}
	return ord(make([]byte, 0, 8), at.UnixMilli())
}

// decode reads a stored prospect.
func decode(raw []byte, p *coach.Prospect) error {
	if err := record.Decode(raw, p); err != nil {
		return fmt.Errorf("decode: %w: %w", err, ErrCorrupt)
	}
	return nil
}
