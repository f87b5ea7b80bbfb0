package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"pipelinecoach/coach"
	"pipelinecoach/storage/record"
)

// Team returns a manager's team, or coach.ErrNotFound.
func (s *Store) Team(ctx context.Context, workspace, manager string) (coach.Team, error) {
	var t coach.Team
	err := s.view(ctx, "team of "+workspace+"/"+manager, func(b buckets) error {
		raw := b.teams.Get(teamKey(workspace, manager))
		if raw == nil {
			return coach.ErrNotFound
		}
		return decodeTeam(raw, &t)
	})
	return t, err
}

// Teams returns every team of a workspace, in no order.
func (s *Store) Teams(ctx context.Context, workspace string) ([]coach.Team, error) {
	var ts []coach.Team
	err := s.view(ctx, "teams of "+workspace, func(b buckets) error {
		prefix := str(nil, workspace)
		c := b.teams.Cursor()
		for k, raw := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, raw = c.Next() {
			var t coach.Team
			if err := decodeTeam(raw, &t); err != nil {
				return err
			}
			ts = append(ts, t)
		}
		return nil
	})
	return ts, err
}

// ManagerOf returns a rep's manager, or coach.ErrNotFound.
func (s *Store) ManagerOf(ctx context.Context, workspace, rep string) (string, error) {
	var m string
	err := s.view(ctx, "manager of "+workspace+"/"+rep, func(b buckets) error {
		v := b.managers.Get(managerKey(workspace, rep))
		if v == nil {
			return coach.ErrNotFound
		}
		m = string(v)
		return nil
	})
	return m, err
}

// SaveTeam writes t if the stored version is t.Version-1 (none, counted as
// 0, when t.Version is 1) and keeps the rep → manager index in step, in one
// transaction. A rep on another manager's team fails the save with a
// *coach.RepTakenError, a stale version with coach.ErrConflict; nothing is
// written then. A team that fails coach.Team.Validate is not written
// (coach.ErrInvalid).
func (s *Store) SaveTeam(ctx context.Context, t coach.Team) error {
	what := fmt.Sprintf("save team %s/%s", t.Workspace, t.Manager)
	if err := t.Validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	raw, err := record.Encode(t)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", what, err)
	}
	return s.update(ctx, what, func(b buckets) error {
		key := teamKey(t.Workspace, t.Manager)
		var old coach.Team
		if stored := b.teams.Get(key); stored != nil {
			if err := decodeTeam(stored, &old); err != nil {
				return err
			}
		}
		if t.Version != old.Version+1 {
			return fmt.Errorf("version %d over stored version %d: %w", t.Version, old.Version, coach.ErrConflict)
		}
		for _, r := range t.Reps {
			if m := b.managers.Get(managerKey(t.Workspace, r)); m != nil && string(m) != t.Manager {
				return &coach.RepTakenError{Rep: r, Manager: string(m)}
			}
		}
		for _, r := range old.Reps {
			k := managerKey(t.Workspace, r)
			if !slices.Contains(t.Reps, r) && string(b.managers.Get(k)) == t.Manager {
				if err := b.managers.Delete(k); err != nil {
					return err
				}
			}
		}
		for _, r := range t.Reps {
			if err := b.managers.Put(managerKey(t.Workspace, r), []byte(t.Manager)); err != nil {
				return err
			}
		}
		return b.teams.Put(key, raw)
	})
}

// decodeTeam reads a stored team.
func decodeTeam(raw []byte, t *coach.Team) error {
	if err := record.Decode(raw, t); err != nil {
		return fmt.Errorf("decode: %w: %w", err, ErrCorrupt)
	}
	return nil
}

// TeamOf returns the team a user manages, else their manager's, in one
// transaction.
func (s *Store) TeamOf(ctx context.Context, workspace, user string) (coach.Team, error) {
	var t coach.Team
	err := s.view(ctx, "team of "+workspace+"/"+user, func(b buckets) error {
		raw := b.teams.Get(teamKey(workspace, user))
		if raw == nil {
			manager := b.managers.Get(managerKey(workspace, user))
			if manager == nil {
				return coach.ErrNotFound
			}
			raw = b.teams.Get(teamKey(workspace, string(manager)))
		}
		if raw == nil {
			return coach.ErrNotFound
		}
		return decodeTeam(raw, &t)
	})
	return t, err
}
