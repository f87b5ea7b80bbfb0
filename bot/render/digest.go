package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// digestList caps the deals and losses a digest lists by name.
const digestList = 10

// Digest renders a team's weekly digest as one or more messages, each within
// Block Kit's 50 blocks: for any team size, top entries and "and N more",
// never a rejected post.
func Digest(d coach.Digest, now time.Time) []Message {
	loc := d.Team.Location()
	in := d.Integrity
	blocks := []slack.Block{
		header("Weekly pipeline digest"),
		contextText("digest_team", fmt.Sprintf("<@%s>'s team · %s · week to %s", Escape(d.Team.Manager),
			plural(len(d.Team.Reps), "rep", "reps"), Day(now, loc))),
		section("digest_integrity", fmt.Sprintf("*Pipeline integrity*\n%s — the only pipeline\n%s not yet pipeline (no second meeting) · %s gone quiet\n%s this week",
			plural(in.Opportunities, "opportunity", "opportunities"), plural(in.NotYet, "prospect", "prospects"),
			plural(in.GoneQuiet, "prospect", "prospects"), plural(in.Removed, "placeholder removed", "placeholders removed"))+crmBacklog(d.InCRM)),
	}
	var rows []string
	for _, r := range d.Rows {
		rows = append(rows, digestRow(r))
	}
	if len(rows) == 0 {
		rows = []string{"No reps on the team yet: add them with `/pipeline team add @rep`."}
	}
	blocks = append(blocks, slack.NewDividerBlock(), section("digest_reps_title", "*Reps* — this week's first meetings → new opportunities, won, lost · first→second conversion (90 days) · median days to lose · open amount · coverage"))
	blocks = append(blocks, packLines("digest_reps", rows, 30)...)

	deals := func(id, title string, ps []coach.Prospect, line func(coach.Prospect) string) {
		if len(ps) == 0 {
			return
		}
		var lines []string
		for i, p := range ps {
			if i == digestList {
				lines = append(lines, fmt.Sprintf("…and %d more", len(ps)-i))
				break
			}
			lines = append(lines, line(p))
		}
		blocks = append(blocks, slack.NewDividerBlock(), section(id, fmt.Sprintf("%s: %d\n%s", title, len(ps), strings.Join(lines, "\n"))))
	}
	deals("digest_stalled", "*Stalled* — no activity for two weeks", d.Stalled, func(p coach.Prospect) string {
		return fmt.Sprintf("• *%s* (<@%s>) · last activity %s", safe(p.Account, 80), p.Owner, Day(p.LastActivity, loc))
	})
	deals("digest_aged", "*Aged* — open longer than the team's average won cycle", d.Aged, func(p coach.Prospect) string {
		return fmt.Sprintf("• *%s* (<@%s>) · first met %s", safe(p.Account, 80), p.Owner, Day(p.FirstMeeting, loc))
	})
	var losses []string
	for i, p := range d.SharedLosses {
		if i == digestList {
			losses = append(losses, fmt.Sprintf("…and %d more: `/pipeline lessons`", len(d.SharedLosses)-i))
			break
		}
		line := fmt.Sprintf("• *%s* (<@%s>) · lost in %s · %s", safe(p.Account, 80), p.Owner, plural(p.Loss.DaysToLose, "day", "days"), p.Loss.Reason.Label())
		if p.Loss.Lesson != "" {
			line += "\n   _" + safe(strings.ReplaceAll(p.Loss.Lesson, "\n", " "), 280) + "_"
		}
		losses = append(losses, line)
	}
	if len(losses) > 0 {
		blocks = append(blocks, slack.NewDividerBlock(), section("digest_losses_title", "*Losses we celebrate this week* — fast and honest"))
		blocks = append(blocks, packLines("digest_losses", losses, 5)...)
	}
	return splitMessages("Weekly pipeline digest", blocks)
}

func digestRow(r coach.DigestRow) string {
	median := "—"
	if r.HasMedian {
		median = fmt.Sprintf("%.0f d", r.MedianDaysToLose)
	}
	open := "—"
	if r.OpenAmount > 0 {
		open = Amount(r.OpenAmount, r.Currency)
	}
	coverage := "no quota"
	if r.HasCoverage {
		coverage = fmt.Sprintf("%.1f×", r.Coverage)
	}
	return fmt.Sprintf("<@%s> · %d → %d new, %d won, %d lost · %s · %s · %s · %s",
		Escape(r.Rep), r.FirstMeetings, r.NewOpportunities, r.Won, r.Lost, r.Conversion, median, open, coverage)
}

// splitMessages cuts blocks into messages of at most 50 blocks each.
func splitMessages(text string, blocks []slack.Block) []Message {
	var out []Message
	for len(blocks) > 0 {
		n := min(len(blocks), maxMessageBlks)
		part := text
		if len(out) > 0 {
			part = fmt.Sprintf("%s (continued)", text)
		}
		out = append(out, Message{Text: part, Blocks: blocks[:n]})
		blocks = blocks[n:]
	}
	return out
}

// TeamAdmin confirms a change to a team and shows who is on it.
func TeamAdmin(note string, t coach.Team) Message {
	var reps []string
	for _, r := range t.Reps {
		reps = append(reps, "<@"+Escape(r)+">")
	}
	who := "nobody yet — add reps with `/pipeline team add @rep`"
	if len(reps) > 0 {
		who = strings.Join(reps, ", ")
	}
	channel := "not set — `/pipeline team channel #channel`"
	if t.Channel != "" {
		channel = "<#" + Escape(t.Channel) + ">"
	}
	fw := coach.ChooseFramework(t.Framework, "")
	text := fmt.Sprintf("%s\n*Team of <@%s>:* %s\n*Digest channel:* %s · *Time zone:* %s · *Framework:* %s · *Amounts:* %s",
		note, Escape(t.Manager), who, channel, Escape(t.Location().String()), fw.Title, teamAmounts(t))
	return Message{Text: note, Blocks: []slack.Block{section("team", Truncate(text, maxSectionText))}}
}

// teamAmounts is how the team's amounts are read: its currency and number
// style, or the workspace's where it set none.
func teamAmounts(t coach.Team) string {
	cur := "the workspace's currency"
	if t.Currency != "" {
		cur = Escape(t.Currency)
	}
	style := "written as the currency usually is"
	if t.Numbers != "" {
		style = "written " + t.Numbers.Example()
	}
	return cur + ", " + style
}
