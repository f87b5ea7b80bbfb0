package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// perSection caps how many prospects one section lists, so any pipeline
// fits a message's 50 blocks.
const perSection = 4

// Pipeline is a rep's own view: opportunities first, then what is not
// pipeline yet, kept visibly apart.
func Pipeline(v coach.RepView, now time.Time, loc *time.Location) Message {
	pl := v.Pipeline
	blocks := []slack.Block{header("Your pipeline")}
	sum := pl.OpenAmount()
	total := ""
	if len(sum) > 0 {
		var parts []string
		for _, cur := range slices.Sorted(maps.Keys(sum)) {
			parts = append(parts, Money(sum[cur], cur, v.Numbers))
		}
		total = " · " + strings.Join(parts, " + ")
	}
	coverage := ""
	if v.HasCoverage {
		coverage = fmt.Sprintf(" · coverage %.1f× your %s quota", v.Coverage, Escape(v.Quota.Period))
	}
	blocks = append(blocks, contextText("summary", fmt.Sprintf("%s%s · %s not yet pipeline · %s gone quiet%s",
		plural(len(pl.Opportunities), "opportunity", "opportunities"), total, plural(len(pl.NotYet), "prospect", "prospects"),
		plural(len(pl.GoneQuiet), "prospect", "prospects"), coverage)))

	blocks = append(blocks, listSection("opps", "*Opportunities* (second meeting booked)", pl.Opportunities, func(p coach.Prospect) (string, []slack.BlockElement) {
		line := fmt.Sprintf("*%s* · second meeting %s%s", safe(p.Account, 80), When(p.SecondMeeting, loc), qualified(v.Framework, p))
		if p.Amount > 0 {
			line += " · " + Money(p.Amount, p.Currency, v.Numbers)
		}
		if p.NextStep != "" {
			line += "\nNext: " + safe(p.NextStep, 200)
		}
		return line, []slack.BlockElement{button(ActionUpdate, p.ID, "Update", ""), button(ActionWon, p.ID, "Won", "primary"), button(ActionLose, p.ID, "Lost", "danger")}
	})...)
	blocks = append(blocks, listSection("notyet", "*Not yet pipeline* (first meeting held, no second meeting)", pl.NotYet, func(p coach.Prospect) (string, []slack.BlockElement) {
		return fmt.Sprintf("*%s* · met %s", safe(p.Account, 80), When(p.FirstMeeting, loc)),
			[]slack.BlockElement{button(ActionYes, p.ID, "Yes, booked", "primary"), button(ActionLose, p.ID, "Lose it fast", "danger")}
	})...)
	blocks = append(blocks, listSection("quiet", "*Gone quiet* (never answered: lose them or book the meeting)", pl.GoneQuiet, func(p coach.Prospect) (string, []slack.BlockElement) {
		return fmt.Sprintf("*%s* · met %s", safe(p.Account, 80), When(p.FirstMeeting, loc)),
			[]slack.BlockElement{button(ActionLose, p.ID, "Lose it", "danger")}
	})...)
	blocks = append(blocks, listSection("scheduled", "*Scheduled first meetings*", pl.Scheduled, func(p coach.Prospect) (string, []slack.BlockElement) {
		return fmt.Sprintf("*%s* · %s", safe(p.Account, 80), When(p.FirstMeeting, loc)), nil
	})...)
	if len(pl.Opportunities)+len(pl.NotYet)+len(pl.GoneQuiet)+len(pl.Scheduled) == 0 {
		blocks = append(blocks, section("empty", "Nothing here yet. Log a first meeting with `/pipeline log Acme tomorrow 10am`."))
	}
	return Message{Text: fmt.Sprintf("Your pipeline: %s", plural(len(pl.Opportunities), "opportunity", "opportunities")), Blocks: blocks}
}

// listSection renders a titled list, each prospect a section with optional
// buttons, at most perSection of them and a line saying how many more.
func listSection(id, title string, ps []coach.Prospect, line func(coach.Prospect) (string, []slack.BlockElement)) []slack.Block {
	if len(ps) == 0 {
		return nil
	}
	blocks := []slack.Block{slack.NewDividerBlock(), section(id, fmt.Sprintf("%s: %d", title, len(ps)))}
	for i, p := range ps {
		if i == perSection {
			blocks = append(blocks, contextText(id+"_more", fmt.Sprintf("…and %d more.", len(ps)-perSection)))
			break
		}
		text, buttons := line(p)
		blocks = append(blocks, section(id+"_"+p.ID, text))
		if len(buttons) > 0 {
			blocks = append(blocks, slack.NewActionBlock(id+"_actions_"+p.ID, buttons...))
		}
	}
	return blocks
}

// Help lists what /pipeline does.
func Help() Message {
	reps := strings.Join([]string{
		"*Pipeline Coach* keeps your pipeline honest: a prospect becomes an opportunity only when a second meeting is booked.",
		"",
		"`/pipeline` — your pipeline: opportunities, what is not pipeline yet, what went quiet",
		"`/pipeline log <company> [when] [with <contact>]` — log a first meeting, e.g. `/pipeline log Acme tomorrow 10am with Jane`",
		"`/pipeline update <deal>` — a next step, a new date, an amount, qualification, or a wait (\"legal review until the 7th\")",
		"`/pipeline won <deal>` · `/pipeline lost <deal>` — close it; losing fast is the next best thing to winning",
		"`/pipeline cleanup` — lose what is dead, keep what has a next step",
		"`/pipeline lessons [words]` — what the team learned from its losses",
		"`/pipeline calendar [on|off]` — whether I read your calendar for first meetings, and when I last did",
		"",
		"After a first meeting I'll DM you: *was a second meeting booked?* Answer with the buttons or in words: _yes, tue 10am_ · _not yet_ · _no_.",
		"Dates work like: today 2pm, tomorrow 10:00, mon 9am, 2026-12-01 14:30, yesterday 3pm.",
	}, "\n")
	managers := strings.Join([]string{
		"*Managers:* `/pipeline team` (your team's numbers) · `team add @rep` · `team remove @rep` · `team channel #channel` · `team timezone Europe/Berlin` · `team framework bant|meddicc|spiced` · `team holidays 2026-12-24` · `team currency EUR` · `team numbers 1.234,56` · `team cycle 60` (days, or `auto`) · `/pipeline quota @rep 250k [2026-Q1]` · `/pipeline digest`",
		"*Admins:* `/pipeline admin` · `admin manager @user` · `admin digest post [@manager]` · `admin calendar` · `admin crm`",
	}, "\n")
	return Message{Text: "How to use /pipeline", Blocks: []slack.Block{section("help", reps), contextText("help_managers", managers)}}
}
