package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"pipelinecoach/calendar/google"
	"pipelinecoach/calendar/googlesim"
	"pipelinecoach/calendar/graphsim"
	"pipelinecoach/calendar/microsoft"
	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/storage/boltstore"
)

// Per-user quotas of the two providers (their published usage limits).
const (
	googlePerUserPerMinute = 600.0    // Calendar API: requests per minute per user per project
	googlePerProjectMinute = 10_000.0 // Calendar API: requests per minute per project
	graphPerMailbox10Min   = 10_000.0 // Graph, Outlook resources: requests per 10 minutes per mailbox per app
	calendarCPUTarget      = 0.01     // of one core, at steady state
	calendarPollBench      = 2 * time.Minute
	calendarWindow         = 10 * calendarPollBench
)

// measureCalendar is test 11: 300 reps' calendars read every 2 minutes, on
// Google and on Microsoft 365, each through its real client against its
// simulator. The service runs on a fake clock ticked every simulated second
// (as the scheduler ticks) over the embedded store: twenty minutes of
// steady state take seconds. CPU is the whole process's over the window
// (the service, the store, the client and the simulator serving it: an
// upper bound of the bot's share) divided by the simulated time.
func measureCalendar(ctx context.Context, o options) ([]row, error) {
	reps, events := 300, 150
	if o.short {
		reps, events = 30, 20
	}
	var rows []row
	for _, provider := range []string{"google", "microsoft"} {
		r, err := calendarRun(ctx, o, provider, reps, events)
		if err != nil {
			return rows, fmt.Errorf("%s: %w", provider, err)
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// calendarSim is either simulator, as the benchmark uses it.
type calendarSim interface {
	addUser(mail string)
	put(mail, id string, start time.Time, with string)
	apiRequests() int
	close()
}

type gSim struct{ *googlesim.Server }

func (s gSim) addUser(m string) { s.AddUser(m) }
func (s gSim) put(m, id string, at time.Time, with string) {
	s.Put(m, googlesim.Event{ID: id, Summary: "Meeting " + id, Start: at, End: at.Add(time.Hour),
		Attendees: []googlesim.Attendee{{Email: m, Response: "accepted"}, {Email: with, Name: "Guest"}}})
}
func (s gSim) apiRequests() int {
	n := 0
	for _, r := range s.Requests() {
		if r.User != "" {
			n++
		}
	}
	return n
}
func (s gSim) close() { s.Close() }

type mSim struct{ *graphsim.Server }

func (s mSim) addUser(m string) { s.AddUser(m) }
func (s mSim) put(m, id string, at time.Time, with string) {
	s.Put(m, graphsim.Event{ID: id, Subject: "Meeting " + id, Start: at, End: at.Add(time.Hour),
		Attendees: []graphsim.Attendee{{Email: m, Response: "organizer"}, {Email: with, Name: "Guest"}}})
}
func (s mSim) apiRequests() int {
	n := 0
	for _, r := range s.Requests() {
		if r.User != "" {
			n++
		}
	}
	return n
}
func (s mSim) close() { s.Close() }

type benchDirectory map[string]string

func (d benchDirectory) Email(_ context.Context, _, user string) (string, error) { return d[user], nil }
func (d benchDirectory) Zone(context.Context, string, string) string             { return "UTC" }

type noNotifier struct{}

func (noNotifier) Ask(context.Context, coach.Prospect, coach.Ask) (coach.MessageRef, error) {
	return coach.MessageRef{}, nil
}
func (noNotifier) Celebrate(context.Context, coach.Prospect) (coach.MessageRef, error) {
	return coach.MessageRef{}, nil
}
func (noNotifier) Digest(context.Context, coach.Team, coach.Digest) (coach.MessageRef, error) {
	return coach.MessageRef{}, nil
}
func (noNotifier) Brief(context.Context, coach.Brief) (coach.MessageRef, error) {
	return coach.MessageRef{}, nil
}

// calendarRun is test 11 on one provider: reps' calendars of events each,
// read in full once, then steady state for calendarWindow.
func calendarRun(ctx context.Context, o options, provider string, reps, events int) ([]row, error) {
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clock := coachtest.NewClock(start)
	sim, source, err := openCalendarSim(provider, clock)
	if err != nil {
		return nil, err
	}
	defer sim.close()
	dir, err := os.MkdirTemp("", "pcbench-calendar")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	store, err := boltstore.Open(dir, boltstore.Options{})
	if err != nil {
		return nil, err
	}
	defer store.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	directory := fillCalendars(sim, rng, start, reps, events)
	b := &calendarBench{clock: clock, svc: coach.NewService(store, noNotifier{}, clock, coach.DefaultTiming)}
	b.svc.Calendar = coach.CalendarSettings{Source: source, Poll: calendarPollBench, Mailboxes: directory,
		OnRead: func(_ coach.CalendarSync, _ coach.CalendarChanges, err error) {
			if err == nil {
				b.reads++
			}
		}}
	for rep := range directory {
		if err := b.svc.EnrolCalendar(ctx, "T0BENCH", rep); err != nil {
			return nil, err
		}
	}
	// The first poll interval reads every calendar in full.
	fullStart := time.Now()
	for range int(calendarPollBench / time.Second) {
		if err := b.tick(ctx); err != nil {
			return nil, err
		}
	}
	fullTook := time.Since(fullStart)
	o.logf("calendar %s: %d reps read in full (%d events each) in %s", provider, reps, events, fullTook.Round(time.Millisecond))

	steady, err := b.steady(ctx, sim, rng, reps)
	if err != nil {
		return nil, err
	}
	return calendarRows(provider, reps, events, fullTook, steady), nil
}

// openCalendarSim starts the provider's simulator and its real client.
func openCalendarSim(provider string, clock *coachtest.Clock) (calendarSim, coach.CalendarSource, error) {
	if provider == "google" {
		s := googlesim.New()
		c, err := google.New(s.CredentialsJSON(), s.APIURL(), nil)
		if err != nil {
			return nil, nil, err
		}
		return gSim{s}, c, nil
	}
	s := graphsim.New()
	return mSim{s}, microsoft.New(microsoft.Config{Tenant: graphsim.Tenant, ClientID: graphsim.ClientID, ClientSecret: graphsim.ClientSecret,
		GraphURL: s.GraphURL(), LoginURL: s.LoginURL()}, nil, clock.Now), nil
}

// fillCalendars gives each rep a calendar of the past 180 days and the
// weeks ahead: meetings with customers, most of them met before. It
// returns each rep's mailbox.
func fillCalendars(sim calendarSim, rng *rand.Rand, start time.Time, reps, events int) benchDirectory {
	directory := benchDirectory{}
	for i := range reps {
		rep, mail := fmt.Sprintf("U%05d", i), fmt.Sprintf("rep%d@ourco.com", i)
		directory[rep] = mail
		sim.addUser(mail)
		for j := range events {
			at := start.Add(time.Duration(rng.IntN(200*24)-180*24) * time.Hour)
			sim.put(mail, fmt.Sprintf("e%d-%d", i, j), at, fmt.Sprintf("guest@customer%d.com", rng.IntN(events/3+1)))
		}
	}
	return directory
}

// calendarBench is the service under test, on its fake clock, and the
// calendar reads it made.
type calendarBench struct {
	clock *coachtest.Clock
	svc   *coach.Service
	reads int
}

// tick moves the clock a second and runs what is due, as the scheduler does.
func (b *calendarBench) tick(ctx context.Context) error {
	b.clock.Advance(time.Second)
	_, err := b.svc.RunDue(ctx)
	return err
}

// calendarSteady is what calendarWindow of steady state took.
type calendarSteady struct {
	requests, reads, maxPerSecond int
	cpu                           time.Duration
}

// steady runs calendarWindow of incremental reads, a few new meetings a
// minute, and measures them.
func (b *calendarBench) steady(ctx context.Context, sim calendarSim, rng *rand.Rand, reps int) (calendarSteady, error) {
	var out calendarSteady
	cpu0, err := procCPU(os.Getpid())
	if err != nil {
		return out, err
	}
	requests0, reads0 := sim.apiRequests(), b.reads
	for s := range int(calendarWindow / time.Second) {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		if s%20 == 0 {
			i := rng.IntN(reps)
			sim.put(fmt.Sprintf("rep%d@ourco.com", i), fmt.Sprintf("new%d", s), b.clock.Now().Add(48*time.Hour), fmt.Sprintf("buyer@prospect%d.com", s))
		}
		before := b.reads
		if err := b.tick(ctx); err != nil {
			return out, err
		}
		out.maxPerSecond = max(out.maxPerSecond, b.reads-before)
	}
	cpu1, err := procCPU(os.Getpid())
	if err != nil {
		return out, err
	}
	out.requests, out.reads, out.cpu = sim.apiRequests()-requests0, b.reads-reads0, cpu1-cpu0
	return out, nil
}

// calendarRows judges a provider's run against its quotas and the CPU target.
func calendarRows(provider string, reps, events int, fullTook time.Duration, st calendarSteady) []row {
	minutes := calendarWindow.Minutes()
	perUserMinute := float64(st.requests) / float64(reps) / minutes
	perProjectMinute := float64(st.requests) / minutes
	cpuShare := st.cpu.Seconds() / calendarWindow.Seconds()

	name := "calendar " + provider
	quotaRow := row{name: name + ": requests per user", measured: fmt.Sprintf("%.2f a minute (%d requests, %d reads of %d reps in %s simulated; at most %d reads in one second)",
		perUserMinute, st.requests, st.reads, reps, calendarWindow, st.maxPerSecond)}
	if provider == "google" {
		quotaRow.target = fmt.Sprintf("≤ %.0f a minute per user, ≤ %.0f per project (%.0f here)", googlePerUserPerMinute, googlePerProjectMinute, perProjectMinute)
		quotaRow.verdict = pass(perUserMinute <= googlePerUserPerMinute && perProjectMinute <= googlePerProjectMinute)
		quotaRow.ratio = ratio(perUserMinute, googlePerUserPerMinute)
	} else {
		quotaRow.target = fmt.Sprintf("≤ %.0f per 10 minutes per mailbox", graphPerMailbox10Min)
		quotaRow.verdict = pass(perUserMinute*10 <= graphPerMailbox10Min)
		quotaRow.ratio = ratio(perUserMinute*10, graphPerMailbox10Min)
	}
	expected := float64(reps) * calendarWindow.Seconds() / calendarPollBench.Seconds()
	return []row{
		{name: name + ": first full read of every calendar", measured: fmt.Sprintf("%d reps × %d events in %s of real time", reps, events, fullTook.Round(time.Millisecond)), verdict: verdictInfo, target: "—", ratio: "—"},
		{name: name + ": reads at steady state", measured: fmt.Sprintf("%d of %.0f due (every rep every %s)", st.reads, expected, calendarPollBench),
			target: "every rep every CALENDAR_POLL", verdict: pass(float64(st.reads) >= 0.95*expected), ratio: ratio(float64(st.reads), expected)},
		quotaRow,
		{name: name + ": CPU at steady state", measured: fmt.Sprintf("%.3f%% of a core (%s of CPU for %s; includes the simulator)", 100*cpuShare, st.cpu.Round(time.Millisecond), calendarWindow),
			target: "< 1% of one core", verdict: pass(cpuShare < calendarCPUTarget), ratio: ratio(cpuShare, calendarCPUTarget)},
	}
}
