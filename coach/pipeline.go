package coach

import (
	"slices"
	"strings"
	"time"
)

// Pipeline is a rep's prospects as the rep sees them. Only Opportunities is
// pipeline; the rest is kept apart so nobody mistakes it for pipeline.
type Pipeline struct {
	Opportunities []Prospect // by second meeting, soonest first
	NotYet        []Prospect // first meeting over, no second meeting yet
	GoneQuiet     []Prospect // never answered
	Scheduled     []Prospect // first meeting ahead
	Won, Lost     []Prospect // newest first
}

// GroupPipeline sorts prospects into the groups of a pipeline view.
func GroupPipeline(ps []Prospect, now time.Time) Pipeline {
	var pl Pipeline
	for _, p := range ps {
		switch {
		case p.State == Opportunity:
			pl.Opportunities = append(pl.Opportunities, p)
		case p.GoneQuiet():
			pl.GoneQuiet = append(pl.GoneQuiet, p)
		case p.State == Awaiting, p.State == Scheduled && !p.FirstMeeting.After(now):
			pl.NotYet = append(pl.NotYet, p)
		case p.State == Scheduled:
			pl.Scheduled = append(pl.Scheduled, p)
		case p.State == Won:
			pl.Won = append(pl.Won, p)
		case p.State == Lost:
			pl.Lost = append(pl.Lost, p)
		}
	}
	by := func(key func(Prospect) time.Time, newestFirst bool) func(a, b Prospect) int {
		return func(a, b Prospect) int {
			c := key(a).Compare(key(b))
			if newestFirst {
				c = -c
			}
			if c == 0 {
				return strings.Compare(a.ID, b.ID)
			}
			return c
		}
	}
	first := func(p Prospect) time.Time { return p.FirstMeeting }
	activity := func(p Prospect) time.Time { return p.LastActivity }
	slices.SortFunc(pl.Opportunities, by(func(p Prospect) time.Time { return p.SecondMeeting }, false))
	slices.SortFunc(pl.NotYet, by(first, false))
	slices.SortFunc(pl.GoneQuiet, by(first, false))
	slices.SortFunc(pl.Scheduled, by(first, false))
	slices.SortFunc(pl.Won, by(activity, true))
	slices.SortFunc(pl.Lost, by(activity, true))
	return pl
}

// OpenAmount sums the amounts of open opportunities per currency ("" for
// amounts given without one).
func (pl Pipeline) OpenAmount() map[string]int64 {
	sum := map[string]int64{}
	for _, p := range pl.Opportunities {
		if p.Amount > 0 {
			sum[p.Currency] += p.Amount
		}
	}
	return sum
}

// Open returns every prospect still in play, for matching a name a rep typed.
func (pl Pipeline) Open() []Prospect {
	return slices.Concat(pl.Opportunities, pl.NotYet, pl.GoneQuiet, pl.Scheduled)
}

// Waiting returns the prospects waiting for the rep's answer about a second
// meeting: not yet pipeline, and gone quiet.
func (pl Pipeline) Waiting() []Prospect {
	return slices.Concat(pl.NotYet, pl.GoneQuiet)
}
