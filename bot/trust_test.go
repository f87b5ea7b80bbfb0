package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// farWorkspace is another Slack workspace served by the same store.
const farWorkspace = "T0FAR"

// plant saves a prospect straight into the store, as another person's (or
// another workspace's) work would have left it.
func (h *harness) plant(workspace, owner, account string, state coach.State) coach.Prospect {
	h.t.Helper()
	now := h.clock.Now()
	p := coach.Prospect{
		Workspace: workspace, ID: strings.ToLower(workspace + account), Owner: owner, Account: account, TZ: "Europe/Berlin",
		FirstMeeting: now.Add(-48 * time.Hour), MeetingEnd: now.Add(-47 * time.Hour), State: state,
		CreatedAt: now.Add(-72 * time.Hour), LastActivity: now.Add(-47 * time.Hour), Version: 1,
		History: []coach.Entry{{At: now.Add(-72 * time.Hour), By: owner, Event: coach.EventLogged, To: state, Version: 1}},
	}
	if state == coach.Opportunity {
		p.SecondMeeting, p.NextStep = now.Add(48*time.Hour), "as planted"
	}
	if err := h.store.Save(h.ctx, p); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// stored reads a prospect as the store has it.
func (h *harness) stored(p coach.Prospect) coach.Prospect {
	h.t.Helper()
	got, err := h.store.Prospect(h.ctx, p.Workspace, p.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return got
}

// storeChange changes a stored prospect as someone else would, in one save.
func (h *harness) storeChange(p coach.Prospect, fn func(*coach.Prospect)) coach.Prospect {
	h.t.Helper()
	cur := h.stored(p)
	fn(&cur)
	cur.Version++
	if err := h.store.Save(h.ctx, cur); err != nil {
		h.t.Fatal(err)
	}
	return cur
}

// answers counts the replies to user containing want.
func (h *harness) answers(user, want string) int {
	n := 0
	for _, c := range h.sim.Calls() {
		if (c.Method == "response_url" || c.Method == "chat.postEphemeral") && strings.Contains(string(c.Body)+c.Params.Encode(), want) {
			n++
		}
	}
	return n
}

// forgedClick clicks actionID on m with value as the button's value, and
// waits for a new reply containing want.
func (h *harness) forgedClick(user string, m slacksim.Message, actionID, value, want string) {
	h.t.Helper()
	before := h.answers(user, want)
	if _, err := h.sim.ClickForged(h.ctx, user, m, actionID, value); err != nil {
		h.t.Fatalf("click %s with %s: %v", actionID, value, err)
	}
	h.waitCalls(func() bool { return h.answers(user, want) > before },
		fmt.Sprintf("%s clicking %s with %q: no new reply containing %q", user, actionID, value, want))
}

func (h *harness) waitCalls(done func() bool, failure string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			h.t.Fatal(failure)
		}
		ctx, cancel := context.WithTimeout(h.ctx, 100*time.Millisecond)
		_, _ = h.sim.WaitCall(ctx, func(slacksim.Call) bool { return done() })
		cancel()
	}
}

// refusedForm submits v with metadata and inputs, and wants the form kept
// open with want in its errors.
func (h *harness) refusedForm(user string, v slacksim.View, metadata string, inputs map[string]string, want string) {
	h.t.Helper()
	ack, err := h.sim.SubmitForged(h.ctx, user, v, metadata, inputs)
	if err != nil {
		h.t.Fatalf("submit %s with %q: %v", v.CallbackID, metadata, err)
	}
	var body struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	_ = json.Unmarshal(ack.Payload, &body)
	var all []string
	for _, e := range body.Errors {
		all = append(all, e)
	}
	if body.Action != "errors" || !strings.Contains(strings.Join(all, " "), want) {
		h.t.Fatalf("%s submitting %s with %q: ack %s, want the form kept open saying %q", user, v.CallbackID, metadata, ack.Payload, want)
	}
}

