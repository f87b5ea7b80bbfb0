package coach

import (
	"context"
	"fmt"
	"strings"

	"pipelinecoach/coach/phrase"
)

// A team writes amounts its own way: a default currency ("25k" is €25,000
// to a team in euros) and a number style ("25.000" is twenty-five thousand
// with a decimal comma). The style follows the currency (phrase.StyleOf)
// unless the team sets it; a team that sets neither takes the workspace's
// (TeamDefaults). Reps without a team use the workspace's too.

// Convention is how the team's people write and read amounts, with the
// workspace defaults d filling what the team did not set.
func (t Team) Convention(d TeamDefaults) phrase.Convention {
	switch {
	case t.Numbers != "":
		return phrase.Convention{Style: t.Numbers, Currency: firstOf(t.Currency, d.Currency)}
	case t.Currency != "":
		return phrase.Convention{Style: phrase.StyleOf(t.Currency), Currency: t.Currency}
	}
	return d.Convention()
}

// Convention is the workspace's: its number style, else its currency's.
func (d TeamDefaults) Convention() phrase.Convention {
	style := d.Numbers
	if style == "" {
		style = phrase.StyleOf(d.Currency)
	}
	return phrase.Convention{Style: style, Currency: d.Currency}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ConventionFor is how user's team writes amounts, from the cached team
// lookup: cheap enough to ask for every amount a rep types.
func (s *Service) ConventionFor(ctx context.Context, workspace, user string) phrase.Convention {
	t, _ := s.teamOf(ctx, workspace, user)
	return t.Convention(s.TeamDefaults)
}

// ParseCurrency reads a currency as a person names it: an ISO code in any
// case ("eur"), or €, $ or £.
func ParseCurrency(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "€":
		return "EUR", nil
	case "$":
		return "USD", nil
	case "£":
		return "GBP", nil
	}
	code := strings.ToUpper(s)
	if !phrase.KnownCurrency(code) {
		return "", fmt.Errorf("currency %q: use one of %s: %w", s, phrase.CurrencyCodes, ErrInvalid)
	}
	return code, nil
}

// SetCurrency sets the default currency of the actor's team. A style the
// team set stays; otherwise the style follows the new currency.
func (s *Service) SetCurrency(ctx context.Context, actor Actor, currency string) (Team, error) {
	code, err := ParseCurrency(currency)
	if err != nil {
		return Team{}, err
	}
	return s.EditTeam(ctx, actor, func(t Team) (Team, error) {
		t.Currency = code
		return t, nil
	})
}

// SetNumbers sets how the actor's team writes numbers: a style as
// phrase.ParseStyle reads it, or "auto" to follow the currency again.
func (s *Service) SetNumbers(ctx context.Context, actor Actor, style string) (Team, error) {
	var st phrase.Style
	if w := strings.ToLower(strings.TrimSpace(style)); w != "auto" && w != "currency" {
		var ok bool
		if st, ok = phrase.ParseStyle(style); !ok {
			return Team{}, fmt.Errorf("number style %q: write it as %s or %s (or auto, to follow the currency): %w",
				style, phrase.DecimalPoint.Example(), phrase.DecimalComma.Example(), ErrInvalid)
		}
	}
	return s.EditTeam(ctx, actor, func(t Team) (Team, error) {
		t.Numbers = st
		return t, nil
	})
}

// numbered is the Notifier with each digest and brief told how its team
// writes amounts, whichever job or command sent it: the team's convention
// with the workspace's defaults as they are when it is sent.
type numbered struct {
	Notifier
	s *Service
}

func (n numbered) Digest(ctx context.Context, t Team, d Digest) (MessageRef, error) {
	d.Numbers = t.Convention(n.s.TeamDefaults)
	return n.Notifier.Digest(ctx, t, d)
}

func (n numbered) Brief(ctx context.Context, b Brief) (MessageRef, error) {
	// The rep the brief is about is on the manager's team; the manager
	// need not be on any team.
	b.Numbers = n.s.ConventionFor(ctx, b.Workspace, b.Rep)
	return n.Notifier.Brief(ctx, b)
}
