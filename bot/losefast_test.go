package bot_test

import (
	"strings"
	"testing"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

// logAndPrompt logs a first meeting on Wednesday 10:00 and returns the
// question the rep gets at 11:15.
func (h *harness) logAndPrompt(account string) coach.Prospect {
	h.t.Helper()
	h.slash(rep, "log "+account+" today 10:00")
	h.reply(rep, "Logged a first meeting with *"+account+"*")
	h.at(berlinAt(25, 11, 15))
	for _, p := range h.prospects(rep) {
		if p.Account == account {
			return p
		}
	}
	h.t.Fatalf("%s was not logged", account)
	return coach.Prospect{}
}

func TestSharedLossIsCelebratedOnce(t *testing.T) {
	h := newHarness(t)
	h.logAndPrompt("Acme")
	prompt := h.waitFor(h.sim.DMChannel(rep), "Did you book a second meeting with Acme?")

	h.click(rep, prompt, render.ActionLose)
	v := h.view(rep, render.ViewLose)
	ack := h.submit(rep, v, map[string]string{
		render.InputReason: string(coach.ReasonStatusQuo), render.InputLesson: "Ask what happens if they do nothing <!channel>",
		render.InputSaveMoment: "the first call", render.InputShare: render.ShareOptionValue,
	})
	if len(ack.Payload) != 0 {
		t.Fatalf("debrief acked with %s", ack.Payload)
	}
	h.waitFor(h.sim.DMChannel(rep), "*Acme* is lost")
	h.runScheduler()
	post := h.waitFor(wins, "lost *Acme*")
	text := post.AllText()
	for _, want := range []string{"Lightning fast", "No commitment to change", "Ask what happens if they do nothing &lt;!channel&gt;", "the first call"} {
		if !strings.Contains(text, want) {
			t.Errorf("celebration lacks %q:\n%s", want, text)
		}
	}
	h.runScheduler()
	h.at(berlinAt(26, 10, 0))
	if n := len(h.sim.Messages(wins)); n != 1 {
		t.Fatalf("%d posts in the celebration channel, want exactly one", n)
	}
	p := h.prospects(rep)[0]
	if p.Loss == nil || p.Loss.Stage != coach.Awaiting || p.Loss.DaysToLose != 0 || !p.Loss.Celebrated {
		t.Fatalf("loss recorded as %+v", p.Loss)
	}
}

// A lesson over the limit is refused next to the field; the modal keeps
// everything typed and nothing is lost.
func TestLessonOverTheLimitKeepsTheForm(t *testing.T) {
	h := newHarness(t)
	h.logAndPrompt("Acme")
	prompt := h.waitFor(h.sim.DMChannel(rep), "Acme")
	h.click(rep, prompt, render.ActionLose)
	v := h.view(rep, render.ViewLose)
	ack := h.submit(rep, v, map[string]string{render.InputReason: string(coach.ReasonTiming), render.InputLesson: strings.Repeat("x", 3001)})
	if errs := ackErrors(t, ack); !strings.Contains(errs[render.InputLesson], "3001 characters long; the limit is 3000") {
		t.Fatalf("errors %v, want the lesson's limit", errs)
	}
	if views := h.sim.OpenViews(rep); len(views) == 0 || views[len(views)-1].Closed {
		t.Fatal("the debrief closed: what was typed is lost")
	}
	if p := h.prospects(rep)[0]; p.State == coach.Lost {
		t.Fatal("a refused debrief lost the prospect")
	}
}

func TestPrivateLossPostsNothing(t *testing.T) {
	h := newHarness(t)
	h.logAndPrompt("Hooli")
	prompt := h.waitFor(h.sim.DMChannel(rep), "Hooli")
	h.click(rep, prompt, render.ActionLose)
	v := h.view(rep, render.ViewLose)
	h.submit(rep, v, map[string]string{render.InputReason: string(coach.ReasonNoFit), render.InputShare: ""})
	h.waitFor(h.sim.DMChannel(rep), "*Hooli* is lost")
	h.runScheduler()
	h.at(berlinAt(26, 10, 0))
	if n := len(h.sim.Messages(wins)); n != 0 {
		t.Fatalf("a private loss was posted %d times", n)
	}
	if p := h.prospects(rep)[0]; p.Loss == nil || p.Loss.Shared || p.Loss.Reason != coach.ReasonNoFit {
		t.Fatalf("private debrief not kept: %+v", p.Loss)
	}
}

func TestCelebrationChannelWithoutTheBot(t *testing.T) {
	h := newHarness(t)
	h.sim.AddChannel(wins, "wins", false)
	h.logAndPrompt("Initech")
	prompt := h.waitFor(h.sim.DMChannel(rep), "Initech")
	h.click(rep, prompt, render.ActionLose)
	h.submit(rep, h.view(rep, render.ViewLose), map[string]string{render.InputReason: string(coach.ReasonTiming), render.InputShare: render.ShareOptionValue})
	h.runScheduler()
	h.waitFor(h.sim.DMChannel(rep), "Your loss of *Initech* is saved. I couldn't share it")
	if !strings.Contains(h.logs.String(), "/invite @pipeline-coach") {
		t.Error("the log does not tell the admin how to invite the bot")
	}
	h.slash(rep, "admin")
	h.reply(rep, "Only admins can use `/pipeline admin`")
	h.slash(admin, "admin")
	h.reply(admin, "I can't post in <#C0WINS>: I'm not a member (not_in_channel). Open the channel and type `/invite @pipeline-coach`")
	h.at(berlinAt(26, 10, 0))
	if p := h.prospects(rep)[0]; p.State != coach.Lost || p.Loss == nil {
		t.Fatalf("the loss was not kept: %+v", p)
	}
	posts := 0
	for _, c := range h.sim.Calls() {
		if c.Method == "chat.postMessage" && c.Params.Get("channel") == wins {
			posts++
		}
	}
	if posts != 1 {
		t.Fatalf("tried the channel %d times, want once (not_in_channel is not retried)", posts)
	}
}

func TestWonAndLostByName(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	for _, a := range []string{"Acme Corp", "Acme Labs", "Globex"} {
		h.slash(rep, "log "+a+" today 10:00")
		h.reply(rep, "Logged a first meeting with *"+a+"*")
	}
	h.at(berlinAt(25, 11, 15))
	dmSay(t, h, "yes acme corp fri 10am")
	h.waitFor(dm, "*Acme Corp* is an opportunity")

	h.slash(rep, "won globex")
	h.reply(rep, "isn't an opportunity yet")
	h.slash(rep, "won zzz")
	h.reply(rep, "No open deal matches “zzz”")
	h.slash(rep, "lost acme")
	choose := h.reply(rep, "2 deals match “acme”. Which one?")
	if len(choose.Buttons()) != 2 {
		t.Fatalf("choice offers %d buttons, want 2", len(choose.Buttons()))
	}
	h.slash(rep, "won ACME corp")
	h.reply(rep, "*Acme Corp* won")
	if p := byAccount(h.prospects(rep), "Acme Corp"); p.State != coach.Won {
		t.Fatalf("Acme Corp is %s", p.State)
	}
	h.slash(rep, "won acme corp")
	h.reply(rep, "No open deal matches")
}

func TestUpdateRecordsActivityAndWaits(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	h.logAndPrompt("Umbrella")
	dmSay(t, h, "yes fri 10am")
	h.waitFor(dm, "*Umbrella* is an opportunity")

	h.slash(rep, "update umbrella")
	v := h.view(rep, render.ViewUpdate)
	ack := h.submit(rep, v, map[string]string{render.InputNextStep: "Security review", render.InputWaitingOn: "legal review", render.InputAmount: "lots"})
	if errs := ackErrors(t, ack); !strings.Contains(errs[render.InputAmount], "not an amount") {
		t.Fatalf("errors %v", errs)
	}
	ack = h.submit(rep, v, map[string]string{render.InputNextStep: "Security review", render.InputWaitingOn: "legal review", render.InputWaitingDate: "2026-12-07"})
	if len(ack.Payload) != 0 {
		t.Fatalf("update acked with %s", ack.Payload)
	}
	h.waitFor(dm, "Waiting on legal review until Mon Dec 7")
	p := byAccount(h.prospects(rep), "Umbrella")
	if p.NextStep != "Security review" || p.WaitingOn != "legal review" {
		t.Fatalf("update not recorded: %+v", p)
	}
	h.at(berlinAt(30, 10, 0))
	if h.prompts(rep) != 1 {
		t.Fatal("asked during the wait")
	}
	h.clock.Set(berlinAt(30, 10, 0).AddDate(0, 0, 7))
	h.runScheduler()
	h.waitFor(dm, "You were waiting on legal review for *Umbrella*")
}

func byAccount(ps []coach.Prospect, account string) coach.Prospect {
	for _, p := range ps {
		if p.Account == account {
			return p
		}
	}
	return coach.Prospect{}
}
