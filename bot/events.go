package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// handleDM reads a rep's plain words as an answer to the question about a
// second meeting, and does what the matching button would.
func (b *Bot) handleDM(ctx context.Context, team, user, channel, text string) {
	log := b.log.With().Str("team", team).Str("user", user).Logger()
	actor, loc := b.users.actor(ctx, team, user)
	say := func(m render.Message) {
		if _, _, err := b.slack.PostMessage(ctx, channel, m.Options()...); err != nil {
			log.Warn().Err(err).Msg("answer DM")
		}
	}
	now := b.svc.Now()
	reply := phrase.ParseReply(text, now, loc)
	pl, err := b.svc.Pipeline(ctx, team, user)
	if err != nil {
		log.Error().Err(err).Msg("read pipeline")
		say(render.Notice(errSaveFailed))
		return
	}
	waiting := pl.Waiting()
	if len(waiting) == 0 {
		say(render.Notice("You have no prospect waiting for an answer. Log a first meeting with `/pipeline log Acme tomorrow 10am`, or see `/pipeline help`."))
		return
	}
	candidates := waiting
	if reply.Rest != "" {
		if m, _ := coach.MatchAccount(waiting, reply.Rest); len(m) > 0 {
			candidates = m
		}
	}
	if len(candidates) == 1 {
		reply = readAbout(reply, text, candidates[0], now, loc)
	}
	if unplaced := unplacedIn(reply, candidates); len(unplaced) > 0 {
		// Never act on part of what was typed: ask back, quoting the rest.
		say(askBack(reply, candidates, strings.Join(unplaced, " ")))
		return
	}
	if reply.Answer == phrase.Unclear {
		if len(candidates) == 1 {
			p := candidates[0]
			m := render.Prompt(p, coach.Ask{Kind: coach.AskFirst})
			say(render.Message{Text: m.Text, Blocks: append(render.Notice("I didn't catch that. Was a second meeting booked?").Blocks[:1], m.Blocks[1:]...)})
			return
		}
		say(render.Choose("I didn't catch that. Which prospect is it about? (Or reply like _yes Acme tue 10am_.)", render.ActionYes, candidates))
		return
	}
	if len(candidates) > 1 {
		action := map[phrase.Answer]string{phrase.Yes: render.ActionYes, phrase.NotYet: render.ActionNotYet, phrase.No: render.ActionLose}[reply.Answer]
		say(render.Choose(fmt.Sprintf("%d prospects are waiting for an answer. Which one do you mean?", len(candidates)), action, candidates))
		return
	}
	p := candidates[0]
	switch reply.Answer {
	case phrase.Yes:
		if !reply.HasWhen && p.NextMeeting != nil {
			// "yes" to "Is that the second meeting?": the calendar's one.
			next, _, err := b.svc.ConfirmNextMeeting(ctx, actor, team, p.ID)
			if err != nil {
				say(render.Notice(explain(err, loc)))
				return
			}
			b.changed(ctx, next)
			// The date came from the calendar, not from the reply: say which.
			say(render.WithEcho(render.Answered(next, b.numbersOf(ctx, next)), render.Echo{
				Parts:    []string{render.EchoMeeting("second meeting (from your calendar)", next.SecondMeeting, loc)},
				Prospect: next.ID,
			}))
			return
		}
		if !reply.HasWhen {
			m := render.Choose(fmt.Sprintf("Great! When is the second meeting with *%s*? Reply like _yes, tue 10am_, or open the form:", render.Escape(p.Account)), render.ActionYes, []coach.Prospect{p})
			say(m)
			return
		}
		next, _, err := b.svc.Confirm(ctx, actor, team, p.ID, coach.SecondMeeting{At: reply.When})
		if err != nil {
			say(render.Notice(explain(err, loc)))
			return
		}
		b.changedAs(ctx, next, render.Closed(next))
		say(render.WithEcho(render.Answered(next, b.numbersOf(ctx, next)), render.Echo{
			Parts:    []string{render.EchoMeeting("second meeting", next.SecondMeeting, loc)},
			Prospect: next.ID,
		}))
	case phrase.NotYet:
		next, err := b.svc.NotYet(ctx, actor, team, p.ID)
		if err != nil {
			say(render.Notice(explain(err, loc)))
			return
		}
		b.changedAs(ctx, next, render.Closed(next))
		say(render.Answered(next, b.numbersOf(ctx, next)))
	case phrase.No:
		next, err := b.svc.Lose(ctx, actor, team, p.ID, coach.LossReport{Reason: coach.ReasonNoSecondMeet})
		if err != nil {
			say(render.Notice(explain(err, loc)))
			return
		}
		b.changedAs(ctx, next, render.Closed(next))
		say(render.Answered(next, b.numbersOf(ctx, next)))
	}
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
