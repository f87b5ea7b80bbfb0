package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

func berlinAt(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, berlin)
}

// The heart of the product: a first meeting is logged, the rep is asked
// once after it, and only a confirmed second meeting makes an opportunity.
func TestFirstMeetingToOpportunity(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)

	h.slash(rep, "log Acme Corp today 14:00 with Jane Doe")
	h.reply(rep, "Logged a first meeting with *Acme Corp* with Jane Doe")

	// The meeting ends 14:45; the rep is asked 30 minutes later, not before.
	h.at(berlinAt(25, 15, 14))
	if n := h.prompts(rep); n != 0 {
		t.Fatalf("asked %d times before the meeting ended + delay", n)
	}
	h.at(berlinAt(25, 15, 15))
	prompt := h.waitFor(dm, "Did you book a second meeting?")
	h.runScheduler()
	h.at(berlinAt(25, 16, 0))
	if n := h.prompts(rep); n != 1 {
		t.Fatalf("asked %d times, want exactly once", n)
	}
	if ps := h.prospects(rep); len(ps) != 1 || ps[0].State != coach.Awaiting {
		t.Fatalf("after the prompt: %+v, want one awaiting prospect", ps)
	}

	h.click(rep, prompt, render.ActionYes)
	v := h.view(rep, render.ViewConfirm)
	ack := h.submit(rep, v, map[string]string{
		render.InputSecondDate: "2026-11-27", render.InputSecondTime: "10:00",
		render.InputAmount: "25k", render.InputNextStep: "Demo for the ops team",
		render.QualificationInput("budget"): "40k set aside for Q1",
	})
	if len(ack.Payload) != 0 {
		t.Fatalf("a valid submission acked with %s, want a plain ack that closes the modal", ack.Payload)
	}
	h.waitFor(dm, "is an opportunity: second meeting Fri Nov 27, 10:00")

	ps := h.prospects(rep)
	if len(ps) != 1 || ps[0].State != coach.Opportunity || ps[0].Amount != 25000 || ps[0].NextStep != "Demo for the ops team" ||
		ps[0].Qualification["budget"] != "40k set aside for Q1" {
		t.Fatalf("after confirming: %+v", ps)
	}
	if got := ps[0].History[len(ps[0].History)-1]; got.By != rep || got.From != coach.Awaiting || got.To != coach.Opportunity {
		t.Fatalf("last history entry %+v, want rep awaiting → opportunity", got)
	}

	h.slash(rep, "")
	view := h.reply(rep, "Opportunities")
	if !strings.Contains(view.AllText(), "Acme Corp") || !strings.Contains(view.AllText(), "25,000") || !strings.Contains(view.AllText(), "BANT 1/4") {
		t.Fatalf("/pipeline does not show the opportunity:\n%s", view.AllText())
	}

	// Submitting the same confirmation again (a double click) is harmless.
	before := len(h.prospects(rep)[0].History)
	if ack := h.submit(rep, v, map[string]string{render.InputSecondDate: "2026-11-27", render.InputSecondTime: "10:00"}); len(ack.Payload) != 0 {
		t.Fatalf("second confirmation acked with %s", ack.Payload)
	}
	h.waitFor(dm, "was already an opportunity; nothing changed")
	if ps := h.prospects(rep); ps[0].Amount != 25000 || len(ps[0].History) != before {
		t.Fatalf("confirming twice changed the opportunity: %+v", ps[0])
	}
}

func TestNotYetRemindsAfterTwoWorkingDays(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	h.slash(rep, "log Globex yesterday 3pm")
	h.reply(rep, "Logged a first meeting with *Globex*")

	// Logged after it happened: asked at once.
	h.runScheduler()
	prompt := h.waitFor(dm, "Did you book a second meeting?")
	h.click(rep, prompt, render.ActionNotYet)
	h.waitFor(dm, "no second meeting yet")

	// Wednesday 09:00 + 2 working days = Friday 09:00.
	h.at(berlinAt(27, 8, 59))
	if n := h.prompts(rep); n != 1 {
		t.Fatalf("reminded too early: %d questions", n)
	}
	h.at(berlinAt(27, 9, 0))
	h.waitFor(dm, "is a second meeting booked yet?")
	if n := h.prompts(rep); n != 2 {
		t.Fatalf("%d questions after the reminder, want 2", n)
	}
}

