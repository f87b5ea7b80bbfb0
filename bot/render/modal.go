package render

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

const (
	maxModalTitle = 24
	maxLabel      = 2000
	maxHint       = 2000
)

func modal(callbackID, title, submit, metadata string, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackID,
		Title:           plain(title, maxModalTitle),
		Submit:          plain(submit, maxModalTitle),
		Close:           plain("Cancel", maxModalTitle),
		PrivateMetadata: metadata,
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

func input(id, label, hint string, optional bool, el slack.BlockElement) *slack.InputBlock {
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint, maxHint)
	}
	b := slack.NewInputBlock(id, plain(label, maxLabel), h, el)
	b.Optional = optional
	return b
}

func textInput(id, placeholder, initial string, maxLen int, multiline bool) *slack.PlainTextInputBlockElement {
	el := slack.NewPlainTextInputBlockElement(plain(placeholder, 150), id)
	el.InitialValue = Truncate(initial, maxLen)
	el.MaxLength = maxLen
	el.Multiline = multiline
	return el
}

func datePicker(id string, initial time.Time, loc *time.Location) *slack.DatePickerBlockElement {
	el := slack.NewDatePickerBlockElement(id)
	if !initial.IsZero() {
		el.InitialDate = initial.In(loc).Format("2006-01-02")
	}
	return el
}

func timePicker(id string, initial time.Time, loc *time.Location) *slack.TimePickerBlockElement {
	el := slack.NewTimePickerBlockElement(id)
	if !initial.IsZero() {
		el.InitialTime = initial.In(loc).Format("15:04")
	}
	return el
}

// maxMetadata is Block Kit's limit on a view's private_metadata.
const maxMetadata = 3000

// Origin is the message whose button opened a form, and that button's
// response_url: the form's submission updates the message through it, at
// once and outside chat.update's limit. It is a hint: the message is
// updated only when it is the question coach stored for the deal.
type Origin struct {
	TS, ResponseURL string
}

// FormMeta is all a prospect's form carries back on submit: the prospect's
// id and the version the person saw, and the message the form was opened
// from, if any. The submission decides on the record as stored, never on
// what a payload says; the version only tells whether someone changed the
// deal while the form was open.
//
// Encoded on one line, fields apart by a space: "id version", then
// "ts response_url" when the form has an origin. None of them holds a space.
type FormMeta struct {
	coach.Seen
	Origin Origin
}

// FormMetadata is the metadata of a form on p, without an origin.
func FormMetadata(p coach.Prospect) string {
	return FormMeta{Seen: coach.Seen{ID: p.ID, Version: p.Version}}.String()
}

// String encodes m for a view's private_metadata. An origin that cannot be
// carried (a field with a space, or past Block Kit's limit) is left out.
func (m FormMeta) String() string {
	out := m.ID + " " + strconv.FormatInt(m.Version, 10)
	o := m.Origin
	if o.TS == "" || o.ResponseURL == "" || strings.ContainsAny(o.TS+o.ResponseURL, " \n") {
		return out
	}
	if withOrigin := out + " " + o.TS + " " + o.ResponseURL; len(withOrigin) <= maxMetadata {
		return withOrigin
	}
	return out
}

// ReadFormMetadata reads FormMeta.String. Whatever else a payload holds
// gives no more than an id for coach to check: a version that is not a
// number, or a form from before the version was carried (its id, then the
// record as JSON), gives version 0; an origin that is not an http(s) URL
// is dropped.
func ReadFormMetadata(md string) FormMeta {
	line, rest, _ := strings.Cut(md, "\n")
	fields := strings.Split(line, " ")
	var m FormMeta
	m.ID = strings.TrimSpace(fields[0])
	if len(fields) < 2 || rest != "" {
		return m
	}
	if v, err := strconv.ParseInt(fields[1], 10, 64); err == nil && v >= 0 {
		m.Version = v
	}
	if len(fields) == 4 && fields[2] != "" && validURL(fields[3]) {
		m.Origin = Origin{TS: fields[2], ResponseURL: fields[3]}
	}
	return m
}

