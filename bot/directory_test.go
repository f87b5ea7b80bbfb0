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

// waitMember waits until the shared directory holds what Slack said of a
// member last (a user_change or team_join is handled after its ack).
func (h *harness) waitMember(user string, ok func(coach.Member) bool) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	for {
		m, err := h.store.Member(ctx, h.sim.TeamID(), user)
		if err == nil && ok(m) {
			return
		}
		select {
		case <-ctx.Done():
			h.t.Fatalf("the directory never showed %s as expected (last: %+v, %v)", user, m, err)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// setStatus sets a member's Slack status and waits until the directory
// has it.
func (h *harness) setStatus(user, emoji, text string, until time.Time) {
	h.t.Helper()
	if _, err := h.sim.SetStatus(h.ctx, user, emoji, text, until); err != nil {
		h.t.Fatal(err)
	}
	h.waitMember(user, func(m coach.Member) bool { return m.StatusEmoji == emoji && m.StatusText == text })
}

func (h *harness) calls(method string) int {
	n := 0
	for _, c := range h.sim.Calls() {
		if c.Method == method {
			n++
		}
	}
	return n
}

// A rep who moves is asked in working hours where they are now, from the
// next question on.
func TestMovedRepIsAskedInTheirNewZone(t *testing.T) {
	h := newHarness(t)
	h.slash(rep, "log Acme today 14:00")
	h.reply(rep, "Logged a first meeting with *Acme*")

	if _, err := h.sim.ChangeUser(h.ctx, slacksim.User{ID: rep, Name: "rita", RealName: "Rita Rep", TZ: "America/Los_Angeles"}); err != nil {
		t.Fatal(err)
	}
	h.waitMember(rep, func(m coach.Member) bool { return m.TZ == "America/Los_Angeles" })

	// Due at 15:15 in Berlin, which is 06:15 in Los Angeles: not then.
	h.at(berlinAt(25, 15, 15))
	h.at(berlinAt(25, 17, 59))
	if n := h.prompts(rep); n != 0 {
		t.Fatalf("asked %d times before 09:00 in Los Angeles", n)
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	h.at(time.Date(2026, 11, 25, 9, 0, 0, 0, la))
	h.waitFor(h.sim.DMChannel(rep), "Did you book a second meeting?")
	if ps := h.prospects(rep); len(ps) != 1 || ps[0].TZ != "America/Los_Angeles" {
		t.Errorf("prospect after the move: %+v", ps)
	}
}

// Someone who joins is known from their team_join, zone and all, without a
// users.info call.
func TestNewMemberKnownWithoutLookup(t *testing.T) {
	h := newHarness(t)
	const kenji = "U0KENJI"
	if _, err := h.sim.Join(h.ctx, slacksim.User{ID: kenji, Name: "kenji", RealName: "Kenji New", TZ: "Asia/Tokyo", Email: "kenji@example.com"}); err != nil {
		t.Fatal(err)
	}
	h.waitMember(kenji, func(m coach.Member) bool { return m.TZ == "Asia/Tokyo" && m.Email == "kenji@example.com" })
	h.slash(kenji, "log Acme tomorrow 10:00")
	h.reply(kenji, "Logged a first meeting with *Acme*")
	if ps := h.prospects(kenji); len(ps) != 1 || ps[0].TZ != "Asia/Tokyo" ||
		!ps[0].FirstMeeting.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, mustZone(t, "Asia/Tokyo"))) {
		t.Fatalf("Kenji's prospect: %+v, want 10:00 Tokyo time", ps)
	}
	if n := h.calls("users.info"); n != 0 {
		t.Errorf("%d users.info calls, want none", n)
	}
}

// Someone the directory does not know yet is answered at once in the
// workspace's default zone, told so, and looked up once for next time.
func TestUnknownMemberAnsweredAtOnceAndLookedUpOnce(t *testing.T) {
	h := newHarness(t)
	const lena = "U0LENA"
	h.sim.AddUser(slacksim.User{ID: lena, Name: "lena", RealName: "Lena Late", TZ: "Asia/Tokyo"}) // after the load, without an event
	h.slash(lena, "log Acme tomorrow 10:00")
	h.reply(lena, "UTC")
	h.waitMember(lena, func(m coach.Member) bool { return m.TZ == "Asia/Tokyo" })
	h.slash(lena, "log Beta tomorrow 11:00")
	h.reply(lena, "Logged a first meeting with *Beta*")
	for _, p := range h.prospects(lena) {
		if p.Account == "Beta" && p.TZ != "Asia/Tokyo" {
			t.Errorf("second command still in %s", p.TZ)
		}
	}
	if n := h.calls("users.info"); n != 1 {
		t.Errorf("%d users.info calls, want exactly one", n)
	}
}

// Two replicas load the directory once between them, and neither looks
// anyone up one by one.
func TestReplicasShareOneDirectoryLoad(t *testing.T) {
	c := newCluster(t, 2, nil)
	if n := c.sim.UsersListed(); n != 1 {
		t.Errorf("%d users.list pages for a workspace of one page, want 1", n)
	}
	c.slash(rep, "log Acme tomorrow 10:00")
	c.reply(rep, "Logged a first meeting with *Acme*")
	c.slash(other, "log Beta tomorrow 10:00")
	c.reply(other, "Logged a first meeting with *Beta*")
	if n := c.calls("users.info"); n != 0 {
		t.Errorf("%d users.info calls, want none", n)
	}
}

// A deactivated rep is never asked, and a deactivated manager never nudged.
func TestDeactivatedMemberNeverPromptedOrNudged(t *testing.T) {
	h := newHarness(t)
	h.addManagers()
	if _, err := h.sim.Join(h.ctx, slacksim.User{ID: mia, Name: "mia", RealName: "Mia Manager", TZ: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	h.waitMember(mia, func(m coach.Member) bool { return m.TZ == "Europe/Berlin" })
	h.slash(admin, "admin manager "+mention(mia))
	h.reply(admin, "can now manage a team")
	h.slash(mia, "team add "+mention(rep)+" "+mention(other))
	h.reply(mia, "Added")

	day := func(d int, hour int) time.Time { return start.AddDate(0, 0, d).Add(time.Duration(hour-9) * time.Hour) }
	for i := range 6 {
		h.slash(rep, fmt.Sprintf("log Rita%d today 10:00", i))
		h.reply(rep, fmt.Sprintf("*Rita%d*", i))
	}
	h.slash(other, "log Omar today 4am") // 10:00 in Berlin
	h.reply(other, "*Omar*")
	if _, err := h.sim.ChangeUser(h.ctx, slacksim.User{ID: other, Name: "omar", TZ: "America/New_York", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	h.waitMember(other, func(m coach.Member) bool { return m.Deleted })

	nudges := func() int {
		n := 0
		for _, c := range h.sim.Calls() {
			if c.Method == "chat.postMessage" && strings.Contains(c.Params.Get("blocks"), "nudge_discussed") {
				n++
			}
		}
		return n
	}
	// Rita books one second meeting, then lets her deals drift until Mia
	// is nudged about them.
	h.at(day(0, 12))
	dmSay(t, h, "yes rita0 fri 10am")
	h.waitFor(h.sim.DMChannel(rep), "*Rita0* is an opportunity")
	d := 1
	for ; d <= 45 && nudges() == 0; d++ {
		h.at(day(d, 10))
	}
	if nudges() == 0 {
		t.Fatal("Mia was never nudged: the scenario does not test anything")
	}
	if n := h.prompts(other); n != 0 {
		t.Errorf("deactivated Omar was asked %d times", n)
	}
	if n := h.prompts(rep); n == 0 {
		t.Error("Rita, still here, was never asked")
	}
	before := nudges()
	if _, err := h.sim.ChangeUser(h.ctx, slacksim.User{ID: mia, Name: "mia", TZ: "Europe/Berlin", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	h.waitMember(mia, func(m coach.Member) bool { return m.Deleted })
	for end := d + 21; d <= end; d++ {
		h.at(day(d, 10))
	}
	if n := nudges(); n != before {
		t.Errorf("deactivated Mia was nudged %d more times", n-before)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A question is updated through the response_url of the button pressed on
// it, also after the form that button opened: at once, not behind
// chat.update's limit of about one a second.
func TestQuestionUpdatedThroughItsResponseURL(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	h.slash(rep, "log Acme today 14:00")
	h.reply(rep, "Logged a first meeting with *Acme*")
	h.slash(rep, "log Beta today 14:00")
	h.reply(rep, "Logged a first meeting with *Beta*")
	h.at(berlinAt(25, 15, 15))
	acme := h.waitFor(dm, "Did you book a second meeting with Acme?")
	beta := h.waitFor(dm, "Did you book a second meeting with Beta?")

	h.click(rep, acme, render.ActionYes)
	v := h.view(rep, render.ViewConfirm)
	h.submit(rep, v, map[string]string{render.InputSecondDate: "2026-11-27", render.InputSecondTime: "10:00"})
	if m := h.waitFor(dm, "*Acme* is an opportunity"); m.TS != acme.TS {
		t.Errorf("the answer is a new message, not the question updated")
	}
	h.click(rep, beta, render.ActionNotYet)
	if m := h.waitFor(dm, "Beta"); m.TS != beta.TS {
		t.Errorf("Beta's question was not the message updated")
	}
	ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
	defer cancel()
	if _, err := h.sim.WaitMessage(ctx, slacksim.Beginning, func(m slacksim.Message) bool { return m.TS == beta.TS && m.Updates > 0 }); err != nil {
		t.Fatalf("Beta's question never updated: %v", err)
	}
	if n := h.calls("chat.update"); n != 0 {
		t.Errorf("%d chat.update calls, want none: both went through response_urls", n)
	}
}

// A first meeting logged in the form by someone still not known (Slack
// would not say): the answer says which zone the time was read in.
func TestUnknownMemberFormAnswerSaysTheZone(t *testing.T) {
	h := newHarness(t)
	const noor = "U0NOOR"
	h.sim.AddUser(slacksim.User{ID: noor, Name: "noor", RealName: "Noor Late", TZ: "Asia/Dubai"}) // after the load, without an event
	h.sim.FailNext("users.info", slacksim.Fault{Error: "user_not_found"})
	h.slash(noor, "log")
	v := h.view(noor, render.ViewLog)
	h.submit(noor, v, map[string]string{render.InputAccount: "Acme", render.InputFirstDate: "2026-11-26", render.InputFirstTime: "10:00"})
	m := h.waitFor(h.sim.DMChannel(noor), "Logged a first meeting with *Acme*")
	if !strings.Contains(m.AllText(), "Times here are in *UTC*") || !strings.Contains(m.AllText(), "Thu Nov 26, 10:00") {
		t.Errorf("the answer does not say the time it understood and its zone: %q", m.AllText())
	}
}

// member sends a member's profile to the bot as Slack does (team_join for
// someone new, user_change for a change) and waits until the directory
// holds it, so what follows reads the profile the test set.
func (h *harness) member(event func(context.Context, slacksim.User) (slacksim.Ack, error), u slacksim.User) {
	h.t.Helper()
	if _, err := event(h.ctx, u); err != nil {
		h.t.Fatal(err)
	}
	h.waitMember(u.ID, func(m coach.Member) bool { return m.Email == u.Email && m.TZ == u.TZ })
}
