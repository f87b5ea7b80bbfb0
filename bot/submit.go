package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// handleSubmission validates and saves a modal, and returns the ack payload:
// nil closes the modal; field errors keep it open with what the rep typed.
// A form carries the prospect's id and the version seen (FormMetadata),
// nothing more: coach decides on the stored record.
func (b *Bot) handleSubmission(ctx context.Context, cb slack.InteractionCallback) any {
	f := b.formOf(ctx, cb)
	switch cb.View.CallbackID {
	case render.ViewCorrectLog:
		return b.submitCorrection(ctx, f.actor, cb.View, f.loc)
	case render.ViewLog:
		return b.submitLog(ctx, f)
	case render.ViewConfirm:
		return b.submitConfirm(ctx, f)
	case render.ViewLose:
		return b.submitLose(ctx, f)
	case render.ViewLoseAll:
		return b.submitLoseAll(ctx, f)
	case render.ViewUpdate:
		return b.submitUpdate(ctx, f)
	}
	f.log.Debug().Msg("ignored view submission")
	return nil
}

// form is a submitted modal: who sent it, their zone, what it holds.
type form struct {
	formValues
	actor    coach.Actor
	loc      *time.Location
	who      person // as the directory said when the form came
	log      zerolog.Logger
	metadata string
	meta     render.FormMeta // metadata read as a prospect form's
}

func (b *Bot) formOf(ctx context.Context, cb slack.InteractionCallback) form {
	who := b.users.lookup(ctx, cb.Team.ID, cb.User.ID)
	return form{
		formValues: formValues{cb.View.State}, actor: who.actor(cb.Team.ID, cb.User.ID), loc: who.loc, who: who,
		metadata: cb.View.PrivateMetadata, meta: render.ReadFormMetadata(cb.View.PrivateMetadata),
		log: b.log.With().Str("team", cb.Team.ID).Str("user", cb.User.ID).Str("callback_id", cb.View.CallbackID).Logger(),
	}
}

// staleForm is what a stale form says; a form's errors are plain text, so
// who changed what goes to the person's DM, where mentions show as names.
const staleForm = "This deal changed since you opened this form, so nothing was saved. I've sent you what changed: close the form and open it again."

// refuse keeps the modal open with what went wrong, next to the input at
// fault, or at top when no single input is.
func (b *Bot) refuse(ctx context.Context, f form, what string, err error, top string) any {
	words := b.fail(f.log, what, err, f.loc)
	var fe *coach.FieldError
	if errors.As(err, &fe) {
		top = inputFor(fe.Field, top)
	}
	if errors.Is(err, coach.ErrStale) {
		changes := render.Notice(words)
		b.submit(context.WithoutCancel(ctx), func(ctx context.Context) { b.reply(ctx, "", f.actor.User, changes) })
		words = staleForm
	}
	return fieldErrors(map[string]string{top: words})
}

// closeThen closes the modal with the ack and sends the follow-up messages
// after it. A form opened by a question's button updates that question
// through the button's response_url (see settleSoon).
func (b *Bot) closeThen(ctx context.Context, f form, after func(context.Context)) any {
	b.submit(context.WithoutCancel(ctx), func(ctx context.Context) { after(withOrigin(ctx, f.meta.Origin)) })
	return nil
}

func (b *Bot) submitLog(ctx context.Context, f form) any {
	note := zoneGuessed(f.who) // the zone f.loc is, if it was guessed
	start, bad := f.dateTime(render.InputFirstDate, render.InputFirstTime, f.loc)
	if bad != nil {
		return fieldErrors(bad)
	}
	p, err := b.svc.LogMeeting(ctx, coach.NewMeeting{Team: f.actor.Workspace, Owner: f.actor.User,
		Account: f.text(render.InputAccount), Contact: f.text(render.InputContact), TZ: f.loc.String(), Start: start})
	if err != nil {
		return b.refuse(ctx, f, "log meeting", err, render.InputAccount)
	}
	return b.closeThen(ctx, f, func(ctx context.Context) { b.reply(ctx, "", f.actor.User, note(render.Logged(p))) })
}

