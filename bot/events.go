package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack/slackevents"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// envelopeMemory is how long an event id is remembered, well past Slack's
// retries of an unacked event.
const envelopeMemory = 24 * time.Hour

func (b *Bot) handleEvent(ctx context.Context, data any, retry int) {
	ev, ok := data.(slackevents.EventsAPIEvent)
	if !ok {
		return
	}
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if ok && cb.EventID != "" {
		// Slack delivers an event again when an ack was lost; act once.
		_, first, err := b.ledger.Reserve(ctx, "event/"+ev.TeamID+"/"+cb.EventID, "handled", envelopeMemory)
		if err != nil {
			b.log.Warn().Err(err).Str("event_id", cb.EventID).Msg("dedupe event")
		} else if !first {
			b.log.Debug().Str("event_id", cb.EventID).Int("retry_attempt", retry).Msg("event already handled")
			return
		}
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		if inner.ChannelType != "im" || inner.BotID != "" || inner.SubType != "" || inner.User == "" {
			return // the bot's own messages, edits and joins are not answers
		}
		b.handleDM(ctx, ev.TeamID, inner.User, inner.Channel, inner.Text)
	case *slackevents.UserChangeEvent, *slackevents.TeamJoinEvent:
		if ok && cb.InnerEvent != nil {
			b.users.learnUser(ctx, ev.TeamID, *cb.InnerEvent)
		}
	case *slackevents.AppHomeOpenedEvent:
		if inner.Tab == "home" {
			b.homes.saw(ev.TeamID+"/"+inner.User, b.svc.Now())
			b.publishHomeSoon(ev.TeamID, inner.User)
		}
	}
}

// dm is a rep's plain words in their DM, being answered: who typed them,
// where, and how they write dates (loc) and amounts (numbers).
type dm struct {
	channel string
	actor   coach.Actor
	loc     *time.Location
	numbers phrase.Convention
	log     zerolog.Logger
}

// say answers the rep in their DM.
func (b *Bot) say(ctx context.Context, d dm, m render.Message) {
	if _, _, err := b.slack.PostMessage(ctx, d.channel, m.Options()...); err != nil {
		d.log.Warn().Err(err).Msg("answer DM")
	}
}

// handleDM reads a rep's plain words as an answer to the question about a
// second meeting, and does what the matching button would: each kind of
// answer in a step of its own below.
func (b *Bot) handleDM(ctx context.Context, team, user, channel, text string) {
	actor, loc := b.users.actor(ctx, team, user)
	d := dm{channel: channel, actor: actor, loc: loc, numbers: b.svc.ConventionFor(ctx, team, user),
		log: b.log.With().Str("team", team).Str("user", user).Logger()}
	pl, err := b.svc.Pipeline(ctx, team, user)
	if err != nil {
		d.log.Error().Err(err).Msg("read pipeline")
		b.say(ctx, d, render.Notice(errSaveFailed))
		return
	}
	waiting := pl.Waiting()
	if len(waiting) == 0 {
		b.say(ctx, d, render.Notice("You have no prospect waiting for an answer. Log a first meeting with `/pipeline log Acme tomorrow 10am`, or see `/pipeline help`."))
		return
	}
	reply, candidates := b.readDM(d, text, waiting)
	if unplaced := unplacedIn(reply, candidates); len(unplaced) > 0 {
		// Never act on part of what was typed: ask back, quoting the rest.
		b.say(ctx, d, askBack(reply, candidates, strings.Join(unplaced, " "), d.numbers))
		return
	}
	switch {
	case reply.Answer == phrase.Unclear:
		b.say(ctx, d, unclearDM(candidates))
	case len(candidates) > 1:
		action := map[phrase.Answer]string{phrase.Yes: render.ActionYes, phrase.NotYet: render.ActionNotYet, phrase.No: render.ActionLose}[reply.Answer]
		b.say(ctx, d, render.Choose(fmt.Sprintf("%d prospects are waiting for an answer. Which one do you mean?", len(candidates)), action, candidates))
	case reply.Answer == phrase.Yes:
		b.answerYes(ctx, d, reply, candidates[0])
	default:
		b.answerNotYes(ctx, d, reply.Answer, candidates[0])
	}
}

