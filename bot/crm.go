package bot

import (
	"context"
	"errors"
	"fmt"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

// CRMRefused tells the rep in their DM that the CRM refused their deal; it
// is coach's CRMNotifier.
func (n Notifier) CRMRefused(ctx context.Context, p coach.Prospect, crm, reason string) (coach.MessageRef, error) {
	ch, ts, err := n.Slack.PostMessage(ctx, p.Owner, render.CRMRefused(p, crm, reason).Options()...)
	if err != nil {
		if permanent(err) {
			return coach.MessageRef{}, errors.Join(coach.ErrUndeliverable, err)
		}
		return coach.MessageRef{}, err
	}
	return coach.MessageRef{Channel: ch, TS: ts}, nil
}

// adoptCRMDeal takes in a deal found in the CRM without a second meeting
// (the click's value is the deal's id there) and opens the form the rep
// asked for: confirm the second meeting, or lose it fast.
func (b *Bot) adoptCRMDeal(ctx context.Context, c click, confirm bool) {
	p, err := b.svc.AdoptCRMDeal(ctx, c.actor, c.value)
	if errors.Is(err, coach.ErrNotFound) {
		b.respond(ctx, c, render.Notice(fmt.Sprintf("That deal is no longer open in %s under your name; nothing to do. `/pipeline cleanup` shows what is left.", render.Escape(b.svc.CRMName()))))
		return
	}
	if err != nil {
		b.respond(ctx, c, render.Notice(b.fail(c.log, "take in CRM deal", err, c.loc)))
		return
	}
	can, view := p.CanLose(), render.LoseModal(p)
	if confirm {
		can, view = p.CanConfirm(), render.ConfirmModal(p, coach.SecondMeeting{}, b.svc.FrameworkFor(ctx, c.actor.Workspace, p.Owner), b.numbersOf(ctx, p))
	}
	if can != nil {
		b.respond(ctx, c, render.Notice(b.fail(c.log, "open form", can, c.loc)))
		return
	}
	if _, err := b.slack.OpenView(ctx, c.in.TriggerID, view); err != nil {
		c.log.Warn().Err(err).Msg("open modal")
		b.respond(ctx, c, render.Notice(fmt.Sprintf("Couldn't open the form. *%s* is now in your pipeline as not yet confirmed: answer it from App Home.", render.Escape(p.Account))))
	}
}

// adminCRM answers /pipeline admin crm.
func (b *Bot) adminCRM(ctx context.Context, actor coach.Actor, respond func(render.Message)) {
	_, loc := b.users.actor(ctx, actor.Workspace, actor.User)
	st, err := b.svc.CRMStatus(ctx, actor)
	if err != nil {
		log := b.log.With().Str("team", actor.Workspace).Str("user", actor.User).Logger()
		respond(render.Notice(b.fail(log, "read CRM status", err, loc)))
		return
	}
	respond(render.AdminCRM(st, loc))
}