func (b *Bot) submitConfirm(ctx context.Context, f form) any {
	at, bad := f.dateTime(render.InputSecondDate, render.InputSecondTime, f.loc)
	if bad != nil {
		return fieldErrors(bad)
	}
	sm := coach.SecondMeeting{At: at, NextStep: f.text(render.InputNextStep), Qualification: f.qualification()}
	if sm.CloseDate, bad = f.date(render.InputCloseDate, f.loc); bad != nil {
		return fieldErrors(bad)
	}
	conv := b.svc.ConventionFor(ctx, f.actor.Workspace, f.actor.User)
	var typed *phrase.Amount
	if amount, given, bad := f.amount(render.InputAmount, conv); bad != nil {
		return fieldErrors(bad)
	} else if given {
		sm.Amount, sm.Currency, typed = amount.Units, amount.Currency, &amount
	}
	p, changed, err := b.svc.ConfirmSeen(ctx, f.actor, f.meta.Seen, sm)
	if err != nil {
		return b.refuse(ctx, f, "confirm second meeting", err, render.InputSecondDate)
	}
	return b.closeThen(ctx, f, func(ctx context.Context) {
		b.changed(ctx, p)
		if !changed {
			b.reply(ctx, "", f.actor.User, render.Notice(fmt.Sprintf("*%s* was already an opportunity; nothing changed.", render.Escape(p.Account))))
		} else {
			b.replyDecided(ctx, f.actor.User, p, confirmEcho(p, typed, conv, f.loc))
		}
	})
}

func (b *Bot) submitLose(ctx context.Context, f form) any {
	report := coach.LossReport{
		Reason:     coach.LossReason(f.selected(render.InputReason)),
		Lesson:     f.text(render.InputLesson),
		SaveMoment: f.text(render.InputSaveMoment),
		Shared:     f.checked(render.InputShare, render.ShareOptionValue),
	}
	p, err := b.svc.LoseSeen(ctx, f.actor, f.meta.Seen, report)
	if err != nil {
		return b.refuse(ctx, f, "lose", err, render.InputReason)
	}
	return b.closeThen(ctx, f, func(ctx context.Context) {
		b.changed(ctx, p)
		if p.Prompt.IsZero() {
			b.reply(ctx, "", f.actor.User, b.decided(ctx, p))
		}
	})
}

// submitLoseAll loses the gone-quiet prospects the cleanup listed; coach
// loses only those still gone quiet as stored.
func (b *Bot) submitLoseAll(ctx context.Context, f form) any {
	ids := strings.Split(f.metadata, ",")
	report := coach.LossReport{Reason: coach.LossReason(f.selected(render.InputReason)), Lesson: f.text(render.InputLesson)}
	lost, err := b.svc.LoseQuiet(ctx, f.actor, f.actor.Workspace, ids, report)
	if len(lost) == 0 && err != nil {
		return b.refuse(ctx, f, "lose all", err, render.InputReason)
	}
	if err != nil {
		f.log.Info().Err(err).Int("lost", len(lost)).Msg("lose all: some were not lost")
	}
	return b.closeThen(ctx, f, func(ctx context.Context) {
		for _, p := range lost {
			b.settleSoon(ctx, p)
		}
		b.publishHomeSoon(f.actor.Workspace, f.actor.User)
		msg := fmt.Sprintf(":broom: Lost %s that had gone quiet. Your pipeline is honest again.", render.Plural(len(lost), "prospect", "prospects"))
		if missed := len(ids) - len(lost); missed > 0 {
			msg += fmt.Sprintf(" %d had changed meanwhile and were left as they are.", missed)
		}
		b.reply(ctx, "", f.actor.User, render.Notice(msg))
	})
}

func (b *Bot) submitUpdate(ctx context.Context, f form) any {
	conv := b.svc.ConventionFor(ctx, f.actor.Workspace, f.actor.User)
	u, bad := readUpdate(f.formValues, f.loc, conv)
	if bad != nil {
		return fieldErrors(bad)
	}
	p, err := b.svc.UpdateSeen(ctx, f.actor, f.meta.Seen, u)
	if err != nil {
		return b.refuse(ctx, f, "update", err, render.InputNextStep)
	}
	return b.closeThen(ctx, f, func(ctx context.Context) {
		b.reply(ctx, "", f.actor.User, render.WithEcho(render.Updated(p), updateEcho(p, u, conv)))
	})
}

// inputFor maps a coach field to the modal input that shows its error.
func inputFor(field, fallback string) string {
	switch field {
	case coach.FieldAccount, coach.FieldContact, coach.FieldFirstMeeting, coach.FieldSecondMeeting,
		coach.FieldAmount, coach.FieldNextStep, coach.FieldReason, coach.FieldLesson, coach.FieldSaveMoment,
		coach.FieldWaitingOn, coach.FieldWaitingUntil, coach.FieldCloseDate:
		return field
	case coach.FieldQualification:
		return fallback
	}
	return fallback
}

func fieldErrors(errs map[string]string) *slack.ViewSubmissionResponse {
	for k, v := range errs {
		errs[k] = render.Truncate(v, 150)
	}
	return slack.NewErrorsViewSubmissionResponse(errs)
}

