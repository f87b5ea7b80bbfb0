package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
		respond(render.Notice(b.fail(b.log.With().Str("team", actor.Workspace).Str("user", actor.User).Logger(), "read calendar status", err, loc)))
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
		respond(render.Notice(b.fail(b.log.With().Str("team", actor.Workspace).Str("user", actor.User).Logger(), "change calendar setting", err, loc)))
		return
	}
	respond(render.CalendarStatus(c, true, b.svc.Now(), loc))
}

// adminCalendar answers `/pipeline admin calendar`.
func (b *Bot) adminCalendar(ctx context.Context, actor coach.Actor, respond func(render.Message)) {
	_, loc := b.users.actor(ctx, actor.Workspace, actor.User)
	all, err := b.svc.CalendarStatuses(ctx, actor)
	if err != nil {
		respond(render.Notice(b.fail(b.log.With().Str("team", actor.Workspace).Str("user", actor.User).Logger(), "read calendar statuses", err, loc)))
		return
	}
	respond(render.CalendarAdmin(all, b.svc.Now(), loc))
}

// clickThatsIt is "Yes, that's it": the calendar's later meeting
// confirmed as the second meeting, in one click. Coach confirms the later
// meeting of the stored record, never a date the button carries.
func (b *Bot) clickThatsIt(ctx context.Context, c click) {
	p, changed, err := b.svc.ConfirmNextMeeting(ctx, c.actor, c.actor.Workspace, c.value)
	if err != nil {
		b.refuseClick(ctx, c, "confirm the calendar's meeting", err)
		return
	}
	p = c.onQuestion(p)
	b.changed(ctx, p)
	if !changed {
		b.respond(ctx, c, render.Notice(fmt.Sprintf("*%s* was already an opportunity; nothing changed.", render.Escape(p.Account))))
	} else if p.Prompt.IsZero() {
		b.respond(ctx, c, b.decided(ctx, p))
	}
}

// clickNotSales is "Not a sales meeting": it withdraws a meeting the
// calendar brought.
func (b *Bot) clickNotSales(ctx context.Context, c click) {
	p, err := b.svc.NotSalesMeeting(ctx, c.actor, c.actor.Workspace, c.value)
	if err != nil && !errors.Is(err, coach.ErrNotIgnored) {
		b.refuseClick(ctx, c, "not a sales meeting", err)
		return
	}
	if err != nil {
		// Withdrawn all the same; only ignoring the company next time failed.
		c.log.Warn().Err(err).Msg("ignore the company for the rep")
	}
	p = c.onQuestion(p)
	b.changed(ctx, p)
	if p.Prompt.IsZero() {
		b.respond(ctx, c, b.decided(ctx, p))
	}
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