// mine0 is Rita's first prospect.
func mine0(h *harness) coach.Prospect {
	h.t.Helper()
	ps := h.prospects(rep)
	if len(ps) == 0 {
		h.t.Fatal("Rita has no prospect")
	}
	return ps[0]
}

// TestFormsAndButtonsDecideOnTheStoredRecord: a button's value and a form's
// metadata swapped to another rep's prospect, another team's, another
// workspace's, or carrying an altered copy of the record, are refused with
// a clear message and change nothing; a form made stale by someone else, or
// by the deal changing hands, is refused too; the owner's honest
// submission still works.
func TestFormsAndButtonsDecideOnTheStoredRecord(t *testing.T) {
	h := newHarness(t)
	h.addManagers()
	h.slash(admin, "admin manager "+mention(mia)+" "+mention(otherBoss))
	h.reply(admin, "can now manage a team")
	h.slashAnswered(mia, "team add "+mention(rep), "Added")
	h.slashAnswered(otherBoss, "team add "+mention(other), "Added")

	// Omar's deals (Max's team), and a deal of Rita's own id in another
	// workspace.
	globex := h.plant(h.sim.TeamID(), other, "Globex", coach.Awaiting)
	hooli := h.plant(h.sim.TeamID(), other, "Hooli", coach.Opportunity)
	far := h.plant(farWorkspace, rep, "Farco", coach.Awaiting)
	umbrella := h.plant(h.sim.TeamID(), rep, "Umbrella", coach.Opportunity)
	victims := []coach.Prospect{globex, hooli, far}
	untouched := func(when string) {
		t.Helper()
		for _, v := range victims {
			if got := h.stored(v); got.Version != v.Version || got.State != v.State || got.Owner != v.Owner {
				t.Fatalf("%s: %s changed: %s, owner %s, version %d", when, v.Account, got.State, got.Owner, got.Version)
			}
		}
	}
	const notYours, notFound = "belongs to someone else", "can't find that prospect"

	h.slash(rep, "log Acme today 10:00")
	h.reply(rep, "Logged a first meeting with *Acme*")
	h.at(berlinAt(25, 11, 15))
	prompt := h.waitFor(h.sim.DMChannel(rep), "Did you book a second meeting?")

	// Every button, its value swapped.
	for _, action := range []string{render.ActionYes, render.ActionNotYet, render.ActionLose, render.ActionWon, render.ActionUpdate, render.ActionDealCard,
		render.ActionThatsIt, render.ActionNotSales} {
		h.forgedClick(rep, prompt, action, hooli.ID, notYours)
		h.forgedClick(rep, prompt, action, far.ID, notFound)
	}
	// A manager of another team.
	h.forgedClick(mia, prompt, render.ActionNotYet, globex.ID, notYours)
	h.forgedClick(mia, prompt, render.ActionWon, hooli.ID, notYours)
	// A coaching brief of another manager.
	maxNudge := coach.Brief{Workspace: h.sim.TeamID(), Manager: otherBoss, Rep: hooli.Owner}.Key()
	h.forgedClick(mia, prompt, render.ActionNudgeSnooze, maxNudge, "sent to someone else")
	h.forgedClick(mia, prompt, render.ActionNudgeDiscussed, maxNudge, "sent to someone else")
	// Mia's own brief key, clicked on Rita's prompt: the answer is Mia's, and
	// Rita's message is not rewritten.
	miaNudge := coach.Brief{Workspace: h.sim.TeamID(), Manager: mia, Rep: mine0(h).Owner}.Key()
	h.forgedClick(mia, prompt, render.ActionNudgeSnooze, miaNudge, "Snoozed until")
	for _, m := range h.sim.Messages(h.sim.DMChannel(rep)) {
		if m.TS == prompt.TS && len(m.Buttons()) != len(prompt.Buttons()) {
			t.Fatalf("a nudge answer clicked on Rita's prompt rewrote it:\n%s", m.AllText())
		}
	}
	untouched("after forged clicks")
	if views := h.sim.OpenViews(rep); len(views) != 0 {
		t.Fatalf("a forged click opened %d forms", len(views))
	}

	// Every form, its metadata swapped or carrying an altered copy.
	acme := h.prospects(rep)
	var mine coach.Prospect
	for _, p := range acme {
		if p.Account == "Acme" {
			mine = p
		}
	}
	altered := hooli
	altered.Owner = rep // the copy claims the deal is the attacker's
	copyOf, _ := json.Marshal(altered)
	confirm := map[string]string{render.InputSecondDate: "2026-11-27", render.InputSecondTime: "10:00"}
	lose := map[string]string{render.InputReason: string(coach.ReasonNoFit)}
	update := map[string]string{render.InputNextStep: "taken over"}

	h.click(rep, prompt, render.ActionYes)
	confirmForm := h.view(rep, render.ViewConfirm)
	h.click(rep, prompt, render.ActionLose)
	loseForm := h.view(rep, render.ViewLose)
	h.slash(rep, "update Umbrella")
	updateForm := h.view(rep, render.ViewUpdate)
	for _, form := range []struct {
		v      slacksim.View
		inputs map[string]string
		victim coach.Prospect
	}{{confirmForm, confirm, globex}, {loseForm, lose, hooli}, {updateForm, update, hooli}} {
		h.refusedForm(rep, form.v, fmt.Sprintf("%s %d", form.victim.ID, form.victim.Version), form.inputs, notYours)
		h.refusedForm(rep, form.v, fmt.Sprintf("%s %d", far.ID, far.Version), form.inputs, notFound)
		h.refusedForm(rep, form.v, hooli.ID+"\n"+string(copyOf), form.inputs, notYours)
		// An origin (the message the form was opened from) is no more than a
		// hint either: a forged one changes nothing of what is decided.
		h.refusedForm(rep, form.v, fmt.Sprintf("%s %d 1.2 https://hooks.example/x", form.victim.ID, form.victim.Version), form.inputs, notYours)
	}
	untouched("after forged forms")

	// Another team's manager with a form of their own team's deal, sending
	// the other team's id.
	if _, err := h.sim.ClickForged(h.ctx, mia, prompt, render.ActionLose, mine.ID); err != nil {
		t.Fatal(err)
	}
	miaForm := h.view(mia, render.ViewLose)
	h.refusedForm(mia, miaForm, fmt.Sprintf("%s %d", globex.ID, globex.Version), lose, notYours)
	untouched("after another team's manager's forged form")

	// Stale: Rita's manager updated Umbrella while Rita's form was open.
	h.storeChange(umbrella, func(p *coach.Prospect) {
		p.NextStep = "Mia's step"
		p.History = append(p.History, coach.Entry{At: h.clock.Now(), By: mia, Event: coach.EventUpdated, From: p.State, To: p.State, Version: p.Version + 1})
	})
	h.refusedForm(rep, updateForm, fmt.Sprintf("%s %d", umbrella.ID, umbrella.Version), update, "This deal changed since you opened this form")
	h.waitFor(h.sim.DMChannel(rep), "*Umbrella* changed since you opened this form: <@"+mia+"> updated it")
	if got := h.stored(umbrella); got.NextStep != "Mia's step" {
		t.Fatalf("a stale form overwrote the manager's update: next step %q", got.NextStep)
	}

	// Umbrella handed to Omar while Rita's form is open.
	umbrella = h.storeChange(umbrella, func(p *coach.Prospect) { p.Owner = other })
	h.refusedForm(rep, updateForm, render.FormMetadata(umbrella), update, notYours)
	if got := h.stored(umbrella); got.NextStep != "Mia's step" || got.Owner != other {
		t.Fatalf("the old owner's update form changed the deal: next step %q, owner %s", got.NextStep, got.Owner)
	}

	// A second confirm form on Acme, kept open.
	h.click(rep, prompt, render.ActionYes)
	var again slacksim.View
	h.waitCalls(func() bool {
		for _, v := range h.sim.OpenViews(rep) {
			if v.CallbackID == render.ViewConfirm && v.ID != confirmForm.ID {
				again = v
			}
		}
		return again.ID != ""
	}, "no second confirm form")

	// The owner's honest confirmation works.
	if ack := h.submit(rep, confirmForm, confirm); len(ack.Payload) != 0 {
		t.Fatalf("the honest confirmation acked with %s", ack.Payload)
	}
	if got := h.stored(mine); got.State != coach.Opportunity {
		t.Fatalf("the honest confirmation left Acme %s", got.State)
	}

	// Stale after the deal changed hands: the old owner's open form.
	h.storeChange(mine, func(p *coach.Prospect) { p.Owner = other })
	h.refusedForm(rep, loseForm, render.FormMetadata(mine), lose, notYours)
	h.refusedForm(rep, again, render.FormMetadata(mine), confirm, notYours)
	if got := h.stored(mine); got.State != coach.Opportunity || got.Owner != other {
		t.Fatalf("the old owner's form changed the deal: %s, owner %s", got.State, got.Owner)
	}
}

