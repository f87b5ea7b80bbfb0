package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// Echo is what the bot read from words a rep typed — a date, a time, an
// amount — shown back in the reply that follows, in the rep's zone and the
// team's way of writing numbers, so a misreading is seen at once and put
// right with one click.
type Echo struct {
	Parts []string // "second meeting Thu Dec 3, 10:00 (Berlin)", "25.000 €"
	// Prospect is the id whose form the Change button reopens; "" for no
	// button.
	Prospect string
	// Change is the Change button's action: ActionUpdate (the deal's form,
	// the default) or ActionCorrectLog (the logged first meeting's).
	Change string
}

// EchoMeeting words a meeting time as understood: "second meeting Thu Dec
// 3, 10:00 (Berlin)".
func EchoMeeting(what string, t time.Time, loc *time.Location) string {
	return fmt.Sprintf("%s %s (%s)", what, When(t, loc), ZoneName(loc))
}

// ZoneName is a zone as people say it: "Berlin", "New York", "UTC".
func ZoneName(loc *time.Location) string {
	name := loc.String()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if name == "Local" || name == "" {
		return "UTC"
	}
	return strings.ReplaceAll(name, "_", " ")
}

// blocks is the echo as one section, with the Change button beside it.
func (e Echo) blocks() []slack.Block {
	if len(e.Parts) == 0 {
		return nil
	}
	text := ":mag: *Understood:* " + Escape(strings.Join(e.Parts, " · "))
	s := section("echo", text)
	if e.Prospect != "" {
		action := e.Change
		if action == "" {
			action = ActionUpdate
		}
		s.Accessory = slack.NewAccessory(button(action, e.Prospect, "Change", ""))
	}
	return []slack.Block{s}
}

// WithEcho adds what was understood to a reply, under it.
func WithEcho(m Message, e Echo) Message {
	b := e.blocks()
	if len(b) == 0 {
		return m
	}
	m.Blocks = append(append([]slack.Block(nil), m.Blocks...), b...)
	m.Text += " (understood: " + Escape(strings.Join(e.Parts, " · ")) + ")"
	return m
}

// EchoOnly is a reply that is only what was understood, for when the
// decision itself is shown elsewhere (the question above, updated).
func EchoOnly(e Echo) Message {
	return Message{Text: "Understood: " + Escape(strings.Join(e.Parts, " · ")), Blocks: e.blocks()}
}

// Unplaced asks back about a reply holding numbers, times or days that
// could not be placed: nothing was recorded, and the rep is told what to
// write. With yes, the question is when the second meeting is; otherwise
// the prompt's question again, with its buttons.
func Unplaced(p coach.Prospect, quoted string, yes bool) Message {
	q := "“" + safe(quoted, 60) + "”"
	account := safe(p.Account, coach.MaxAccountLen)
	if yes {
		text := fmt.Sprintf("I couldn't place %s in your answer, so nothing is recorded yet. When is the second meeting with *%s*? Reply like _yes, thu 10_ or _yes, dec 3 2pm_, or open the form:", q, account)
		return Message{Text: "I couldn't place " + q + " in your answer", Blocks: []slack.Block{
			section("unplaced", text),
			slack.NewActionBlock("unplaced_actions", button(ActionYes, p.ID, "Yes, booked", "primary")),
		}}
	}
	prompt := Prompt(p, coach.Ask{Kind: coach.AskFirst})
	text := fmt.Sprintf("I couldn't place %s in your answer, so nothing changed. Was a second meeting with *%s* booked?", q, account)
	return Message{Text: "I couldn't place " + q + " in your answer", Blocks: append([]slack.Block{section("unplaced", text)}, prompt.Blocks[1:]...)}
}

// AmountAskBack asks which amount a "yes" meant, when the number typed
// could mean two in the team's style ("25.000" is 25 or 25,000): nothing
// is recorded. full is the larger one written so it reads one way only
// ("€25,000"), as an example.
func AmountAskBack(p coach.Prospect, typed, small, grouped, full string) Message {
	q := "“" + safe(typed, 40) + "”"
	text := fmt.Sprintf("%s could be %s or %s, so nothing is recorded yet. Reply again with the one you mean, like _yes, tue 10am, %s_, or open the form for *%s*:",
		q, Escape(small), Escape(grouped), Escape(full), safe(p.Account, coach.MaxAccountLen))
	return Message{Text: q + " could be " + Escape(small) + " or " + Escape(grouped), Blocks: []slack.Block{
		section("unplaced", text),
		slack.NewActionBlock("unplaced_actions", button(ActionYes, p.ID, "Yes, booked", "primary")),
	}}
}

// Correcting a logged first meeting: its own button and form, which carry
// the prospect id (the form in its private metadata).
const (
	ActionCorrectLog = "prospect_correct_log"
	ViewCorrectLog   = "correct_first_meeting"
)

// CorrectLogModal reopens a logged first meeting's form, filled in with what
// was recorded, to correct it.
func CorrectLogModal(p coach.Prospect, loc *time.Location) slack.ModalViewRequest {
	v := LogModal(LogDraft{Account: p.Account, Contact: p.Contact, When: p.FirstMeeting}, loc)
	v.CallbackID, v.PrivateMetadata = ViewCorrectLog, p.ID
	v.Title, v.Submit = plain("Correct the meeting", maxModalTitle), plain("Save", maxModalTitle)
	v.Blocks.BlockSet[0] = section("log_intro", "Put right what I recorded. I'll ask you about it after the meeting as corrected.")
	return v
}

// AmountInput writes an amount to fill a form's amount field, with the
// currency where the team's style puts it and thousands grouped with spaces
// ("€25 000" with a decimal point, "25 000 €" with a decimal comma), which
// read back the same whichever way the form's reader writes numbers.
// "€25,000" would be asked back as ambiguous by a team that writes 1.234,56,
// each time the form is saved.
func AmountInput(units int64, currency string, numbers phrase.Convention) string {
	s := Money(units, currency, numbers)
	if numbers.Style == phrase.DecimalComma {
		return strings.ReplaceAll(s, ".", " ")
	}
	return strings.ReplaceAll(s, ",", " ")
}
