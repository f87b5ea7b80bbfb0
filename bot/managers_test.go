package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

const (
	mia        = "U0MIA"  // a manager in Berlin
	otherBoss  = "U0MAX"  // another manager
	teamRoom   = "C0TEAM" // Mia's team channel, the bot is in it
	lonelyRoom = "C0EMPTY"
)

func (h *harness) addManagers() {
	h.sim.AddUser(slacksim.User{ID: mia, Name: "mia", RealName: "Mia Manager", TZ: "Europe/Berlin"})
	h.sim.AddUser(slacksim.User{ID: otherBoss, Name: "max", RealName: "Max Manager", TZ: "Europe/Berlin"})
	h.sim.AddChannel(teamRoom, "team", true)
	h.sim.AddChannel(lonelyRoom, "empty", false)
}

func mention(u string) string { return "<@" + u + "|" + strings.ToLower(u[3:]) + ">" }

// Every team and admin command checks the role and says who may do it.
func TestTeamCommandsCheckRoles(t *testing.T) {
	h := newHarness(t)
	h.addManagers()

	h.slash(rep, "admin manager "+mention(mia))
	h.reply(rep, "Only admins can use `/pipeline admin`")
	h.slash(rep, "team add "+mention(other))
	h.reply(rep, "you don't manage a team")
	h.slash(rep, "quota "+mention(other)+" 100k")
	h.reply(rep, "you don't manage a team")
	h.slash(rep, "digest")
	h.reply(rep, "you don't manage a team")
	for _, cmd := range []string{"team", "team add " + mention(other), "team remove " + mention(other), "team channel <#" + teamRoom + "|team>",
		"team timezone Europe/Berlin", "team framework spiced", "team holidays 2026-12-24"} {
		h.slashAnswered(rep, cmd, "you don't manage a team")
	}
	for _, cmd := range []string{"admin", "admin manager " + mention(rep), "admin digest post"} {
		h.slashAnswered(other, cmd, "Only admins can use")
	}

	h.slash(admin, "admin manager "+mention(mia)+" "+mention(otherBoss))
	h.reply(admin, "can now manage a team")
	h.slash(mia, "team add "+mention(rep)+" "+mention(other))
	h.reply(mia, "Added <@"+rep+">, <@"+other+">")

	// A rep has one manager: Max cannot take Rita, and is told who has her.
	h.slash(otherBoss, "team add "+mention(rep))
	h.reply(otherBoss, "<@"+rep+"> is already on <@"+mia+">'s team")
	if m := h.managerOf(rep); m != mia {
		t.Fatalf("Rita's manager is %q after a refused add", m)
	}

	// Settings, each with its bad input.
	h.slash(mia, "team channel <#"+lonelyRoom+"|empty>")
	h.reply(mia, "I'm not in <#"+lonelyRoom+">")
	h.slash(mia, "team channel <#"+teamRoom+"|team>")
	h.reply(mia, "Digest channel set")
	h.waitFor(teamRoom, "now gets the weekly pipeline digest")
	h.slash(mia, "team timezone Mars/Olympus")
	h.reply(mia, "The time zone “Mars/Olympus” is not one I know")
	h.slash(mia, "team timezone Europe/Berlin")
	h.reply(mia, "Time zone set to Europe/Berlin")
	h.slash(mia, "team framework vibes")
	h.reply(mia, "is not a framework I know")
	h.slash(mia, "team framework MEDDIC")
	h.reply(mia, "The team qualifies with MEDDICC")
	h.slash(mia, "quota "+mention(rep)+" lots")
	h.reply(mia, "“lots” is not an amount")
	h.slash(mia, "quota "+mention(otherBoss)+" 100k")
	h.reply(mia, "not on your team")
	h.slash(mia, "quota "+mention(rep)+" $250k 2026-Q4")
	h.reply(mia, "Quota of <@"+rep+"> for 2026-Q4: $250,000")
	h.logAndPrompt("Bigco")
	dmSay(t, h, "yes bigco fri 10am")
	h.waitFor(h.sim.DMChannel(rep), "*Bigco* is an opportunity")
	h.slash(rep, "update bigco")
	h.submit(rep, h.view(rep, "update_deal"), map[string]string{"amount": "$500k"})
	h.waitFor(h.sim.DMChannel(rep), "Updated *Bigco*")
	h.slash(rep, "")
	h.reply(rep, "coverage 2.0× your 2026-Q4 quota")
	h.slash(rep, "team remove "+mention(other))
	h.reply(rep, "you don't manage a team")

	// The rep's prompt now asks the team's framework questions.
	h.clock.Set(start)
	h.logAndPrompt("Acme")
	prompt := h.waitFor(h.sim.DMChannel(rep), "Did you book a second meeting with Acme?")
	h.click(rep, prompt, "prospect_yes")
	if v := h.view(rep, "confirm_second_meeting"); !strings.Contains(v.AllText(), "MEDDICC qualification") {
		t.Fatalf("the confirm modal does not ask the team's framework:\n%s", v.AllText())
	}

	// The manager may act on her rep's deal; another manager may not.
	p := byAccount(h.prospects(rep), "Acme")
	if _, err := h.rt.Service.NotYet(h.ctx, coach.Actor{Workspace: h.sim.TeamID(), User: otherBoss}, h.sim.TeamID(), p.ID); err == nil {
		t.Fatal("another team's manager changed Rita's prospect")
	}
	if _, err := h.rt.Service.NotYet(h.ctx, coach.Actor{Workspace: h.sim.TeamID(), User: mia}, h.sim.TeamID(), p.ID); err != nil {
		t.Fatalf("Rita's manager could not act on her prospect: %v", err)
	}

	h.slash(mia, "team")
	h.reply(mia, "Weekly pipeline digest")

	// The bot removed from the team channel: the digest goes to Mia, with
	// how to fix it.
	h.sim.AddChannel(teamRoom, "team", false)
	h.slash(rep, "admin digest post")
	h.reply(rep, "Only admins can use `/pipeline admin`")
	h.slash(admin, "admin digest post")
	h.reply(admin, "Posted 2 digests") // Mia's and Max's
	h.waitFor(h.sim.DMChannel(mia), "I couldn't post your team's weekly digest in <#"+teamRoom+"> (not_in_channel)")
	h.waitFor(h.sim.DMChannel(mia), "Pipeline integrity")

	h.openHome(mia)
	h.home(mia, "Your team")
	h.openHome(rep)
	if home := h.home(rep, "Your pipeline"); strings.Contains(home.AllText(), "Your team") {
		t.Error("a rep's App Home shows a team section")
	}
}

