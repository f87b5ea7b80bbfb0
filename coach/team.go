package coach

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"pipelinecoach/coach/phrase"
)

// Team is a manager's team of reps: who is on it, where its digest goes, its
// zone, its qualification framework, its holidays and its reps' quotas. A
// rep is on at most one team.
type Team struct {
	Workspace string           `json:"workspace"` // Slack team id
	Manager   string           `json:"manager"`
	Reps      []string         `json:"reps"`
	Channel   string           `json:"channel,omitempty"` // digest channel id
	TZ        string           `json:"tz,omitempty"`
	Framework string           `json:"framework,omitempty"` // a Frameworks name; "" = the default
	Holidays  []string         `json:"holidays,omitempty"`  // "2006-01-02" in the team's zone
	Quotas    map[string]Quota `json:"quotas,omitempty"`    // by rep
	Currency  string           `json:"currency,omitempty"`  // ISO code an amount typed without one is in; "" = the workspace's
	Numbers   phrase.Style     `json:"numbers,omitempty"`   // number style; "" = the currency's (numbers.go)
	// CycleDays is the sales cycle the manager set for the team; 0 means
	// the median of the team's won deals (Thresholds.CycleOf).
	CycleDays int   `json:"cycle_days,omitempty"`
	Version   int64 `json:"version"`
}

// Quota is a rep's target for a period.
type Quota struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency,omitempty"`
	Period   string `json:"period"` // a quarter, "2026-Q4"
}

// Location is the team's zone, UTC when unset.
func (t Team) Location() *time.Location { return ZoneLocation(t.TZ) }

// Validate checks what every stored team must have: the keys it is found
// by. Every store calls it before writing.
func (t Team) Validate() error {
	if t.Workspace == "" || t.Manager == "" {
		return fmt.Errorf("team of %q in workspace %q: workspace and manager are required: %w", t.Manager, t.Workspace, ErrInvalid)
	}
	return nil
}

// SetZone sets the team's zone (ValidZone), where its digest and nudges
// are timed.
func (t Team) SetZone(tz string) (Team, error) {
	tz = strings.TrimSpace(tz)
	if !ValidZone(tz) {
		return t, invalid(FieldTimeZone, "“%s” is not one I know: use a name like Europe/Berlin, America/New_York or Asia/Tokyo", tz)
	}
	t.TZ = tz
	return t, nil
}

// Has reports whether rep is on the team.
func (t Team) Has(rep string) bool { return slices.Contains(t.Reps, rep) }

// RepTakenError: a rep already has another manager. A rep has one manager;
// moving them is an explicit step.
type RepTakenError struct {
	Rep, Manager string
}

func (e *RepTakenError) Error() string {
	return fmt.Sprintf("%s is already on %s's team", e.Rep, e.Manager)
}

// Unwrap makes every RepTakenError an ErrRepTaken (a refusal).
func (e *RepTakenError) Unwrap() error { return ErrRepTaken }

// ErrRepTaken: a rep added to a team is on another team.
var ErrRepTaken error = &refusal{"rep already has a manager"}

// Teams keeps teams and the index of which manager each rep has.
type Teams interface {
	// Team returns a manager's team, or ErrNotFound.
	Team(ctx context.Context, workspace, manager string) (Team, error)
	// Teams returns every team of a workspace.
	Teams(ctx context.Context, workspace string) ([]Team, error)
	// ManagerOf returns the manager of a rep, or ErrNotFound.
	ManagerOf(ctx context.Context, workspace, rep string) (string, error)
	// TeamOf returns the team a person belongs to — the one they manage,
	// else their manager's — in one round trip, or ErrNotFound.
	TeamOf(ctx context.Context, workspace, user string) (Team, error)
	// SaveTeam writes t atomically if the stored version is t.Version-1 (no
	// team when t.Version is 1), and keeps the rep → manager index in step:
	// a rep on another team fails the whole save with a *RepTakenError,
	// a stale version with ErrConflict; nothing is written then.
	SaveTeam(ctx context.Context, t Team) error
}

// Period is a half-open span of time a quota covers.
type Period struct {
	Name       string // "2026-Q4"
	Start, End time.Time
}

// QuarterOf returns the calendar quarter that t falls in, in t's zone.
func QuarterOf(t time.Time) Period {
	q := (int(t.Month()) - 1) / 3
	start := time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, t.Location())
	return Period{Name: fmt.Sprintf("%d-Q%d", t.Year(), q+1), Start: start, End: start.AddDate(0, 3, 0)}
}

// ParseQuarter reads "2026-Q4", "Q4 2026", "q4" (this year, in now's zone)
// or "" (the current quarter).
func ParseQuarter(s string, now time.Time) (Period, error) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	if s == "" {
		return QuarterOf(now), nil
	}
	year, q := now.Year(), 0
	var err error
	switch {
	case len(s) == 2 && s[0] == 'Q':
		_, err = fmt.Sscanf(s, "Q%d", &q)
	case strings.Contains(s, "-Q"):
		_, err = fmt.Sscanf(s, "%d-Q%d", &year, &q)
	default:
		_, err = fmt.Sscanf(s, "Q%d %d", &q, &year)
	}
	if err != nil || q < 1 || q > 4 || year < 2000 || year > 2200 {
		return Period{}, fmt.Errorf("quarter %q: write it like 2026-Q4 or Q4: %w", s, ErrInvalid)
	}
	return QuarterOf(time.Date(year, time.Month((q-1)*3+1), 1, 12, 0, 0, 0, now.Location())), nil
}

// RemainingQuota is a rep's quota for the period less what they won in it.
func RemainingQuota(q Quota, ps []Prospect, p Period) int64 {
	won := int64(0)
	for _, x := range ps {
		if at := MilestonesOf(x).Won; !at.IsZero() && !at.Before(p.Start) && at.Before(p.End) && x.Currency == q.Currency {
			won += x.Amount
		}
	}
	return q.Amount - won
}

// IsHoliday reports whether t falls on one of the dates, in loc.
func IsHoliday(dates []string, t time.Time, loc *time.Location) bool {
	return slices.Contains(dates, t.In(loc).Format("2006-01-02"))
}

// ParseHolidays reads comma-separated dates like "2026-12-24,2026-12-25".
func ParseHolidays(s string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", part); err != nil {
			return nil, fmt.Errorf("holiday %q: want a date like 2026-12-24: %w", part, ErrInvalid)
		}
		out = append(out, part)
	}
	return out, nil
}
