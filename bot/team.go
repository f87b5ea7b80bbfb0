package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

	"pipelinecoach/bot/command"
	"pipelinecoach/bot/render"
	"pipelinecoach/bot/sender"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// handleAdmin runs /pipeline admin …: status, making managers, posting a
// digest now. Only admins may.
func (b *Bot) handleAdmin(ctx context.Context, actor coach.Actor, args string, respond func(render.Message)) {
	if !actor.Admin {
		respond(render.Notice("Only admins can use `/pipeline admin`: workspace admins and the users listed in ADMIN_USER_IDS."))
		return
	}
	sub, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	switch strings.ToLower(sub) {
	case "":
		problem, _, err := b.ledger.Lookup(ctx, celebrationStatus(actor.Workspace))
		if err != nil {
			b.log.Error().Err(err).Msg("read status")
		}
		respond(render.AdminStatus(b.cfg.CelebrationChannel, problem))
	case "calendar":
		b.adminCalendar(ctx, actor, respond)
	case "manager":
		users := command.UserIDs(rest)
		if len(users) == 0 {
			respond(render.Notice("Whom? Try `/pipeline admin manager @jane`."))
			return
		}
		var made []string
		for _, u := range users {
			_, loc := b.users.actor(ctx, actor.Workspace, u)
			if _, err := b.svc.MakeManager(ctx, actor, u, loc.String()); err != nil {
				respond(render.Notice(b.fail(b.log.With().Str("team", actor.Workspace).Str("user", u).Logger(), "make manager", err, nil)))
				return
			}
			made = append(made, "<@"+u+">")
		}
		respond(render.Notice(fmt.Sprintf("%s can now manage a team: `/pipeline team add @rep`, `/pipeline team channel #channel`.", strings.Join(made, ", "))))
	case "digest":
		// /pipeline admin digest post [@manager]
		managers := command.UserIDs(rest)
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(rest)), "post") {
			respond(render.Notice("Try `/pipeline admin digest post` (every team) or `/pipeline admin digest post @manager`."))
			return
		}
		n, err := b.svc.PostDigestsNow(ctx, actor, managers)
		if err != nil {
			respond(render.Notice(b.teamError(actor, err)))
			return
		}
		respond(render.Notice(fmt.Sprintf("Posted %s.", render.Plural(n, "digest", "digests"))))
	case "crm":
		b.adminCRM(ctx, actor, respond)
	default:
		respond(render.Notice("Admin commands: `/pipeline admin` (status) · `/pipeline admin manager @user` · `/pipeline admin digest post [@manager]` · `/pipeline admin crm`."))
	}
}

// handleTeam runs /pipeline team …: the manager's view and the team's
// settings.
func (b *Bot) handleTeam(ctx context.Context, cmd slack.SlashCommand, actor coach.Actor, args string, respond func(render.Message)) {
	sub, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	rest = strings.TrimSpace(rest)
	say := func(note string, t coach.Team, err error) {
		if err != nil {
			respond(render.Notice(b.teamError(actor, err)))
			return
		}
		respond(render.TeamAdmin(note, t))
	}
	switch strings.ToLower(sub) {
	case "":
		b.showTeam(ctx, actor, respond)
	case "add":
		b.teamAdd(ctx, actor, rest, respond, say)
	case "remove":
		b.teamRemove(ctx, actor, rest, respond, say)
	case "channel":
		b.teamChannel(ctx, actor, rest, respond, say)
	case "timezone", "tz":
		b.teamZone(ctx, actor, rest, say)
	case "framework":
		b.teamFramework(ctx, actor, rest, respond, say)
	case "holidays":
		b.teamHolidays(ctx, actor, rest, respond, say)
	case "currency":
		b.teamCurrency(ctx, actor, rest, respond, say)
	case "numbers":
		b.teamNumbers(ctx, actor, rest, respond, say)
	case "cycle":
		b.teamCycle(ctx, actor, rest, respond, say)
	default:
		respond(render.Notice("Team commands: `/pipeline team` · `team add @rep` · `team remove @rep` · `team channel #channel` · `team timezone Europe/Berlin` · `team framework bant|meddicc|spiced` · `team holidays 2026-12-24,…` · `team currency EUR` · `team numbers 1.234,56|1,234.56|auto` · `team cycle 60|auto`"))
	}
}

// teamAdd adds reps to the team and starts reading their calendars.
func (b *Bot) teamAdd(ctx context.Context, actor coach.Actor, rest string, respond func(render.Message), say func(string, coach.Team, error)) {
	reps := command.UserIDs(rest)
	if len(reps) == 0 {
		respond(render.Notice("Whom? Try `/pipeline team add @rita @omar`."))
		return
	}
	t, err := b.svc.AddReps(ctx, actor, reps)
	say(fmt.Sprintf("Added %s.", mentions(reps)), t, err)
	if err == nil {
		b.enrolCalendars(ctx, actor.Workspace, reps)
	}
}

