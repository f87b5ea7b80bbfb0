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

// GroupPipeline sorts prospects into the groups of a pipeline view. The
// groups share one array, each capped at its length (appending to one never
// writes into the next): `/pipeline` groups a rep's deals on every view, and
// one slice per group grown deal by deal allocated about three times the
// deals.
func GroupPipeline(ps []Prospect, now time.Time) Pipeline {
	group := make([]pipelineGroup, len(ps))
	var count [pipelineGroups]int
	for i, p := range ps {
		group[i] = groupOf(p, now)
		count[group[i]]++
	}
	all := make([]Prospect, 0, len(ps)-count[noGroup])
	var pl Pipeline
	groups := [pipelineGroups]*[]Prospect{
		groupOpportunities: &pl.Opportunities, groupNotYet: &pl.NotYet, groupGoneQuiet: &pl.GoneQuiet,
		groupScheduled: &pl.Scheduled, groupWon: &pl.Won, groupLost: &pl.Lost,
	}
	for g, dst := range groups {
		if dst == nil || count[g] == 0 {
			continue
		}
		start := len(all)
		for i, p := range ps {
			if group[i] == pipelineGroup(g) {
				all = append(all, p)
			}
		}
		*dst = all[start:len(all):len(all)]
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

// pipelineGroup is where a prospect shows in a pipeline view.
type pipelineGroup uint8

const (
	noGroup pipelineGroup = iota // a state no view shows
	groupOpportunities
	groupNotYet
	groupGoneQuiet
	groupScheduled
	groupWon
	groupLost
	pipelineGroups // how many there are
)

// groupOf is the group p shows in at now.
func groupOf(p Prospect, now time.Time) pipelineGroup {
	switch {
	case p.State == Opportunity:
		return groupOpportunities
	case p.GoneQuiet():
		return groupGoneQuiet
	case p.State == Awaiting, p.State == Scheduled && !p.FirstMeeting.After(now):
		return groupNotYet
	case p.State == Scheduled:
		return groupScheduled
	case p.State == Won:
		return groupWon
	case p.State == Lost:
		return groupLost
	}
	return noGroup
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
