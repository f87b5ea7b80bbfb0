package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Lessons returns a team's shared lessons, newest first, that match every
// word of query: a word naming a loss reason ("competitor", "budget",
// "timing") filters by reason, any other word must appear in the account,
// the lesson or the save moment.
func Lessons(ps []Prospect, query string) []Prospect {
	words := strings.Fields(strings.ToLower(query))
	var out []Prospect
	for _, p := range ps {
		if p.State != Lost || p.Loss == nil || !p.Loss.Shared || p.Loss.Lesson == "" {
			continue
		}
		if matchesAll(p, words) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b Prospect) int {
		if c := MilestonesOf(b).Lost.Compare(MilestonesOf(a).Lost); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func matchesAll(p Prospect, words []string) bool {
	text := strings.ToLower(p.Account + " " + p.Loss.Lesson + " " + p.Loss.SaveMoment)
	reason := strings.ToLower(p.Loss.Reason.Label() + " " + string(p.Loss.Reason))
	for _, w := range words {
		if r, ok := reasonWord(w); ok {
			if p.Loss.Reason != r {
				return false
			}
			continue
		}
		if !strings.Contains(text, w) && !strings.Contains(reason, w) {
			return false
		}
	}
	return true
}

// reasonWord maps the words reps use for a reason to the reason.
func reasonWord(w string) (LossReason, bool) {
	switch w {
	case "competitor", "competition", "competitors":
		return ReasonCompetitor, true
	case "budget", "price", "money":
		return ReasonNoBudget, true
	case "fit", "nofit":
		return ReasonNoFit, true
	case "timing":
		return ReasonTiming, true
	case "dark", "ghosted":
		return ReasonWentDark, true
	case "status-quo", "statusquo", "indecision", "nodecision":
		return ReasonStatusQuo, true
	}
	return "", false
}

// Lessons returns the team's shared lessons matching query.
func (s *Service) Lessons(ctx context.Context, team, query string) ([]Prospect, error) {
	ps, err := s.store.WorkspaceProspects(ctx, team)
	if err != nil {
		return nil, fmt.Errorf("read lessons of %s: %w", team, err)
	}
	return Lessons(ps, query), nil
}

// ErrNotQuiet: the prospect answered or changed since it was listed as gone
// quiet, so a bulk loss leaves it alone.
var ErrNotQuiet = errors.New("no longer gone quiet")

// LoseQuiet loses gone-quiet prospects with one shared reason, as the
// cleanup's "lose all" does. A prospect that is no longer gone quiet (the rep
// answered meanwhile) is left alone. It returns those it lost; one failure
// does not stop the others.
func (s *Service) LoseQuiet(ctx context.Context, actor Actor, workspace string, ids []string, r LossReport) ([]Prospect, error) {
	var lost []Prospect
	var errs []error
	for _, id := range ids {
		p, _, err := s.change(ctx, &actor, workspace, id, func(p Prospect) (Prospect, bool, error) {
			if !p.GoneQuiet() {
				return p, false, ErrNotQuiet
			}
			next, err := p.Lose(s.clock.Now(), actor.User, r)
			return next, err == nil, err
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("lose %s: %w", id, err))
			continue
		}
		lost = append(lost, p)
	}
	if len(errs) > 0 {
		return lost, fmt.Errorf("lost %d of %d: %w", len(lost), len(ids), errors.Join(errs...))
	}
	return lost, nil
}