// formValues reads a submitted modal's state.
type formValues struct{ state *slack.ViewState }

func (f formValues) get(id string) (slack.BlockAction, bool) {
	if f.state == nil {
		return slack.BlockAction{}, false
	}
	a, ok := f.state.Values[id][id]
	return a, ok
}

func (f formValues) text(id string) string {
	a, _ := f.get(id)
	return strings.TrimSpace(a.Value)
}

// qualification collects the framework answers of a modal, by item key.
func (f formValues) qualification() map[string]string {
	if f.state == nil {
		return nil
	}
	out := map[string]string{}
	for id, actions := range f.state.Values {
		if key, ok := render.QualificationKey(id); ok {
			out[key] = strings.TrimSpace(actions[id].Value)
		}
	}
	return out
}

func (f formValues) selected(id string) string {
	a, _ := f.get(id)
	return a.SelectedOption.Value
}

func (f formValues) checked(id, value string) bool {
	a, _ := f.get(id)
	for _, o := range a.SelectedOptions {
		if o.Value == value {
			return true
		}
	}
	return false
}

// dateTime combines a date picker and a time picker in the rep's zone.
func (f formValues) dateTime(dateID, timeID string, loc *time.Location) (time.Time, map[string]string) {
	d, _ := f.get(dateID)
	t, _ := f.get(timeID)
	if d.SelectedDate == "" {
		return time.Time{}, map[string]string{dateID: "Pick a date."}
	}
	if t.SelectedTime == "" {
		return time.Time{}, map[string]string{timeID: "Pick a time."}
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", d.SelectedDate+" "+t.SelectedTime, loc)
	if err != nil {
		return time.Time{}, map[string]string{dateID: "That date and time don't exist; pick another."}
	}
	return at, nil
}

// amount reads an amount input in the team's convention: given is false
// when it was left empty.
func (f formValues) amount(id string, conv phrase.Convention) (a phrase.Amount, given bool, bad map[string]string) {
	raw := f.text(id)
	if raw == "" {
		return phrase.Amount{}, false, nil
	}
	a, problem := formAmount(raw, conv)
	if problem != "" {
		return a, false, map[string]string{id: problem}
	}
	return a, true, nil
}

// date is an optional date picker's day, at noon in the rep's zone; zero
// when none was picked.
func (f formValues) date(id string, loc *time.Location) (time.Time, map[string]string) {
	d, _ := f.get(id)
	if d.SelectedDate == "" {
		return time.Time{}, nil
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", d.SelectedDate+" 12:00", loc)
	if err != nil {
		return time.Time{}, map[string]string{id: "That date doesn't exist; pick another."}
	}
	return at, nil
}

// readUpdate reads the update modal; every field is optional. Whether a
// wait needs its day, and when on it the wait ends, is coach's rule.
func readUpdate(form formValues, loc *time.Location, conv phrase.Convention) (coach.DealUpdate, map[string]string) {
	var u coach.DealUpdate
	step := form.text(render.InputNextStep)
	u.NextStep = &step
	if d, _ := form.get(render.InputSecondDate); d.SelectedDate != "" {
		at, bad := form.dateTime(render.InputSecondDate, render.InputSecondTime, loc)
		if bad != nil {
			return u, bad
		}
		u.SecondMeeting = &at
	}
	amount, given, bad := form.amount(render.InputAmount, conv)
	if bad != nil {
		return u, bad
	}
	if given {
		u.Amount, u.Currency = &amount.Units, amount.Currency
	}
	close, ferr := form.date(render.InputCloseDate, loc)
	if ferr != nil {
		return u, ferr
	}
	if !close.IsZero() {
		u.CloseDate = &close
	}
	u.Qualification = form.qualification()
	waiting := form.text(render.InputWaitingOn)
	u.WaitingOn = &waiting
	if d, _ := form.get(render.InputWaitingDate); d.SelectedDate != "" {
		day, err := time.Parse("2006-01-02", d.SelectedDate)
		if err != nil {
			return u, map[string]string{render.InputWaitingDate: "Pick a date."}
		}
		u.WaitingUntil = day
	}
	return u, nil
}

// firstInput is the input of a modal where a problem that no single field
// caused is shown, by the modal's callback id.
func firstInput(callbackID string) string {
	switch callbackID {
	case render.ViewLog, render.ViewCorrectLog:
		return render.InputAccount
	case render.ViewConfirm:
		return render.InputSecondDate
	case render.ViewLose, render.ViewLoseAll:
		return render.InputReason
	}
	return render.InputNextStep
}
