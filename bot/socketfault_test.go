package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"pipelinecoach/bot"
	"pipelinecoach/bot/slacksim"
)

// fastPings makes a dead connection show within a fraction of a second:
// the simulator pings every 50 ms, the bot gives up after 400 ms without.
func fastPings() harnessOpts {
	return harnessOpts{
		sim: []slacksim.Option{slacksim.WithPingInterval(50 * time.Millisecond)},
		// The client gives up after 2 s without a ping, the simulator pings
		// every 50 ms: a loaded CI machine delays a ping or two, and that
		// must not look like a dead connection (a reconnect storm backs off
		// for seconds).
		setup: func(s *bot.Setup) { s.PingInterval = 2 * time.Second },
	}
}

// connectionsOpened counts apps.connections.open calls: one per (re)connect.
func (h *harness) connectionsOpened() int {
	n := 0
	for _, c := range h.sim.Calls() {
		if c.Method == "apps.connections.open" && c.Error == "" {
			n++
		}
	}
	return n
}

// TestSocketModeFaultsReconnect: Slack asking to reconnect (refresh_requested,
// warning), a dropped TCP connection and pings that stop all make the bot
// open a new connection, and it answers commands again.
func TestSocketModeFaultsReconnect(t *testing.T) {
	h := newHarnessOpts(t, nil, fastPings())
	faults := []struct {
		name  string
		fault func()
		after func()
	}{
		{name: "disconnect refresh_requested", fault: func() { h.sim.Disconnect("refresh_requested") }},
		{name: "disconnect warning", fault: func() { h.sim.Disconnect("warning") }},
		{name: "dropped TCP connection", fault: h.sim.DropConnections},
		{name: "missing pings", fault: func() { h.sim.StopPings(true) }, after: func() { h.sim.StopPings(false) }},
	}
	for i, f := range faults {
		opened := h.connectionsOpened()
		t0 := time.Now()
		f.fault()
		ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
		_, err := h.sim.WaitCall(ctx, func(slacksim.Call) bool { return h.connectionsOpened() > opened })
		cancel()
		if err != nil {
			t.Fatalf("%s: the bot did not reconnect: %v", f.name, err)
		}
		if f.after != nil {
			f.after()
		}
		h.waitConnected()
		t.Logf("%s: reconnected in %s", f.name, time.Since(t0).Round(time.Millisecond))
		h.slash(rep, fmt.Sprintf("frobnicate%d", i))
		h.reply(rep, fmt.Sprintf("I don't know `/pipeline frobnicate%d`", i))
	}
}

// dmEvent is a message.im event as Slack sends it, with a fixed event id.
func (h *harness) dmEvent(eventID, text string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{
		"token": "sim-verification", "team_id": h.sim.TeamID(), "api_app_id": "A0SIM", "type": "event_callback",
		"event_id": eventID, "event_time": h.clock.Now().Unix(),
		"event": map[string]any{"type": "message", "channel_type": "im", "channel": h.sim.DMChannel(rep),
			"user": rep, "text": text, "ts": "1700000099.000100", "event_ts": "1700000099.000100"},
	})
	return b
}

// TestRedeliveredEventIsHandledOnce: Slack sends an events_api envelope
// again when it did not see the ack (retry_attempt 1, 2…). The bot acks
// every delivery and acts once.
func TestRedeliveredEventIsHandledOnce(t *testing.T) {
	h := newHarness(t)
	dm := h.sim.DMChannel(rep)
	h.logAndPrompt("Acme")
	h.waitFor(dm, "Did you book a second meeting with Acme?")

	for attempt := range 3 {
		if _, err := h.send("events_api", h.dmEvent("Ev0DUP0001", "not yet"), attempt); err != nil {
			t.Fatalf("delivery %d: %v", attempt, err)
		}
	}
	h.waitFor(dm, "*Acme*: no second meeting yet")
	h.idle() // every delivery was acked: each has been handled once idle
	if n := answers(h, "no second meeting yet"); n != 1 {
		t.Fatalf("the event was handled %d times, want once", n)
	}
	if got := byAccount(h.prospects(rep), "Acme"); len(got.History) != 3 {
		t.Fatalf("history %+v, want logged, asked, not yet", got.History)
	}
}

