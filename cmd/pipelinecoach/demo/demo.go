// Package demo plays a scripted fortnight of a small sales team against the
// real bot: bot.Assemble over the simulated Slack (bot/slacksim) and the
// embedded store in a temporary directory, on a clock of its own that jumps
// from one due job to the next (no test double is linked into the binary). It prints the conversation readably and can
// write it as one HTML page that looks like Slack. Every step checks that
// the bot did what the script expects; Run fails naming the first step
// that did not.
//
//	go run ./cmd/pipelinecoach demo -html demo.html
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"pipelinecoach/bot"
	"pipelinecoach/bot/sender"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/calendar/google"
	"pipelinecoach/calendar/googlesim"
	"pipelinecoach/coach"
	"pipelinecoach/crm/hubspot"
	"pipelinecoach/crm/hubspotsim"
	"pipelinecoach/storage/boltstore"
)

// The cast.
const (
	ada  = "U0ADA"  // sales ops, a workspace admin
	mia  = "U0MIA"  // the sales manager
	rita = "U0RITA" // a rep in Berlin
	omar = "U0OMAR" // a rep in New York
	lena = "U0LENA" // a rep in London

	// general is the simulator's #general, where slash commands are typed.
	general = "C0GENERAL"
	sales   = "C0SALESTEAM" // Mia's team channel: the weekly digest
	wins    = "C0WINS"      // where shared losses are celebrated
)

// person is someone in the workspace.
type person struct {
	ID, Name, Full, TZ string
	Admin              bool
	Role               string
	Color              int // avatar colour, 1–6
}

// email is the person's address at the demo's company.
func (p person) email() string { return strings.ToLower(p.Name) + "@northstar.example" }

var cast = []person{
	{ID: mia, Name: "Mia", Full: "Mia Novak", TZ: "Europe/Berlin", Role: "sales manager", Color: 1},
	{ID: rita, Name: "Rita", Full: "Rita Rossi", TZ: "Europe/Berlin", Role: "account executive, Berlin", Color: 2},
	{ID: omar, Name: "Omar", Full: "Omar Haddad", TZ: "America/New_York", Role: "account executive, New York", Color: 3},
	{ID: lena, Name: "Lena", Full: "Lena Hughes", TZ: "Europe/London", Role: "account executive, London", Color: 4},
	{ID: ada, Name: "Ada", Full: "Ada Okafor", TZ: "Europe/Berlin", Admin: true, Role: "sales ops, workspace admin", Color: 5},
}

var channels = []struct{ ID, Name, Topic string }{
	{sales, "sales-team", "Mia's team: the weekly pipeline digest"},
	{wins, "wins", "Shared losses, celebrated without blame"},
	{general, "general", "Where people type /pipeline; the bot's replies there are seen only by the person who typed"},
}

// berlin is the team's zone; the transcript's times are in it.
var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// on is a moment of the scenario, Berlin time, in 2026.
func on(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, berlin)
}

// start is Monday 23 November 2026, 09:00 in Berlin.
var start = on(time.November, 23, 9, 0)

// waitLimit is how long a step waits for the bot's reply, in real time.
const waitLimit = 5 * time.Second

// Run plays the scenario and writes the transcript to w; with htmlPath it
// also writes the conversation as an HTML page there. It returns an error
// naming the first step that did not do what the script expected.
func Run(ctx context.Context, w io.Writer, htmlPath string) error {
	return run(ctx, w, htmlPath, (*director).play, waitLimit)
}

