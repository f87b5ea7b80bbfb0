package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// How many entries each App Home section lists before "see all".
const (
	homeOpportunities = 10
	homeNotYet        = 8
	homeQuiet         = 8
	homeScheduled     = 10
	homeLosses        = 8
)

// ActionSeeAll opens a modal with every entry of one App Home section; its
// value names the section.
const ActionSeeAll = "home_see_all"

// Home sections, as values of ActionSeeAll.
const (
	SectionOpportunities = "opportunities"
	SectionNotYet        = "not_yet"
	SectionQuiet         = "quiet"
	SectionScheduled     = "scheduled"
	SectionLosses        = "losses"
)

// Home is the rep's App Home tab: opportunities with what they need, what is
// not pipeline yet, what went quiet, recent losses and the rep's numbers; a
// manager also sees their team (team is nil for everyone else). It stays
// under Block Kit's 100 blocks for any number of deals and reps.
func Home(v coach.RepView, team *coach.Digest, now time.Time, loc *time.Location) slack.HomeTabViewRequest {
	blocks := []slack.Block{
		header("Your pipeline"),
		contextText("home_summary", summary(v.Pipeline)+fmt.Sprintf(" · updated %s", When(now, loc))),
		section("home_numbers", numbers(v)),
	}
	blocks = append(blocks, homeList("home_opps", SectionOpportunities, "*Opportunities* — second meeting booked", v.Opportunities, homeOpportunities,
		func(p coach.Prospect) (string, []slack.BlockElement) {
			return opportunityLine(p, v.Flags[p.ID], v.Numbers, loc) + qualified(v.Framework, p),
				[]slack.BlockElement{button(ActionUpdate, p.ID, "Update", ""), button(ActionWon, p.ID, "Won", "primary"), button(ActionLose, p.ID, "Lost", "danger")}
		})...)
	blocks = append(blocks, homeList("home_notyet", SectionNotYet, "*Not yet pipeline* — first meeting held, no second meeting", v.NotYet, homeNotYet,
		func(p coach.Prospect) (string, []slack.BlockElement) {
			return fmt.Sprintf("*%s* · met %s", safe(p.Account, 80), When(p.FirstMeeting, loc)),
				[]slack.BlockElement{button(ActionYes, p.ID, "Yes, booked", "primary"), button(ActionNotYet, p.ID, "Not yet", ""), button(ActionLose, p.ID, "Lose it fast", "danger")}
		})...)
	blocks = append(blocks, homeCompact("home_quiet", SectionQuiet, "*Gone quiet* — never answered; `/pipeline cleanup` closes them out", v.GoneQuiet, homeQuiet,
		func(p coach.Prospect) string {
			return fmt.Sprintf("• *%s* · met %s", safe(p.Account, 80), Day(p.FirstMeeting, loc))
		})...)
	blocks = append(blocks, homeCompact("home_scheduled", SectionScheduled, "*Scheduled first meetings*", v.Scheduled, homeScheduled,
		func(p coach.Prospect) string {
			return fmt.Sprintf("• *%s* · %s", safe(p.Account, 80), When(p.FirstMeeting, loc))
		})...)
	blocks = append(blocks, crmHome(v)...)
	blocks = append(blocks, homeCompact("home_losses", SectionLosses, "*Recent losses* — the faster, the better", v.RecentLosses, homeLosses, lossLine)...)
	if team != nil {
		blocks = append(blocks, teamSection(*team)...)
	}
	if len(v.Opportunities)+len(v.NotYet)+len(v.GoneQuiet)+len(v.Scheduled)+len(v.RecentLosses) == 0 && team == nil {
		blocks = append(blocks, section("home_empty", "Nothing here yet. Log a first meeting with `/pipeline log Acme tomorrow 10am`: I'll ask you after it whether a second meeting was booked."))
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func summary(pl coach.Pipeline) string {
	return fmt.Sprintf("%s · %s not yet pipeline · %s gone quiet",
		plural(len(pl.Opportunities), "opportunity", "opportunities"),
		plural(len(pl.NotYet), "prospect", "prospects"), plural(len(pl.GoneQuiet), "prospect", "prospects"))
}

func numbers(v coach.RepView) string {
	median := "— (no losses yet)"
	if v.HasMedian {
		median = days(v.MedianDaysToLose)
	}
	text := fmt.Sprintf("*Your numbers, last 90 days*\nFirst → second meeting: %s\nMedian time to lose: %s\nWin rate: %s",
		v.Conversion, median, v.WinRate)
	if v.HasCoverage {
		text += fmt.Sprintf("\nCoverage: %.1f× what is left of your %s quota (%s) — about 2× is healthy", v.Coverage, Escape(v.Quota.Period), Money(v.Quota.Amount, v.Quota.Currency, v.Numbers))
	}
	return text
}

func opportunityLine(p coach.Prospect, f coach.Flags, numbers phrase.Convention, loc *time.Location) string {
	var parts []string
	parts = append(parts, "*"+safe(p.Account, 80)+"*")
	if p.Amount > 0 {
		parts = append(parts, Money(p.Amount, p.Currency, numbers))
	}
	activity := fmt.Sprintf("%s since activity", plural(f.DaysSinceActivity, "day", "days"))
	if f.DaysSinceActivity == 0 {
		activity = "active today"
	}
	if f.Stalled {
		activity = ":warning: stalled, " + activity
	}
	if f.Aged {
		activity = ":hourglass: aged · " + activity
	}
	parts = append(parts, activity)
	line := strings.Join(parts, " · ")
	if p.NextStep != "" {
		line += "\nNext: " + safe(p.NextStep, 200)
	} else {
		line += "\nNo next step recorded."
	}
	if p.WaitingOn != "" {
		line += fmt.Sprintf("\nWaiting on %s until %s", safe(p.WaitingOn, coach.MaxWaitingOn), Day(p.WaitingUntil, loc))
	}
	return line
}

// qualified is how complete a deal's qualification is: "BANT 2/4".
func qualified(fw coach.Framework, p coach.Prospect) string {
	if len(fw.Items) == 0 {
		return ""
	}
	answered, total := fw.Completeness(p.Qualification)
	return fmt.Sprintf(" · %s %d/%d", fw.Title, answered, total)
}

func lossLine(p coach.Prospect) string {
	if p.Loss == nil {
		return "• *" + safe(p.Account, 80) + "*"
	}
	return fmt.Sprintf("• *%s* · lost %s · %s", safe(p.Account, 80), lostIn(p.Loss.DaysToLose), p.Loss.Reason.Label())
}

// homeList renders up to max entries, each a section and its buttons, then a
// "see all" button for the rest.
func homeList(id, name, title string, ps []coach.Prospect, max int, line func(coach.Prospect) (string, []slack.BlockElement)) []slack.Block {
	if len(ps) == 0 {
		return nil
	}
	blocks := []slack.Block{slack.NewDividerBlock(), section(id, fmt.Sprintf("%s: %d", title, len(ps)))}
	for i, p := range ps {
		if i == max {
			break
		}
		text, buttons := line(p)
		blocks = append(blocks, section(id+"_"+p.ID, text))
		if len(buttons) > 0 {
			blocks = append(blocks, slack.NewActionBlock(id+"_actions_"+p.ID, buttons...))
		}
	}
	return append(blocks, seeAll(id, name, len(ps), max)...)
}

// homeCompact renders up to max entries as lines of one section.
func homeCompact(id, name, title string, ps []coach.Prospect, max int, line func(coach.Prospect) string) []slack.Block {
	if len(ps) == 0 {
		return nil
	}
	var lines []string
	for i, p := range ps {
		if i == max {
			break
		}
		lines = append(lines, line(p))
	}
	blocks := []slack.Block{slack.NewDividerBlock(), section(id, fmt.Sprintf("%s: %d\n%s", title, len(ps), strings.Join(lines, "\n")))}
	return append(blocks, seeAll(id, name, len(ps), max)...)
}

func seeAll(id, name string, total, shown int) []slack.Block {
	if total <= shown {
		return nil
	}
	return []slack.Block{slack.NewActionBlock(id+"_more",
		button(ActionSeeAll, name, fmt.Sprintf("See all %d (%d more)", total, total-shown), ""))}
}

// AllModal lists every entry of one App Home section, as lines packed into
// sections of up to 3,000 characters, so even hundreds fit one modal.
func AllModal(v coach.RepView, name string, loc *time.Location) slack.ModalViewRequest {
	var ps []coach.Prospect
	var line func(coach.Prospect) string
	title := "All"
	switch name {
	case SectionOpportunities:
		title, ps = "Opportunities", v.Opportunities
		line = func(p coach.Prospect) string {
			return "• " + strings.ReplaceAll(opportunityLine(p, v.Flags[p.ID], v.Numbers, loc), "\n", " · ")
		}
	case SectionNotYet:
		title, ps = "Not yet pipeline", v.NotYet
		line = func(p coach.Prospect) string {
			return fmt.Sprintf("• *%s* · met %s", safe(p.Account, 80), When(p.FirstMeeting, loc))
		}
	case SectionQuiet:
		title, ps = "Gone quiet", v.GoneQuiet
		line = func(p coach.Prospect) string {
			return fmt.Sprintf("• *%s* · met %s", safe(p.Account, 80), Day(p.FirstMeeting, loc))
		}
	case SectionScheduled:
		title, ps = "Scheduled", v.Scheduled
		line = func(p coach.Prospect) string {
			return fmt.Sprintf("• *%s* · %s", safe(p.Account, 80), When(p.FirstMeeting, loc))
		}
	default:
		title, ps, line = "Recent losses", v.RecentLosses, lossLine
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, line(p))
	}
	blocks := packLines("all", lines, maxViewBlocks)
	if len(blocks) == 0 {
		blocks = []slack.Block{section("all_empty", "Nothing here.")}
	}
	m := modal("see_all", title, "Done", name, blocks...)
	m.Submit = nil
	m.Close = plain("Close", maxModalTitle)
	return m
}

// packLines puts lines into as few sections as fit 3,000 characters each,
// at most maxBlocks of them; what does not fit is counted in the last one.
func packLines(id string, lines []string, maxBlocks int) []slack.Block {
	var blocks []slack.Block
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			blocks = append(blocks, section(fmt.Sprintf("%s_%d", id, len(blocks)), cur.String()))
			cur.Reset()
		}
	}
	for i, l := range lines {
		l = Truncate(l, maxSectionText-100)
		if cur.Len()+len(l)+1 > maxSectionText-100 {
			flush()
			if len(blocks) == maxBlocks-1 {
				blocks = append(blocks, contextText(id+"_rest", fmt.Sprintf("…and %d more.", len(lines)-i)))
				return blocks
			}
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	flush()
	return blocks
}

// teamSection is a manager's team in App Home: the honest pipeline, the
// trend as two charts and the reps as a table; the full digest is one
// command away.
func teamSection(d coach.Digest) []slack.Block {
	in := d.Integrity
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		header("Your team"),
		section("home_team", fmt.Sprintf("%s · %s not yet pipeline · %s gone quiet · %s stalled",
			plural(in.Opportunities, "opportunity", "opportunities"), plural(in.NotYet, "prospect", "prospects"),
			plural(in.GoneQuiet, "prospect", "prospects"), plural(len(d.Stalled), "deal", "deals"))),
	}
	blocks = append(blocks, trendCharts("home_trend", d.Trend, d.Team.Location()).rich...)
	if len(d.Rows) == 0 {
		blocks = append(blocks, section("home_team_reps", "No reps yet: `/pipeline team add @rep`."))
	} else {
		blocks = append(blocks, repTable("home_team_reps", d.Rows, d.Numbers).rich...)
	}
	return append(blocks, contextText("home_team_more", "The full digest, with the deals that need a look: `/pipeline team`."))
}
