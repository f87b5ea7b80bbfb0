// Package crm holds what the CRM adapters share: one JSON call of a REST
// API (Call), deals written in batches (InBatches), owners remembered by
// email (Owners), and the words and matching of their configuration.
//
// Each CRM has a client of its public API (crm/hubspot, crm/salesforce)
// that adapts it to coach.CRM, and a simulator speaking the same API over
// HTTP (crm/hubspotsim, crm/salesforcesim), so tests, the demo and
// benchmarks exercise the real client code. What is written when is
// coach's rule; these packages only translate.
package crm

import (
	"context"
	"fmt"
	"strings"

	"pipelinecoach/coach"
)

// StageError is a configured stage (or pipeline) the CRM does not have. It
// names the variable and what the CRM has, in one line, so the operator
// can fix it at once.
type StageError struct {
	Variable string   // CRM_STAGE_OPEN, HUBSPOT_PIPELINE, …
	Value    string   // what it was set to
	Where    string   // "HubSpot pipeline \"Sales Pipeline\"", "Salesforce"
	Known    []string // what exists
}

func (e *StageError) Error() string {
	return fmt.Sprintf("%s=%q is not a stage of %s; it has: %s", e.Variable, e.Value, e.Where, strings.Join(e.Known, ", "))
}

// Match finds value among options by id or label, ignoring case: operators
// type what they see ("Closed Won") or what the API says ("closedwon").
func Match(value string, ids, labels []string) (string, bool) {
	for i := range ids {
		if strings.EqualFold(value, ids[i]) || strings.EqualFold(value, labels[i]) {
			return ids[i], true
		}
	}
	return "", false
}

// Domain is the web domain a rep typed as an account ("acme.com",
// "https://www.acme.com/"), "" when they typed a name.
func Domain(account string) string {
	d := strings.ToLower(strings.TrimSpace(account))
	d = strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://")
	d = strings.TrimPrefix(d, "www.")
	d = strings.TrimSuffix(d, "/")
	if strings.Contains(d, ".") && !strings.ContainsAny(d, " /@") {
		return d
	}
	return ""
}

// InBatches writes deals size at a time with write, which fills in the
// results of its batch, and returns one result per deal, in order.
func InBatches(ctx context.Context, deals []coach.Deal, size int, write func(ctx context.Context, batch []coach.Deal, out []coach.SyncResult)) []coach.SyncResult {
	out := make([]coach.SyncResult, len(deals))
	for start := 0; start < len(deals); start += size {
		end := min(start+size, len(deals))
		write(ctx, deals[start:end], out[start:end])
	}
	return out
}
