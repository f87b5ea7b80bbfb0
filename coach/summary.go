package coach

import (
	"context"
	"fmt"
	"slices"
	"time"

	"pipelinecoach/coach/phrase"
)

// Flags mark an open opportunity that needs attention.
type Flags struct {
	Stalled           bool
	Aged              bool
	DaysSinceActivity int
}

// RepView is everything a rep sees of their own pipeline: the groups, the
// opportunities that need attention, and their own numbers. Of the deals
// won and lost, a rep on a team is shown those within the view's horizon
// (viewHorizon), which every number it shows counts.
type RepView struct {
	Pipeline
	Flags            map[string]Flags // by prospect id, open opportunities only
	Conversion       Rate             // first→second, over the conversion window
	MedianDaysToLose float64
	HasMedian        bool
	WinRate          Rate
	RecentLosses     []Prospect // lost in the last 30 days, newest first
	// Framework is the rep's team's qualification framework.
	Framework Framework
	// Coverage is open opportunity amount over what is left of the rep's
	// quota this quarter (HasCoverage false without a quota).
	Coverage    float64
	HasCoverage bool
	Quota       Quota
	// InCRM are the rep's open deals in the CRM (named CRMName) that never
	// had a confirmed second meeting: the clean-up asks about each.
	InCRM   []PulledDeal
	CRMName string
	// Numbers is how the rep's team writes amounts: every amount the view
	// shows is written so.
	Numbers phrase.Convention
}

// recentLossDays is how far back App Home lists losses.
const recentLossDays = 30

// RepView computes a rep's view from their prospects. Aged compares with
// the won cycle of the prospects given.
func (t Thresholds) RepView(ps []Prospect, now time.Time) RepView {
	return t.repView(ps, now, t.WonCycle(ps, now))
}

// repView is RepView with the won cycle given: the team's, when the
// rep is on one.
func (t Thresholds) repView(ps []Prospect, now time.Time, cycle time.Duration) RepView {
	v := RepView{Pipeline: GroupPipeline(ps, now), Flags: map[string]Flags{}}
	for _, p := range v.Opportunities {
		v.Flags[p.ID] = Flags{Stalled: t.Stalled(p, now), Aged: Aged(p, now, cycle), DaysSinceActivity: t.DaysSinceActivity(p, now)}
	}
	period := t.ConversionPeriod(now)
	v.Conversion = Conversion(ps, period)
	v.MedianDaysToLose, v.HasMedian = Median(DaysToLose(ps, period))
	v.WinRate = WinRate(ps, period)
	recent := LastDays(now, recentLossDays)
	for _, p := range v.Lost {
		if recent.Contains(MilestonesOf(p).Lost) {
			v.RecentLosses = append(v.RecentLosses, p)
		}
	}
	return v
}

// CleanupItems lists what breaks the two-meeting rule or is past the cycle:
// prospects asked and not answered, gone quiet, stalled and aged
// opportunities. Nothing is removed without the rep's click.
func (v RepView) CleanupItems() (unanswered, quiet, stale []Prospect) {
	for _, p := range v.NotYet {
		if p.Asks > 0 {
			unanswered = append(unanswered, p)
		}
	}
	quiet = slices.Clone(v.GoneQuiet)
	for _, p := range v.Opportunities {
		if f := v.Flags[p.ID]; f.Stalled || f.Aged {
			stale = append(stale, p)
		}
	}
	return unanswered, quiet, stale
}

// RepView returns the rep's own view of their pipeline.
func (s *Service) RepView(ctx context.Context, team, owner string) (RepView, error) {
	t, onTeam := s.teamOf(ctx, team, owner)
	now := s.clock.Now()
	// The deals found in the CRM are read beside the pipeline, not after
	// it: an answer waits for one round trip, not two.
	found := s.foundInCRMAside(ctx, team, owner)
	ps, err := s.viewProspects(ctx, team, owner, t, onTeam, now)
	inCRM, crmErr := found()
	if err != nil {
		return RepView{}, fmt.Errorf("read pipeline of %s: %w", owner, err)
	}
	if crmErr != nil {
		return RepView{}, crmErr
	}
	var cycle time.Duration
	if onTeam {
		cycle = s.teamCycle(ctx, t)
	} else {
		cycle = s.Thresholds.WonCycle(ps, now)
	}
	v := s.Thresholds.repView(ps, now, cycle)
	if v.InCRM, err = s.notTakenByRep(ctx, team, owner, inCRM, ps, onTeam); err != nil {
		return RepView{}, err
	}
	v.CRMName = s.CRMName()
	v.Framework = ChooseFramework(t.Framework, s.TeamDefaults.Framework)
	v.Numbers = t.Convention(s.TeamDefaults)
	if q, ok := t.Quotas[owner]; ok && onTeam {
		quarter := QuarterOf(now.In(t.Location()))
		if p, err := ParseQuarter(q.Period, now.In(t.Location())); err == nil && p.Name == quarter.Name {
			v.Quota = q
			v.Coverage, v.HasCoverage = Coverage(v.OpenAmount()[q.Currency], RemainingQuota(q, ps, quarter))
		}
	}
	return v, nil
}

// viewProspects reads what a rep's view counts: for a rep on a team, the
// open prospects and those retired within the view's horizon, so the view
// costs as much in a rep's fifth year as in their first. A rep on no team
// has their won cycle measured on all their wins, so all are read.
func (s *Service) viewProspects(ctx context.Context, team, owner string, t Team, onTeam bool, now time.Time) ([]Prospect, error) {
	if !onTeam {
		return s.store.ProspectsOf(ctx, team, owner)
	}
	return s.store.ProspectsOfSince(ctx, team, owner, s.Thresholds.viewHorizon(now, t.Location()))
}

// viewHorizon is how far back a rep's view counts retired deals: its
// conversion window (which holds its losses and wins too), its recent
// losses, and the quarter its quota is for.
func (t Thresholds) viewHorizon(now time.Time, loc *time.Location) time.Time {
	return earliestOf(t.ConversionPeriod(now).From, LastDays(now, recentLossDays).From, QuarterOf(now.In(loc)).Start)
}

// earliestOf is the earliest of times: where a horizon begins.
func earliestOf(times ...time.Time) time.Time {
	first := times[0]
	for _, at := range times[1:] {
		if at.Before(first) {
			first = at
		}
	}
	return first
}

// notTakenByRep is the CRM's deals no prospect of the rep is linked to.
// The view read only the rep's recent prospects: a deal one of those does
// not take may be linked to one retired long ago, so then, and only then,
// all are read.
func (s *Service) notTakenByRep(ctx context.Context, team, owner string, deals []PulledDeal, read []Prospect, recentOnly bool) ([]PulledDeal, error) {
	deals = notTakenIn(deals, read)
	if len(deals) == 0 || !recentOnly {
		return deals, nil
	}
	all, err := s.store.ProspectsOf(ctx, team, owner)
	if err != nil {
		return nil, fmt.Errorf("read deals of %s taken from the CRM: %w", owner, err)
	}
	return notTakenIn(deals, all), nil
}

// FrameworkFor is the qualification framework of a rep's team (or the
// deployment's default).
func (s *Service) FrameworkFor(ctx context.Context, workspace, user string) Framework {
	t, _ := s.teamOf(ctx, workspace, user)
	return ChooseFramework(t.Framework, s.TeamDefaults.Framework)
}
