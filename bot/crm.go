package bot

import (
	"context"
	"errors"

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
