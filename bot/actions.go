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
	"pipelinecoach/bot/socket"
	"pipelinecoach/coach"
)

func (b *Bot) handleAction(ctx context.Context, in *socket.Interaction) {
	ctx = withInteraction(ctx, &in.InteractionCallback)
	for _, a := range in.ActionCallback.BlockActions {
		b.handleButton(ctx, in, a)
	}
}

// click is a button pressed: who pressed it, their zone, and the one thing
// its value names (a prospect's id, a brief's key, an App Home section).
// Coach decides on what is stored under that name, never on the message.
type click struct {
	in    *socket.Interaction // the callback, its message's blocks decoded on demand
	actor coach.Actor
	loc   *time.Location
	log   zerolog.Logger
	value string
}

// handleButton runs the button's handler; the part of an action id before
// a dot names it (a list of buttons numbers them after the dot).
func (b *Bot) handleButton(ctx context.Context, in *socket.Interaction, a *slack.BlockAction) {
	cb := &in.InteractionCallback
	actor, loc := b.users.actor(ctx, cb.Team.ID, cb.User.ID)
	c := click{in: in, actor: actor, loc: loc, value: a.Value,
		log: b.log.With().Str("team", cb.Team.ID).Str("user", cb.User.ID).Str("action", a.ActionID).Str("prospect", a.Value).Logger()}
	action, _, _ := strings.Cut(a.ActionID, ".")
	switch action {
	case render.ActionNudgeDiscussed:
		b.answerNudge(ctx, c, false)
	case render.ActionNudgeSnooze:
		b.answerNudge(ctx, c, true)
	case render.ActionCorrectLog:
		b.openCorrection(ctx, cb.TriggerID, c.actor, c.value, c.loc, func(m render.Message) { b.reply(ctx, cb.ResponseURL, cb.User.ID, m) })
	case render.ActionDealCard:
		b.openDealCard(ctx, c)
	case render.ActionSeeAll:
		b.openSeeAll(ctx, c)
	case render.ActionLoseAll:
		b.openLoseAll(ctx, c)
	case render.ActionUpdate:
		b.openUpdate(ctx, c)
	case render.ActionYes:
		b.openConfirm(ctx, c)
	case render.ActionLose:
		b.openLose(ctx, c)
	case render.ActionCRMConfirm:
		b.adoptCRMDeal(ctx, c, true)
	case render.ActionCRMLose:
		b.adoptCRMDeal(ctx, c, false)
	case render.ActionNotYet:
		b.clickNotYet(ctx, c)
	case render.ActionThatsIt:
		b.clickThatsIt(ctx, c)
	case render.ActionNotSales:
		b.clickNotSales(ctx, c)
	case render.ActionCalendarOn:
		b.setCalendar(ctx, c.actor, c.loc, true, func(m render.Message) { b.respond(ctx, c, m) })
	case render.ActionCalendarOff:
		b.setCalendar(ctx, c.actor, c.loc, false, func(m render.Message) { b.respond(ctx, c, m) })
	case render.ActionWon:
		b.clickWon(ctx, c)
	default:
		c.log.Debug().Msg("ignored action")
	}
}

// respond answers the person who clicked, only them.
func (b *Bot) respond(ctx context.Context, c click, m render.Message) {
	b.reply(ctx, c.in.ResponseURL, c.actor.User, m)
}

// onQuestion is p with the question the button was pressed on as its
// prompt, when the store holds none yet: coach records a question just
// after Slack has taken it (coach.Prospect.Asked), and a rep may press a
// button in between. The question must still show what was decided rather
// than keep its buttons. Only a message that carries this very button for
// p counts: a click whose value names a prospect its message never showed
// changes no message.
func (c click) onQuestion(p coach.Prospect) coach.Prospect {
	box := c.in.Container
	if !p.Prompt.IsZero() || box.Type != "message" || box.IsEphemeral || box.MessageTs == "" || box.ChannelID == "" {
		return p
	}
	if !showsButton(c.in.MessageBlocks(), p.ID) {
		return p
	}
	p.Prompt = coach.MessageRef{Channel: box.ChannelID, TS: box.MessageTs}
	return p
}

