package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/calendar/googlesim"
)

// TestCalendarFirstMeetingEndToEnd runs the real program on the embedded
// store against a simulated Slack and a simulated Google Calendar: a rep
// turns calendar reading on, a first meeting and its follow-up appear on
// the calendar, the question after the meeting shows the follow-up, and
// "Yes, that's it" makes the opportunity.
func TestCalendarFirstMeetingEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sim := slacksim.New()
	defer sim.Close()
	const mail = "rita@ourco.com"
	sim.AddUser(slacksim.User{ID: rita, Name: "rita", RealName: "Rita Rep", TZ: "Europe/Berlin", Email: mail})
	cal := googlesim.New()
	defer cal.Close()
	cal.AddUser(mail)
	key := filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(key, cal.CredentialsJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		childEnv + "=1", "PATH=" + os.Getenv("PATH"),
		"SLACK_APP_TOKEN=" + sim.AppToken(), "SLACK_BOT_TOKEN=" + sim.BotToken(), "SLACK_API_URL=" + sim.APIURL(),
		"DATA_DIR=" + t.TempDir(), "HTTP_ADDR=127.0.0.1:0", "LOG_LEVEL=debug",
		"WORKING_HOURS=00:00-23:59", "WORKING_DAYS=Mon-Sun", "PROMPT_DELAY=0s",
		"GOOGLE_CREDENTIALS_FILE=" + key, "GOOGLE_CALENDAR_API_URL=" + cal.APIURL(), "CALENDAR_POLL=1s",
	}
	if d := os.Getenv("GOCOVERDIR"); d != "" {
		env = append(env, "GOCOVERDIR="+d)
	}
	w := &world{t: t, ctx: ctx, sim: sim}
	p := w.spawn("bot", env)
	w.until(10*time.Second, "connected to Slack", func() bool { return sim.Connections() > 0 })
	defer func() {
		p.signal(os.Interrupt)
		if _, ok := p.exited(10 * time.Second); !ok {
			t.Error("the bot did not stop")
		}
	}()

	mark := sim.Mark()
	if _, err := sim.Slash(ctx, rita, "calendar on"); err != nil {
		t.Fatal(err)
	}
	waitCtx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if _, err := sim.WaitMessage(waitCtx, mark, func(m slacksim.Message) bool {
		return m.Ephemeral && m.ToUser == rita && strings.Contains(m.AllText(), "I'll read the calendar of *"+mail+"*")
	}); err != nil {
		t.Fatalf("no answer to /pipeline calendar on: %v\n%s", err, p.output())
	}

	start := time.Now().Add(3 * time.Second).Truncate(time.Second)
	end := start.Add(2 * time.Second)
	followUp := time.Now().AddDate(0, 0, 6).Truncate(time.Hour)
	jane := googlesim.Attendee{Email: "jane@acme-corp.com", Name: "Jane Doe", Response: "accepted"}
	cal.Put(mail, googlesim.Event{ID: "intro", Summary: "Acme Corp intro", Start: start, End: end, Description: "budget notes",
		Attendees: []googlesim.Attendee{{Email: mail, Response: "accepted"}, jane}})
	cal.Put(mail, googlesim.Event{ID: "next", Summary: "Acme — follow-up", Start: followUp, End: followUp.Add(time.Hour),
		Attendees: []googlesim.Attendee{{Email: mail, Response: "accepted"}, jane}})

	mark = sim.Mark()
	askCtx, stopAsk := context.WithTimeout(ctx, 20*time.Second)
	defer stopAsk()
	question, err := sim.WaitMessage(askCtx, mark, func(m slacksim.Message) bool {
		return m.Channel == sim.DMChannel(rita) && strings.Contains(m.AllText(), "Is that the second meeting?")
	})
	if err != nil {
		t.Fatalf("no question after the meeting: %v\nDM: %+v\n%s", err, sim.Messages(sim.DMChannel(rita)), p.output())
	}
	text := question.AllText()
	for _, want := range []string{"*Acme Corp*", "Jane Doe", "I see *Acme — follow-up* on " + render.When(followUp, berlin)} {
		if !strings.Contains(text, want) {
			t.Errorf("question %q lacks %q", text, want)
		}
	}
	for _, c := range sim.Calls() {
		if c.Method == "chat.postMessage" && (c.Params.Get("channel") == rita || c.Params.Get("channel") == sim.DMChannel(rita)) && c.At.Before(end) {
			t.Errorf("a message at %v, before the meeting ended (%v): nothing is said at detection", c.At, end)
		}
	}
	mark = sim.Mark()
	if _, err := sim.Click(ctx, rita, question, render.ActionThatsIt); err != nil {
		t.Fatal(err)
	}
	doneCtx, stopDone := context.WithTimeout(ctx, 10*time.Second)
	defer stopDone()
	if _, err := sim.WaitMessage(doneCtx, mark, func(m slacksim.Message) bool {
		return m.Channel == sim.DMChannel(rita) && m.TS == question.TS && m.Updates > 0 &&
			strings.Contains(m.AllText(), "*Acme Corp* is an opportunity: second meeting "+render.When(followUp, berlin))
	}); err != nil {
		t.Fatalf("not an opportunity after \"Yes, that's it\": %v\n%s", err, p.output())
	}
	if strings.Contains(p.output(), "budget notes") {
		t.Error("an event's description reached the log")
	}
}
