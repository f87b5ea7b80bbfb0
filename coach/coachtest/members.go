package coachtest

import (
	"context"
	"encoding/json"
	"fmt"

	"pipelinecoach/coach"
)

// Member implements coach.Members.
func (m *MemStore) Member(_ context.Context, workspace, user string) (coach.Member, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	raw, ok := m.members[workspace+"/"+user]
	if !ok {
		return coach.Member{}, fmt.Errorf("member %s/%s: %w", workspace, user, coach.ErrNotFound)
	}
	var mem coach.Member
	err := json.Unmarshal(raw, &mem)
	return mem, err
}

// SaveMembers implements coach.Members.
func (m *MemStore) SaveMembers(_ context.Context, workspace string, ms []coach.Member) error {
	raws := make([][]byte, len(ms))
	for i, mem := range ms {
		if mem.Workspace != workspace {
			return fmt.Errorf("member %s is of workspace %q, not %q: %w", mem.User, mem.Workspace, workspace, coach.ErrInvalid)
		}
		if err := mem.Validate(); err != nil {
			return err
		}
		raw, err := json.Marshal(mem)
		if err != nil {
			return err
		}
		raws[i] = raw
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.members == nil {
		m.members = map[string][]byte{}
	}
	for i, mem := range ms {
		key := workspace + "/" + mem.User
		if stored, ok := m.members[key]; ok {
			var old coach.Member
			if json.Unmarshal(stored, &old) == nil && old.Updated.After(mem.Updated) {
				continue
			}
		}
		m.members[key] = raws[i]
	}
	return nil
}
