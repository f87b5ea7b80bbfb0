package bot

import (
	"errors"
	"fmt"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

// explain is the one place a domain error becomes the words a person reads.
func explain(err error, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	var field *coach.FieldError
	var decided *coach.DecidedError
	switch {
	case errors.As(err, &field):
		return fieldLabel(field.Field) + " " + field.Message + "."
	case errors.As(err, &decided):
		return fmt.Sprintf("That was already decided: it is %s since %s. Nothing changed.", decided.State, render.When(decided.At, loc))
	case errors.Is(err, coach.ErrForbidden):
		return "That prospect belongs to someone else: only its owner, their manager or an admin can change it. Nothing changed."
	case errors.Is(err, coach.ErrNotFound):
		return "I can't find that prospect any more. Nothing changed."
	case errors.Is(err, coach.ErrCalendarOff):
		return explainCalendar(err)
	case errors.Is(err, coach.ErrNotOpportunity):
		return "That isn't an opportunity yet: a prospect becomes one only when a second meeting is booked (the two-meeting rule). Confirm the second meeting first — or lose it fast."
	}
	return errSaveFailed
}

// explainCalendar is a calendar command's error in words, "" for one that
// is no person's doing.
func explainCalendar(err error) string {
	switch {
	case errors.Is(err, coach.ErrCalendarOff):
		return "Calendars are not connected here: your admin can connect Google Workspace or Microsoft 365 (see the README's \"Calendars\" section). Until then, log first meetings with `/pipeline log`."
	case errors.Is(err, coach.ErrForbidden):
		return "Only admins can see everyone's calendar status: workspace admins and the users listed in ADMIN_USER_IDS."
	}
	return ""
}

func fieldLabel(field string) string {
	switch field {
	case coach.FieldAccount:
		return "The company name"
	case coach.FieldContact:
		return "The contact"
	case coach.FieldFirstMeeting:
		return "The first meeting"
	case coach.FieldSecondMeeting:
		return "The second meeting"
	case coach.FieldAmount:
		return "The amount"
	case coach.FieldNextStep:
		return "The next step"
	case coach.FieldReason:
		return "The reason"
	case coach.FieldLesson:
		return "The lesson"
	case coach.FieldSaveMoment:
		return "When it could have been saved"
	case coach.FieldWaitingOn:
		return "What you are waiting on"
	case coach.FieldWaitingUntil:
		return "The end of the wait"
	case coach.FieldQualification:
		return "A qualification answer"
	}
	return "That"
}

func asField(err error, target **coach.FieldError) bool { return errors.As(err, target) }
