package redisstore

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"pipelinecoach/coach"
	"pipelinecoach/storage/record"
)

// The workspace directory lives in two hashes beside the workspace's other
// keys:
//
//	{p}:t:<team>:members   hash  user id → member JSON
//	{p}:t:<team>:mu        hash  user id → the member's Updated (Unix ms)
func (k keys) members(workspace string) string        { return k.workspace(workspace) + ":members" }
func (k keys) membersUpdated(workspace string) string { return k.workspace(workspace) + ":mu" }

// saveMembersScript writes each member unless the stored one was updated
// later. Updated is compared in milliseconds, well inside the 53 bits a Lua
// number holds exactly.
var saveMembersScript = redis.NewScript(`
-- KEYS[1] {p}:t:<team>:members  hash user → member JSON
-- KEYS[2] {p}:t:<team>:mu       hash user → updated ms
-- ARGV    user, updated ms, member JSON; repeated
local written = 0
for i = 1, #ARGV, 3 do
  local stored = redis.call('HGET', KEYS[2], ARGV[i])
  if not stored or tonumber(stored) <= tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
    written = written + 1
  end
end
return written
`)

// Member returns one member of the directory, or coach.ErrNotFound. One HGET.
func (s *Store) Member(ctx context.Context, workspace, user string) (coach.Member, error) {
	return hashRecord[coach.Member](ctx, s.client, s.keys.members(workspace), user, "member", workspace)
}

// SaveMembers writes members in one script, each unless the stored one was
// updated later.
func (s *Store) SaveMembers(ctx context.Context, workspace string, ms []coach.Member) error {
	what := fmt.Sprintf("save %d members of %s", len(ms), workspace)
	if len(ms) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(ms))
	for _, m := range ms {
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
		args = append(args, m.User, m.Updated.UnixMilli(), string(raw))
	}
	keys := []string{s.keys.members(workspace), s.keys.membersUpdated(workspace)}
	// change: the directory is state like any other, kept by as many
	// replicas as the store waits for.
	if err := s.change(ctx, saveMembersScript, keys, args...).Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
