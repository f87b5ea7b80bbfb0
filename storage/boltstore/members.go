package boltstore

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"pipelinecoach/coach"
	"pipelinecoach/storage/record"
)

// bucketMembers holds the workspace directory:
//
//	members  str(workspace) user → member JSON
//
// It is made by the first write, so files written before it existed open
// as they are; a read finds no bucket as no member.
var bucketMembers = []byte("members")

func memberKey(workspace, user string) []byte { return append(str(nil, workspace), user...) }

// Member returns one member of the directory, or coach.ErrNotFound.
func (s *Store) Member(ctx context.Context, workspace, user string) (coach.Member, error) {
	what := "member " + workspace + "/" + user
	if err := ctx.Err(); err != nil {
		return coach.Member{}, fmt.Errorf("%s: %w", what, err)
	}
	var m coach.Member
	err := s.guard(what, func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketMembers)
			if b == nil {
				return coach.ErrNotFound
			}
			raw := b.Get(memberKey(workspace, user))
			if raw == nil {
				return coach.ErrNotFound
			}
			if err := record.Decode(raw, &m); err != nil {
				return fmt.Errorf("decode: %w: %w", err, ErrCorrupt)
			}
			return nil
		})
	})
	return m, err
}

// SaveMembers writes members in one transaction, each unless the stored one
// was updated later.
func (s *Store) SaveMembers(ctx context.Context, workspace string, ms []coach.Member) error {
	what := fmt.Sprintf("save %d members of %s", len(ms), workspace)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	raws := make([][]byte, len(ms))
	for i, m := range ms {
		if m.Workspace != workspace {
			return fmt.Errorf("%s: member %s is of workspace %q: %w", what, m.User, m.Workspace, coach.ErrInvalid)
		}
		if err := m.Validate(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		raw, err := record.Encode(m)
		if err != nil {
			return fmt.Errorf("%s: encode %s: %w", what, m.User, err)
		}
		raws[i] = raw
	}
	return s.guard(what, func() error {
		return s.db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bucketMembers)
			if err != nil {
				return err
			}
			for i, m := range ms {
				key := memberKey(workspace, m.User)
				if stored := b.Get(key); stored != nil {
					var old coach.Member
					if record.Decode(stored, &old) == nil && old.Updated.After(m.Updated) {
						continue
					}
				}
				if err := b.Put(key, raws[i]); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
