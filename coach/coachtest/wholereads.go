package coachtest

import (
	"context"
	"time"

	"pipelinecoach/coach"
)

// ReadsWhole is a store that answers a read of a rep's recent deals
// (ProspectsOfSince) with every deal they ever had, as every read was
// before stores indexed retired deals: what the view's horizon is compared
// with, in tests and benchmarks.
type ReadsWhole struct{ coach.Store }

// ProspectsOfSince implements coach.Prospects, ignoring since.
func (s ReadsWhole) ProspectsOfSince(ctx context.Context, team, owner string, _ time.Time) ([]coach.Prospect, error) {
	return s.ProspectsOf(ctx, team, owner)
}
