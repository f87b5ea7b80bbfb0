package storetest_test

import (
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/storage/storetest"
)

// The in-memory store coach's own tests use passes the suite too, so coach
// is tested against the behaviour production has.
func TestMemStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) coach.Store { return coachtest.NewMemStore(time.Now) })
}