// WithOrigin adds o to a prospect form's metadata md. Metadata that is not
// a prospect form's is returned as it was.
func WithOrigin(md string, o Origin) string {
	m := ReadFormMetadata(md)
	if m.ID == "" || m.String() != md {
		return md
	}
	m.Origin = o
	return m.String()
}

func validURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// LogDraft is what the rep already typed after /pipeline log.
type LogDraft struct {
	Account, Contact string
	When             time.Time
}

// LogModal asks for the first meeting's details that were missing.
func LogModal(d LogDraft, loc *time.Location) slack.ModalViewRequest {
	return modal(ViewLog, "Log a first meeting", "Log it", "",
		section("log_intro", "A first meeting is not pipeline yet. I'll ask you after it whether a second meeting was booked."),
		input(InputAccount, "Company", "", false, textInput(InputAccount, "Acme Corp", d.Account, coach.MaxAccountLen, false)),
		input(InputContact, "Who did you meet?", "", true, textInput(InputContact, "Jane Doe, VP Sales", d.Contact, coach.MaxContactLen, false)),
		input(InputFirstDate, "Date", "In your time zone", false, datePicker(InputFirstDate, d.When, loc)),
		input(InputFirstTime, "Time", "", false, timePicker(InputFirstTime, d.When, loc)),
	)
}

// qualificationPrefix starts the block id of a framework item's input.
const qualificationPrefix = "q_"

// QualificationInput is the input (block and action id) of a framework item.
func QualificationInput(key string) string { return qualificationPrefix + key }

// QualificationKey is the framework item of an input id, if it is one.
func QualificationKey(input string) (string, bool) {
	return strings.CutPrefix(input, qualificationPrefix)
}

// qualificationInputs asks the framework's questions; every one optional:
// the second meeting is where qualification starts, not where it must end.
func qualificationInputs(fw coach.Framework, answers map[string]string) []slack.Block {
	if len(fw.Items) == 0 {
		return nil
	}
	blocks := []slack.Block{section("qualification_intro", fmt.Sprintf("*%s qualification* — answer what you know; the rest is what the second meeting is for.", Escape(fw.Title)))}
	for _, it := range fw.Items {
		id := QualificationInput(it.Key)
		blocks = append(blocks, input(id, it.Name, it.Question, true, textInput(id, Truncate(it.Description, 150), answers[it.Key], coach.MaxAnswerLen, false)))
	}
	return blocks
}

// ConfirmModal asks for the booked second meeting; its date is required.
// A drafted amount is written as the deal's team writes amounts (numbers).
func ConfirmModal(p coach.Prospect, draft coach.SecondMeeting, fw coach.Framework, numbers phrase.Convention) slack.ModalViewRequest {
	loc := p.Location()
	amount := ""
	if draft.Amount > 0 {
		amount = AmountInput(draft.Amount, draft.Currency, numbers)
	}
	intro := fmt.Sprintf("*%s* becomes an opportunity once the second meeting is booked. First meeting: %s.",
		safe(p.Account, coach.MaxAccountLen), When(p.FirstMeeting, loc))
	blocks := []slack.Block{
		section("confirm_intro", intro),
		input(InputSecondDate, "Second meeting date", "Must be after the first meeting", false, datePicker(InputSecondDate, draft.At, loc)),
		input(InputSecondTime, "Time", "In your time zone", false, timePicker(InputSecondTime, draft.At, loc)),
		input(InputAmount, "Estimated amount", "Like "+numbers.Hint()+". Coverage counts only amounts.", true, textInput(InputAmount, "25k", amount, 40, false)),
		input(InputNextStep, "Next step", "What happens at or before the second meeting?", true, textInput(InputNextStep, "Demo for the ops team", draft.NextStep, coach.MaxNextStepLen, false)),
		input(InputCloseDate, "Expected close", closeHint, true, datePicker(InputCloseDate, draft.CloseDate, loc)),
	}
	blocks = append(blocks, qualificationInputs(fw, p.Qualification)...)
	return modal(ViewConfirm, "Second meeting booked", "Make it pipeline", FormMetadata(p), blocks...)
}