// teamRemove removes reps from the team.
func (b *Bot) teamRemove(ctx context.Context, actor coach.Actor, rest string, respond func(render.Message), say func(string, coach.Team, error)) {
	reps := command.UserIDs(rest)
	if len(reps) == 0 {
		respond(render.Notice("Whom? Try `/pipeline team remove @rita`."))
		return
	}
	t, err := b.svc.RemoveReps(ctx, actor, reps)
	say(fmt.Sprintf("Removed %s.", mentions(reps)), t, err)
}

// teamZone sets the team's time zone, which the digest's hour follows.
func (b *Bot) teamZone(ctx context.Context, actor coach.Actor, rest string, say func(string, coach.Team, error)) {
	t, err := b.svc.EditTeam(ctx, actor, func(t coach.Team) (coach.Team, error) { return t.SetZone(rest) })
	say(fmt.Sprintf("Time zone set to %s: the digest goes out Monday 09:00 there.", render.Escape(t.TZ)), t, err)
}

// teamHolidays sets the team's holidays, on which nobody is prompted.
func (b *Bot) teamHolidays(ctx context.Context, actor coach.Actor, rest string, respond func(render.Message), say func(string, coach.Team, error)) {
	days, err := coach.ParseHolidays(rest)
	if err != nil {
		respond(render.Notice("Holidays are dates like `2026-12-24,2026-12-25`."))
		return
	}
	t, err := b.svc.EditTeam(ctx, actor, func(t coach.Team) (coach.Team, error) { t.Holidays = days; return t, nil })
	say(fmt.Sprintf("%s set: nobody on the team is prompted or nudged then.", render.Plural(len(days), "holiday", "holidays")), t, err)
}

// teamCurrency sets the team's currency.
func (b *Bot) teamCurrency(ctx context.Context, actor coach.Actor, rest string, respond func(render.Message), say func(string, coach.Team, error)) {
	t, err := b.svc.SetCurrency(ctx, actor, rest)
	if errors.Is(err, coach.ErrInvalid) {
		respond(render.Notice(fmt.Sprintf("“%s” is not a currency I know. Use one of %s.", render.Escape(render.Truncate(rest, 20)), phrase.CurrencyCodes)))
		return
	}
	say(currencyNote(t, b.svc.TeamDefaults), t, err)
}

// teamNumbers sets how the team writes numbers.
func (b *Bot) teamNumbers(ctx context.Context, actor coach.Actor, rest string, respond func(render.Message), say func(string, coach.Team, error)) {
	t, err := b.svc.SetNumbers(ctx, actor, rest)
	if errors.Is(err, coach.ErrInvalid) {
		respond(render.Notice(fmt.Sprintf("“%s” is not a way of writing numbers I know. Use `%s`, `%s`, or `auto` to follow the currency.",
			render.Escape(render.Truncate(rest, 20)), phrase.DecimalPoint.Example(), phrase.DecimalComma.Example())))
		return
	}
	say(currencyNote(t, b.svc.TeamDefaults), t, err)
}

// teamCycle sets the team's sales cycle in days, or auto.
func (b *Bot) teamCycle(ctx context.Context, actor coach.Actor, rest string, respond func(render.Message), say func(string, coach.Team, error)) {
	days, err := coach.ParseCycleDays(rest)
	if err != nil {
		respond(render.Notice(fmt.Sprintf("“%s” is not a sales cycle: give it in days, from 1 to %d, like `/pipeline team cycle 60`, or `auto` for the median of the team's won deals.",
			render.Escape(render.Truncate(rest, 40)), coach.MaxCycleDays)))
		return
	}
	t, err := b.svc.EditTeam(ctx, actor, func(t coach.Team) (coach.Team, error) { t.CycleDays = days; return t, nil })
	say(render.CycleSet(days), t, err)
}

