package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

// slashCalendar answers `/pipeline calendar [on|off]`.
func (b *Bot) slashCalendar(ctx context.Context, actor coach.Actor, loc *time.Location, args string, respond func(render.Message)) {
	switch strings.ToLower(strings.TrimSpace(args)) {
	case "on":
		b.setCalendar(ctx, actor, loc, true, respond)
		return
	case "off":
		b.setCalendar(ctx, actor, loc, false, respond)
		return
	case "", "status":
	default:
		respond(render.Notice("Try `/pipeline calendar` (is it read?), `/pipeline calendar on` or `/pipeline calendar off`."))
		return
	}
	c, err := b.svc.CalendarStatus(ctx, actor)
	found := err == nil
	if err != nil && !errors.Is(err, coach.ErrNotFound) {
		respond(render.Notice(b.calendarTrouble(err, "read your calendar's status")))
		return
	}
	respond(render.CalendarStatus(c, found, b.svc.Now(), loc))
}

// setCalendar turns the reading of the rep's calendar on or off.
func (b *Bot) setCalendar(ctx context.Context, actor coach.Actor, loc *time.Location, on bool, respond func(render.Message)) {
	c, err := b.svc.SetCalendar(ctx, actor, on)
	if errors.Is(err, coach.ErrNotFound) && on {
		respond(render.Notice("I can't find an email in your Slack profile, so I don't know which calendar is yours. Add it to your profile and try again."))
		return
	}
	if err != nil {
		respond(render.Notice(b.calendarTrouble(err, "change your calendar setting")))
		return
	}
	respond(render.CalendarStatus(c, true, b.svc.Now(), loc))
}

// adminCalendar answers `/pipeline admin calendar`.
func (b *Bot) adminCalendar(ctx context.Context, actor coach.Actor, respond func(render.Message)) {
	all, err := b.svc.CalendarStatuses(ctx, actor)
	if err != nil {
		respond(render.Notice(b.calendarTrouble(err, "read the calendars' status")))
		return
	}
	_, loc := b.users.actor(ctx, actor.Workspace, actor.User)
	respond(render.CalendarAdmin(all, b.svc.Now(), loc))
}

// confirmCalendarMeeting is "Yes, that's it": the calendar's later meeting
// confirmed as the second meeting, in one click.
func (b *Bot) confirmCalendarMeeting(ctx context.Context, actor coach.Actor, loc *time.Location, id string, respond func(render.Message)) {
	p, changed, err := b.svc.ConfirmNextMeeting(ctx, actor, actor.Workspace, id)
	if err != nil {
		b.refuse(ctx, b.log.With().Str("prospect", id).Logger(), err, loc, respond, actor, id)
		return
	}
	b.changed(ctx, p)
	if !changed {
		respond(render.Notice(fmt.Sprintf("*%s* was already an opportunity; nothing changed.", render.Escape(p.Account))))
	} else if p.Prompt.IsZero() {
		respond(render.Decided(p))
	}
}

// notSalesMeeting withdraws a meeting the calendar brought.
func (b *Bot) notSalesMeeting(ctx context.Context, actor coach.Actor, loc *time.Location, id string, respond func(render.Message)) {
	p, err := b.svc.NotSalesMeeting(ctx, actor, actor.Workspace, id)
	if err != nil && p.State != coach.Withdrawn {
		b.refuse(ctx, b.log.With().Str("prospect", id).Logger(), err, loc, respond, actor, id)
		return
	}
	if err != nil {
		b.log.Warn().Err(err).Str("prospect", id).Msg("ignore the company for the rep")
	}
	b.changed(ctx, p)
	if p.Prompt.IsZero() {
		respond(render.Decided(p))
	}
}

// calendarTrouble is a calendar command's failure in words.
func (b *Bot) calendarTrouble(err error, what string) string {
	if msg := explainCalendar(err); msg != "" {
		return msg
	}
	b.log.Error().Err(err).Msg(what)
	return errSaveFailed
}

// startCalendar starts reading the calendars of a workspace's reps, once
// per process: the first command tells the bot its workspace.
func (b *Bot) startCalendar(ctx context.Context, workspace string) {
	if !b.svc.CalendarOn() {
		return
	}
	if _, started := b.calendars.LoadOrStore(workspace, true); started {
		return
	}
	if err := b.svc.StartCalendar(ctx, workspace); err != nil {
		b.calendars.Delete(workspace)
		b.log.Warn().Err(err).Str("team", workspace).Msg("start reading calendars")
	}
}

// enrolCalendars starts reading new reps' calendars at once rather than
// at the next roster round.
func (b *Bot) enrolCalendars(ctx context.Context, workspace string, reps []string) {
	for _, r := range reps {
		if err := b.svc.EnrolCalendar(ctx, workspace, r); err != nil {
			b.log.Warn().Err(err).Str("team", workspace).Str("user", r).Msg("start reading a rep's calendar")
		}
	}
}

// logCalendarRead logs one read of a rep's calendar: failures at warn
// (an admin sees them in /pipeline admin calendar too), reads at debug.
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