// run sets the stage (store, simulated Slack, the bot), plays script and
// writes what happened; limit is how long a step waits for the bot.
func run(ctx context.Context, w io.Writer, htmlPath string, script func(*director), limit time.Duration) error {
	dir, err := os.MkdirTemp("", "pipelinecoach-demo-")
	if err != nil {
		return fmt.Errorf("demo: temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	st, err := setStage(ctx, dir)
	defer st.close()
	if err != nil {
		return err
	}

	// The bot's goroutines write its log; it is read once the bot stopped.
	var logs bytes.Buffer
	tick := make(chan time.Time)
	rt := st.assemble(tick, &logs)
	runCtx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = rt.Run(runCtx) }()
	stopBot := func() { cancel(); <-stopped }
	defer stopBot()

	d := &director{ctx: runCtx, sim: st.sim, crm: st.hs, cal: st.cal, clock: st.clock, tick: tick, store: st.store,
		rec: newRecorder(st.sim, st.names, st.convs), lastConv: map[string]string{}, limit: limit}
	if err := d.connect(); err != nil {
		return err
	}
	// The cast's zones and admin rights come from the workspace directory.
	select {
	case <-rt.Bot.DirectoryReady():
	case <-runCtx.Done():
		return runCtx.Err()
	}
	script(d)
	d.rec.sync(st.clock.Now())
	stopBot()
	return d.report(w, htmlPath, logs.String())
}

// stage is what the scenario plays on: the store on the script's clock,
// the simulated Slack, HubSpot and Google Workspace, and the names the
// transcript gives users and channels.
type stage struct {
	clock    *scriptClock
	store    *dueStore
	sim      *slacksim.Server
	hs       *hubspotsim.Server
	sink     coach.CRM
	cal      *googlesim.Server
	calendar *google.Client
	names    names
	convs    []string // the conversations the transcript follows
	closers  []func()
}

// setStage opens the store in dir and starts the simulators with the cast
// in them. The stage is to be closed even when it returns an error.
func setStage(ctx context.Context, dir string) (*stage, error) {
	st := &stage{clock: newScriptClock(start)}
	bolt, err := boltstore.Open(dir, boltstore.Options{Now: st.clock.Now})
	if err != nil {
		return st, fmt.Errorf("demo: %w", err)
	}
	st.closers = append(st.closers, func() { bolt.Close() })
	st.store = newDueStore(bolt)
	st.openSlack()
	if err := st.openCRM(ctx); err != nil {
		return st, err
	}
	if err := st.openCalendars(); err != nil {
		return st, err
	}
	st.addCast()
	return st, nil
}

// close stops the simulators and closes the store, last opened first.
func (st *stage) close() {
	for i := len(st.closers) - 1; i >= 0; i-- {
		st.closers[i]()
	}
}

// openSlack starts the simulated Slack with the scenario's channels.
func (st *stage) openSlack() {
	st.sim = slacksim.New(slacksim.WithClock(st.clock.Now))
	st.closers = append(st.closers, st.sim.Close)
	st.names = names{users: map[string]string{st.sim.BotUserID(): "Pipeline Coach"}, channels: map[string]string{}}
	for _, c := range channels {
		st.sim.AddChannel(c.ID, c.Name, true)
		st.names.channels[c.ID] = c.Name
		st.convs = append(st.convs, c.ID)
	}
}

// openCRM starts a simulated HubSpot, where confirmed opportunities land.
func (st *stage) openCRM(ctx context.Context) error {
	hs, err := hubspotsim.Start()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	st.hs = hs
	st.closers = append(st.closers, func() { hs.Close() })
	if st.sink, err = demoCRM(ctx, hs); err != nil {
		return fmt.Errorf("demo: HubSpot: %w", err)
	}
	return nil
}

// openCalendars starts a simulated Google Workspace: reps' calendars are
// there, found by the email in their Slack profiles.
func (st *stage) openCalendars() error {
	st.cal = googlesim.New()
	st.closers = append(st.closers, st.cal.Close)
	var err error
	if st.calendar, err = google.New(st.cal.CredentialsJSON(), st.cal.APIURL(), nil); err != nil {
		return fmt.Errorf("demo: calendar: %w", err)
	}
	return nil
}

// addCast puts each person in Slack, HubSpot's owners and Google Workspace.
func (st *stage) addCast() {
	for _, p := range cast {
		st.hs.AddOwner(p.email(), p.Name, p.Full)
		st.cal.AddUser(p.email())
		st.sim.AddUser(slacksim.User{ID: p.ID, Name: strings.ToLower(p.Name), RealName: p.Full, TZ: p.TZ, IsAdmin: p.Admin, Email: p.email()})
		st.names.users[p.ID] = p.Name
		st.convs = append(st.convs, st.sim.DMChannel(p.ID))
	}
}

// assemble wires the bot over the stage: it runs the scheduler when the
// director ticks and logs its warnings and errors to logs.
func (st *stage) assemble(tick chan time.Time, logs io.Writer) *bot.Runtime {
	return bot.Assemble(bot.Setup{
		APIURL: st.sim.APIURL(), AppToken: st.sim.AppToken(), BotToken: st.sim.BotToken(),
		Config:   bot.Config{CelebrationChannel: wins},
		Store:    st.store,
		Clock:    st.clock,
		Timing:   coach.DefaultTiming,
		Tick:     tick,
		Sender:   unlimited(),
		Log:      zerolog.New(zerolog.SyncWriter(logs)).Level(zerolog.WarnLevel),
		Defaults: coach.TeamDefaults{TZ: "UTC", Framework: "bant"},
		CRM:      st.sink,
		// Daily: the fortnight passes in seconds, and the client paces
		// itself under HubSpot's limit in real time.
		CRMPull:  24 * time.Hour,
		Calendar: coach.CalendarSettings{Source: st.calendar, Poll: coach.DefaultCalendarPoll},
	})
}

// report writes the transcript (and the HTML page with htmlPath) and
// returns the script's failure, if any; logs are the bot's warnings and
// errors, shown when a step failed.
func (d *director) report(w io.Writer, htmlPath, logs string) error {
	out := transcript{rec: d.rec, steps: d.steps, err: d.err}
	if werr := out.writeText(w); werr != nil && d.err == nil {
		return fmt.Errorf("demo: write the transcript: %w", werr)
	}
	if d.err != nil && logs != "" {
		fmt.Fprintf(w, "\nThe bot's warnings and errors:\n%s", logs)
	}
	if htmlPath != "" {
		if werr := out.writeHTMLFile(htmlPath); werr != nil {
			return errors.Join(d.err, fmt.Errorf("demo: write %s: %w", htmlPath, werr))
		}
	}
	return d.err
}

// demoCRM is the bot's HubSpot: the real client over the simulator.
func demoCRM(ctx context.Context, hs *hubspotsim.Server) (coach.CRM, error) {
	c, err := hubspot.New(hs.URL(), hubspotsim.Token, nil)
	if err != nil {
		return nil, err
	}
	st, err := c.ResolveStages(ctx, hubspot.Stages{Pipeline: hubspot.DefaultPipeline, Open: hubspot.DefaultStageOpen,
		Won: hubspot.DefaultStageWon, Lost: hubspot.DefaultStageLost})
	if err != nil {
		return nil, err
	}
	return hubspot.NewSink(c, st), nil
}

// unlimited turns off the sender's proactive rate limits: they pace calls
// in real time, and the demo's fortnight passes in seconds.
func unlimited() sender.Options {
	perMinute := map[string]int{}
	for method := range sender.DefaultMethodPerMinute() {
		perMinute[method] = -1
	}
	return sender.Options{PostPerChannelPerSecond: -1, MethodPerMinute: perMinute}
}

// stepResult is how one step of the script went.
type stepResult struct {
	N    int
	Name string
	At   time.Time
	// Failed is what went wrong; Skipped: an earlier step failed.
	Failed  string
	Skipped bool
}

// director plays the people of the script and checks what the bot does.
// After the first failure every call does nothing, so the script reads as
// a plain list of steps.
type director struct {
	ctx   context.Context
	sim   *slacksim.Server
	crm   *hubspotsim.Server
	cal   *googlesim.Server // the reps' calendars
	clock *scriptClock
	tick  chan time.Time
	store *dueStore
	rec   *recorder

	steps    []stepResult
	err      error
	before   map[string]int    // channel/ts → updates when the last action began
	lastConv map[string]string // user → the conversation their last action was in
	limit    time.Duration     // how long to wait for the bot, in real time
}

func (d *director) connect() error {
	deadline := time.Now().Add(waitLimit)
	for d.sim.Connections() == 0 {
		if time.Now().After(deadline) || d.ctx.Err() != nil {
			return errors.New("demo: the bot never connected to the simulated Slack")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// step begins a step of the script.
func (d *director) step(name string) {
	r := stepResult{N: len(d.steps) + 1, Name: name, At: d.clock.Now(), Skipped: d.err != nil}
	d.steps = append(d.steps, r)
}

func (d *director) ok() bool { return d.err == nil }

// fail records what went wrong in the current step; the first failure ends
// the script.
func (d *director) fail(format string, args ...any) {
	if d.err != nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	cur := &d.steps[len(d.steps)-1]
	cur.Failed = msg
	d.err = fmt.Errorf("demo step %d (%s): %s", cur.N, cur.Name, msg)
}

// mark notes the messages as they are before an action or a move of the
// clock: what the bot does in answer is what is new or changed since.
func (d *director) mark() {
	d.before = map[string]int{}
	for _, ch := range d.rec.convs {
		for _, m := range d.sim.Messages(ch) {
			d.before[m.Channel+"/"+m.TS] = m.Updates
		}
	}
}

func (d *director) fresh(m slacksim.Message) bool {
	u, seen := d.before[m.Channel+"/"+m.TS]
	return !seen || m.Updates > u
}

// run lets the scheduler run once at the clock's time and waits until it
// has finished (the tick channel is unbuffered: the second tick is taken
// only after the first run), then records what it posted.
func (d *director) run() {
	for range 2 {
		select {
		case d.tick <- d.clock.Now():
		case <-d.ctx.Done():
			d.fail("the scheduler did not take the tick: %v", d.ctx.Err())
			return
		}
	}
	d.rec.sync(d.clock.Now())
}

// at moves the clock to t, stopping at every moment a job comes due on the
// way so each question goes out at its own time.
func (d *director) at(t time.Time) {
	if !d.ok() {
		return
	}
	if t.Before(d.clock.Now()) {
		d.fail("the script goes back in time, to %s", stamp(t))
		return
	}
	d.mark()
	if d.store.dueBy(d.clock.Now()) {
		d.run()
	}
	for d.ok() {
		next, ok := d.store.next(d.clock.Now(), t)
		if !ok {
			break
		}
		d.clock.Set(next)
		d.run()
	}
	d.clock.Set(t)
	d.run()
}

// wait waits for a message the bot posted or changed since the last action
// that matches, running the scheduler when a job is due meanwhile (a
// celebration, a question asked at once).
func (d *director) wait(what, channel string, match func(slacksim.Message) bool) slacksim.Message {
	if !d.ok() {
		return slacksim.Message{}
	}
	deadline := time.Now().Add(d.limit)
	for {
		if d.store.dueBy(d.clock.Now()) {
			d.run()
		}
		ctx, cancel := context.WithTimeout(d.ctx, 50*time.Millisecond)
		m, err := d.sim.WaitMessage(ctx, slacksim.Beginning, func(m slacksim.Message) bool { return d.fresh(m) && match(m) })
		cancel()
		if err == nil {
			d.settle()
			d.rec.sync(d.clock.Now())
			return m
		}
		if d.ctx.Err() != nil || time.Now().After(deadline) {
			d.fail("expected %s; it did not come%s", what, d.recent(channel))
			return slacksim.Message{}
		}
	}
}

// settle waits until the bot has made no Web API call for a moment (at
// most a second), so everything it does in answer to a step is recorded at
// that step's time: a DM answer both edits the question and replies.
func (d *director) settle() {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		n := len(d.sim.Calls())
		ctx, cancel := context.WithTimeout(d.ctx, settleQuiet)
		i := 0
		_, err := d.sim.WaitCall(ctx, func(slacksim.Call) bool { i++; return i > n })
		cancel()
		if err != nil {
			return
		}
	}
}

// settleQuiet is how long without a Web API call counts as settled.
const settleQuiet = 15 * time.Millisecond

// recent describes the last messages in a channel, for a failure.
func (d *director) recent(channel string) string {
	ms := d.sim.Messages(channel)
	if len(ms) == 0 {
		return " (nothing there)"
	}
	var b strings.Builder
	b.WriteString(". Last there:")
	for _, m := range ms[max(0, len(ms)-3):] {
		b.WriteString("\n  - " + strings.ReplaceAll(truncate(m.AllText(), 300), "\n", " "))
	}
	return b.String()
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func containsAll(m slacksim.Message, wants []string) bool {
	text := m.AllText()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// reply waits for an answer only user sees that contains every want.
func (d *director) reply(user string, wants ...string) slacksim.Message {
	return d.wait(fmt.Sprintf("a reply to %s saying %q", d.rec.names.user(user, ""), wants), general, func(m slacksim.Message) bool {
		return m.Ephemeral && m.ToUser == user && containsAll(m, wants)
	})
}

// dm waits for a message in the user's DM with the bot that contains every want.
func (d *director) dm(user string, wants ...string) slacksim.Message {
	ch := d.sim.DMChannel(user)
	return d.wait(fmt.Sprintf("a DM to %s saying %q", d.rec.names.user(user, ""), wants), ch, func(m slacksim.Message) bool {
		return m.Channel == ch && !m.Ephemeral && containsAll(m, wants)
	})
}

// post waits for a post in a channel that contains every want.
func (d *director) post(channel string, wants ...string) slacksim.Message {
	return d.wait(fmt.Sprintf("a post in #%s saying %q", d.rec.names.channel(channel, ""), wants), channel, func(m slacksim.Message) bool {
		return m.Channel == channel && !m.Ephemeral && containsAll(m, wants)
	})
}

// slash types /pipeline text as user, in #general.
func (d *director) slash(user, text string) {
	if !d.ok() {
		return
	}
	d.mark()
	d.rec.add(entry{At: d.clock.Now(), Kind: kindSlash, Who: user, Conv: general, Text: d.rec.names.typed("/pipeline " + text)})
	d.lastConv[user] = general
	ack, err := d.sim.Slash(d.ctx, user, text)
	switch {
	case err != nil:
		d.fail("/pipeline %s: %v", text, err)
	case ack.Error != "":
		d.fail("Slack refused the bot's answer to /pipeline %s: %s", text, ack.Error)
	}
}

// say writes text to the bot in the user's DM.
func (d *director) say(user, text string) {
	if !d.ok() {
		return
	}
	d.mark()
	dm := d.sim.DMChannel(user)
	d.rec.add(entry{At: d.clock.Now(), Kind: kindSay, Who: user, Conv: dm, Text: d.rec.names.typed(text)})
	d.lastConv[user] = dm
	if _, err := d.sim.DM(d.ctx, user, text); err != nil {
		d.fail("DM %q: %v", text, err)
	}
}

// click clicks the button with actionID in m.
func (d *director) click(user string, m slacksim.Message, actionID string) {
	if !d.ok() {
		return
	}
	label := ""
	for _, b := range m.Buttons() {
		if b.ActionID == actionID {
			label = b.Text
		}
	}
	if label == "" {
		d.fail("no button %s in the message %q", actionID, truncate(m.AllText(), 200))
		return
	}
	d.mark()
	d.rec.add(entry{At: d.clock.Now(), Kind: kindClick, Who: user, Conv: m.Channel, Button: label})
	d.lastConv[user] = m.Channel
	if _, err := d.sim.Click(d.ctx, user, m, actionID); err != nil {
		d.fail("click %s: %v", label, err)
	}
}

// modal waits for a modal the bot opened for the user.
func (d *director) modal(user, callbackID string) slacksim.View {
	if !d.ok() {
		return slacksim.View{}
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.limit)
	defer cancel()
	v, err := d.sim.WaitView(ctx, user, func(v slacksim.View) bool { return v.CallbackID == callbackID && !v.Closed })
	if err != nil {
		d.fail("expected the %s form to open for %s: %v", callbackID, d.rec.names.user(user, ""), err)
	}
	d.rec.sync(d.clock.Now())
	return v
}

// submit fills in the modal with inputs (by action id) and submits it; the
// script only submits forms the bot should accept.
func (d *director) submit(user string, v slacksim.View, inputs map[string]string) {
	if !d.ok() {
		return
	}
	d.mark()
	title, submit, blocks := d.rec.viewBlocks(v)
	e := entry{At: d.clock.Now(), Kind: kindSubmit, Who: user, Conv: d.lastConv[user], Title: title, Submit: submit, Blocks: fill(blocks, inputs)}
	ack, err := d.sim.Submit(d.ctx, user, v, inputs)
	if err != nil {
		d.rec.add(e)
		d.fail("submit %s: %v", title, err)
		return
	}
	if errs := formErrors(ack.Payload); len(errs) > 0 {
		for block, msg := range errs {
			e.Errors = append(e.Errors, block+": "+msg)
		}
		d.rec.add(e)
		d.fail("the bot refused the %q form: %s", title, strings.Join(e.Errors, "; "))
		return
	}
	d.rec.add(e)
	if ack.Error != "" {
		d.fail("Slack refused the bot's answer to the %q form: %s", title, ack.Error)
	}
}

// home opens the bot's Home tab as user and waits until it shows want.
func (d *director) home(user, want string) slacksim.View {
	if !d.ok() {
		return slacksim.View{}
	}
	if _, err := d.sim.OpenHome(d.ctx, user); err != nil {
		d.fail("open App Home: %v", err)
		return slacksim.View{}
	}
	ctx, cancel := context.WithTimeout(d.ctx, d.limit)
	defer cancel()
	v, err := d.sim.WaitHome(ctx, user, func(v slacksim.View) bool { return strings.Contains(v.AllText(), want) })
	if err != nil {
		d.fail("expected App Home to show %q: %v", want, err)
		return v
	}
	_, _, blocks := d.rec.viewBlocks(v)
	d.rec.add(entry{At: d.clock.Now(), Kind: kindHome, Who: user, Conv: d.sim.DMChannel(user), Title: "Home", Blocks: blocks})
	return v
}

// prospect reads a rep's prospect by account from the store.
func (d *director) prospect(user, account string) coach.Prospect {
	if !d.ok() {
		return coach.Prospect{}
	}
	ps, err := d.store.ProspectsOf(d.ctx, d.sim.TeamID(), user)
	if err != nil {
		d.fail("read %s's prospects: %v", d.rec.names.user(user, ""), err)
		return coach.Prospect{}
	}
	for _, p := range ps {
		if p.Account == account {
			return p
		}
	}
	d.fail("%s has no prospect %q", d.rec.names.user(user, ""), account)
	return coach.Prospect{}
}

// state checks a prospect's state.
func (d *director) state(user, account string, want coach.State) coach.Prospect {
	p := d.prospect(user, account)
	if d.ok() && p.State != want {
		d.fail("%s is %s, want %s", account, p.State, want)
	}
	return p
}

// check fails the step with what when ok is false.
func (d *director) check(ok bool, format string, args ...any) {
	if d.ok() && !ok {
		d.fail(format, args...)
	}
}

// count is the number of messages the bot posted in a channel (ephemerals
// not included).
func (d *director) count(channel string, match func(slacksim.Message) bool) int {
	n := 0
	for _, m := range d.sim.Messages(channel) {
		if !m.Ephemeral && match(m) {
			n++
		}
	}
	return n
}

// formErrors reads a view_submission ack's response_action errors.
func formErrors(payload []byte) map[string]string {
	if len(payload) == 0 {
		return nil
	}
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(payload, &resp); err != nil || resp.Action != "errors" {
		return nil
	}
	return resp.Errors
}

// mention is how Slack sends a mention in a slash command's text.
func mention(id string) string {
	for _, p := range cast {
		if p.ID == id {
			return "<@" + id + "|" + strings.ToLower(p.Name) + ">"
		}
	}
	return "<@" + id + ">"
}

// meeting puts an event on a rep's calendar, with one guest besides them.
func (d *director) meeting(user, id, title string, start time.Time, length time.Duration, guest, guestName string) {
	mail := ""
	for _, p := range cast {
		if p.ID == user {
			mail = p.email()
		}
	}
	d.cal.Put(mail, googlesim.Event{ID: id, Summary: title, Start: start, End: start.Add(length),
		Attendees: []googlesim.Attendee{{Email: mail, Response: "accepted"}, {Email: guest, Name: guestName, Response: "accepted"}}})
}

// prospects are a rep's prospects, any state.
func (d *director) prospects(user string) []coach.Prospect {
	ps, err := d.store.ProspectsOf(d.ctx, d.sim.TeamID(), user)
	if err != nil {
		d.fail("read prospects: %v", err)
	}
	return ps
}