// showsButton reports whether blocks hold a button whose value is value.
func showsButton(blocks slack.Blocks, value string) bool {
	for _, bl := range blocks.BlockSet {
		actions, ok := bl.(*slack.ActionBlock)
		if !ok || actions.Elements == nil {
			continue
		}
		for _, el := range actions.Elements.ElementSet {
			if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.Value == value {
				return true
			}
		}
	}
	return false
}

// answerNudge records a manager's answer to a coaching brief and shows it
// in place of the brief's buttons.
func (b *Bot) answerNudge(ctx context.Context, c click, snooze bool) {
	until, err := b.svc.AnswerNudge(ctx, c.actor, c.value, snooze)
	if err != nil {
		b.respond(ctx, c, render.Notice(b.fail(c.log, "answer brief", err, c.loc)))
		return
	}
	answer := fmt.Sprintf(":white_check_mark: Discussed — this one stays quiet until %s.", render.Day(until, c.loc))
	if snooze {
		answer = fmt.Sprintf(":zzz: Snoozed until %s.", render.Day(until, c.loc))
	}
	// The answer replaces the buttons of the brief as the ledger says it was
	// posted; a click that claims another message is answered privately.
	posted := b.svc.NudgePost(ctx, c.actor, c.value, coach.MessageRef{Channel: c.in.Channel.ID, TS: c.in.Message.Timestamp})
	if posted.IsZero() || posted.Channel != c.in.Channel.ID || posted.TS != c.in.Message.Timestamp {
		b.respond(ctx, c, render.Notice(answer))
		return
	}
	answered := render.NudgeAnswered(c.in.MessageBlocks().BlockSet, answer)
	// Through the button's response_url first: at once, outside
	// chat.update's limit of about one a second.
	if url := c.in.ResponseURL; url != "" {
		err := b.slack.Respond(ctx, url, append(answered.Options(), slack.MsgOptionReplaceOriginal(url))...)
		if err == nil {
			return
		}
		c.log.Warn().Err(err).Msg("update nudge through its response_url; updating it with chat.update")
	}
	if err := b.slack.UpdateMessage(ctx, posted.Channel, posted.TS, answered.Options()...); err != nil {
		c.log.Warn().Err(err).Msg("update brief")
	}
}

func (b *Bot) openDealCard(ctx context.Context, c click) {
	p, err := b.svc.Prospect(ctx, c.actor, c.value)
	if err != nil {
		b.respond(ctx, c, render.Notice(b.fail(c.log, "read deal", err, c.loc)))
		return
	}
	card := render.DealCard(p, b.svc.FrameworkFor(ctx, c.actor.Workspace, p.Owner), b.numbersOf(ctx, p), c.loc)
	b.openView(ctx, c, card, "deal card", "try again.")
}

func (b *Bot) openSeeAll(ctx context.Context, c click) {
	v, err := b.svc.RepView(ctx, c.actor.Workspace, c.actor.User)
	if err != nil {
		b.respond(ctx, c, render.Notice(b.fail(c.log, "read pipeline", err, c.loc)))
		return
	}
	b.openView(ctx, c, render.AllModal(v, c.value, c.loc), "see-all modal", "`/pipeline` lists the same deals.")
}

func (b *Bot) openLoseAll(ctx context.Context, c click) {
	v, err := b.svc.RepView(ctx, c.actor.Workspace, c.actor.User)
	if err != nil {
		b.respond(ctx, c, render.Notice(b.fail(c.log, "read pipeline", err, c.loc)))
		return
	}
	if len(v.GoneQuiet) == 0 {
		b.respond(ctx, c, render.Notice("No gone-quiet prospects left: nothing to lose."))
		return
	}
	b.openView(ctx, c, render.LoseAllModal(v.GoneQuiet), "lose-all modal", "try again.")
}

