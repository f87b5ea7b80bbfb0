package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"pipelinecoach/bot/command"
	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// handleSlash answers a /pipeline command. inAck sends an answer in the
// command's ack while the ack is held (heldAck) and says whether it did;
// any other answer goes through the command's response_url.
func (b *Bot) handleSlash(ctx context.Context, cmd slack.SlashCommand, inAck func(render.Message) bool) {
	log := b.log.With().Str("team", cmd.TeamID).Str("user", cmd.UserID).Logger()
	// One read of the directory for the whole command: the zone its dates
	// are read in and the note saying it was guessed come from the same.
	who := b.users.lookup(ctx, cmd.TeamID, cmd.UserID)
	actor, loc := who.actor(cmd.TeamID, cmd.UserID), who.loc
	respond := func(m render.Message) {
		if !inAck(m) {
			b.reply(ctx, cmd.ResponseURL, cmd.UserID, m)
		}
	}

	c, err := command.Parse(cmd.Text)
	if err != nil {
		word := strings.Fields(cmd.Text)[0]
		help := render.Help()
		notice := render.Notice(fmt.Sprintf("I don't know `/pipeline %s`. Here is what I can do:", render.Escape(render.Truncate(word, 40))))
		respond(render.Message{Text: notice.Text, Blocks: append(notice.Blocks, help.Blocks...)})
		return
	}
	log = log.With().Str("command", string(c.Name)).Logger()
	log.Debug().Msg("slash command")
	b.startCalendar(ctx, cmd.TeamID)

	if c.Name == command.Log || c.Name == command.Mine || c.Name == command.Cleanup {
		respond = zoneNote(who, respond) // answers that show dates
	}
	switch c.Name {
	case command.Help:
		respond(render.Help())
	case command.Mine:
		v, err := b.svc.RepView(ctx, actor.Workspace, actor.User)
		if err != nil {
			log.Error().Err(err).Msg("read pipeline")
			respond(render.Notice("Couldn't read your pipeline just now — try again in a minute."))
			return
		}
		respond(render.Pipeline(v, b.svc.Now(), loc))
	case command.Log:
		b.slashLog(ctx, cmd, actor, loc, c.Args, respond)
	case command.Won, command.Lost, command.Update:
		b.slashDeal(ctx, cmd, actor, c, respond)
	case command.Admin:
		b.handleAdmin(ctx, actor, c.Args, respond)
	case command.Calendar:
		b.slashCalendar(ctx, actor, loc, c.Args, respond)
	case command.Team:
		b.handleTeam(ctx, cmd, actor, c.Args, respond)
	case command.Quota:
		b.handleQuota(ctx, actor, c.Args, respond)
	case command.Digest:
		b.showTeam(ctx, actor, respond)
	case command.Cleanup:
		v, err := b.svc.RepView(ctx, actor.Workspace, actor.User)
		if err != nil {
			log.Error().Err(err).Msg("read pipeline")
			respond(render.Notice(errSaveFailed))
			return
		}
		respond(render.Cleanup(v, loc))
	case command.Lessons:
		query := command.Unescape(c.Args)
		ls, err := b.svc.Lessons(ctx, actor.Workspace, query)
		if err != nil {
			log.Error().Err(err).Msg("read lessons")
			respond(render.Notice("Couldn't read the lessons just now — try again in a minute."))
			return
		}
		respond(render.Lessons(ls, query))
	default:
		respond(render.Notice(fmt.Sprintf("`/pipeline %s` is not available yet. Try `/pipeline help`.", c.Name)))
	}
}

