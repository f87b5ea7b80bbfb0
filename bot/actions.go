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
)

func (b *Bot) handleAction(ctx context.Context, cb slack.InteractionCallback) {
	for _, a := range cb.ActionCallback.BlockActions {
		b.handleButton(ctx, cb, a)
	}
}

func (b *Bot) handleButton(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) {
	team, user := cb.Team.ID, cb.User.ID
	log := b.log.With().Str("team", team).Str("user", user).Str("action", a.ActionID).Str("prospect", a.Value).Logger()
	actor, loc := b.users.actor(ctx, team, user)
	respond := func(m render.Message) { b.reply(ctx, cb.ResponseURL, user, m) }
	id := a.Value

	action, _, _ := strings.Cut(a.ActionID, ".")
	switch action {
	case render.ActionNudgeDiscussed, render.ActionNudgeSnooze:
		snooze := action == render.ActionNudgeSnooze
		until, err := b.svc.AnswerNudge(ctx, actor, a.Value, snooze)
		if errors.Is(err, coach.ErrNotYourNudge) {
			respond(render.Notice("That nudge was sent to someone else; only they can answer it."))
			return
		}
		if err != nil {
			log.Error().Err(err).Msg("answer nudge")
			respond(render.Notice(errSaveFailed))
			return
		}
		answer := fmt.Sprintf(":white_check_mark: Discussed — this one stays quiet until %s.", render.Day(until, loc))
		if snooze {
			answer = fmt.Sprintf(":zzz: Snoozed until %s.", render.Day(until, loc))
		}
		if err := b.slack.UpdateMessage(ctx, cb.Channel.ID, cb.Message.Timestamp, render.NudgeAnswered(cb.Message.Blocks.BlockSet, answer).Options()...); err != nil {
			log.Warn().Err(err).Msg("update nudge")
		}
	case render.ActionDealCard:
		p, err := b.svc.Prospect(ctx, actor, id)
		if err != nil {
			respond(render.Notice(explain(err, loc)))
			return
		}
		if _, err := b.slack.OpenView(ctx, cb.TriggerID, render.DealCard(p, b.svc.FrameworkFor(ctx, team, p.Owner), loc)); err != nil {
			log.Warn().Err(err).Msg("open deal card")
		}
	case render.ActionSeeAll:
		v, err := b.svc.RepView(ctx, team, user)
		if err != nil {
			log.Error().Err(err).Msg("read pipeline")
			respond(render.Notice(errSaveFailed))
			return
		}
		if _, err := b.slack.OpenView(ctx, cb.TriggerID, render.AllModal(v, a.Value, loc)); err != nil {
			log.Warn().Err(err).Msg("open see-all modal")
		}
	case render.ActionLoseAll:
		v, err := b.svc.RepView(ctx, team, user)
		if err != nil {
			log.Error().Err(err).Msg("read pipeline")
			respond(render.Notice(errSaveFailed))
			return
		}
		if len(v.GoneQuiet) == 0 {
			respond(render.Notice("No gone-quiet prospects left: nothing to lose."))
			return
		}
		if _, err := b.slack.OpenView(ctx, cb.TriggerID, render.LoseAllModal(v.GoneQuiet)); err != nil {
			log.Warn().Err(err).Msg("open lose-all modal")
			respond(render.Notice("Couldn't open the form — try again."))
		}
	case render.ActionUpdate:
		p, err := b.svc.Prospect(ctx, actor, id)
		if err == nil {
			err = p.CanUpdate()
		}
		if err != nil {
			respond(render.Notice(explain(err, loc)))
			return
		}
		if _, err := b.slack.OpenView(ctx, cb.TriggerID, render.UpdateModal(p, b.svc.FrameworkFor(ctx, team, p.Owner))); err != nil {
			log.Warn().Err(err).Msg("open update modal")
			respond(render.Notice("Couldn't open the form — try again, or use `/pipeline update <deal>`."))
		}
	case render.ActionYes, render.ActionLose:
		// Modals first: the trigger id dies three seconds after the click.
		p, err := b.svc.Prospect(ctx, actor, id)
		if err != nil {
			respond(render.Notice(explain(err, loc)))
			return
		}
		can := p.CanLose()
		if action == render.ActionYes {
			can = p.CanConfirm()
		}
		if can != nil {
			respond(render.Notice(explain(can, loc)))
			b.changed(ctx, p)
			return
		}
		view := render.LoseModal(p)
		if action == render.ActionYes {
			var draft coach.SecondMeeting
			if p.NextMeeting != nil {
				draft.At = p.NextMeeting.Start // the calendar's later meeting, for the rep to keep or change
			}
			view = render.ConfirmModal(p, draft, b.svc.FrameworkFor(ctx, team, p.Owner))
		}
		if _, err := b.slack.OpenView(ctx, cb.TriggerID, view); err != nil {
			log.Warn().Err(err).Msg("open modal")
			respond(render.Notice("Couldn't open the form. You can also reply to me in words: _yes, tue 10am_ · _not yet_ · _no_."))
		}
	case render.ActionNotYet:
		p, err := b.svc.NotYet(ctx, actor, team, id)
		if err != nil {
			b.refuse(ctx, log, err, loc, respond, actor, id)
			return
		}
		b.changed(ctx, p)
	case render.ActionThatsIt:
		b.confirmCalendarMeeting(ctx, actor, loc, id, respond)
	case render.ActionNotSales:
		b.notSalesMeeting(ctx, actor, loc, id, respond)
	case render.ActionCalendarOn, render.ActionCalendarOff:
		b.setCalendar(ctx, actor, loc, action == render.ActionCalendarOn, respond)
	case render.ActionWon:
		p, err := b.svc.Win(ctx, actor, team, id)
		if err != nil {
			b.refuse(ctx, log, err, loc, respond, actor, id)
			return
		}
		b.changed(ctx, p)
		respond(render.Notice(fmt.Sprintf(":trophy: *%s* won. Well done!", render.Escape(p.Account))))
	default:
		log.Debug().Msg("ignored action")
	}
}

// refuse tells the person why nothing changed, and refreshes a stale
// question when the answer is that it was decided already.
func (b *Bot) refuse(ctx context.Context, log zerolog.Logger, err error, loc *time.Location, respond func(render.Message), actor coach.Actor, id string) {
	if storeTrouble(err) {
		b.obs.HandlerError("store")
		log.Error().Err(err).Msg("action failed")
	}
	respond(render.Notice(explain(err, loc)))
	if errors.Is(err, coach.ErrDecided) {
		if p, err := b.svc.Prospect(ctx, actor, id); err == nil {
			b.changed(ctx, p)
		}
	}
}