func (h *harness) managerOf(user string) string {
	m, err := h.store.ManagerOf(h.ctx, h.sim.TeamID(), user)
	if err != nil {
		return ""
	}
	return m
}

// Weeks of activity: Rita converts few first meetings and loses slowly;
// Omar converts most and loses fast. Mia gets briefs about Rita, never about
// Omar, at most three a day and at most one per rep a week; the digest goes
// out every Monday, once.
func TestNudgesAndDigestOverWeeks(t *testing.T) {
	h := newHarness(t)
	h.addManagers()
	h.slash(admin, "admin manager "+mention(mia))
	h.reply(admin, "can now manage a team")
	h.slash(mia, "team add "+mention(rep)+" "+mention(other))
	h.reply(mia, "Added")
	h.slash(mia, "team channel <#"+teamRoom+"|team>")
	h.reply(mia, "Digest channel set")

	// Week 1: six first meetings each (Omar logs in his own zone, New York).
	day := func(d int, hour int) time.Time { return start.AddDate(0, 0, d).Add(time.Duration(hour-9) * time.Hour) }
	h.clock.Set(day(0, 9))
	for i := range 6 {
		h.slash(rep, fmt.Sprintf("log Rita%d today 10:00", i))
		h.reply(rep, fmt.Sprintf("*Rita%d*", i))
		h.slash(other, fmt.Sprintf("log Omar%d today 4am", i))
		h.reply(other, fmt.Sprintf("*Omar%d*", i))
	}
	h.at(day(0, 12))
	// Omar answers at once: four second meetings, two fast losses.
	for i := range 6 {
		if i < 4 {
			h.omarSays(fmt.Sprintf("yes omar%d fri 10am", i), fmt.Sprintf("*Omar%d* is an opportunity", i))
		} else {
			h.omarSays(fmt.Sprintf("no omar%d", i), fmt.Sprintf("*Omar%d* is lost", i))
		}
	}
	// Rita books one second meeting, and lets the rest drift.
	dmSay(t, h, "yes rita0 fri 10am")
	h.waitFor(h.sim.DMChannel(rep), "*Rita0* is an opportunity")

	// Five weeks of working days; Rita closes out her drifting prospects
	// after five weeks: slow losses.
	for d := 1; d <= 36; d++ {
		h.at(day(d, 10))
		if d == 36 {
			for i := 1; i < 6; i++ {
				dmSay(t, h, fmt.Sprintf("no rita%d", i))
				h.waitFor(h.sim.DMChannel(rep), fmt.Sprintf("*Rita%d* is lost", i))
			}
		}
	}
	for d := 37; d <= 45; d++ {
		h.at(day(d, 10))
	}

	briefs := h.sim.Messages(h.sim.DMChannel(mia))
	var texts []string
	perDay := map[string]int{}
	for _, c := range h.sim.Calls() {
		if c.Method == "chat.postMessage" && c.Error == "" && (c.Params.Get("channel") == mia || c.Params.Get("channel") == h.sim.DMChannel(mia)) &&
			strings.Contains(c.Params.Get("blocks"), "nudge_discussed") {
			perDay[c.At.Format("2006-01-02")]++
		}
	}
	for _, m := range briefs {
		text := m.AllText()
		texts = append(texts, text)
		// Omar's numbers are healthy; his untouched opportunities do stall,
		// and a brief about them is right.
		if strings.Contains(text, "<@"+other+"> —") && (strings.Contains(text, "rarely lead") || strings.Contains(text, "lost late")) {
			t.Errorf("the healthy rep's numbers were flagged:\n%s", text)
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"<@" + rep + "> —", "Deals are lost late", "*Rita0*"} {
		if !strings.Contains(all, want) {
			t.Errorf("Mia's briefs lack %q; briefs:\n%s", want, all)
		}
	}
	// Six first meetings, one converted: 1 in 6 could be 40%, no verdict.
	if strings.Contains(all, "First meetings rarely lead to a second") {
		t.Errorf("a verdict on conversion from six first meetings:\n%s", all)
	}
	for d, n := range perDay {
		if n > 3 {
			t.Errorf("%d briefs on %s, at most 3 a day", n, d)
		}
	}
	seen := map[string]time.Time{}
	for _, c := range h.sim.Calls() {
		if c.Method != "chat.postMessage" || !strings.Contains(c.Params.Get("blocks"), "nudge_discussed") {
			continue
		}
		key := nudgeKey(c.Params.Get("blocks"))
		if last, ok := seen[key]; ok && c.At.Sub(last) < 7*24*time.Hour {
			t.Errorf("brief %s repeated within a week (%s, then %s)", key, last, c.At)
		}
		seen[key] = c.At
	}

	// Digests: one per Monday 09:00 Berlin, in the team channel.
	digests := 0
	for _, m := range h.sim.Messages(teamRoom) {
		if strings.Contains(m.AllText(), "Weekly pipeline digest") && !strings.Contains(m.Text, "continued") {
			digests++
		}
	}
	mondays := 0
	for d := 1; d <= 45; d++ {
		if start.AddDate(0, 0, d).Weekday() == time.Monday {
			mondays++
		}
	}
	if digests != mondays {
		t.Fatalf("%d digests over %d Mondays", digests, mondays)
	}
	last := h.sim.Messages(teamRoom)
	text := last[len(last)-1].AllText()
	for _, want := range []string{"Pipeline integrity", "<@" + rep + ">", "<@" + other + ">"} {
		if !strings.Contains(text, want) {
			t.Errorf("the digest lacks %q:\n%s", want, text)
		}
	}

	// A brief links to its deals: Mia opens one and sees its history.
	for _, m := range briefs {
		if strings.Contains(m.AllText(), "stalled after") {
			h.click(mia, m, "deal_card.0")
			if card := h.view(mia, "deal_card"); !strings.Contains(card.AllText(), "History") || !strings.Contains(card.AllText(), "confirmed") {
				t.Fatalf("the deal card lacks the history:\n%s", card.AllText())
			}
			break
		}
	}

	// Discussed quiets a brief; the button is only Mia's.
	nudge := briefs[0]
	h.click(other, nudge, "nudge_discussed")
	h.reply(other, "only they can answer it")
	h.click(mia, nudge, "nudge_snooze")
	h.waitFor(h.sim.DMChannel(mia), "Snoozed until")
	for _, m := range h.sim.Messages(h.sim.DMChannel(mia)) {
		if m.TS != nudge.TS {
			continue
		}
		if !strings.Contains(m.AllText(), "Snoozed until") {
			t.Fatalf("the snoozed nudge does not say so:\n%s", m.AllText())
		}
		for _, b := range m.Buttons() {
			if strings.HasPrefix(b.ActionID, "nudge_") {
				t.Fatalf("the snoozed nudge still offers %s", b.ActionID)
			}
		}
	}
}

func (h *harness) omarSays(text, want string) {
	h.t.Helper()
	h.dm(other, text)
	h.waitFor(h.sim.DMChannel(other), want)
}

// nudgeKey pulls the nudge key out of a posted message's blocks.
func nudgeKey(blocks string) string {
	i := strings.Index(blocks, `"action_id":"nudge_discussed","value":"`)
	if i < 0 {
		return ""
	}
	rest := blocks[i+len(`"action_id":"nudge_discussed","value":"`):]
	return rest[:strings.Index(rest, `"`)]
}

// Nobody is asked while away: the question waits until they are back.
func TestPromptsWaitWhileAway(t *testing.T) {
	h := newHarness(t)
	h.setStatus(rep, ":palm_tree:", "On vacation", berlinAt(27, 18, 0))
	h.slash(rep, "log Acme today 10:00")
	h.reply(rep, "Logged")
	h.at(berlinAt(25, 11, 15))
	h.at(berlinAt(26, 11, 15))
	if n := h.prompts(rep); n != 0 {
		t.Fatalf("asked %d times while on vacation", n)
	}
	h.setStatus(rep, "", "", time.Time{})
	h.sim.SetDND(rep, berlinAt(30, 12, 0))
	h.at(berlinAt(30, 9, 0)) // Monday, back from vacation but in Do Not Disturb
	if n := h.prompts(rep); n != 0 {
		t.Fatalf("asked %d times in Do Not Disturb", n)
	}
	h.at(berlinAt(30, 12, 0))
	h.waitFor(h.sim.DMChannel(rep), "Did you book a second meeting with Acme?")
}

// A team holiday holds the rep's questions until the next working day.
func TestTeamHolidayHoldsPrompts(t *testing.T) {
	h := newHarness(t)
	h.addManagers()
	h.slash(admin, "admin manager "+mention(mia))
	h.reply(admin, "can now manage a team")
	h.slash(mia, "team add "+mention(rep))
	h.reply(mia, "Added")
	h.slash(mia, "team holidays 2026-11-26")
	h.reply(mia, "1 holiday set")

	h.slash(rep, "log Acme today 17:00") // asked at 18:15: after hours, so Thursday 09:00 — a holiday
	h.reply(rep, "Logged")
	h.at(berlinAt(26, 9, 0))
	h.at(berlinAt(26, 15, 0))
	if n := h.prompts(rep); n != 0 {
		t.Fatalf("asked %d times on the team's holiday", n)
	}
	h.at(berlinAt(27, 9, 0))
	h.waitFor(h.sim.DMChannel(rep), "Did you book a second meeting with Acme?")
}
