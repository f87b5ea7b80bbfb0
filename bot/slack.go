package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/sender"
	"pipelinecoach/coach"
)

// Slack is the Web API as the bot uses it; bot/sender implements it with
// rate limits and retries.
type Slack interface {
	PostMessage(ctx context.Context, channel string, opts ...slack.MsgOption) (channelID, ts string, err error)
	UpdateMessage(ctx context.Context, channel, ts string, opts ...slack.MsgOption) error
	PostEphemeral(ctx context.Context, channel, user string, opts ...slack.MsgOption) error
	Respond(ctx context.Context, responseURL string, opts ...slack.MsgOption) error
	OpenView(ctx context.Context, triggerID string, v slack.ModalViewRequest) (viewID string, err error)
	PublishHome(ctx context.Context, userID string, v slack.HomeTabViewRequest) error
	UserInfo(ctx context.Context, userID string) (*slack.User, error)
	DNDInfo(ctx context.Context, userID string) (*slack.DNDStatus, error)
}

// reply answers a person where they asked: through the response_url when
// there is one (ephemeral), otherwise in their DM. When Slack refuses the
// answer for good, the person still hears it where they can: blocks Slack
// rejects (invalid_blocks) are sent again as plain text, and an answer the
// response_url does not take goes to their DM.
func (b *Bot) reply(ctx context.Context, responseURL, user string, m render.Message) {
	send := func(m render.Message) error {
		if responseURL != "" {
			opts := append(m.Options(), slack.MsgOptionResponseURL(responseURL, slack.ResponseTypeEphemeral))
			return b.slack.Respond(ctx, responseURL, opts...)
		}
		_, _, err := b.slack.PostMessage(ctx, user, m.Options()...)
		return err
	}
	err := send(m)
	if err != nil && m.Fallback != nil && refusedData(err) {
		b.log.Warn().Str("user", user).Msg("tables and charts refused (invalid_blocks); sending them as text")
		err = send(m.Plain())
	}
	if err != nil && permanent(err) && sender.SlackError(err) == "invalid_blocks" && len(m.Blocks) > 0 && m.Text != "" {
		b.log.Warn().Err(err).Str("user", user).Msg("reply refused; sending it as plain text")
		err = send(render.Message{Text: m.Text})
	}
	if err != nil && permanent(err) && responseURL != "" {
		b.log.Warn().Err(err).Str("user", user).Msg("reply refused by the response_url; sending it to the DM")
		responseURL = ""
		err = send(m)
	}
	if err != nil {
		b.log.Warn().Err(err).Str("user", user).Msg("reply failed")
	}
}

// changed follows every change of a rep's deal: the question shows what was
// decided, and App Home shows the deal where it now belongs.
// Neither waits for Slack's limits: the answer goes first.
func (b *Bot) changed(ctx context.Context, p coach.Prospect) {
	b.changedAs(ctx, p, b.decided(ctx, p))
}

// changedAs is changed with the question above shown as settled: the
// decision, or (for an answer typed below it) a pointer to the answer.
func (b *Bot) changedAs(ctx context.Context, p coach.Prospect, settled render.Message) {
	b.settleSoonAs(ctx, p, settled)
	if b.homes.recent(p.Workspace+"/"+p.Owner, b.svc.Now()) {
		b.publishHomeSoon(p.Workspace, p.Owner)
	}
}

// homeWatch remembers who opened App Home lately, so a change refreshes the
// Home only of reps who may be looking at it; everyone else gets a fresh
// one when they open it.
type homeWatch struct {
	mu     sync.Mutex
	opened map[string]time.Time
}

// homeFresh is how long after opening App Home a rep's Home follows changes.
const homeFresh = time.Hour

func (h *homeWatch) saw(key string, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.opened == nil || len(h.opened) > 50000 {
		h.opened = map[string]time.Time{}
	}
	h.opened[key] = now
}

func (h *homeWatch) recent(key string, now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	at, ok := h.opened[key]
	return ok && now.Sub(at) < homeFresh
}

// settleAs shows on the rep's question what was decided (settled), so no
// stale buttons stay behind, wherever the answer came from.
func (b *Bot) settleAs(ctx context.Context, p coach.Prospect, settled render.Message) {
	if p.Prompt.IsZero() {
		return
	}
	if err := b.slack.UpdateMessage(ctx, p.Prompt.Channel, p.Prompt.TS, settled.Options()...); err != nil {
		b.log.Warn().Err(err).Str("prospect", p.ID).Msg("update prompt failed")
	}
}

// Notifier asks reps their questions in a DM and posts shared losses to
// the celebration channel; it is coach's Notifier.
type Notifier struct {
	Slack Slack
	// Celebrations is the channel id for shared losses; empty for none.
	Celebrations string
	// Status keeps the last celebration failure for /pipeline admin.
	Status coach.Ledger
	Log    zerolog.Logger
}

// celebrationStatus is the ledger key of a workspace's celebration problem.
func celebrationStatus(workspace string) string { return "status/" + workspace + "/celebration" }

// Ask posts the question to the rep's DM.
func (n Notifier) Ask(ctx context.Context, p coach.Prospect, a coach.Ask) (coach.MessageRef, error) {
	ch, ts, err := n.Slack.PostMessage(ctx, p.Owner, render.Prompt(p, a).Options()...)
	if err != nil {
		if permanent(err) {
			return coach.MessageRef{}, errors.Join(coach.ErrUndeliverable, err)
		}
		return coach.MessageRef{}, err
	}
	return coach.MessageRef{Channel: ch, TS: ts}, nil
}

