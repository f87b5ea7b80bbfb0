package crm_test

import (
	"context"
	"testing"

	"pipelinecoach/coach"
	"pipelinecoach/crm"
)

// Deals are written size at a time, and each result lands at its deal.
func TestInBatches(t *testing.T) {
	deals := make([]coach.Deal, 5)
	for i := range deals {
		deals[i].Key = string(rune('a' + i))
	}
	var sizes []int
	out := crm.InBatches(context.Background(), deals, 2, func(_ context.Context, batch []coach.Deal, out []coach.SyncResult) {
		sizes = append(sizes, len(batch))
		for i, d := range batch {
			out[i].ID = "id-" + d.Key
		}
	})
	if len(sizes) != 3 || sizes[0] != 2 || sizes[2] != 1 {
		t.Errorf("batches of %v; want 2, 2, 1", sizes)
	}
	for i, r := range out {
		if r.ID != "id-"+deals[i].Key {
			t.Errorf("result %d = %q; want id-%s", i, r.ID, deals[i].Key)
		}
	}
}
