package coach_test

import (
	"errors"
	"testing"

	"pipelinecoach/coach"
)

// TestDealsANameMayMatch: any open prospect may be lost; only an
// opportunity may be won or updated, and a name that matches only
// prospects that never became pipeline is the two-meeting rule.
func TestDealsANameMayMatch(t *testing.T) {
	opp := opportunityProspect(t)
	opp.ID, opp.Account = "o1", "Acme"
	waiting := awaitingProspect()
	waiting.ID, waiting.Account = "w1", "Globex"
	pl := coach.GroupPipeline([]coach.Prospect{opp, waiting}, bdate(11, 27, 10, 0))

	for _, c := range []struct {
		action coach.DealAction
		typed  string
		want   string
		err    error
	}{
		{coach.WinDeal, "acme", "o1", nil},
		{coach.UpdateDeal, "ACME", "o1", nil},
		{coach.LoseDeal, "acme", "o1", nil},
		{coach.LoseDeal, "globex", "w1", nil},
		{coach.WinDeal, "globex", "", coach.ErrNotOpportunity},
		{coach.UpdateDeal, "globex", "", coach.ErrNotOpportunity},
		{coach.WinDeal, "initech", "", nil},
	} {
		matches, _, err := pl.Deals(c.action, c.typed)
		got := ""
		if len(matches) == 1 {
			got = matches[0].ID
		}
		if got != c.want || !errors.Is(err, c.err) || (c.err == nil && err != nil) {
			t.Errorf("Deals(%d, %q) = %q, %v; want %q, %v", c.action, c.typed, got, err, c.want, c.err)
		}
	}
}
