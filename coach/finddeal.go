package coach

import (
	"context"
	"fmt"
)

// DealAction is what a rep wants done to a deal they name in words.
type DealAction int

// What a rep may do to a deal named in words.
const (
	WinDeal DealAction = iota
	LoseDeal
	UpdateDeal
)

// Deals returns the prospects named by typed that action may apply to, and
// with no match the closest names to suggest. Any open prospect may be
// lost; only an opportunity may be won or updated, so a name that matches
// only prospects that never became pipeline is ErrNotOpportunity: the rule,
// not a shrug.
func (pl Pipeline) Deals(action DealAction, typed string) (matches, closest []Prospect, err error) {
	candidates := pl.Opportunities
	if action == LoseDeal {
		candidates = pl.Open()
	}
	matches, closest = MatchAccount(candidates, typed)
	if len(matches) == 0 && action != LoseDeal {
		if notPipeline, _ := MatchAccount(pl.Open(), typed); len(notPipeline) > 0 {
			return nil, nil, ErrNotOpportunity
		}
	}
	return matches, closest, nil
}

// FindDeal finds the actor's deals named by typed for action (see
// Pipeline.Deals). A single match is kept as read, so the form it opens is
// decided on this very record and submitted in one round trip.
func (s *Service) FindDeal(ctx context.Context, actor Actor, action DealAction, typed string) (matches, closest []Prospect, err error) {
	pl, err := s.Pipeline(ctx, actor.Workspace, actor.User)
	if err != nil {
		return nil, nil, err
	}
	matches, closest, err = pl.Deals(action, typed)
	if err != nil {
		return nil, nil, fmt.Errorf("find a deal by name: %w", err)
	}
	if len(matches) == 1 {
		s.opened.keep(matches[0], s.clock.Now())
	}
	return matches, closest, nil
}