// readDM reads a reply in the rep's zone and their team's numbers, and
// finds the prospects it may be about: those it names, else all waiting.
func (b *Bot) readDM(d dm, text string, waiting []coach.Prospect) (phrase.Reply, []coach.Prospect) {
	now := b.svc.Now()
	reply := d.numbers.ParseReply(text, now, d.loc)
	candidates := waiting
	if reply.Rest != "" {
		if m, _ := coach.MatchAccount(waiting, reply.Rest); len(m) > 0 {
			candidates = m
		}
	}
	if len(candidates) == 1 {
		reply = readAbout(reply, text, candidates[0], d.numbers, now, d.loc)
	}
	return reply, candidates
}

// unclearDM asks again, with buttons, what a reply did not say.
func unclearDM(candidates []coach.Prospect) render.Message {
	if len(candidates) == 1 {
		m := render.Prompt(candidates[0], coach.Ask{Kind: coach.AskFirst})
		return render.Message{Text: m.Text, Blocks: append(render.Notice("I didn't catch that. Was a second meeting booked?").Blocks[:1], m.Blocks[1:]...)}
	}
	return render.Choose("I didn't catch that. Which prospect is it about? (Or reply like _yes Acme tue 10am_.)", render.ActionYes, candidates)
}

// answerYes is "yes" about p: confirmed with the date typed, or with the
// calendar's later meeting when none was; otherwise asked when. An amount
// typed with it is recorded with the confirmation, as the form would.
func (b *Bot) answerYes(ctx context.Context, d dm, reply phrase.Reply, p coach.Prospect) {
	sm := coach.SecondMeeting{At: reply.When}
	var typed *phrase.Amount
	if reply.HasAmount {
		sm.Amount, sm.Currency, typed = reply.Amount.Units, reply.Amount.Currency, &reply.Amount
	}
	var next coach.Prospect
	var err error
	what := "second meeting"
	switch {
	case reply.HasWhen:
		next, _, err = b.svc.Confirm(ctx, d.actor, d.actor.Workspace, p.ID, sm)
	case p.NextMeeting != nil:
		// "yes" to "Is that the second meeting?": the calendar's one.
		next, _, err = b.svc.ConfirmNextMeetingWith(ctx, d.actor, d.actor.Workspace, p.ID, sm)
		what = "second meeting (from your calendar)"
	default:
		b.say(ctx, d, askWhen(p, typed, d.numbers))
		return
	}
	if err != nil {
		b.say(ctx, d, render.Notice(explain(err, d.loc)))
		return
	}
	if reply.HasWhen {
		b.changedAs(ctx, next, render.Closed(next))
	} else {
		b.changed(ctx, next) // the question that showed the calendar's meeting shows the decision
	}
	// The date said back, and from where; the amount as the team writes it.
	echo := render.Echo{Parts: []string{render.EchoMeeting(what, next.SecondMeeting, d.loc)}, Prospect: next.ID}
	if typed != nil {
		echo.Parts = append(echo.Parts, "estimated "+d.numbers.Format(*typed))
	}
	b.say(ctx, d, render.WithEcho(render.Answered(next, d.numbers), echo))
}

// answerNotYes is "not yet" or "no" about p.
func (b *Bot) answerNotYes(ctx context.Context, d dm, a phrase.Answer, p coach.Prospect) {
	var next coach.Prospect
	var err error
	if a == phrase.NotYet {
		next, err = b.svc.NotYet(ctx, d.actor, d.actor.Workspace, p.ID)
	} else {
		next, err = b.svc.Lose(ctx, d.actor, d.actor.Workspace, p.ID, coach.LossReport{Reason: coach.ReasonNoSecondMeet})
	}
	if err != nil {
		b.say(ctx, d, render.Notice(explain(err, d.loc)))
		return
	}
	b.changedAs(ctx, next, render.Closed(next))
	b.say(ctx, d, render.Answered(next, d.numbers))
}

func (b *Bot) publishHome(ctx context.Context, team, user string) {
	_, loc := b.users.actor(ctx, team, user)
	// The team section first: its read also gives the team's won cycle,
	// which RepView would otherwise read the team's deals again for.
	var managed *coach.Digest // a manager also sees their team
	if !b.svc.Manages(ctx, team, user) {
		// not a manager: no team section, and no read for it
	} else if d, err := b.svc.TeamDigest(ctx, coach.Actor{Workspace: team, User: user}); err == nil {
		managed = &d
	}
	v, err := b.svc.RepView(ctx, team, user)
	if err != nil {
		b.log.Error().Err(err).Str("user", user).Msg("read pipeline for home")
		return
	}
	if err := publishHome(ctx, b.slack, user, render.Home(v, managed, b.svc.Now(), loc)); err != nil {
		b.log.Warn().Err(err).Str("user", user).Msg("publish home")
	}
}