// Celebrate posts a shared loss to the celebration channel. When it cannot
// (none set, the bot not in it), the rep hears that the loss is saved and
// the admin finds the fix in the log.
func (n Notifier) Celebrate(ctx context.Context, p coach.Prospect) (coach.MessageRef, error) {
	var err error
	if n.Celebrations == "" {
		err = fmt.Errorf("no celebration channel set: %w", coach.ErrUndeliverable)
	} else {
		var ch, ts string
		ch, ts, err = n.Slack.PostMessage(ctx, n.Celebrations, render.Celebration(p).Options()...)
		if err == nil {
			if n.Status != nil {
				_ = n.Status.Forget(ctx, celebrationStatus(p.Workspace))
			}
			return coach.MessageRef{Channel: ch, TS: ts}, nil
		}
		if !permanent(err) {
			return coach.MessageRef{}, err
		}
	}
	if n.Status != nil {
		problem := "no_channel"
		if n.Celebrations != "" {
			problem = sender.SlackError(err)
		}
		_ = n.Status.Record(ctx, celebrationStatus(p.Workspace), problem, 30*24*time.Hour)
	}
	n.Log.Error().Err(err).Str("channel", n.Celebrations).Str("prospect", p.ID).
		Msg("cannot post to the celebration channel: set CELEBRATION_CHANNEL to a channel id and invite the bot there with /invite @pipeline-coach")
	note := render.Notice(fmt.Sprintf("Your loss of *%s* is saved. I couldn't share it with the team: I'm not in the celebration channel. Ask an admin to invite me there (`/invite @pipeline-coach`).", render.Escape(p.Account)))
	if _, _, derr := n.Slack.PostMessage(ctx, p.Owner, note.Options()...); derr != nil {
		n.Log.Warn().Err(derr).Str("user", p.Owner).Msg("tell rep about the celebration channel")
	}
	return coach.MessageRef{}, errors.Join(coach.ErrUndeliverable, err)
}

func permanent(err error) bool { return errors.Is(err, sender.ErrPermanent) }

// Digest posts a team's digest to its channel, or to the manager when the
// team has no channel (with a note on how to set one) or the bot cannot post
// there (with a note on how to invite it).
func (n Notifier) Digest(ctx context.Context, t coach.Team, d coach.Digest) (coach.MessageRef, error) {
	msgs := render.Digest(d, d.Week.To)
	if t.Channel == "" {
		note := render.Notice("Your team's weekly digest is below. To post it to the team instead, set a channel: `/pipeline team channel #sales-team`.")
		return n.postAll(ctx, t.Manager, append([]render.Message{note}, msgs...))
	}
	ref, err := n.postAll(ctx, t.Channel, msgs)
	if err == nil || !permanent(err) {
		return ref, err
	}
	n.Log.Error().Err(err).Str("channel", t.Channel).Str("manager", t.Manager).
		Msg("cannot post the digest in the team channel: invite the bot there with /invite @pipeline-coach; sent to the manager instead")
	note := render.Notice(fmt.Sprintf("I couldn't post your team's weekly digest in <#%s> (%s). Invite me there with `/invite @pipeline-coach`, or pick another channel with `/pipeline team channel #channel`. Here it is meanwhile:",
		render.Escape(t.Channel), render.Escape(sender.SlackError(err))))
	return n.postAll(ctx, t.Manager, append([]render.Message{note}, msgs...))
}

// postAll posts messages in order and returns the first.
func (n Notifier) postAll(ctx context.Context, target string, msgs []render.Message) (coach.MessageRef, error) {
	var first coach.MessageRef
	for i, m := range msgs {
		ch, ts, err := n.Slack.PostMessage(ctx, target, m.Options()...)
		if err != nil && m.Fallback != nil && refusedData(err) {
			// The workspace does not take tables or charts: say them in text.
			n.Log.Warn().Str("channel", target).Msg("tables and charts refused (invalid_blocks); posted as text")
			ch, ts, err = n.Slack.PostMessage(ctx, target, m.Plain().Options()...)
		}
		if err != nil {
			if i == 0 && permanent(err) {
				return first, errors.Join(coach.ErrUndeliverable, err)
			}
			return first, fmt.Errorf("post part %d of %d: %w", i+1, len(msgs), err)
		}
		if i == 0 {
			first = coach.MessageRef{Channel: ch, TS: ts}
		}
	}
	return first, nil
}

// refusedData reports whether Slack refused a message's blocks: a workspace
// or client that does not take tables and charts answers invalid_blocks.
func refusedData(err error) bool { return sender.SlackError(err) == "invalid_blocks" }

// publishHome publishes an App Home view; when Slack refuses its tables or
// charts, it publishes them as text instead.
func publishHome(ctx context.Context, s Slack, user string, v slack.HomeTabViewRequest) error {
	err := s.PublishHome(ctx, user, v)
	if err == nil || !refusedData(err) || !slices.ContainsFunc(v.Blocks.BlockSet, render.IsDataBlock) {
		return err
	}
	v.Blocks.BlockSet = render.WithoutData(v.Blocks.BlockSet)
	return s.PublishHome(ctx, user, v)
}

// Brief sends a rep's coaching brief to their manager's DM.
func (n Notifier) Brief(ctx context.Context, x coach.Brief) (coach.MessageRef, error) {
	ch, ts, err := n.Slack.PostMessage(ctx, x.Manager, render.Brief(x).Options()...)
	if err != nil {
		if permanent(err) {
			return coach.MessageRef{}, errors.Join(coach.ErrUndeliverable, err)
		}
		return coach.MessageRef{}, err
	}
	return coach.MessageRef{Channel: ch, TS: ts}, nil
}
