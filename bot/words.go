package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

// errSaveFailed is what a person reads when the store could not be reached.
const errSaveFailed = "Couldn't save that — nothing was lost, try again in a minute."

// storeTrouble reports whether err came from the store or the network
// rather than from a rule: every rule's refusal is a coach.ErrRefused.
func storeTrouble(err error) bool {
	return err != nil && !errors.Is(err, coach.ErrRefused)
}

// fail words err for the person and logs it as loud as it is: a refusal is
// the person's answer (debug); trouble is the operator's (error, counted
// as a store failure). what says what was being done.
func (b *Bot) fail(log zerolog.Logger, what string, err error, loc *time.Location) string {
	if storeTrouble(err) {
		b.obs.HandlerError("store")
		log.Error().Err(err).Msg(what)
	} else {
		// Only the class: a refusal's message may quote what was typed.
		log.Debug().Str("refused", refusalClass(err)).Msg(what)
	}
	return explain(err, loc)
}

// refusals are coach's refusal classes, most specific first.
var refusals = []error{coach.ErrStale, coach.ErrDecided, coach.ErrNotOpportunity, coach.ErrNotQuiet, coach.ErrRepTaken,
	coach.ErrNotOnTeam, coach.ErrNotYourNudge, coach.ErrCalendarOff, coach.ErrForbidden, coach.ErrNotFound, coach.ErrInvalid}

// refusalClass names a refusal's class for the log.
func refusalClass(err error) string {
	for _, class := range refusals {
		if errors.Is(err, class) {
			return class.Error()
		}
	}
	return coach.ErrRefused.Error()
}

// explain is the one place a domain error becomes the words a person reads.
func explain(err error, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	var (
		field   *coach.FieldError
		decided *coach.DecidedError
		stale   *coach.StaleError
		taken   *coach.RepTakenError
		role    *coach.RoleError
	)
	switch {
	case errors.As(err, &field):
		return fieldLabel(field.Field) + " " + render.Escape(field.Message) + "."
	case errors.As(err, &decided):
		return fmt.Sprintf("That was already decided: it is %s since %s. Nothing changed.", decided.State, render.When(decided.At, loc))
	case errors.As(err, &stale):
		return staleWords(stale, loc)
	case errors.As(err, &taken):
		return fmt.Sprintf("<@%s> is already on <@%s>'s team, and a rep has one manager. Ask <@%s> to run `/pipeline team remove <@%s>`, or ask an admin to move them.",
			taken.Rep, taken.Manager, taken.Manager, taken.Rep)
	case errors.As(err, &role) && role.Need == coach.RoleManager:
		return "That is for managers, and you don't manage a team. An admin can make you a manager with `/pipeline admin manager @you`."
	case errors.As(err, &role):
		return fmt.Sprintf("Only an admin may %s: workspace admins and the users in ADMIN_USER_IDS.", render.Escape(role.Action))
	case errors.Is(err, coach.ErrNotYourNudge):
		return "That coaching brief was sent to someone else; only they can answer it."
	case errors.Is(err, coach.ErrNotOnTeam):
		return "That rep is not on your team: `/pipeline team add @rep` first."
	case errors.Is(err, coach.ErrNotQuiet):
		return "None of them is gone quiet any more: each was answered or changed meanwhile, so nothing was lost."
	case errors.Is(err, coach.ErrForbidden):
		return "That prospect belongs to someone else: only its owner, their manager or an admin can change it. Nothing changed."
	case errors.Is(err, coach.ErrNotFound):
		return "I can't find that prospect any more. Nothing changed."
	case errors.Is(err, coach.ErrCalendarOff):
		return "Calendars are not connected here: your admin can connect Google Workspace or Microsoft 365 (see the README's \"Connect calendars\" section). Until then, log first meetings with `/pipeline log`."
	case errors.Is(err, coach.ErrNotOpportunity):
		return "That isn't an opportunity yet: a prospect becomes one only when a second meeting is booked (the two-meeting rule). Confirm the second meeting first — or lose it fast."
	case errors.Is(err, coach.ErrInvalid):
		return "That doesn't fit what I can take. Nothing changed; `/pipeline help` shows how."
	case errors.Is(err, coach.ErrProfileUnread):
		return "I couldn't read your Slack profile just now, and its email is how I find your calendar. Nothing changed; try again in a minute."
	}
	return errSaveFailed
}

// staleWords says what others did to a deal while its form was open.
func staleWords(e *coach.StaleError, loc *time.Location) string {
	var did []string
	for _, c := range e.Changes {
		did = append(did, fmt.Sprintf("<@%s> %s it %s", render.Escape(c.By), eventWords(c), render.When(c.At, loc)))
	}
	return fmt.Sprintf("*%s* changed since you opened this form: %s. Nothing was saved — close the form and open it again to see the deal as it is now.",
		render.Escape(render.Truncate(e.Account, 80)), strings.Join(did, "; "))
}

func eventWords(e coach.Entry) string {
	switch e.Event {
	case coach.EventConfirmed:
		return "confirmed a second meeting for"
	case coach.EventLost:
		return "lost"
	case coach.EventWon:
		return "won"
	case coach.EventUpdated:
		return "updated"
	case coach.EventNotYet:
		return "answered “not yet” for"
	case coach.EventWithdrawn:
		return "withdrew"
	}
	return "changed"
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
	case coach.FieldCloseDate:
		return "The expected close"
	case coach.FieldQualification:
		return "A qualification answer"
	case coach.FieldTimeZone:
		return "The time zone"
	}
	return "That"
}

// logCalendarRead logs one read of a rep's calendar as loud as its outcome
// is: a gone mailbox or a failure at warn (an admin sees them in /pipeline
// admin calendar too), a provider asking us to wait at info, reads at debug.
func logCalendarRead(log zerolog.Logger, c coach.CalendarSync, ch coach.CalendarChanges, err error) {
	var later *coach.RetryLaterError
	switch {
	case errors.Is(err, coach.ErrMailboxGone):
		log.Warn().Err(err).Str("team", c.Workspace).Str("user", c.Rep).Msg("calendar mailbox gone")
	case errors.As(err, &later):
		log.Info().Err(err).Str("team", c.Workspace).Str("user", c.Rep).Dur("retry_after", later.After).Msg("calendar read deferred")
	case err != nil:
		log.Warn().Err(err).Str("team", c.Workspace).Str("user", c.Rep).Msg("calendar read failed")
	default:
		log.Debug().Str("team", c.Workspace).Str("user", c.Rep).Int("events", len(ch.Events)).Int("requests", ch.Requests).Bool("full", ch.Full).Msg("calendar read")
	}
}