// A meeting nobody answers never becomes pipeline: reminders stop after
// the close-out question and the prospect shows as gone quiet.
func TestUnansweredNeverBecomesPipeline(t *testing.T) {
	h := newHarness(t)
	h.slash(rep, "log Initech today 10:00")
	h.reply(rep, "Logged")
	for day := range 60 {
		h.at(start.AddDate(0, 0, day).Add(2 * time.Hour))
	}
	if n := h.prompts(rep); n != 4 {
		t.Fatalf("%d questions in 60 days, want 4 (first, 2 reminders, close-out)", n)
	}
	h.waitFor(h.sim.DMChannel(rep), "Close it out?")
	ps := h.prospects(rep)
	if len(ps) != 1 || ps[0].State == coach.Opportunity || !ps[0].GoneQuiet() {
		t.Fatalf("after 60 silent days: %+v, want gone quiet and not pipeline", ps)
	}
	h.slash(rep, "mine")
	view := h.reply(rep, "Gone quiet")
	if !strings.Contains(view.AllText(), "0 opportunities") {
		t.Fatalf("pipeline view counts an unanswered meeting:\n%s", view.AllText())
	}
}

func TestWordsInTheDMDoWhatButtonsDo(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	for _, account := range []string{"Umbrella", "Hooli", "Stark"} {
		h.slash(rep, "log "+account+" today 9:00")
		h.reply(rep, "Logged a first meeting with *"+account+"*")
	}
	h.at(berlinAt(25, 10, 15))
	if n := h.prompts(rep); n != 3 {
		t.Fatalf("%d prompts, want 3", n)
	}

	// Three waiting: a bare "yes" must ask which one.
	dmSay(t, h, "yes")
	h.waitFor(dm, "3 prospects are waiting for an answer")

	dmSay(t, h, "yes Umbrella, fri 10am")
	h.waitFor(dm, "*Umbrella* is an opportunity")
	dmSay(t, h, "hooli not yet")
	h.waitFor(dm, "*Hooli*: no second meeting yet")
	dmSay(t, h, "Stark no")
	h.waitFor(dm, "*Stark* is lost")
	dmSay(t, h, "hmm what")
	h.waitFor(dm, "I didn't catch that")

	states := map[string]coach.State{}
	for _, p := range h.prospects(rep) {
		states[p.Account] = p.State
	}
	want := map[string]coach.State{"Umbrella": coach.Opportunity, "Hooli": coach.Awaiting, "Stark": coach.Lost}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s is %s, want %s", k, states[k], v)
		}
	}
}

func dmSay(t *testing.T, h *harness, text string) {
	t.Helper()
	h.dm(rep, text)
}

