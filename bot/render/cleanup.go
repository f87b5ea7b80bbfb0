package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// cleanupPerGroup caps each group of the cleanup, so it fits one message.
const cleanupPerGroup = 6

// Cleanup is the exercise of closing out what is not real pipeline: every
// item that breaks the two-meeting rule or is past the cycle, each with a
// way to lose it or keep it. Nothing is removed without a click.
func Cleanup(v coach.RepView, loc *time.Location) Message {
	unanswered, quiet, stale := v.CleanupItems()
	total := len(unanswered) + len(quiet) + len(stale) + len(v.InCRM)
	if total == 0 {
		return Notice(":sparkles: Nothing to clean up: every prospect is answered and every opportunity is moving.")
	}
	blocks := []slack.Block{
		header("Clean up your pipeline"),
		section("cleanup_intro", fmt.Sprintf("%s. Lose what is dead — fast — and keep what has a real next step. Nothing is removed until you click.",
			map[bool]string{true: "1 item breaks the two-meeting rule or is past the cycle",
				false: fmt.Sprintf("%d items break the two-meeting rule or are past the cycle", total)}[total == 1])),
	}
	group := func(id, title string, ps []coach.Prospect, line func(coach.Prospect) string, buttons func(coach.Prospect) []slack.BlockElement) {
		if len(ps) == 0 {
			return
		}
		blocks = append(blocks, slack.NewDividerBlock(), section(id, fmt.Sprintf("%s: %d", title, len(ps))))
		for i, p := range ps {
			if i == cleanupPerGroup {
				blocks = append(blocks, contextText(id+"_more", fmt.Sprintf("…and %d more: deal with these first, then run `/pipeline cleanup` again.", len(ps)-i)))
				break
			}
			blocks = append(blocks, section(id+"_"+p.ID, line(p)), slack.NewActionBlock(id+"_actions_"+p.ID, buttons(p)...))
		}
	}
	group("cleanup_unanswered", "*Asked, not answered* — was a second meeting booked?", unanswered,
		func(p coach.Prospect) string {
			return fmt.Sprintf("*%s* · met %s · asked %s", safe(p.Account, 80), Day(p.FirstMeeting, loc), plural(p.Asks, "time", "times"))
		},
		func(p coach.Prospect) []slack.BlockElement {
			return []slack.BlockElement{button(ActionLose, p.ID, "Lose it", "danger"), button(ActionYes, p.ID, "Keep — it's booked", "primary")}
		})
	if len(quiet) > 0 {
		var names []string
		for i, p := range quiet {
			if i == 20 {
				names = append(names, fmt.Sprintf("…and %d more", len(quiet)-i))
				break
			}
			names = append(names, safe(p.Account, 60))
		}
		blocks = append(blocks, slack.NewDividerBlock(),
			section("cleanup_quiet", fmt.Sprintf("*Gone quiet* — never answered: %d\n%s", len(quiet), strings.Join(names, " · "))),
			slack.NewActionBlock("cleanup_quiet_actions",
				button(ActionLoseAll, "quiet", map[bool]string{true: "Lose the gone-quiet prospect", false: fmt.Sprintf("Lose all %d gone-quiet prospects", len(quiet))}[len(quiet) == 1], "danger")))
	}
	group("cleanup_stale", "*Stalled or aged opportunities* — move it or lose it", stale,
		func(p coach.Prospect) string { return opportunityLine(p, v.Flags[p.ID], v.Numbers, loc) },
		func(p coach.Prospect) []slack.BlockElement {
			return []slack.BlockElement{button(ActionLose, p.ID, "Lose it", "danger"), button(ActionUpdate, p.ID, "Keep — next step is…", "primary")}
		})
	blocks = append(blocks, crmCleanup(v, loc)...)
	return Message{Text: fmt.Sprintf("%s to clean up", plural(total, "item", "items")), Blocks: blocks}
}