// inWords is what a rep can do instead of a form that would not open.
const inWords = "You can also reply to me in words: _yes, tue 10am_ · _not yet_ · _no_."

// openView opens a form from a click. When Slack will not open it, the
// person is told, with what else they can do (instead): a click whose form
// never appears must not look ignored.
func (b *Bot) openView(ctx context.Context, c click, v slack.ModalViewRequest, what, instead string) {
	if _, err := b.slack.OpenView(ctx, c.in.TriggerID, v); err != nil {
		c.log.Warn().Err(err).Msg("open " + what)
		b.respond(ctx, c, render.Notice("Couldn't open the form: "+instead))
	}
}

// openForm reads the prospect a form is about, checks it may take the
// form's change (can), and returns it; or answers why not. Forms open
// first thing: the trigger id dies three seconds after the click.
func (b *Bot) openForm(ctx context.Context, c click, can func(coach.Prospect) error) (coach.Prospect, bool) {
	p, err := b.svc.Prospect(ctx, c.actor, c.value)
	if err == nil {
		err = can(p)
	}
	if err != nil {
		b.respond(ctx, c, render.Notice(b.fail(c.log, "open form", err, c.loc)))
		if errors.Is(err, coach.ErrDecided) {
			b.changed(ctx, p) // the question is stale: show the decision
		}
		return p, false
	}
	return p, true
}

func (b *Bot) openUpdate(ctx context.Context, c click) {
	p, ok := b.openForm(ctx, c, coach.Prospect.CanUpdate)
	if !ok {
		return
	}
	view := render.UpdateModal(p, b.svc.FrameworkFor(ctx, c.actor.Workspace, p.Owner), b.numbersOf(ctx, p))
	b.openView(ctx, c, view, "update modal", "try again, or use `/pipeline update <deal>`.")
}

func (b *Bot) openConfirm(ctx context.Context, c click) {
	p, ok := b.openForm(ctx, c, coach.Prospect.CanConfirm)
	if !ok {
		return
	}
	var draft coach.SecondMeeting
	if p.NextMeeting != nil {
		draft.At = p.NextMeeting.Start // the calendar's later meeting, for the rep to keep or change
	}
	view := render.ConfirmModal(p, draft, b.svc.FrameworkFor(ctx, c.actor.Workspace, p.Owner), b.numbersOf(ctx, p))
	b.openView(ctx, c, withFormOrigin(view, &c.in.InteractionCallback), "confirm modal", inWords)
}

func (b *Bot) openLose(ctx context.Context, c click) {
	p, ok := b.openForm(ctx, c, coach.Prospect.CanLose)
	if !ok {
		return
	}
	b.openView(ctx, c, withFormOrigin(render.LoseModal(p), &c.in.InteractionCallback), "lose modal", inWords)
}

func (b *Bot) clickNotYet(ctx context.Context, c click) {
	p, err := b.svc.NotYet(ctx, c.actor, c.actor.Workspace, c.value)
	if err != nil {
		b.refuseClick(ctx, c, "not yet", err)
		return
	}
	b.changed(ctx, c.onQuestion(p))
}

func (b *Bot) clickWon(ctx context.Context, c click) {
	p, err := b.svc.Win(ctx, c.actor, c.actor.Workspace, c.value)
	if err != nil {
		b.refuseClick(ctx, c, "win", err)
		return
	}
	b.changed(ctx, p)
	b.respond(ctx, c, render.Notice(fmt.Sprintf(":trophy: *%s* won. Well done!", render.Escape(p.Account))))
}

// refuseClick tells the person why nothing changed, and refreshes a stale
// question when the answer is that it was decided already.
func (b *Bot) refuseClick(ctx context.Context, c click, what string, err error) {
	b.respond(ctx, c, render.Notice(b.fail(c.log, what, err, c.loc)))
	if errors.Is(err, coach.ErrDecided) {
		if p, err := b.svc.Prospect(ctx, c.actor, c.value); err == nil {
			b.changed(ctx, p)
		}
	}
}