// TestEnvelopesInFlightWhenTheConnectionDropsAreHandledOnce drops the
// connection just as Slack sends each answer: whether the bot saw it first
// or not (the race goes either way), the answer is neither lost nor acted
// on twice.
func TestEnvelopesInFlightWhenTheConnectionDropsAreHandledOnce(t *testing.T) {
	h := newHarnessOpts(t, nil, fastPings())
	dm := h.sim.DMChannel(rep)
	accounts := []string{"Acme", "Globex", "Initech", "Hooli", "Umbrella"}
	for _, a := range accounts {
		h.slash(rep, "log "+a+" today 10:00")
		h.reply(rep, "Logged a first meeting with *"+a+"*")
	}
	h.at(berlinAt(25, 11, 15))
	for _, a := range accounts {
		var wg sync.WaitGroup
		h.act()
		wg.Go(func() {
			if _, err := h.sim.DM(h.ctx, rep, a+" not yet"); err != nil {
				t.Errorf("DM about %s: %v", a, err)
			}
		})
		// Not a wait for anything: the sleep is the thing under test. A
		// millisecond's head start puts the drop just around the envelope's
		// write, on either side of it; a signal would pick one side.
		time.Sleep(time.Millisecond)
		h.sim.DropConnections()
		wg.Wait()
		h.waitFor(dm, "*"+a+"*: no second meeting yet")
		h.waitConnected()
	}
	h.idle()
	for _, a := range accounts {
		if n := answers(h, "*"+a+"*: no second meeting yet"); n != 1 {
			t.Errorf("%s was answered %d times, want once", a, n)
		}
		if p := byAccount(h.prospects(rep), a); len(p.History) != 3 {
			t.Errorf("%s history %+v, want logged, asked, not yet", a, p.History)
		}
	}
}

// answers counts the bot's new messages in the rep's DM containing s (a
// question that changed into its answer does not count).
func answers(h *harness, s string) int {
	n := 0
	for _, m := range h.dms(rep) {
		if m.Updates == 0 && strings.Contains(m.AllText(), s) {
			n++
		}
	}
	return n
}

// TestUnackedEnvelopesAreDeliveredAgainAndHandledOnce: with an ack deadline
// no client can meet, the simulator delivers every DM event again (retry
// attempts 1–3, reason "timeout"), as Slack does when it did not see the
// ack. Every delivery is acked; each answer is acted on once.
func TestUnackedEnvelopesAreDeliveredAgainAndHandledOnce(t *testing.T) {
	h := newHarnessOpts(t, nil, harnessOpts{sim: []slacksim.Option{
		slacksim.WithAckTimeout(time.Nanosecond), slacksim.WithEventRetries(3)}})
	dm := h.sim.DMChannel(rep)
	accounts := []string{"Acme", "Globex", "Initech"}
	for _, a := range accounts {
		// "Not acked in time", yet handled: saved, though its answer,
		// which travels in the ack, is lost with it.
		_, _ = h.sim.Slash(h.ctx, rep, "log "+a+" today 10:00")
		if err := h.sim.WaitAcked(h.ctx); err != nil { // the ack leaves after the save
			t.Fatal(err)
		}
		if p := byAccount(h.prospects(rep), a); p.ID == "" {
			t.Fatalf("%s was not logged", a)
		}
	}
	h.at(berlinAt(25, 11, 15))
	sent := len(h.sim.Acks())
	for _, a := range accounts {
		h.act()
		_, _ = h.sim.DM(h.ctx, rep, a+" not yet")
		h.waitFor(dm, "*"+a+"*: no second meeting yet")
	}
	// DM gives up after the last retry, whose ack may still be on its way.
	ctx, cancel := context.WithTimeout(h.ctx, 10*time.Second)
	defer cancel()
	if err := h.sim.WaitAcked(ctx); err != nil {
		t.Fatalf("not every delivery was acked: %v", err)
	}
	h.idle()
	acked := len(h.sim.Acks()) - sent
	t.Logf("%d answers acked %d times", len(accounts), acked)
	if acked <= len(accounts) {
		t.Fatalf("%d acks for %d answers: nothing was delivered again", acked, len(accounts))
	}
	for _, a := range accounts {
		if n := answers(h, "*"+a+"*: no second meeting yet"); n != 1 {
			t.Errorf("%s was answered %d times for 4 deliveries, want once", a, n)
		}
		if p := byAccount(h.prospects(rep), a); len(p.History) != 3 {
			t.Errorf("%s history %+v, want logged, asked, not yet", a, p.History)
		}
	}
}