// LoseAllModal asks for the one reason shared by every gone-quiet prospect
// the rep loses at once. The ids travel in private_metadata.
func LoseAllModal(ps []coach.Prospect) slack.ModalViewRequest {
	var ids []string
	size := 0
	for _, p := range ps {
		if size+len(p.ID)+1 > 3000 {
			break
		}
		ids = append(ids, p.ID)
		size += len(p.ID) + 1
	}
	var options []*slack.OptionBlockObject
	for _, r := range coach.LossReasons {
		options = append(options, slack.NewOptionBlockObject(string(r), plain(r.Label(), maxOptionText), nil))
	}
	reason := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick the closest", 150), InputReason, options...)
	reason.InitialOption = options[4] // went dark: what gone quiet usually means
	return modal(ViewLoseAll, "Lose them all", fmt.Sprintf("Lose %d", len(ids)), strings.Join(ids, ","),
		section("lose_all_intro", fmt.Sprintf("%s never answered. One reason for all of them, and your pipeline is honest again. They are not shared with the team.",
			plural(len(ids), "prospect", "prospects"))),
		input(InputReason, "Why were they lost?", "", false, reason),
		input(InputLesson, "What did you learn?", "Optional, kept with each of them", true, textInput(InputLesson, "Next time I will…", "", coach.MaxLessonLen, true)),
	)
}

// Lessons lists the team's shared lessons, newest first.
func Lessons(ps []coach.Prospect, query string) Message {
	if len(ps) == 0 {
		if query != "" {
			return Notice(fmt.Sprintf("No shared lesson matches “%s”. Try fewer words, or a reason: competitor, budget, fit, timing, dark.", safe(query, 80)))
		}
		return Notice("No shared lessons yet. When a loss is shared with a lesson, the whole team can learn from it here.")
	}
	title, text := "Lessons from the team's losses", "Lessons from the team's losses"
	if query != "" {
		title += " — “" + Truncate(query, 60) + "”" // header is plain_text: nothing to escape
		text += " — “" + safe(query, 60) + "”"      // the fallback text is mrkdwn
	}
	blocks := []slack.Block{header(title)}
	const shown = 12
	for i, p := range ps {
		if i == shown {
			blocks = append(blocks, contextText("lessons_more", fmt.Sprintf("…and %d more. Narrow it down: `/pipeline lessons competitor pricing`.", len(ps)-shown)))
			break
		}
		blocks = append(blocks, section("lesson_"+p.ID, fmt.Sprintf("*%s* · <@%s> · %s · lost in %s\n> %s",
			safe(p.Account, 80), p.Owner, p.Loss.Reason.Label(), plural(p.Loss.DaysToLose, "day", "days"),
			strings.ReplaceAll(safe(p.Loss.Lesson, 2000), "\n", "\n> "))))
	}
	return Message{Text: text, Blocks: blocks}
}

// AdminStatus is what an admin needs to know: the celebration channel's
// health, and how to fix it.
func AdminStatus(channel, problem string) Message {
	var state string
	switch {
	case channel == "":
		state = ":warning: No celebration channel is set, so shared losses are not posted. Set `CELEBRATION_CHANNEL` to a channel id and restart the bot."
	case problem == "not_in_channel" || problem == "channel_not_found":
		state = fmt.Sprintf(":warning: I can't post in <#%s>: I'm not a member (%s). Open the channel and type `/invite @pipeline-coach`.", Escape(channel), Escape(problem))
	case problem != "":
		state = fmt.Sprintf(":warning: The last celebration in <#%s> failed: %s.", Escape(channel), Escape(problem))
	default:
		state = fmt.Sprintf(":white_check_mark: Shared losses are celebrated in <#%s>.", Escape(channel))
	}
	return Message{Text: "Pipeline Coach status", Blocks: []slack.Block{header("Pipeline Coach — admin"), section("admin_celebration", "*Celebration channel*\n"+state)}}
}
