package coachtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"pipelinecoach/coach"
)

// CalendarSync implements coach.CalendarSyncs.
func (m *MemStore) CalendarSync(_ context.Context, workspace, rep string) (coach.CalendarSync, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	raw, ok := m.calendars[workspace+"/"+rep]
	if !ok {
		return coach.CalendarSync{}, fmt.Errorf("calendar of %s/%s: %w", workspace, rep, coach.ErrNotFound)
	}
	var c coach.CalendarSync
	err := json.Unmarshal(raw, &c)
	return c, err
}

// CalendarSyncs implements coach.CalendarSyncs.
func (m *MemStore) CalendarSyncs(_ context.Context, workspace string) ([]coach.CalendarSync, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []coach.CalendarSync
	for k, raw := range m.calendars {
		if !strings.HasPrefix(k, workspace+"/") {
			continue
		}
		var c coach.CalendarSync
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// SaveCalendarSync implements coach.CalendarSyncs.
func (m *MemStore) SaveCalendarSync(_ context.Context, c coach.CalendarSync) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.Workspace == "" || c.Rep == "" {
		return fmt.Errorf("save calendar sync: workspace and rep are required: %w", coach.ErrInvalid)
	}
	k := c.Workspace + "/" + c.Rep
	var old coach.CalendarSync
	if raw, ok := m.calendars[k]; ok {
		if err := json.Unmarshal(raw, &old); err != nil {
			return err
		}
	}
	if old.Version != c.Version-1 {
		return fmt.Errorf("save calendar sync %s at version %d over %d: %w", k, c.Version, old.Version, coach.ErrConflict)
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if m.calendars == nil {
		m.calendars = map[string][]byte{}
	}
	m.calendars[k] = raw
	return nil
}
