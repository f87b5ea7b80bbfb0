package boltstore

import (
	"bytes"
	"context"
	"fmt"

	"pipelinecoach/coach"
	"pipelinecoach/storage/record"
)

func calendarKey(workspace, rep string) []byte { return append(str(nil, workspace), rep...) }

// CalendarSync returns a rep's calendar sync, or coach.ErrNotFound.
func (s *Store) CalendarSync(ctx context.Context, workspace, rep string) (coach.CalendarSync, error) {
	var c coach.CalendarSync
	err := s.view(ctx, "calendar of "+workspace+"/"+rep, func(b buckets) error {
		raw := b.calendars.Get(calendarKey(workspace, rep))
		if raw == nil {
			return coach.ErrNotFound
		}
		return decodeCalendar(raw, &c)
	})
	return c, err
}

// CalendarSyncs returns every rep's calendar sync of a workspace.
func (s *Store) CalendarSyncs(ctx context.Context, workspace string) ([]coach.CalendarSync, error) {
	var out []coach.CalendarSync
	err := s.view(ctx, "calendars of "+workspace, func(b buckets) error {
		prefix := str(nil, workspace)
		cur := b.calendars.Cursor()
		for k, raw := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, raw = cur.Next() {
			var c coach.CalendarSync
			if err := decodeCalendar(raw, &c); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// SaveCalendarSync writes c if the stored version is c.Version-1, in one
// transaction.
func (s *Store) SaveCalendarSync(ctx context.Context, c coach.CalendarSync) error {
	what := fmt.Sprintf("save calendar of %s/%s", c.Workspace, c.Rep)
	if c.Workspace == "" || c.Rep == "" {
		return fmt.Errorf("%s: workspace and rep are required: %w", what, coach.ErrInvalid)
	}
	raw, err := record.Encode(c)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", what, err)
	}
	return s.update(ctx, what, func(b buckets) error {
		key := calendarKey(c.Workspace, c.Rep)
		var old coach.CalendarSync
		if stored := b.calendars.Get(key); stored != nil {
			if err := decodeCalendar(stored, &old); err != nil {
				return err
			}
		}
		if c.Version != old.Version+1 {
			return fmt.Errorf("version %d over stored version %d: %w", c.Version, old.Version, coach.ErrConflict)
		}
		return b.calendars.Put(key, raw)
	})
}

func decodeCalendar(raw []byte, c *coach.CalendarSync) error {
	if err := record.Decode(raw, c); err != nil {
		return fmt.Errorf("decode: %w: %w", err, ErrCorrupt)
	}
	return nil
}
