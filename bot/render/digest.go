package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// digestList caps the deals and losses a digest lists by name.
const digestList = 10

// Digest renders a team's weekly digest as one or more messages, each within
// Block Kit's 50 blocks: for any team size, top entries and "and N more",
// never a rejected post. The first message holds the reps as a table and
// the trend as two charts, with a text Fallback.
func Digest(d coach.Digest, now time.Time) []Message {
	loc := d.Team.Location()
	in := d.Integrity
	top := []slack.Block{
		header("Weekly pipeline digest"),
		contextText("digest_team", fmt.Sprintf("<@%s>'s team · %s · week to %s", Escape(d.Team.Manager),
			plural(len(d.Team.Reps), "rep", "reps"), Day(now, loc))),
		section("digest_integrity", fmt.Sprintf("*Pipeline integrity*\n%s — the only pipeline\n%s met but without a second meeting (not pipeline yet) · %s gone quiet (never answered)\n%s closed out this week before becoming pipeline",
			plural(in.Opportunities, "opportunity", "opportunities"), plural(in.NotYet, "prospect", "prospects"),
			plural(in.GoneQuiet, "prospect", "prospects"), plural(in.Removed, "prospect", "prospects"))+crmBacklog(d.InCRM, d.Numbers)),
	}
	reps := repTable("digest_reps", d.Rows, d.Numbers)
	if len(d.Rows) == 0 {
		reps.plain = []slack.Block{section("digest_reps", "No reps on the team yet: add them with `/pipeline team add @rep`.")}
		reps.rich = reps.plain
	}
	richHead, plainHead := withFallback(top, trendCharts("digest_trend", d.Trend, loc), slack.NewDividerBlock(), reps)

	var rest []slack.Block
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
		rest = append(rest, slack.NewDividerBlock(), section(id, fmt.Sprintf("%s: %d\n%s", title, len(ps), strings.Join(lines, "\n"))))
	}
	deals("digest_stalled", "*Stalled* — nothing recorded for two weeks", d.Stalled, func(p coach.Prospect) string {
		return fmt.Sprintf("• *%s* (<@%s>) · last activity %s", safe(p.Account, 80), p.Owner, Day(p.LastActivity, loc))
	})
	agedTitle := "*Aged* — open half as long again as the team's won deals take"
	if d.Team.CycleDays > 0 {
		agedTitle = fmt.Sprintf("*Aged* — open longer than %s, the team's cycle of %s and half again", plural(d.Team.CycleDays*3/2, "day", "days"), plural(d.Team.CycleDays, "day", "days"))
	}
	deals("digest_aged", agedTitle, d.Aged, func(p coach.Prospect) string {
		return fmt.Sprintf("• *%s* (<@%s>) · first met %s", safe(p.Account, 80), p.Owner, Day(p.FirstMeeting, loc))
	})
	var losses []string
	for i, p := range d.SharedLosses {
		if i == digestList {
			losses = append(losses, fmt.Sprintf("…and %d more: `/pipeline lessons`", len(d.SharedLosses)-i))
			break
		}
		line := fmt.Sprintf("• *%s* (<@%s>) · lost %s · %s", safe(p.Account, 80), p.Owner, lostIn(p.Loss.DaysToLose), p.Loss.Reason.Label())
		if p.Loss.Lesson != "" {
			line += "\n   _" + safe(strings.ReplaceAll(p.Loss.Lesson, "\n", " "), 280) + "_"
		}
		losses = append(losses, line)
	}
	if len(losses) > 0 {
		rest = append(rest, slack.NewDividerBlock(), section("digest_losses_title", "*Losses we celebrate this week* — fast and honest"))
		rest = append(rest, packLines("digest_losses", losses, 5)...)
	}

	// The first message: the head and as much of the rest as fits beside
	// the longer of its two forms.
	n := min(len(rest), maxMessageBlks-max(len(richHead), len(plainHead)))
	first := Message{Text: "Weekly pipeline digest", Blocks: append(richHead, rest[:n]...)}
	if plainHead != nil {
		first.Fallback = append(plainHead, rest[:n]...)
	}
	return append([]Message{first}, splitMessages("Weekly pipeline digest (continued)", rest[n:])...)
}

func digestRow(r coach.DigestRow, numbers phrase.Convention) string {
	median := "—"
	if r.HasMedian {
		median = fmt.Sprintf("%.0f d", r.MedianDaysToLose)
	}
	open := "—"
	if r.OpenAmount > 0 {
		open = Money(r.OpenAmount, r.Currency, numbers)
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
		out = append(out, Message{Text: text, Blocks: blocks[:n]})
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
	cycle := "the median of won deals"
	if t.CycleDays > 0 {
		cycle = plural(t.CycleDays, "day", "days")
	}
	text := fmt.Sprintf("%s\n*Team of <@%s>:* %s\n*Digest channel:* %s · *Time zone:* %s · *Framework:* %s · *Amounts:* %s · *Sales cycle:* %s",
		note, Escape(t.Manager), who, channel, Escape(t.Location().String()), fw.Title, teamAmounts(t), cycle)
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