func (b *Bot) slashLog(ctx context.Context, cmd slack.SlashCommand, actor coach.Actor, loc *time.Location, args string, respond func(render.Message)) {
	la := command.ParseLog(args, b.svc.Now(), loc)
	if attempt := command.DateAttempt(command.Unescape(args)); !la.HasWhen && attempt != "" {
		respond(render.Notice(fmt.Sprintf("I couldn't read “%s” as a date and time, so nothing was logged. Dates work like: %s.%s",
			render.Escape(render.Truncate(attempt, 60)), phrase.DateFormats, dateProblem(attempt, b.svc.Now(), loc))))
		return
	}
	if la.Stray != "" {
		b.askStray(ctx, cmd.TriggerID, actor, la, loc, respond)
		return
	}
	if la.Account == "" || !la.HasWhen {
		draft := render.LogDraft{Account: la.Account, Contact: la.Contact}
		if la.HasWhen {
			draft.When = la.When
		}
		if _, err := b.slack.OpenView(ctx, cmd.TriggerID, render.LogModal(draft, loc)); err != nil {
			b.log.Warn().Err(err).Str("user", actor.User).Msg("open log modal")
			respond(render.Notice("Couldn't open the form. Log it in one line instead: `/pipeline log Acme tomorrow 10am with Jane`. Dates work like: " + phrase.DateFormats + "."))
		}
		return
	}
	p, err := b.svc.LogMeeting(ctx, coach.NewMeeting{
		Team: actor.Workspace, Owner: actor.User, Account: la.Account, Contact: la.Contact,
		TZ: loc.String(), Start: la.When,
	})
	if err != nil {
		respond(render.Notice(b.fail(b.log.With().Str("team", actor.Workspace).Str("user", actor.User).Logger(), "log meeting", err, loc)))
		return
	}
	respond(render.WithEcho(render.Logged(p), logEcho(p, loc)))
}

// slashDeal handles /pipeline won|lost|update <deal>: it finds the deal by
// name (coach says which deals each may name) and wins it, or opens the
// loss debrief or the update form.
func (b *Bot) slashDeal(ctx context.Context, cmd slack.SlashCommand, actor coach.Actor, c command.Command, respond func(render.Message)) {
	_, loc := b.users.actor(ctx, actor.Workspace, actor.User)
	log := b.log.With().Str("team", actor.Workspace).Str("user", actor.User).Str("command", string(c.Name)).Logger()
	if strings.TrimSpace(c.Args) == "" {
		respond(render.Notice(fmt.Sprintf("Which deal? Try `/pipeline %s Acme`.", c.Name)))
		return
	}
	action := map[command.Name]coach.DealAction{command.Won: coach.WinDeal, command.Lost: coach.LoseDeal, command.Update: coach.UpdateDeal}[c.Name]
	button := map[command.Name]string{command.Won: render.ActionWon, command.Lost: render.ActionLose, command.Update: render.ActionUpdate}[c.Name]
	matches, closest, err := b.svc.FindDeal(ctx, actor, action, c.Args)
	typed := render.Escape(render.Truncate(c.Args, 80))
	switch {
	case err != nil:
		respond(render.Notice(b.fail(log, "find deal", err, loc)))
	case len(matches) == 0 && len(closest) > 0:
		respond(render.Choose(fmt.Sprintf("No open deal matches “%s”. Did you mean one of these?", typed), button, closest))
	case len(matches) == 0:
		respond(render.Notice(fmt.Sprintf("No open deal matches “%s”. Log one with `/pipeline log`.", typed)))
	case len(matches) > 1:
		respond(render.Choose(fmt.Sprintf("%d deals match “%s”. Which one?", len(matches), typed), button, matches))
	case c.Name == command.Won:
		b.slashWon(ctx, log, actor, matches[0], loc, respond)
	default:
		p := matches[0]
		view := render.LoseModal(p)
		if c.Name == command.Update {
			view = render.UpdateModal(p, b.svc.FrameworkFor(ctx, actor.Workspace, p.Owner), b.numbersOf(ctx, p))
		}
		if _, err := b.slack.OpenView(ctx, cmd.TriggerID, view); err != nil {
			log.Warn().Err(err).Msg("open deal modal")
			respond(render.Notice("Couldn't open the form — try again."))
		}
	}
}

// slashWon wins the one deal /pipeline won named.
func (b *Bot) slashWon(ctx context.Context, log zerolog.Logger, actor coach.Actor, p coach.Prospect, loc *time.Location, respond func(render.Message)) {
	won, err := b.svc.Win(ctx, actor, actor.Workspace, p.ID)
	if err != nil {
		respond(render.Notice(b.fail(log, "win", err, loc)))
		return
	}
	b.changed(ctx, won)
	respond(render.Notice(fmt.Sprintf(":trophy: *%s* won. Well done!", render.Escape(won.Account))))
}
