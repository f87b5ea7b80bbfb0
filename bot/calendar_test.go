package bot_test

// Calendar reading through Slack: the real bot on the embedded store reads
// reps' Microsoft 365 calendars from graphsim through the real Graph
// client, with a fake clock.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot"
	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/calendar/graphsim"
	"pipelinecoach/calendar/microsoft"
	"pipelinecoach/coach"
	"pipelinecoach/storage/boltstore"
)

const (
	ritaMail = "rita@ourco.com"
	omarMail = "omar@ourco.com"
	calPoll  = 2 * time.Minute
)

type calendarHarness struct {
	*harness
	graph *graphsim.Server
}

func newCalendarHarness(t *testing.T) *calendarHarness {
	t.Helper()
	store, err := boltstore.Open(t.TempDir(), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	graph := graphsim.New()
	t.Cleanup(graph.Close)
	graph.AddUser(ritaMail)
	graph.AddUser(omarMail)
	h := newHarnessOpts(t, store, harnessOpts{setup: func(s *bot.Setup) {
		client := microsoft.New(microsoft.Config{Tenant: graphsim.Tenant, ClientID: graphsim.ClientID, ClientSecret: graphsim.ClientSecret,
			GraphURL: graph.GraphURL(), LoginURL: graph.LoginURL()}, nil, s.Clock.Now)
		s.Calendar = coach.CalendarSettings{Source: client, Poll: calPoll}
		s.Timing.WorkingHours, _ = coach.ParseWorkingHours("00:00-23:59", "Mon-Sun")
	}})
	// The cast with the emails of their Slack profiles.
	h.member(h.sim.ChangeUser, slacksim.User{ID: rep, Name: "rita", RealName: "Rita Rep", TZ: "Europe/Berlin", Email: ritaMail})
	h.member(h.sim.ChangeUser, slacksim.User{ID: other, Name: "omar", RealName: "Omar Other", TZ: "America/New_York", Email: omarMail})
	return &calendarHarness{harness: h, graph: graph}
}

// turnOn turns a rep's calendar on with the button of /pipeline calendar.
func (h *calendarHarness) turnOn(user, mail string) {
	h.t.Helper()
	h.slash(user, "calendar")
	status := h.reply(user, "I don't read your calendar yet")
	h.click(user, status, render.ActionCalendarOn)
	h.reply(user, "I'll read the calendar of *"+mail+"*")
}

// poll moves the clock on by d in up to ten steps of at least a poll,
// letting the scheduler run what is due at each.
func (h *calendarHarness) poll(d time.Duration) {
	h.t.Helper()
	end := h.clock.Now().Add(d)
	for h.clock.Now().Before(end) {
		h.at(minTime(h.clock.Now().Add(max(calPoll, d/10)), end))
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func graphMeeting(id, subject string, at time.Time, owner string, with ...graphsim.Attendee) graphsim.Event {
	return graphsim.Event{ID: id, Subject: subject, Start: at, End: at.Add(time.Hour), Body: "private notes",
		Attendees: append([]graphsim.Attendee{{Email: owner, Response: "organizer"}}, with...)}
}

func TestCalendarNotASalesMeeting(t *testing.T) {
	h := newCalendarHarness(t)
	h.turnOn(rep, ritaMail)
	audit := graphsim.Attendee{Email: "ann@auditors.example", Name: "Ann Auditor"}
	h.graph.Put(ritaMail, graphMeeting("audit1", "Yearly audit", start.Add(2*time.Hour), ritaMail, audit))
	h.poll(calPoll)
	if len(h.dms(rep)) != 0 {
		t.Fatalf("a message at detection: %+v", h.dms(rep))
	}
	h.poll(4 * time.Hour)
	q := h.waitFor(h.sim.DMChannel(rep), "How did the first meeting with *Auditors*")
	if strings.Contains(q.AllText(), "Is that the second meeting?") {
		t.Fatalf("evidence offered with none on the calendar: %s", q.AllText())
	}
	h.click(rep, q, render.ActionNotSales)
	h.waitFor(h.sim.DMChannel(rep), "*Auditors* is not a sales meeting")

	h.graph.Put(ritaMail, graphMeeting("audit2", "Audit follow-up", start.Add(30*time.Hour), ritaMail, audit))
	h.poll(40 * time.Hour)
	ps := h.prospects(rep)
	if len(ps) != 1 || ps[0].State != coach.Withdrawn {
		t.Fatalf("after 'not a sales meeting' the company came back: %+v", ps)
	}
	if n := h.prompts(rep); n != 1 {
		t.Fatalf("%d questions, want 1", n)
	}
}

func TestCalendarAddDetailsOpensThePrefilledForm(t *testing.T) {
	h := newCalendarHarness(t)
	h.turnOn(other, omarMail)
	bob := graphsim.Attendee{Email: "bob@globex.com", Name: "Bob Buyer"}
	next := start.Add(7 * 24 * time.Hour)
	h.graph.Put(omarMail, graphMeeting("intro", "Globex intro", start.Add(time.Hour), omarMail, bob))
	h.graph.Put(omarMail, graphMeeting("next", "Globex — follow-up", next, omarMail, bob))
	h.poll(5 * time.Hour)
	q := h.waitFor(h.sim.DMChannel(other), "I see *Globex — follow-up*")
	h.click(other, q, render.ActionYes)
	v := h.view(other, render.ViewConfirm)
	ny, _ := time.LoadLocation("America/New_York")
	if !strings.Contains(string(v.Raw), `"initial_date":"`+next.In(ny).Format("2006-01-02")+`"`) ||
		!strings.Contains(string(v.Raw), `"initial_time":"`+next.In(ny).Format("15:04")+`"`) {
		t.Fatalf("the form is not prefilled with the calendar's meeting: %s", v.Raw)
	}
}

func TestCalendarAdminStatus(t *testing.T) {
	h := newCalendarHarness(t)
	h.turnOn(rep, ritaMail)
	h.turnOn(other, omarMail)
	h.poll(calPoll)
	h.slash(admin, "admin calendar")
	h.reply(admin, "*Calendars read: 2.* 2 ok")

	h.graph.RemoveUser(omarMail)
	h.poll(calPoll)
	h.slash(admin, "admin calendar")
	m := h.reply(admin, "1 ok · 1 gone")
	if !strings.Contains(m.AllText(), omarMail+" · *gone*") || !strings.Contains(m.AllText(), "the mailbox does not exist") {
		t.Fatalf("admin status: %s", m.AllText())
	}
	h.slash(other, "calendar")
	h.reply(other, "I can't read the calendar of *"+omarMail+"*")

	h.slash(rep, "calendar off")
	h.reply(rep, "Reading your calendar is *off*")
	calls := len(h.graph.Requests())
	h.poll(3 * calPoll)
	for _, r := range h.graph.Requests()[calls:] {
		if r.User == ritaMail {
			t.Fatalf("a calendar turned off was read: %+v", r)
		}
	}
	h.slash(rep, "help")
	h.reply(rep, "/pipeline calendar")
}

func TestCalendarYesInWordsConfirmsTheCalendarsMeeting(t *testing.T) {
	h := newCalendarHarness(t)
	h.turnOn(rep, ritaMail)
	jane := graphsim.Attendee{Email: "jane@acme.com", Name: "Jane Doe"}
	next := start.Add(6 * 24 * time.Hour)
	h.graph.Put(ritaMail, graphMeeting("intro", "Acme intro", start.Add(time.Hour), ritaMail, jane))
	h.graph.Put(ritaMail, graphMeeting("next", "Acme — follow-up", next, ritaMail, jane))
	h.poll(3 * time.Hour)
	h.waitFor(h.sim.DMChannel(rep), "I see *Acme — follow-up*")
	h.dm(rep, "yes")
	h.waitFor(h.sim.DMChannel(rep), "*Acme* is an opportunity: second meeting "+render.When(next, berlin))
	// The date was not in the reply: the echo says where it came from.
	h.waitFor(h.sim.DMChannel(rep), render.EchoMeeting("second meeting (from your calendar)", next, berlin))
}

func TestCalendarNotConnected(t *testing.T) {
	h := newHarness(t)
	h.slash(rep, "calendar")
	h.reply(rep, "Calendars are not connected here")
	h.slash(admin, "admin calendar")
	h.reply(admin, "Calendars are not connected here")
	h.slash(rep, "calendar sometimes")
	h.reply(rep, "Try `/pipeline calendar`")
}

// Logging a meeting the calendar already brought keeps one prospect, says
// so, and offers no correction: the calendar's meeting is moved there.
func TestCalendarLogOfACalendarMeetingMerges(t *testing.T) {
	h := newCalendarHarness(t)
	h.turnOn(rep, ritaMail)
	jane := graphsim.Attendee{Email: "jane@acme.com", Name: "Jane Doe"}
	h.graph.Put(ritaMail, graphMeeting("intro", "Acme intro", start.Add(2*time.Hour), ritaMail, jane))
	h.poll(calPoll)
	if n := len(h.prospects(rep)); n != 1 {
		t.Fatalf("%d prospects after the read, want the calendar's one", n)
	}
	h.slash(rep, "log Acme today 11:00")
	r := h.reply(rep, "Your calendar had this one already")
	if !strings.Contains(r.AllText(), "first meeting (from your calendar)") {
		t.Errorf("the reply does not say the meeting is the calendar's:\n%s", r.AllText())
	}
	for _, b := range r.Buttons() {
		if b.ActionID == render.ActionCorrectLog {
			t.Errorf("the calendar's meeting offers a correction: %+v", b)
		}
	}
	ps := h.prospects(rep)
	if len(ps) != 1 || ps[0].Calendar == nil {
		t.Fatalf("logging the calendar's meeting: %+v", ps)
	}
	h.forgedClick(rep, r, render.ActionCorrectLog, ps[0].ID, "comes from your calendar")
	if views := h.sim.OpenViews(rep); len(views) != 0 {
		t.Fatalf("a correction form opened for the calendar's meeting")
	}
}

// A rep the workspace directory does not know yet (no team_join reached
// the bot) can turn their calendar on all the same: their profile is looked
// up once, and its email is the calendar read.
func TestCalendarOnForAMemberTheDirectoryLacks(t *testing.T) {
	h := newCalendarHarness(t)
	const kim, kimMail = "U0KIM", "kim@ourco.com"
	h.sim.AddUser(slacksim.User{ID: kim, Name: "kim", RealName: "Kim Late", TZ: "Europe/Berlin", Email: kimMail}) // after the load, without an event
	h.graph.AddUser(kimMail)
	h.turnOn(kim, kimMail)
	if n := h.calls("users.info"); n != 1 {
		t.Errorf("%d users.info calls, want exactly one", n)
	}
}

// When Slack cannot show the rep's profile, turning the calendar on says
// so in words, and nothing changes.
func TestCalendarOnWhenTheProfileCannotBeRead(t *testing.T) {
	h := newCalendarHarness(t)
	const kim, kimMail = "U0KIM", "kim@ourco.com"
	h.sim.AddUser(slacksim.User{ID: kim, Name: "kim", RealName: "Kim Late", TZ: "Europe/Berlin", Email: kimMail}) // after the load, without an event
	for range 20 {
		h.sim.FailNext("users.info", slacksim.Fault{Status: http.StatusServiceUnavailable})
	}
	h.slash(kim, "calendar")
	status := h.reply(kim, "I don't read your calendar yet")
	h.click(kim, status, render.ActionCalendarOn)
	h.reply(kim, "I couldn't read your Slack profile just now")
	if c, err := h.store.CalendarSync(h.ctx, h.sim.TeamID(), kim); err == nil && !c.Off && c.Mailbox != "" {
		t.Errorf("the calendar was turned on without the profile: %+v", c)
	}
}
