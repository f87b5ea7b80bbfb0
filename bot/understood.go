package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/bot/command"
	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// unplacedIn is what a DM reply typed that no reading used and that names
// none of the prospects it may be about.
func unplacedIn(reply phrase.Reply, candidates []coach.Prospect) []string {
	left := reply.Unplaced
	for _, p := range candidates {
		left = coach.Unplaced(left, p)
	}
	return left
}

// askBack answers a reply that held words it could not place: nothing is
// recorded, and the rep sees what was not understood; an amount that could
// mean two things, with both.
func askBack(reply phrase.Reply, candidates []coach.Prospect, quoted string, conv phrase.Convention) render.Message {
	yes := reply.Answer == phrase.Yes
	if amb := reply.Ambiguous; amb != nil && len(candidates) == 1 {
		// The suggestion reads one way only, and as money.
		full := conv.Money(phrase.Amount{Units: amb.GroupedUnits, Currency: amb.Currency})
		return render.AmountAskBack(candidates[0], amb.Text, amb.Small, amb.Grouped, full)
	}
	if len(candidates) == 1 {
		return render.Unplaced(candidates[0], quoted, yes)
	}
	action := render.ActionYes
	if reply.Answer == phrase.No {
		action = render.ActionLose
	}
	return render.Choose(fmt.Sprintf("I couldn't place “%s” in your answer, so nothing changed. Which prospect is it about? (Or reply like _yes Acme thu 10am_.)",
		render.Escape(render.Truncate(quoted, 60))), action, candidates)
}

// formAmount reads an amount typed in a form as the rep's team writes
// amounts; problem is what the field shows when it cannot be read.
func formAmount(raw string, conv phrase.Convention) (a phrase.Amount, problem string) {
	a, err := conv.ParseAmount(raw)
	if err != nil {
		return a, amountProblem(raw, err, conv)
	}
	return a, ""
}

// amountProblem words why a typed amount was not taken: an ambiguous one is
// asked back with both readings.
func amountProblem(raw string, err error, conv phrase.Convention) string {
	var amb *phrase.AmbiguousError
	if errors.As(err, &amb) {
		return fmt.Sprintf("“%s” could be %s or %s. Write the one you mean.", render.Truncate(amb.Text, 40), amb.Small, amb.Grouped)
	}
	return fmt.Sprintf("“%s” is not an amount. Try %s.", render.Truncate(raw, 40), conv.Examples())
}

// confirmEcho shows back a confirmed second meeting whose amount was typed
// (nil: none typed, nothing to show back), in the rep's zone and the team's
// style.
func confirmEcho(p coach.Prospect, typed *phrase.Amount, conv phrase.Convention, loc *time.Location) render.Echo {
	if typed == nil {
		return render.Echo{}
	}
	return render.Echo{Parts: []string{render.EchoMeeting("second meeting", p.SecondMeeting, loc), "estimated " + conv.Format(*typed)}, Prospect: p.ID}
}

// updateEcho shows back the amount typed in the update form, if any.
func updateEcho(p coach.Prospect, u coach.DealUpdate, conv phrase.Convention) render.Echo {
	if u.Amount == nil {
		return render.Echo{}
	}
	return render.Echo{Parts: []string{"amount " + conv.Format(phrase.Amount{Units: *u.Amount, Currency: u.Currency})}, Prospect: p.ID}
}

// replyDecided tells the rep what their form decided, with what was
// understood from what they typed. When the question in the DM was updated
// to show the decision, only the echo is sent.
func (b *Bot) replyDecided(ctx context.Context, user string, p coach.Prospect, e render.Echo) {
	switch {
	case p.Prompt.IsZero():
		b.reply(ctx, "", user, render.WithEcho(b.decided(ctx, p), e))
	case len(e.Parts) > 0:
		b.reply(ctx, "", user, render.EchoOnly(e))
	}
}

// currencyNote says how the team's amounts are now read, with an example.
func currencyNote(t coach.Team, d coach.TeamDefaults) string {
	conv := t.Convention(d)
	cur := conv.Currency
	if cur == "" {
		cur = "no currency"
	}
	return fmt.Sprintf("Amounts typed without a currency are in %s, and numbers are written %s: “25k” reads as %s.",
		cur, conv.Style.Example(), render.Escape(conv.Format(mustAmount(conv, "25k"))))
}

func mustAmount(conv phrase.Convention, s string) phrase.Amount {
	a, _ := conv.ParseAmount(s)
	return a
}

// askStray answers a /pipeline log line whose company name ends in a word
// written like a date that was not read ("Acme 12/01 14:30"): nothing is
// logged; the form opens with what was read, to check and correct.
func (b *Bot) askStray(ctx context.Context, trigger string, actor coach.Actor, la command.LogArgs, loc *time.Location, respond func(render.Message)) {
	note := fmt.Sprintf("“%s” looks like a date or a time, but not one I can read, so nothing was logged. I read the company as *%s* and the meeting as %s (%s). Check them in the form, or write the date like dec 1 or 2026-12-01.",
		render.Escape(render.Truncate(la.Stray, 30)), render.Escape(render.Truncate(la.Account, 80)), render.When(la.When, loc), render.ZoneName(loc))
	respond(render.Notice(note))
	draft := render.LogDraft{Account: la.Account, Contact: la.Contact, When: la.When}
	if _, err := b.slack.OpenView(ctx, trigger, render.LogModal(draft, loc)); err != nil {
		b.log.Warn().Err(err).Str("user", actor.User).Msg("open log modal")
	}
}