// TestLoseAllDecidesOnTheStoredRecords: the cleanup's "lose all" loses only
// the sender's own prospects that are still gone quiet as stored; ids
// swapped in are refused, and a list where every deal changed meanwhile is
// the rep's answer, not a store failure.
func TestLoseAllDecidesOnTheStoredRecords(t *testing.T) {
	h := newHarness(t)
	quiet := func(owner, account string) coach.Prospect {
		p := h.plant(h.sim.TeamID(), owner, account, coach.Awaiting)
		return h.storeChange(p, func(p *coach.Prospect) { p.QuietSince = h.clock.Now().Add(-time.Hour) })
	}
	one, two := quiet(rep, "Quiet One"), quiet(rep, "Quiet Two")
	theirs := quiet(other, "Their Quiet")

	h.slash(rep, "cleanup")
	cleanup := h.reply(rep, "Clean up your pipeline")
	h.click(rep, cleanup, render.ActionLoseAll)
	v := h.view(rep, render.ViewLoseAll)
	reason := map[string]string{render.InputReason: string(coach.ReasonWentDark)}

	// Both of Rita's answered meanwhile: nothing to lose, and said so.
	for _, p := range []coach.Prospect{one, two} {
		h.storeChange(p, func(p *coach.Prospect) {
			p.QuietSince = time.Time{}
			p.History = append(p.History, coach.Entry{At: h.clock.Now(), By: rep, Event: coach.EventNotYet, From: p.State, To: p.State, Version: p.Version + 1})
		})
	}
	h.refusedForm(rep, v, one.ID+","+two.ID, reason, "None of them is gone quiet any more")
	if strings.Contains(h.logs.String(), `"level":"error"`) {
		t.Errorf("a lose-all of deals that changed meanwhile was logged as an error:\n%s", h.logs.String())
	}

	// Another rep's gone-quiet prospect swapped into the list.
	h.refusedForm(rep, v, theirs.ID, reason, "belongs to someone else")
	if got := h.stored(theirs); got.State != coach.Awaiting || got.Version != theirs.Version {
		t.Fatalf("another rep's prospect changed: %s, version %d", got.State, got.Version)
	}
	// And another workspace's, under the same person's id.
	far := h.storeChange(h.plant(farWorkspace, rep, "Far Quiet", coach.Awaiting), func(p *coach.Prospect) { p.QuietSince = h.clock.Now().Add(-time.Hour) })
	h.refusedForm(rep, v, far.ID, reason, "can't find that prospect")
	if got := h.stored(far); got.State != coach.Awaiting || got.Version != far.Version {
		t.Fatalf("another workspace's prospect changed: %s, version %d", got.State, got.Version)
	}
}
