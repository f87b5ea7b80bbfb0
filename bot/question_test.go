package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// A rep may press a question's button in the moment between Slack taking
// the question and coach recording it: the question still shows what was
// decided, in place of its buttons.
func TestButtonPressedBeforeTheQuestionIsRecorded(t *testing.T) {
	h := newHarness(t)
	h.slash(rep, "log Acme yesterday 3pm")
	h.reply(rep, "Logged a first meeting with *Acme*")
	ps := h.prospects(rep)
	if len(ps) != 1 || !ps[0].Prompt.IsZero() {
		t.Fatalf("prospects %+v; want one, with no question recorded", ps)
	}
	// The question as the scheduler posts it, not yet recorded.
	api := slack.New(h.sim.BotToken(), slack.OptionAPIURL(h.sim.APIURL()))
	_, ts, err := api.PostMessage(h.sim.DMChannel(rep), render.Prompt(ps[0], coach.Ask{Kind: coach.AskFirst, N: 1}).Options()...)
	if err != nil {
		t.Fatal(err)
	}
	var question slacksim.Message
	for _, m := range h.sim.Messages(h.sim.DMChannel(rep)) {
		if m.TS == ts {
			question = m
		}
	}

	h.click(rep, question, render.ActionNotYet)
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	if _, err := h.sim.WaitMessage(ctx, h.since(), func(m slacksim.Message) bool {
		return m.TS == ts && m.Updates > 0 && len(m.Buttons()) == 0
	}); err != nil {
		t.Fatalf("the question kept its buttons after \"Not yet\": %v\n%s", err, h.dump(h.sim.DMChannel(rep)))
	}
	if ps := h.prospects(rep); len(ps) != 1 || ps[0].State != coach.Awaiting {
		t.Errorf("prospects after \"Not yet\": %+v", ps)
	}
}