// logEcho shows back a first meeting read from a /pipeline log line, with a
// Change button that reopens it in a form.
func logEcho(p coach.Prospect, loc *time.Location) render.Echo {
	if p.Calendar != nil {
		// The calendar's meeting: it is moved there, so no Change button.
		return render.Echo{Parts: []string{render.EchoMeeting("first meeting (from your calendar)", p.FirstMeeting, loc)}}
	}
	return render.Echo{Parts: []string{render.EchoMeeting("first meeting", p.FirstMeeting, loc)}, Prospect: p.ID, Change: render.ActionCorrectLog}
}

// openCorrection opens a logged first meeting's form, to correct it.
func (b *Bot) openCorrection(ctx context.Context, trigger string, actor coach.Actor, id string, loc *time.Location, respond func(render.Message)) {
	p, err := b.svc.Prospect(ctx, actor, id)
	if err == nil {
		err = p.CanCorrectMeeting()
	}
	if err != nil {
		respond(render.Notice(explain(err, loc)))
		return
	}
	if _, err := b.slack.OpenView(ctx, trigger, render.CorrectLogModal(p, loc)); err != nil {
		b.log.Warn().Err(err).Str("user", actor.User).Msg("open correction modal")
		respond(render.Notice("Couldn't open the form — try again."))
	}
}

// submitCorrection saves a corrected first meeting and returns the ack:
// nil closes the form; field errors keep it open.
func (b *Bot) submitCorrection(ctx context.Context, actor coach.Actor, view slack.View, loc *time.Location) any {
	form := formValues{view.State}
	start, ferr := form.dateTime(render.InputFirstDate, render.InputFirstTime, loc)
	if ferr != nil {
		return fieldErrors(ferr)
	}
	p, err := b.svc.CorrectMeeting(ctx, actor, actor.Workspace, view.PrivateMetadata, coach.NewMeeting{
		Account: form.text(render.InputAccount), Contact: form.text(render.InputContact), Start: start})
	if err != nil {
		if storeTrouble(err) {
			b.obs.HandlerError("store")
			b.log.Error().Err(err).Str("user", actor.User).Msg("correct first meeting")
		}
		field := render.InputAccount
		var fe *coach.FieldError
		if errors.As(err, &fe) {
			field = inputFor(fe.Field, field)
		}
		return fieldErrors(map[string]string{field: explain(err, loc)})
	}
	b.submit(context.WithoutCancel(ctx), func(ctx context.Context) {
		note := render.Notice(fmt.Sprintf(":pencil2: Corrected the first meeting with *%s*. I'll ask you %s whether a second meeting was booked.",
			render.Escape(p.Account), render.When(p.FollowUpAt, loc)))
		b.reply(ctx, "", actor.User, render.WithEcho(note, logEcho(p, loc)))
	})
	return nil
}

// readAbout reads a reply that named its prospect again without the name:
// "Acme thu 10" is "thu 10" — booked for then — about Acme. Other replies
// are kept as read.
func readAbout(reply phrase.Reply, text string, p coach.Prospect, numbers phrase.Convention, now time.Time, loc *time.Location) phrase.Reply {
	if reply.Answer != phrase.Unclear {
		return reply
	}
	words := strings.Fields(text)
	rest := coach.Unplaced(words, p) // the words that are not p's name
	if len(rest) == len(words) {
		return reply
	}
	if again := numbers.ParseReply(strings.Join(rest, " "), now, loc); again.Answer == phrase.Yes && again.HasWhen {
		return again
	}
	return reply
}

// dateProblem is what the date parser says about words it could not read
// as a date ("“morning” is not a time: at what time?"), as a sentence to
// add to an answer; "" when it has nothing to add.
func dateProblem(words string, now time.Time, loc *time.Location) string {
	_, err := phrase.When(words, now, loc)
	if err == nil {
		return ""
	}
	why := strings.TrimPrefix(err.Error(), phrase.ErrDate.Error()+": ")
	if why == err.Error() {
		return ""
	}
	return " (" + render.Escape(render.Truncate(why, 200)) + ")"
}

// numbersOf is how the team that owns p writes amounts: a deal's amounts
// are shown so to whoever looks at it.
func (b *Bot) numbersOf(ctx context.Context, p coach.Prospect) phrase.Convention {
	return b.svc.ConventionFor(ctx, p.Workspace, p.Owner)
}

// decided is the decision on p, its amount as p's team writes amounts.
func (b *Bot) decided(ctx context.Context, p coach.Prospect) render.Message {
	return render.Decided(p, b.numbersOf(ctx, p))
}

// askWhen answers "yes" without a date: when is the second meeting? An
// amount typed with it is said back, and not recorded until the date is.
func askWhen(p coach.Prospect, typed *phrase.Amount, numbers phrase.Convention) render.Message {
	account := render.Escape(p.Account)
	if typed == nil {
		return render.Choose(fmt.Sprintf("Great! When is the second meeting with *%s*? Reply like _yes, tue 10am_, or open the form:", account), render.ActionYes, []coach.Prospect{p})
	}
	return render.Choose(fmt.Sprintf("Great! I read the amount as %s; nothing is recorded until I know the date. When is the second meeting with *%s*? Reply with both, like _yes, tue 10am, %s_, or open the form:",
		render.Escape(numbers.Format(*typed)), account, render.Escape(numbers.Money(*typed))), render.ActionYes, []coach.Prospect{p})
}