// closeHint says what the expected close date is for.
const closeHint = "For the forecast. Left empty: the confirmation day plus the team's average won cycle."

// LoseModal is the short blameless debrief of a loss.
func LoseModal(p coach.Prospect) slack.ModalViewRequest {
	var options []*slack.OptionBlockObject
	for _, r := range coach.LossReasons {
		options = append(options, slack.NewOptionBlockObject(string(r), plain(r.Label(), maxOptionText), nil))
	}
	reason := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick the closest", 150), InputReason, options...)
	share := slack.NewCheckboxGroupsBlockElement(InputShare,
		slack.NewOptionBlockObject(shareOptionValue, plain("Share it with the team", maxOptionText),
			plain("Celebrated in the team channel, without blame", maxOptionText)))
	share.InitialOptions = share.Options
	intro := fmt.Sprintf("Two minutes, no blame: what *%s* taught you helps the next deal.", safe(p.Account, coach.MaxAccountLen))
	return modal(ViewLose, "Lose it fast", "Lose it", FormMetadata(p),
		section("lose_intro", intro),
		input(InputReason, "Why was it lost?", "Lost to a competitor is not the same as no decision: be honest, it is for learning.", false, reason),
		input(InputSaveMoment, "When could it have been saved?", "The last moment something could have changed the outcome", true, textInput(InputSaveMoment, "After the demo, when…", "", 500, false)),
		input(InputLesson, "What did you learn?", fmt.Sprintf("Up to %d characters. The lesson is what the team keeps.", coach.MaxLessonLen), true, textInput(InputLesson, "Next time I will…", "", coach.MaxLessonLen, true)),
		input(InputShare, "Team", "", true, share),
	)
}

// UpdateModal records activity on an opportunity: the next step, the second
// meeting, the amount, or a legitimate wait that pauses the stalled clock.
// The amount is filled in as the deal's team writes amounts (numbers).
func UpdateModal(p coach.Prospect, fw coach.Framework, numbers phrase.Convention) slack.ModalViewRequest {
	loc := p.Location()
	amount := ""
	if p.Amount > 0 {
		amount = AmountInput(p.Amount, p.Currency, numbers)
	}
	waitDate := slack.NewDatePickerBlockElement(InputWaitingDate)
	if !p.WaitingUntil.IsZero() && p.WaitingOn != "" {
		waitDate.InitialDate = p.WaitingUntil.In(loc).Format("2006-01-02")
	}
	intro := fmt.Sprintf("Any update counts as activity, so *%s* is not stalled.", safe(p.Account, coach.MaxAccountLen))
	blocks := []slack.Block{
		section("update_intro", intro),
		input(InputNextStep, "Next step", "", true, textInput(InputNextStep, "Proposal review with the CFO", p.NextStep, coach.MaxNextStepLen, false)),
		input(InputSecondDate, "Second meeting date", "Change it if it moved", true, datePicker(InputSecondDate, p.SecondMeeting, loc)),
		input(InputSecondTime, "Time", "", true, timePicker(InputSecondTime, p.SecondMeeting, loc)),
		input(InputAmount, "Estimated amount", "Like "+numbers.Hint(), true, textInput(InputAmount, "25k", amount, 40, false)),
		input(InputCloseDate, "Expected close", closeHint, true, datePicker(InputCloseDate, p.CloseDate, loc)),
		input(InputWaitingOn, "Waiting on", "A legitimate wait (legal review, champion on holiday) pauses the stalled clock. Leave empty to clear it.", true,
			textInput(InputWaitingOn, "Legal review", p.WaitingOn, coach.MaxWaitingOn, false)),
		input(InputWaitingDate, "Until", "I'll ask you again then", true, waitDate),
	}
	blocks = append(blocks, qualificationInputs(fw, p.Qualification)...)
	return modal(ViewUpdate, "Update the deal", "Save", FormMetadata(p), blocks...)
}
