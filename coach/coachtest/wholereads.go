package coachtest

import (
	"context"
	"time"

	"pipelinecoach/coach"
)

// ReadsWhole is a store that answers a read of recent deals
// (ProspectsOfSince, ProspectsOfOwnersSince) with every deal the reps ever
// had, as every read was before stores indexed retired deals: what the
// horizons of a rep's view and a team's digest are compared with, in tests
// and benchmarks.
type ReadsWhole struct{ coach.Store }

// ProspectsOfSince implements coach.Prospects, ignoring since.
func (s ReadsWhole) ProspectsOfSince(ctx context.Context, team, owner string, _ time.Time) ([]coach.Prospect, error) {
	return s.ProspectsOf(ctx, team, owner)
}

// ProspectsOfOwnersSince implements coach.Prospects, ignoring since.
func (s ReadsWhole) ProspectsOfOwnersSince(ctx context.Context, workspace string, owners []string, _ time.Time) ([]coach.Prospect, error) {
	return s.ProspectsOfOwners(ctx, workspace, owners)
}
