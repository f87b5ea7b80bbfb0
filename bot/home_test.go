package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

func (h *harness) home(user string, want string) slacksim.View {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	v, err := h.sim.WaitHome(ctx, user, func(v slacksim.View) bool { return strings.Contains(v.AllText(), want) })
	if err != nil {
		got, _ := h.sim.Home(user)
		h.t.Fatalf("App Home never showed %q: %v\nlast home:\n%s", want, err, got.AllText())
	}
	return v
}

func TestAppHomeShowsThePipelineAndFollowsChanges(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	for _, a := range []string{"Acme", "Globex", "Initech"} {
		h.slash(rep, "log "+a+" today 10:00")
		h.reply(rep, "Logged a first meeting with *"+a+"*")
	}
	h.at(berlinAt(25, 11, 15))
	h.openHome(rep)
	home := h.home(rep, "3 prospects not yet pipeline")
	if !strings.Contains(home.AllText(), "First → second meeting: — (no data)") {
		t.Errorf("numbers on an empty history:\n%s", home.AllText())
	}

	dmSay(t, h, "yes acme fri 10am")
	h.waitFor(dm, "*Acme* is an opportunity")
	h.home(rep, "1 opportunity")
	dmSay(t, h, "initech no")
	h.waitFor(dm, "*Initech* is lost")
	home = h.home(rep, "Recent losses")
	text := home.AllText()
	for _, want := range []string{"*Acme*", "active today", "First → second meeting: 50% (1 of 2)", "Median time to lose: less than a day", "lost the same day"} {
		if !strings.Contains(text, want) {
			t.Errorf("home lacks %q:\n%s", want, text)
		}
	}

	// Two weeks without activity: stalled.
	h.clock.Set(berlinAt(25, 11, 15).AddDate(0, 0, 15))
	h.openHome(rep)
	h.home(rep, ":warning: stalled")

	// Open half as long again as the won cycle (90 days until 8 are won):
	// aged past 135 days.
	h.clock.Set(berlinAt(25, 11, 15).AddDate(0, 0, 136))
	h.openHome(rep)
	h.home(rep, ":hourglass: aged")
}

func TestAppHomeFitsAnyPipeline(t *testing.T) {
	h := newHarness(t)
	ctx := h.ctx
	team := h.sim.TeamID()
	for i := range 150 {
		p := coach.Prospect{Workspace: team, ID: fmt.Sprintf("p%03d", i), Owner: rep, Account: fmt.Sprintf("Company %03d", i), TZ: "Europe/Berlin",
			FirstMeeting: start.AddDate(0, 0, -10), MeetingEnd: start.AddDate(0, 0, -10), State: coach.Awaiting, Asks: 1, Version: 1,
			CreatedAt: start, LastActivity: start}
		if i%2 == 0 {
			p.State, p.SecondMeeting = coach.Opportunity, start.AddDate(0, 0, 2)
		}
		if err := h.store.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	h.openHome(rep)
	home := h.home(rep, "75 opportunities")
	if n := len(home.Blocks.BlockSet); n > 100 {
		t.Fatalf("home has %d blocks", n)
	}
	h.clickView(rep, home, render.ActionSeeAll)
	all := h.view(rep, "see_all")
	if !strings.Contains(all.AllText(), "Company 148") {
		t.Fatalf("see all does not list every opportunity:\n%.500s", all.AllText())
	}
}

func TestCleanupAndLessons(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	for _, a := range []string{"Quiet One", "Quiet Two", "Answered"} {
		h.slash(rep, "log "+a+" today 10:00")
		h.reply(rep, "Logged")
	}
	h.at(berlinAt(25, 11, 15))
	dmSay(t, h, "yes answered fri 10am")
	h.waitFor(dm, "*Answered* is an opportunity")
	for day := range 30 {
		h.at(start.AddDate(0, 0, day).Add(2 * time.Hour))
	}

	h.slash(rep, "cleanup")
	cleanup := h.reply(rep, "Clean up your pipeline")
	text := cleanup.AllText()
	for _, want := range []string{"Gone quiet", "Quiet One", "Quiet Two", "Stalled or aged", "Answered"} {
		if !strings.Contains(text, want) {
			t.Errorf("cleanup lacks %q:\n%s", want, text)
		}
	}
	h.click(rep, cleanup, render.ActionLoseAll)
	v := h.view(rep, render.ViewLoseAll)
	if ack := h.submit(rep, v, map[string]string{render.InputReason: string(coach.ReasonWentDark), render.InputLesson: "Book the second meeting before leaving the first"}); len(ack.Payload) != 0 {
		t.Fatalf("lose-all acked with %s", ack.Payload)
	}
	h.waitFor(dm, "Lost 2 prospects that had gone quiet")
	states := map[string]coach.State{}
	for _, p := range h.prospects(rep) {
		states[p.Account] = p.State
	}
	if states["Quiet One"] != coach.Lost || states["Quiet Two"] != coach.Lost || states["Answered"] != coach.Opportunity {
		t.Fatalf("after lose-all: %v", states)
	}

	// A shared lesson shows in /pipeline lessons, private ones do not.
	h.slash(rep, "lost answered")
	lose := h.view(rep, render.ViewLose)
	h.submit(rep, lose, map[string]string{render.InputReason: string(coach.ReasonCompetitor), render.InputLesson: "Ask early who else they are talking to", render.InputShare: render.ShareOptionValue})
	h.waitFor(dm, "*Answered* is lost")
	h.slash(rep, "lessons competitor")
	lessons := h.reply(rep, "Ask early who else they are talking to")
	if strings.Contains(lessons.AllText(), "Book the second meeting") {
		t.Error("a private lesson is listed")
	}
	h.slash(rep, "lessons pricing")
	h.reply(rep, "No shared lesson matches “pricing”")
}
