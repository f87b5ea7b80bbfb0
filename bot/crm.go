package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

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

// emails finds a rep's email in their Slack profile (scope users:read.email),
// the key to their user in the CRM; it is coach's Emails.
type emails struct{ dir *directory }

// Email returns the user's profile email, "" when Slack shows none. An
// error is Slack not answering: coach tries again later.
func (e emails) Email(ctx context.Context, workspace, user string) (string, error) {
	p, err := e.dir.person(ctx, workspace, user)
	if err != nil && permanent(err) {
		return "", nil // gone from Slack: no email to find them by
	}
	return p.Email, err
}

// adoptCRMDeal takes in a deal found in the CRM without a second meeting
// and opens the form the rep asked for: confirm the second meeting, or
// lose it fast.
func (b *Bot) adoptCRMDeal(ctx context.Context, cb slack.InteractionCallback, action, dealID string, actor coach.Actor, loc *time.Location, respond func(render.Message), log zerolog.Logger) {
	p, err := b.svc.AdoptCRMDeal(ctx, actor, dealID)
	if errors.Is(err, coach.ErrNotFound) {
		respond(render.Notice(fmt.Sprintf("That deal is no longer open in %s under your name; nothing to do. `/pipeline cleanup` shows what is left.", render.Escape(b.svc.CRMName()))))
		return
	}
	if err != nil {
		log.Error().Err(err).Msg("take in CRM deal")
		respond(render.Notice(errSaveFailed))
		return
	}
	can, view := p.CanLose(), render.LoseModal(p)
	if action == render.ActionCRMConfirm {
		can, view = p.CanConfirm(), render.ConfirmModal(p, coach.SecondMeeting{}, b.svc.FrameworkFor(ctx, actor.Workspace, p.Owner))
	}
	if can != nil {
		respond(render.Notice(explain(can, loc)))
		return
	}
	if _, err := b.slack.OpenView(ctx, cb.TriggerID, view); err != nil {
		log.Warn().Err(err).Msg("open modal")
		respond(render.Notice(fmt.Sprintf("Couldn't open the form. *%s* is now in your pipeline as not yet confirmed: answer it from App Home.", render.Escape(p.Account))))
	}
}

// adminCRM answers /pipeline admin crm.
func (b *Bot) adminCRM(ctx context.Context, actor coach.Actor, respond func(render.Message)) {
	st, err := b.svc.CRMStatus(ctx, actor)
	if err != nil {
		b.log.Error().Err(err).Msg("read CRM status")
		respond(render.Notice(explain(err, nil)))
		return
	}
	_, loc := b.users.actor(ctx, actor.Workspace, actor.User)
	respond(render.AdminCRM(st, loc))
}
