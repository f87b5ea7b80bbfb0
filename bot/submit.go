package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// handleSubmission validates and saves a modal, and returns the ack payload:
// nil closes the modal; field errors keep it open with what the rep typed.
func (b *Bot) handleSubmission(ctx context.Context, cb slack.InteractionCallback) any {
	team, user := cb.Team.ID, cb.User.ID
	log := b.log.With().Str("team", team).Str("user", user).Str("callback_id", cb.View.CallbackID).Logger()
	actor, loc := b.users.actor(ctx, team, user)
	form := formValues{cb.View.State}

	var (
		p   coach.Prospect
		err error
		// where a failure is shown when no single field is at fault
		topInput string
		after    func(context.Context, coach.Prospect)
	)
	switch cb.View.CallbackID {
	case render.ViewLog:
		topInput = render.InputAccount
		start, ferr := form.dateTime(render.InputFirstDate, render.InputFirstTime, loc)
		if ferr != nil {
			return fieldErrors(ferr)
		}
		p, err = b.svc.LogMeeting(ctx, coach.NewMeeting{Team: team, Owner: user, Account: form.text(render.InputAccount),
			Contact: form.text(render.InputContact), TZ: loc.String(), Start: start})
		after = func(ctx context.Context, p coach.Prospect) { b.reply(ctx, "", user, render.Logged(p)) }
	case render.ViewConfirm:
		topInput = render.InputSecondDate
		at, ferr := form.dateTime(render.InputSecondDate, render.InputSecondTime, loc)
		if ferr != nil {
			return fieldErrors(ferr)
		}
		sm := coach.SecondMeeting{At: at, NextStep: form.text(render.InputNextStep), Qualification: form.qualification()}
		if sm.CloseDate, ferr = form.date(render.InputCloseDate, loc); ferr != nil {
			return fieldErrors(ferr)
		}
		if raw := form.text(render.InputAmount); raw != "" {
			amount, aerr := phrase.ParseAmount(raw)
			if aerr != nil {
				return fieldErrors(map[string]string{render.InputAmount: fmt.Sprintf("“%s” is not an amount. Try %s.", render.Truncate(raw, 40), phrase.AmountFormats)})
			}
			sm.Amount, sm.Currency = amount.Units, amount.Currency
		}
		var changed bool
		id, known := render.ReadProspectMetadata(cb.View.PrivateMetadata)
		p, changed, err = b.svc.ConfirmFrom(ctx, actor, team, id, known, sm)
		after = func(ctx context.Context, p coach.Prospect) {
			b.changed(ctx, p)
			if !changed {
				b.reply(ctx, "", user, render.Notice(fmt.Sprintf("*%s* was already an opportunity; nothing changed.", render.Escape(p.Account))))
			} else if p.Prompt.IsZero() {
				b.reply(ctx, "", user, render.Decided(p))
			}
		}
	case render.ViewLose:
		topInput = render.InputReason
		report := coach.LossReport{
			Reason:     coach.LossReason(form.selected(render.InputReason)),
			Lesson:     form.text(render.InputLesson),
			SaveMoment: form.text(render.InputSaveMoment),
			Shared:     form.checked(render.InputShare, render.ShareOptionValue),
		}
		id, known := render.ReadProspectMetadata(cb.View.PrivateMetadata)
		p, err = b.svc.LoseFrom(ctx, actor, team, id, known, report)
		after = func(ctx context.Context, p coach.Prospect) {
			b.changed(ctx, p)
			if p.Prompt.IsZero() {
				b.reply(ctx, "", user, render.Decided(p))
			}
		}
	case render.ViewLoseAll:
		reason := coach.LossReason(form.selected(render.InputReason))
		ids := strings.Split(cb.View.PrivateMetadata, ",")
		lost, lerr := b.svc.LoseQuiet(ctx, actor, team, ids, coach.LossReport{Reason: reason, Lesson: form.text(render.InputLesson)})
		if len(lost) == 0 && lerr != nil {
			if storeTrouble(lerr) {
				b.obs.HandlerError("store")
				log.Error().Err(lerr).Msg("lose all failed")
			}
			return fieldErrors(map[string]string{render.InputReason: explain(lerr, loc)})
		}
		if lerr != nil {
			log.Warn().Err(lerr).Int("lost", len(lost)).Msg("lose all: some were not lost")
		}
		b.submit(context.WithoutCancel(ctx), func(ctx context.Context) {
			for _, p := range lost {
				b.settle(ctx, p)
			}
			b.publishHome(ctx, team, user)
			msg := fmt.Sprintf(":broom: Lost %s that had gone quiet. Your pipeline is honest again.", render.Plural(len(lost), "prospect", "prospects"))
			if missed := len(ids) - len(lost); missed > 0 {
				msg += fmt.Sprintf(" %d had changed meanwhile and were left as they are.", missed)
			}
			b.reply(ctx, "", user, render.Notice(msg))
		})
		return nil
	case render.ViewUpdate:
		topInput = render.InputNextStep
		u, ferrs := readUpdate(form, loc)
		if ferrs != nil {
			return fieldErrors(ferrs)
		}
		id, known := render.ReadProspectMetadata(cb.View.PrivateMetadata)
		p, err = b.svc.UpdateFrom(ctx, actor, team, id, known, u)
		after = func(ctx context.Context, p coach.Prospect) {
			b.reply(ctx, "", user, render.Updated(p))
		}
	default:
		log.Debug().Msg("ignored view submission")
		return nil
	}
	if err != nil {
		if storeTrouble(err) {
			b.obs.HandlerError("store")
			log.Error().Err(err).Msg("save failed")
		}
		var fe *coach.FieldError
		if asField(err, &fe) {
			return fieldErrors(map[string]string{inputFor(fe.Field, topInput): explain(err, loc)})
		}
		return fieldErrors(map[string]string{topInput: explain(err, loc)})
	}
	// The ack closes the modal now; the follow-up messages go out after it.
	b.submit(context.WithoutCancel(ctx), func(ctx context.Context) { after(ctx, p) })
	return nil
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

// readUpdate reads the update modal; every field is optional.
func readUpdate(form formValues, loc *time.Location) (coach.DealUpdate, map[string]string) {
	var u coach.DealUpdate
	step := form.text(render.InputNextStep)
	u.NextStep = &step
	if d, _ := form.get(render.InputSecondDate); d.SelectedDate != "" {
		at, ferr := form.dateTime(render.InputSecondDate, render.InputSecondTime, loc)
		if ferr != nil {
			return u, ferr
		}
		u.SecondMeeting = &at
	}
	if raw := form.text(render.InputAmount); raw != "" {
		amount, err := phrase.ParseAmount(raw)
		if err != nil {
			return u, map[string]string{render.InputAmount: fmt.Sprintf("“%s” is not an amount. Try %s.", render.Truncate(raw, 40), phrase.AmountFormats)}
		}
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
		until, err := time.ParseInLocation("2006-01-02 15:04", d.SelectedDate+" 09:00", loc)
		if err != nil {
			return u, map[string]string{render.InputWaitingDate: "Pick a date."}
		}
		u.WaitingUntil = until
	} else if waiting != "" {
		return u, map[string]string{render.InputWaitingDate: "Until when? Pick the date to ask you again."}
	}
	return u, nil
}

// firstInput is the input of a modal where a problem that no single field
// caused is shown, by the modal's callback id.
func firstInput(callbackID string) string {
	switch callbackID {
	case render.ViewLog:
		return render.InputAccount
	case render.ViewConfirm:
		return render.InputSecondDate
	case render.ViewLose, render.ViewLoseAll:
		return render.InputReason
	}
	return render.InputNextStep
}
