package bot_test

import (
	"strings"
	"testing"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

// A reply is read in full or asked back, and what was read is shown back:
// "yes, thu 10" is Thursday 10:00, said so; "yes thu morning" and "not yet,
// tue 10am" change nothing and quote what could not be placed.
func TestRepliesAreReadInFullOrAskedBack(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	h.logAndPrompt("Acme")
	h.waitFor(dm, "Did you book a second meeting with Acme?")

	dmSay(t, h, "thu 10")
	echo := h.waitFor(dm, "*Understood:* second meeting Thu Nov 26, 10:00 (Berlin)")
	acme := h.prospect(rep, "Acme")
	if acme.State != coach.Opportunity || !acme.SecondMeeting.Equal(berlinAt(26, 10, 0)) {
		t.Fatalf("Acme after “thu 10”: %s at %v, want an opportunity Thu 10:00", acme.State, acme.SecondMeeting)
	}
	// One click on Change reopens the deal's form.
	h.click(rep, echo, render.ActionUpdate)
	h.view(rep, render.ViewUpdate)

	h.slash(rep, "log Initech thu morning")
	h.reply(rep, "I couldn't read “thu morning” as a date and time, so nothing was logged.")
	h.reply(rep, `("morning" is not a time: at what time? Write it like "10am" or "3pm")`)
	h.slash(rep, "log Initech 12/01 14:30")
	h.reply(rep, "“12/01” looks like a date or a time, but not one I can read, so nothing was logged. I read the company as *Initech 12/01*")
	h.view(rep, render.ViewLog)
	h.slash(rep, "log Globex today 10:30")
	h.reply(rep, "*Understood:* first meeting Wed Nov 25, 10:30 (Berlin)")
	h.slash(rep, "log Hooli fri 2")
	logged := h.reply(rep, "*Understood:* first meeting Fri Nov 27, 14:00 (Berlin)")
	// Change reopens the meeting's form; saving corrects it and moves the question.
	h.click(rep, logged, render.ActionCorrectLog)
	fix := h.view(rep, render.ViewCorrectLog)
	if ack := h.submit(rep, fix, map[string]string{render.InputAccount: "Hooli", render.InputFirstDate: "2026-11-27", render.InputFirstTime: "10:00"}); len(ack.Payload) != 0 {
		t.Fatalf("correction acked with %s", ack.Payload)
	}
	h.waitFor(dm, "Corrected the first meeting with *Hooli*")
	if hooli := h.prospect(rep, "Hooli"); !hooli.FirstMeeting.Equal(berlinAt(27, 10, 0)) || hooli.Account != "Hooli" {
		t.Fatalf("Hooli after the correction: %s at %v", hooli.Account, hooli.FirstMeeting)
	}
	if ps := h.prospects(rep); len(ps) != 3 {
		t.Fatalf("%d prospects logged, want Acme, Globex and Hooli", len(ps))
	}
	h.at(berlinAt(25, 11, 45))
	h.waitFor(dm, "Did you book a second meeting with Globex?")
	before := h.prospect(rep, "Globex")
	for _, tc := range []struct{ say, quoted string }{
		{"yes thu morning", "morning"},
		{"not yet, tue 10am", "tue 10am"},
		{"yes 10", "10"},
		{"no, 3 weeks", "3"},
	} {
		dmSay(t, h, tc.say)
		h.waitFor(dm, "I couldn't place “"+tc.quoted+"” in your answer")
	}
	if g := h.prospect(rep, "Globex"); g.State != coach.Awaiting || g.Version != before.Version {
		t.Fatalf("Globex changed after replies that were asked back: %s, version %d, was %d", g.State, g.Version, before.Version)
	}
	// The prospect's name and a time: booked for then.
	dmSay(t, h, "Globex fri 3")
	h.waitFor(dm, "*Understood:* second meeting Fri Nov 27, 15:00 (Berlin)")
	if g := h.prospect(rep, "Globex"); g.State != coach.Opportunity {
		t.Fatalf("Globex after “Globex fri 3” is %s, want an opportunity", g.State)
	}
}

// A team in euros reads "25.000" as twenty-five thousand euros, asks back
// "25,000", and shows the amount back the way the team writes it.
func TestAmountsAreReadAsTheTeamWritesThem(t *testing.T) {
	h := newHarness(t)
	h.slash(admin, "admin manager "+mention(admin))
	h.reply(admin, "can now manage a team")
	h.slash(admin, "team add "+mention(rep))
	h.reply(admin, "Added")
	h.slash(admin, "team currency eur")
	h.reply(admin, "Amounts typed without a currency are in EUR, and numbers are written 1.234,56: “25k” reads as 25.000 €.")
	h.slash(admin, "team currency euro")
	h.reply(admin, "“euro” is not a currency I know")

	h.logAndPrompt("Acme")
	prompt := h.waitFor(h.sim.DMChannel(rep), "Did you book a second meeting with Acme?")
	h.click(rep, prompt, render.ActionYes)
	v := h.view(rep, render.ViewConfirm)
	ack := h.submit(rep, v, map[string]string{render.InputSecondDate: "2026-12-03", render.InputSecondTime: "10:00", render.InputAmount: "25,000"})
	if got := ackErrors(t, ack)[render.InputAmount]; !strings.Contains(got, "“25,000” could be 25 or 25.000") {
		t.Fatalf("25,000 in a team that writes 1.234,56: %q, want it asked back", got)
	}
	if a := h.prospect(rep, "Acme"); a.State != coach.Awaiting {
		t.Fatalf("an ambiguous amount saved the form: %s", a.State)
	}
	ack = h.submit(rep, v, map[string]string{render.InputSecondDate: "2026-12-03", render.InputSecondTime: "10:00", render.InputAmount: "25.000"})
	if len(ack.Payload) != 0 {
		t.Fatalf("confirm acked with %s", ack.Payload)
	}
	echo := h.waitFor(h.sim.DMChannel(rep), "*Understood:* second meeting Thu Dec 3, 10:00 (Berlin) · estimated 25.000 €")
	if a := h.prospect(rep, "Acme"); a.Amount != 25_000 || a.Currency != "EUR" {
		t.Fatalf("Acme's amount is %d %s, want 25000 EUR", a.Amount, a.Currency)
	}
	// Change reopens the deal's form, filled with the amount as the team
	// writes it, grouped with spaces so that it reads back as itself.
	h.click(rep, echo, render.ActionUpdate)
	up := h.view(rep, render.ViewUpdate)
	if !strings.Contains(string(up.Raw), `"initial_value":"25 000 €"`) {
		t.Fatalf("the update form is not filled with 25 000 €: %s", up.Raw)
	}
	if ack := h.submit(rep, up, map[string]string{render.InputAmount: "25 000 €"}); len(ack.Payload) != 0 {
		t.Fatalf("the unchanged amount was refused: %s", ack.Payload)
	}
	h.waitFor(h.sim.DMChannel(rep), "*Understood:* amount 25.000 €")

	h.slash(admin, "quota "+mention(rep)+" 1,5 Mio 2027-Q1")
	h.reply(admin, "for 2027-Q1: 1.500.000 €")
	h.slash(admin, "team numbers 1,234.56")
	h.reply(admin, "numbers are written 1,234.56")
	h.slash(admin, "quota "+mention(rep)+" 1.500 Q1")
	h.reply(admin, "“1.500” could be 1.5 or 1,500")
}

func (h *harness) prospect(user, account string) coach.Prospect {
	h.t.Helper()
	for _, p := range h.prospects(user) {
		if p.Account == account {
			return p
		}
	}
	h.t.Fatalf("%s has no prospect %s", user, account)
	return coach.Prospect{}
}

// A rep of a team in euros answers "yes" with the date and the amount as
// they write it: both are recorded and shown back, and every surface shows
// the amount the same way. An amount that could mean two things, or two
// amounts, are asked back and change nothing.
func TestDMAmountsInTheTeamsStyle(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	h.slash(admin, "admin manager "+mention(admin))
	h.reply(admin, "can now manage a team")
	h.slash(admin, "team add "+mention(rep))
	h.reply(admin, "Added")
	h.slash(admin, "team currency EUR")
	h.reply(admin, "numbers are written 1.234,56")

	h.logAndPrompt("Acme")
	h.waitFor(dm, "Did you book a second meeting with Acme?")
	for _, tc := range []struct{ say, want string }{
		{"yes, tue 10, $25,000", "“25,000” could be 25 or 25.000, so nothing is recorded yet. Reply again with the one you mean, like _yes, tue 10am, 25.000 $_"},
		{"yes, tue 10, 25k or 30k", "I couldn't place “25k 30k” in your answer"},
		{"yes, 25.000 €", "I read the amount as 25.000 €; nothing is recorded until I know the date"},
	} {
		dmSay(t, h, tc.say)
		h.waitFor(dm, tc.want)
	}
	if a := h.prospect(rep, "Acme"); a.State != coach.Awaiting || a.Amount != 0 {
		t.Fatalf("Acme after replies asked back: %s, %d", a.State, a.Amount)
	}
	dmSay(t, h, "yes, tue 10, 25.000 €")
	h.waitFor(dm, "*Understood:* second meeting Tue Dec 1, 10:00 (Berlin) · estimated 25.000 €")
	h.waitFor(dm, "Estimated 25.000 €.")
	if a := h.prospect(rep, "Acme"); a.State != coach.Opportunity || a.Amount != 25_000 || a.Currency != "EUR" || !a.SecondMeeting.Equal(berlinAt(1+30, 10, 0)) {
		t.Fatalf("Acme after “yes, tue 10, 25.000 €”: %s, %d %s at %v", a.State, a.Amount, a.Currency, a.SecondMeeting)
	}

	h.slash(rep, "")
	h.reply(rep, "*Acme* · second meeting Tue Dec 1, 10:00 · BANT 0/4 · 25.000 €")
	h.openHome(rep)
	h.home(rep, "*Acme* · 25.000 €")
	h.slash(admin, "team")
	team := h.reply(admin, "Weekly pipeline digest")
	if got := team.AllText(); !strings.Contains(got, "25.000 €") || strings.Contains(got, "€25,000") {
		t.Fatalf("the manager's digest does not show 25.000 €:\n%s", got)
	}
}

// In the default style, "25.000 €" could be 25 or 25,000: asked back;
// "€25,000" is recorded, and shown back so.
func TestDMAmountsInEnglishStyle(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	h.logAndPrompt("Acme")
	h.waitFor(dm, "Did you book a second meeting with Acme?")
	dmSay(t, h, "yes, tue 10, 25.000 €")
	h.waitFor(dm, "“25.000” could be 25 or 25,000, so nothing is recorded yet. Reply again with the one you mean, like _yes, tue 10am, €25,000_")
	if a := h.prospect(rep, "Acme"); a.State != coach.Awaiting {
		t.Fatalf("an ambiguous amount confirmed Acme: %s", a.State)
	}
	dmSay(t, h, "yes, tue 10, €25,000")
	h.waitFor(dm, "*Understood:* second meeting Tue Dec 1, 10:00 (Berlin) · estimated €25,000")
	if a := h.prospect(rep, "Acme"); a.Amount != 25_000 || a.Currency != "EUR" {
		t.Fatalf("Acme's amount is %d %s, want 25000 EUR", a.Amount, a.Currency)
	}
}
