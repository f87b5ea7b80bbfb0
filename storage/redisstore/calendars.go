package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"pipelinecoach/coach"
	"pipelinecoach/storage/record"
)

// CalendarSync returns a rep's calendar sync, or coach.ErrNotFound. One HGET.
func (s *Store) CalendarSync(ctx context.Context, workspace, rep string) (coach.CalendarSync, error) {
	return hashRecord[coach.CalendarSync](ctx, s.client, s.keys.calendars(workspace), rep, "calendar of", workspace)
}

// CalendarSyncs returns every rep's calendar sync of a workspace. One HVALS.
func (s *Store) CalendarSyncs(ctx context.Context, workspace string) ([]coach.CalendarSync, error) {
	raws, err := s.client.HVals(ctx, s.keys.calendars(workspace)).Result()
	if err != nil {
		return nil, fmt.Errorf("calendars of %s: %w", workspace, err)
	}
	out := make([]coach.CalendarSync, len(raws))
	for i, raw := range raws {
		if err := record.DecodeString(raw, &out[i]); err != nil {
			return nil, fmt.Errorf("calendars of %s: decode: %w", workspace, err)
		}
	}
	return out, nil
}

// SaveCalendarSync writes c over the version it was read at, in one script.
func (s *Store) SaveCalendarSync(ctx context.Context, c coach.CalendarSync) error {
	what := fmt.Sprintf("save calendar of %s/%s", c.Workspace, c.Rep)
	if c.Workspace == "" || c.Rep == "" {
		return fmt.Errorf("%s: workspace and rep are required: %w", what, coach.ErrInvalid)
	}
	raw, err := record.Encode(c)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", what, err)
	}
	res, err := s.change(ctx, saveVersionedScript,
		[]string{s.keys.calendars(c.Workspace), s.keys.calendarVersions(c.Workspace)}, c.Rep, c.Version, string(raw)).StringSlice()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch {
	case len(res) == 1 && res[0] == "ok":
		return nil
	case len(res) == 2 && res[0] == "conflict":
		return fmt.Errorf("%s: version %d over stored version %s: %w", what, c.Version, res[1], coach.ErrConflict)
	}
	return fmt.Errorf("%s: unexpected reply %v", what, res)
}

// saveVersionedScript writes one field of a hash over the version it was
// read at. It returns {'ok'} or {'conflict', stored version}.
var saveVersionedScript = redis.NewScript(`
-- KEYS[1] hash id → JSON
-- KEYS[2] hash id → version
-- ARGV[1] id, ARGV[2] new version, ARGV[3] JSON
local stored = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if stored ~= tonumber(ARGV[2]) - 1 then
  return {'conflict', tostring(stored)}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {'ok'}
`)
