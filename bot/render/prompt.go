package render

import (
	"fmt"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// Prompt is the question after a first meeting: was a second meeting booked?
// Each kind of ask has its words; the wait's end and the close-out have
// their own buttons too.
func Prompt(p coach.Prospect, a coach.Ask) Message {
	account := safe(p.Account, coach.MaxAccountLen)
	met := When(p.FirstMeeting, p.Location())
	if p.Contact != "" {
		met += " with " + safe(p.Contact, coach.MaxContactLen)
	}
	switch a.Kind {
	case coach.AskFirst:
		return bookedPrompt(p, account,
			fmt.Sprintf("How did the first meeting with *%s* go (%s)? *Did you book a second meeting?*", account, met),
			"Only a booked second meeting makes it an opportunity. No second meeting? Losing fast is the next best thing to winning.")
	case coach.AskReminder:
		return bookedPrompt(p, account,
			fmt.Sprintf("Checking in on *%s* (first meeting %s): *is a second meeting booked yet?*", account, met),
			"If it isn't going to happen, say so: a fast, honest loss frees your time for deals that will close.")
	case coach.AskWaitOver:
		return waitOverPrompt(p, account)
	case coach.AskCloseOut:
		return closeOutPrompt(p, account, met)
	default:
		// A kind this version does not know: the close-out's words, with
		// the booked question's buttons.
		return bookedPrompt(p, account, closeOutText(account, met), closeOutNote)
	}
}

// bookedPrompt asks whether a second meeting was booked, with the
// calendar's evidence for it when there is some.
func bookedPrompt(p coach.Prospect, account, text, note string) Message {
	yes := button(ActionYes, p.ID, "Yes, booked", "primary")
	notYet := button(ActionNotYet, p.ID, "Not yet", "")
	lose := button(ActionLose, p.ID, "No — lose it fast", "danger")
	blocks := []slack.Block{section("prompt", text)}
	buttons := []slack.BlockElement{yes, notYet, lose}
	fallback := fmt.Sprintf("Did you book a second meeting with %s?", account)
	if next := p.NextMeeting; next != nil {
		// The calendar's evidence, offered for one click: it is still the
		// rep's confirmation that makes the opportunity.
		loc := p.Location()
		title := safe(next.Title, coach.MaxEventTitleLen)
		if title == "" {
			title = "a meeting with " + account
		}
		seen := fmt.Sprintf(":calendar: I see *%s* on %s on your calendar. *Is that the second meeting?*", title, When(next.Start, loc))
		blocks = append(blocks, section("prompt_evidence", seen))
		yes = button(ActionYes, p.ID, "Add details", "")
		buttons = []slack.BlockElement{button(ActionThatsIt, p.ID, "Yes, that's it", "primary"), yes, notYet, lose}
		fallback = fmt.Sprintf("I see %s on %s on your calendar. Is that the second meeting with %s?", title, When(next.Start, loc), account)
	}
	if p.Calendar != nil {
		buttons = append(buttons, button(ActionNotSales, p.ID, "Not a sales meeting", ""))
	}
	blocks = append(blocks,
		slack.NewActionBlock("prompt_actions", buttons...),
		contextText("prompt_note", note+" You can also just reply here: _yes, tue 10am_ · _not yet_ · _no_."))
	return Message{Text: fallback, Blocks: blocks}
}

// waitOverPrompt asks where a deal stands once the wait the rep recorded
// is over.
func waitOverPrompt(p coach.Prospect, account string) Message {
	text := fmt.Sprintf("You were waiting on %s for *%s* until %s. *Where does it stand?*",
		safe(p.WaitingOn, coach.MaxWaitingOn), account, Day(p.WaitingUntil, p.Location()))
	return Message{
		Text: fmt.Sprintf("Where does %s stand?", account),
		Blocks: []slack.Block{
			section("prompt", text),
			slack.NewActionBlock("prompt_actions",
				button(ActionUpdate, p.ID, "Update the deal", "primary"),
				button(ActionWon, p.ID, "Won", ""),
				button(ActionLose, p.ID, "Lose it", "danger")),
			contextText("prompt_note", "A deal with no activity for two weeks counts as stalled. An update — a next step, a date, a new wait — keeps it alive."),
		},
	}
}

const closeOutNote = "It has never been pipeline, and closing it keeps your view honest. If a second meeting did get booked, say so instead."

func closeOutText(account, met string) string {
	return fmt.Sprintf("*%s* still has no second meeting since %s. *Close it out?*", account, met)
}

// closeOutPrompt asks whether to close out a prospect that never got its
// second meeting.
func closeOutPrompt(p coach.Prospect, account, met string) Message {
	// The question is "close it out?": the buttons answer that, first.
	lose := button(ActionLose, p.ID, "Yes, close it as lost", "danger")
	notYet := button(ActionNotYet, p.ID, "No, keep it open", "")
	yes := button(ActionYes, p.ID, "A meeting is booked", "primary")
	return Message{
		Text: fmt.Sprintf("Close out %s?", account),
		Blocks: []slack.Block{
			section("prompt", closeOutText(account, met)),
			slack.NewActionBlock("prompt_actions", lose, notYet, yes),
			contextText("prompt_note", closeOutNote+" You can also reply here: _no_ (close it) · _not yet_ (keep it) · _yes, tue 10am_ (booked)."),
		},
	}
}

// Decided replaces a prompt once it is answered, so no stale buttons remain.
// Its amount is written as the deal's team writes amounts (numbers).
func Decided(p coach.Prospect, numbers phrase.Convention) Message {
	loc := p.Location()
	account := safe(p.Account, coach.MaxAccountLen)
	var text string
	switch p.State {
	case coach.Opportunity:
		text = fmt.Sprintf(":white_check_mark: *%s* is an opportunity: second meeting %s.", account, When(p.SecondMeeting, loc))
		if p.Amount > 0 {
			text += " Estimated " + Money(p.Amount, p.Currency, numbers) + "."
		}
		if p.NextStep != "" {
			text += "\nNext step: " + safe(p.NextStep, coach.MaxNextStepLen)
		}
	case coach.Won:
		text = fmt.Sprintf(":trophy: *%s* was won.", account)
	case coach.Lost:
		reason := ""
		if p.Loss != nil {
			reason = " (" + p.Loss.Reason.Label() + ")"
		}
		text = fmt.Sprintf(":wave: *%s* is lost%s.", account, reason)
	case coach.Withdrawn:
		text = fmt.Sprintf(":see_no_evil: *%s* is not a sales meeting: withdrawn, and I won't ask about meetings with them again. `/pipeline calendar` shows what I read.", account)
	default:
		text = fmt.Sprintf(":hourglass_flowing_sand: *%s*: no second meeting yet. I'll ask again %s.", account, When(p.FollowUpAt, loc))
	}
	return Message{Text: fmt.Sprintf("%s: %s", account, p.State), Blocks: []slack.Block{section("decided", text)}}
}

// Logged confirms a first meeting was logged, and says it is not pipeline.
func Logged(p coach.Prospect) Message {
	loc := p.Location()
	with := ""
	if p.Contact != "" {
		with = " with " + safe(p.Contact, coach.MaxContactLen)
	}
	text := fmt.Sprintf(":memo: Logged a first meeting with *%s*%s, %s.\nIt is *not pipeline yet*. I'll ask you %s whether a second meeting was booked.",
		safe(p.Account, coach.MaxAccountLen), with, When(p.FirstMeeting, loc), When(p.FollowUpAt, loc))
	if p.Calendar != nil {
		text = fmt.Sprintf(":calendar: Your calendar had this one already: the first meeting with *%s*%s, %s. I kept it once.\nIt is *not pipeline yet*. I'll ask you %s whether a second meeting was booked.",
			safe(p.Account, coach.MaxAccountLen), with, When(p.FirstMeeting, loc), When(p.FollowUpAt, loc))
	}
	return Message{Text: "Logged a first meeting with " + safe(p.Account, coach.MaxAccountLen), Blocks: []slack.Block{section("logged", text)}}
}

// AlreadyDecided answers a button pressed on a prospect that was decided.
func AlreadyDecided(p coach.Prospect, by string, at string) Message {
	text := fmt.Sprintf("*%s* was already decided: it is %s (by <@%s>, %s). Nothing changed.",
		safe(p.Account, coach.MaxAccountLen), stateWords(p.State), Escape(by), at)
	return Message{Text: text, Blocks: []slack.Block{section("already", text)}}
}

func stateWords(s coach.State) string {
	switch s {
	case coach.Opportunity:
		return "an opportunity"
	case coach.Won:
		return "won"
	case coach.Lost:
		return "lost"
	case coach.Awaiting:
		return "waiting for a second meeting"
	case coach.Withdrawn:
		return "withdrawn (not a sales meeting, or it did not happen)"
	}
	return "scheduled"
}

// Notice is a plain one-section reply: a confirmation or an error.
func Notice(text string) Message {
	return Message{Text: text, Blocks: []slack.Block{section("notice", text)}}
}

// Choose asks which prospect the rep means, one button per candidate.
func Choose(question, actionID string, ps []coach.Prospect) Message {
	blocks := []slack.Block{section("choose", question)}
	var buttons []slack.BlockElement
	for i, p := range ps {
		if i == 25 {
			break
		}
		// action_id must be unique within a block; routing reads the part
		// before the dot.
		buttons = append(buttons, button(fmt.Sprintf("%s.%d", actionID, i), p.ID, Truncate(p.Account, 30), ""))
	}
	if len(buttons) > 0 {
		blocks = append(blocks, slack.NewActionBlock("choose_actions", buttons...))
	}
	return Message{Text: question, Blocks: blocks}
}

// Updated confirms an update of a deal.
func Updated(p coach.Prospect) Message {
	loc := p.Location()
	text := fmt.Sprintf(":pencil2: Updated *%s*.", safe(p.Account, coach.MaxAccountLen))
	if p.NextStep != "" {
		text += " Next step: " + safe(p.NextStep, coach.MaxNextStepLen) + "."
	}
	if p.WaitingOn != "" {
		text += fmt.Sprintf(" Waiting on %s until %s: it won't count as stalled meanwhile, and I'll ask you then.", safe(p.WaitingOn, coach.MaxWaitingOn), Day(p.WaitingUntil, loc))
	}
	return Message{Text: "Updated " + safe(p.Account, coach.MaxAccountLen), Blocks: []slack.Block{section("updated", text)}}
}

// Answered confirms an answer typed in the DM, below it, where the rep is
// looking: the decision itself. It is the one confirmation: the question
// above is closed with Closed, which does not say it again.
func Answered(p coach.Prospect, numbers phrase.Convention) Message { return Decided(p, numbers) }

// Closed replaces a question answered in words: no buttons left, and a
// pointer to the answer below rather than a second confirmation.
func Closed(p coach.Prospect) Message {
	account := safe(p.Account, coach.MaxAccountLen)
	text := fmt.Sprintf("The first meeting with *%s* (%s): answered below.", account, When(p.FirstMeeting, p.Location()))
	return Message{Text: account + ": answered", Blocks: []slack.Block{contextText("decided", text)}}
}