// teamChannel sets where the team's digest goes, once the bot has posted
// there: posting is the check that it can.
func (b *Bot) teamChannel(ctx context.Context, actor coach.Actor, rest string, respond func(render.Message), say func(string, coach.Team, error)) {
	channels := command.ChannelIDs(rest)
	if len(channels) != 1 {
		respond(render.Notice("Which channel? Try `/pipeline team channel #sales-team`."))
		return
	}
	if _, err := b.svc.MyTeam(ctx, actor); err != nil {
		respond(render.Notice(b.teamError(actor, err)))
		return
	}
	hello := render.Notice(fmt.Sprintf("This channel now gets the weekly pipeline digest of <@%s>'s team.", actor.User))
	if _, _, err := b.slack.PostMessage(ctx, channels[0], hello.Options()...); err != nil {
		code := slackCode(err)
		if code == "not_in_channel" || code == "channel_not_found" {
			respond(render.Notice(fmt.Sprintf("I'm not in <#%s>, so I can't post the digest there. Invite me first: open the channel and type `/invite @pipeline-coach`, then run this again.", channels[0])))
			return
		}
		b.log.Warn().Err(err).Msg("post to digest channel")
		respond(render.Notice("Couldn't post in that channel — try again in a minute."))
		return
	}
	t, err := b.svc.EditTeam(ctx, actor, func(t coach.Team) (coach.Team, error) { t.Channel = channels[0]; return t, nil })
	say("Digest channel set.", t, err)
}

// teamFramework sets the qualification framework the team's forms ask.
func (b *Bot) teamFramework(ctx context.Context, actor coach.Actor, rest string, respond func(render.Message), say func(string, coach.Team, error)) {
	fw, ok := coach.FrameworkNamed(rest)
	if !ok {
		var names []string
		for _, f := range coach.Frameworks {
			names = append(names, "`"+f.Name+"`")
		}
		respond(render.Notice(fmt.Sprintf("“%s” is not a framework I know. Pick one of %s.", render.Escape(render.Truncate(rest, 40)), strings.Join(names, ", "))))
		return
	}
	t, err := b.svc.EditTeam(ctx, actor, func(t coach.Team) (coach.Team, error) { t.Framework = fw.Name; return t, nil })
	say(fmt.Sprintf("The team qualifies with %s: %s", fw.Title, fw.Summary), t, err)
}

// handleQuota runs /pipeline quota @rep 250k [quarter].
func (b *Bot) handleQuota(ctx context.Context, actor coach.Actor, args string, respond func(render.Message)) {
	reps := command.UserIDs(args)
	if len(reps) != 1 {
		respond(render.Notice("Try `/pipeline quota @rita 250k` or `/pipeline quota @rita $250,000 2026-Q1`."))
		return
	}
	words := strings.Fields(mentionPattern.ReplaceAllString(command.Unescape(args), ""))
	if len(words) == 0 {
		respond(render.Notice(fmt.Sprintf("How much? Try `/pipeline quota <@%s> 250k`.", reps[0])))
		return
	}
	conv := b.svc.ConventionFor(ctx, actor.Workspace, actor.User)
	amount, used, err := command.LeadingAmount(words, conv)
	if err == nil && amount.Units <= 0 {
		err = errors.New("no amount")
	}
	if err != nil {
		respond(render.Notice(render.Escape(amountProblem(words[0], err, conv))))
		return
	}
	quarter := strings.Join(words[used:], " ")
	team, err := b.svc.MyTeam(ctx, actor)
	if err != nil && !actor.Admin {
		respond(render.Notice(b.teamError(actor, err)))
		return
	}
	period, err := coach.ParseQuarter(quarter, b.svc.Now().In(team.Location()))
	if err != nil {
		respond(render.Notice(fmt.Sprintf("“%s” is not a quarter. Write it like 2026-Q1 or Q1.", render.Escape(render.Truncate(quarter, 40)))))
		return
	}
	t, err := b.svc.SetQuota(ctx, actor, reps[0], coach.Quota{Amount: amount.Units, Currency: amount.Currency, Period: period.Name})
	if err != nil {
		respond(render.Notice(b.teamError(actor, err)))
		return
	}
	respond(render.TeamAdmin(fmt.Sprintf("Quota of <@%s> for %s: %s.", reps[0], period.Name, render.Escape(conv.Format(amount))), t))
}

// teamError words what went wrong with a team command.
func (b *Bot) teamError(actor coach.Actor, err error) string {
	return b.fail(b.log.With().Str("team", actor.Workspace).Str("user", actor.User).Logger(), "team command", err, nil)
}

func mentions(users []string) string {
	var out []string
	for _, u := range users {
		out = append(out, "<@"+u+">")
	}
	return strings.Join(out, ", ")
}

// mentionPattern matches Slack's escaped mentions of users and channels.
var mentionPattern = regexp.MustCompile(`<[@#][A-Z0-9]+(\|[^>]*)?>`)

func slackCode(err error) string { return sender.SlackError(err) }

// showTeam answers with this week's digest of the team actor manages.
func (b *Bot) showTeam(ctx context.Context, actor coach.Actor, respond func(render.Message)) {
	d, err := b.svc.TeamDigest(ctx, actor)
	if err != nil {
		respond(render.Notice(b.teamError(actor, err)))
		return
	}
	for _, m := range render.Digest(d, b.svc.Now()) {
		respond(m)
	}
}