func TestBadInputIsExplainedAndNothingWritten(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)

	h.slash(rep, "frobnicate")
	h.reply(rep, "I don't know `/pipeline frobnicate`")

	h.slash(rep, "log Acme tomorrow 25pm")
	h.reply(rep, "I couldn't read “tomorrow 25pm” as a date and time, so nothing was logged. Dates work like: today 2pm")
	h.slash(rep, "log "+strings.Repeat("x", 201)+" today 10:00")
	h.reply(rep, "The company name is 201 characters long; the limit is 200")
	if ps := h.prospects(rep); len(ps) != 0 {
		t.Fatalf("a rejected log wrote %d prospects", len(ps))
	}

	h.slash(rep, "log Acme today 11:00")
	h.reply(rep, "Logged")
	h.at(berlinAt(25, 12, 15))
	prompt := h.waitFor(dm, "Did you book a second meeting?")

	// Someone else's button changes nothing and says so.
	h.click(other, prompt, render.ActionNotYet)
	h.reply(other, "belongs to someone else")

	h.click(rep, prompt, render.ActionYes)
	v := h.view(rep, render.ViewConfirm)
	ack := h.submit(rep, v, map[string]string{render.InputSecondDate: "2026-11-24", render.InputSecondTime: "10:00", render.InputAmount: "abc"})
	errs := ackErrors(t, ack)
	if !strings.Contains(errs[render.InputAmount], "not an amount") {
		t.Fatalf("amount error = %q", errs[render.InputAmount])
	}
	ack = h.submit(rep, v, map[string]string{render.InputSecondDate: "2026-11-24", render.InputSecondTime: "10:00", render.InputAmount: "10k"})
	errs = ackErrors(t, ack)
	if !strings.Contains(errs[render.InputSecondDate], "is not after the first meeting") {
		t.Fatalf("second-before-first error = %q", errs[render.InputSecondDate])
	}
	if ps := h.prospects(rep); ps[0].State != coach.Awaiting {
		t.Fatalf("rejected submissions changed the prospect to %s", ps[0].State)
	}

	// A reminder two working days later; the first prompt keeps its buttons.
	h.at(berlinAt(27, 12, 15))
	h.waitFor(dm, "is a second meeting booked yet?")

	// Lose it in words, then press the first prompt's button: it says what
	// was decided.
	dmSay(t, h, "no")
	h.waitFor(dm, "*Acme* is lost")
	h.click(rep, prompt, render.ActionNotYet)
	h.reply(rep, "already decided: it is lost")
}

func ackErrors(t *testing.T, ack slacksim.Ack) map[string]string {
	t.Helper()
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack.Payload, &resp); err != nil || resp.Action != "errors" {
		t.Fatalf("ack %s is not a response_action errors", ack.Payload)
	}
	return resp.Errors
}

// Details missing from /pipeline log open a form; what it refuses it says
// next to the field, and the form keeps what was typed.
func TestLogWithMissingDetailsOpensAForm(t *testing.T) {
	h := newHarness(t)
	h.slash(rep, "log Acme with Jane")
	v := h.view(rep, render.ViewLog)
	if !strings.Contains(string(v.Raw), `"initial_value":"Acme"`) || !strings.Contains(string(v.Raw), `"initial_value":"Jane"`) {
		t.Fatalf("the form does not keep what was typed:\n%s", v.Raw)
	}
	ack := h.submit(rep, v, map[string]string{render.InputAccount: "   ", render.InputFirstDate: "2026-11-26", render.InputFirstTime: "10:00"})
	if errs := ackErrors(t, ack); !strings.Contains(errs[render.InputAccount], "is empty") {
		t.Fatalf("errors %v, want the empty company named", errs)
	}
	ack = h.submit(rep, v, map[string]string{render.InputAccount: "Acme", render.InputContact: "Jane", render.InputFirstDate: "2026-11-26"})
	if errs := ackErrors(t, ack); errs[render.InputFirstTime] == "" {
		t.Fatalf("errors %v, want the missing time named", errs)
	}
	if ps := h.prospects(rep); len(ps) != 0 {
		t.Fatalf("refused forms wrote %d prospects", len(ps))
	}
	if ack := h.submit(rep, v, map[string]string{render.InputAccount: "Acme", render.InputContact: "Jane", render.InputFirstDate: "2026-11-26", render.InputFirstTime: "10:00"}); len(ack.Payload) != 0 {
		t.Fatalf("a valid form acked with %s", ack.Payload)
	}
	h.waitFor(h.sim.DMChannel(rep), "Logged a first meeting with *Acme* with Jane, Thu Nov 26, 10:00")

	h.slash(rep, "help")
	h.reply(rep, "`/pipeline log <company> [when] [with <contact>]`")
}
