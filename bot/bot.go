// Package bot is Pipeline Coach's Slack adapter: it takes Socket Mode
// envelopes, acks each at once (a slash command's ack waits, briefly, to
// carry its answer: heldack.go), runs the work in a bounded pool, turns what
// reps type and click into calls on coach, and answers in Slack. Rendering
// lives in bot/render, outbound calls in bot/sender. WaitIdle tells when
// everything acked has been handled (idle.go). Who a person is (zone,
// admin, deactivated) comes from the workspace directory (directory.go),
// never from a Slack call on an answer's path.
package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/socket"
	"pipelinecoach/coach"
)

// Config is the bot's own settings; cmd/pipelinecoach fills it from the
// environment.
type Config struct {
	Workers        int           // concurrent handlers; default 16
	Queue          int           // envelopes waiting for a worker; default 1024
	FormWorkers    int           // concurrent modal submissions; default 4
	HandlerTimeout time.Duration // per envelope; default 10s
	SubmitTimeout  time.Duration // a modal submission must be answered in its ack; default 2.5s
	// AckHold is how long a slash command's ack waits to carry its answer
	// (heldAck); default 1s.
	AckHold   time.Duration
	DefaultTZ string   // when Slack gives no zone for a user
	Admins    []string // user ids with admin rights besides workspace admins
	// CelebrationChannel is where shared losses are celebrated (a channel id).
	CelebrationChannel string
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 16
	}
	if c.Queue <= 0 {
		c.Queue = 1024
	}
	if c.FormWorkers <= 0 {
		c.FormWorkers = 4
	}
	if c.HandlerTimeout <= 0 {
		c.HandlerTimeout = 10 * time.Second
	}
	if c.SubmitTimeout <= 0 {
		c.SubmitTimeout = 2500 * time.Millisecond
	}
	if c.AckHold <= 0 {
		c.AckHold = time.Second
	}
	if c.DefaultTZ == "" {
		c.DefaultTZ = "UTC"
	}
}

// Observer hears what the bot does, for metrics. All methods must be cheap
// and safe for concurrent use.
type Observer interface {
	// Envelope: one envelope of kind (slash_commands, block_actions,
	// view_submission, events_api, unknown, malformed) acked after ack.
	Envelope(kind string, ack time.Duration)
	// HandlerError: a handler failed (panic, store error).
	HandlerError(kind string)
	// Dropped: work dropped because the pool was full.
	Dropped(kind string)
	// Connected: the Socket Mode connection went up or down.
	Connected(up bool)
}

type noObserver struct{}

func (noObserver) Envelope(string, time.Duration) {}
func (noObserver) HandlerError(string)            {}
func (noObserver) Dropped(string)                 {}
func (noObserver) Connected(bool)                 {}

// socketConn is what the bot needs of its Socket Mode connection.
type socketConn interface {
	RunContext(ctx context.Context) error
	AckCtx(ctx context.Context, envelopeID string, payload any) error
}

// Bot routes Slack's envelopes to coach and answers.
type Bot struct {
	cfg    Config
	log    zerolog.Logger
	svc    *coach.Service
	ledger coach.Ledger
	slack  Slack
	socket socketConn
	events <-chan socketmode.Event
	users  *directory
	homes  homeWatch
	// homeQueue and updates run App Home publishes and question updates
	// apart from the answers (later.go).
	homeQueue, updates *later
	obs                Observer
	up                 atomic.Bool

	// work is the pool for everything acked at once; forms is a separate
	// small pool for modal submissions, which are acked after validation
	// and must never queue behind work that waits on Slack's rate limits.
	work  chan func(context.Context)
	forms chan func(context.Context)
	busy  chan struct{} // bounds the "busy" replies sent when work overflows
	// graced is when a full pool last held up the socket loop (Unix ns).
	graced atomic.Int64
	wg     sync.WaitGroup
	taken  *taken // work accepted and not yet finished (idle.go)
	// calendars are the workspaces whose calendar reading this process
	// has started.
	calendars sync.Map
}

// New returns a bot. sm is the Socket Mode connection; out makes every
// Web API call; ledger remembers envelopes already handled.
func New(cfg Config, svc *coach.Service, ledger coach.Ledger, out Slack, sm *socket.Client, log zerolog.Logger) *Bot {
	cfg.defaults()
	b := &Bot{
		cfg: cfg, log: log, svc: svc, ledger: ledger, slack: out,
		socket: sm, events: sm.Events(),
		users:     newDirectory(nil, nil, cfg.DefaultTZ, cfg.Admins, log),
		work:      make(chan func(context.Context), cfg.Queue),
		forms:     make(chan func(context.Context), cfg.Queue/4+1),
		busy:      make(chan struct{}, 8),
		homeQueue: newLater("homes", laterHomes, laterMax, laterWait),
		updates:   newLater("updates", 2, laterMax, laterWait),
		obs:       noObserver{},
		taken:     newTaken(),
	}
	b.homeQueue.taken, b.updates.taken = b.taken, b.taken
	return b
}

// Observe sets who hears what the bot does.
func (b *Bot) Observe(o Observer) {
	if o != nil {
		b.obs = o
	}
}

// Connected reports whether the Socket Mode connection is up, for /readyz.
func (b *Bot) Connected() bool { return b.up.Load() }

// Run connects to Slack and handles envelopes until ctx ends, then lets the
// work already taken finish (bounded by HandlerTimeout) and returns.
func (b *Bot) Run(ctx context.Context) error {
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	for range b.cfg.Workers {
		b.wg.Go(func() {
			for task := range b.work {
				b.runTask(workCtx, task)
			}
		})
	}
	var forms sync.WaitGroup
	for range b.cfg.FormWorkers {
		forms.Go(func() {
			for task := range b.forms {
				b.runTask(workCtx, task)
			}
		})
	}
	var directory sync.WaitGroup
	directory.Go(func() { b.users.run(ctx) })
	directory.Go(func() { b.runLater(ctx) })
	directory.Go(func() { b.keepFresh(ctx) })
	defer directory.Wait()
	sockErr := make(chan error, 1)
	go func() { sockErr <- b.socket.RunContext(ctx) }()

	err := b.loop(ctx, sockErr)
	close(b.forms)
	done := make(chan struct{})
	go func() {
		// A modal submission hands its follow-up messages to the work
		// pool: close it only once the submissions are done.
		forms.Wait()
		close(b.work)
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(b.cfg.HandlerTimeout):
		b.log.Warn().Msg("in-flight work did not finish in time; cancelling it")
		stopWork()
		<-done
	}
	return err
}

// keepFresh looks every coach.DirectoryLookEvery whether another replica
// changed the directory or a team, so that what this replica read stays in
// memory while nothing changes and answers to known people read neither.
func (b *Bot) keepFresh(ctx context.Context) {
	tick := time.NewTicker(coach.DirectoryLookEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		b.users.keepFresh(ctx)
		if err := b.svc.KeepFresh(ctx); err != nil && ctx.Err() == nil {
			b.log.Debug().Err(err).Msg("teams: look for changes")
		}
	}
}

func (b *Bot) loop(ctx context.Context, sockErr <-chan error) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-sockErr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt, ok := <-b.events:
			if !ok {
				return nil
			}
			b.dispatch(ctx, evt)
		}
	}
}

func (b *Bot) runTask(ctx context.Context, task func(context.Context)) {
	defer b.taken.done()
	ctx, cancel := context.WithTimeout(ctx, b.cfg.HandlerTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			b.obs.HandlerError("panic")
			b.log.Error().Interface("panic", r).Bytes("stack", debug.Stack()).Msg("handler panicked")
		}
	}()
	task(ctx)
}

// queueWait is how long a full pool may hold up the socket loop before the
// envelope is dropped, and graceEvery how often it may: every envelope
// behind the loop waits too, so a grace per envelope would add up (64
// envelopes in flight behind 50 ms each wait 3.2 s for their acks).
const (
	queueWait  = 50 * time.Millisecond
	graceEvery = 10 * queueWait
)

// submit hands work to the pool. A full pool gets a short grace (at most
// one per graceEvery), then the work is dropped and busy (if any) tells the
// person to try again: memory stays bounded and every later envelope is
// still acked at once.
func (b *Bot) submit(ctx context.Context, task func(context.Context), busy ...func(context.Context)) {
	if b.offer(b.work, task) {
		return
	}
	if last := b.graced.Load(); time.Since(time.Unix(0, last)) >= graceEvery && b.graced.CompareAndSwap(last, time.Now().UnixNano()) {
		timer := time.NewTimer(queueWait)
		defer timer.Stop()
		b.taken.add()
		select {
		case b.work <- task:
			return
		case <-ctx.Done():
			b.taken.done()
			return
		case <-timer.C:
			b.taken.done()
		}
	}
	b.obs.Dropped("work")
	b.log.Warn().Int("queue", cap(b.work)).Msg("work queue full: envelope dropped")
	if len(busy) == 0 {
		return
	}
	select {
	case b.busy <- struct{}{}:
		b.wg.Go(func() {
			defer func() { <-b.busy }()
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			busy[0](ctx)
		})
	default: // too busy even to say so
	}
}

// handOff acks an envelope whose work runs after the ack, and queues that
// work. The socket writes the ack on this goroutine, which keeps its P
// until it waits for the next envelope: the worker woken by the queue runs
// after the ack has left, even when its handler is busy on the CPU. A full
// pool acks first: its grace wait must never delay the ack.
func (b *Bot) handOff(ctx context.Context, req *socketmode.Request, kind string, got time.Time,
	task func(context.Context), busy ...func(context.Context)) {
	if b.offer(b.work, task) {
		b.ackAs(ctx, req, nil, kind, got)
		return
	}
	b.ackAs(ctx, req, nil, kind, got)
	b.submit(ctx, task, busy...)
}

// busyNotice is what a person hears when the bot drops their request.
const busyNotice = "I'm swamped right now and couldn't take that — nothing was changed. Please try again in a minute."

// busyCommand is busyNotice for a slash command, quoting what was typed so
// it can be sent again as it was.
func busyCommand(command, text string) render.Message {
	msg := busyNotice
	if t := strings.TrimSpace(strings.ReplaceAll(text, "`", "'")); t != "" {
		msg += fmt.Sprintf(" You asked: `%s %s`", command, render.Escape(render.Truncate(t, 300)))
	}
	return render.Notice(msg)
}

func (b *Bot) ack(ctx context.Context, req *socketmode.Request, payload any) {
	b.ackAs(ctx, req, payload, "", time.Time{})
}

// ackAs acks, tells the observer how long the envelope waited for it, and
// says whether the ack went to the socket.
func (b *Bot) ackAs(ctx context.Context, req *socketmode.Request, payload any, kind string, got time.Time) bool {
	if req == nil || req.EnvelopeID == "" {
		return false
	}
	if kind != "" {
		defer func() { b.obs.Envelope(kind, time.Since(got)) }()
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := b.socket.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		b.log.Warn().Err(err).Str("envelope_id", req.EnvelopeID).Msg("ack failed")
		return false
	}
	return true
}

// dispatch acks each envelope at once (a modal submission acks with its
// validation result, from the pool) and queues its work (handOff).
func (b *Bot) dispatch(ctx context.Context, evt socketmode.Event) {
	log := &b.log // fields are added only where a line is written
	got := time.Now()
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		// A new connection is opened only once the last one is gone.
		b.connected(false)
		log.Debug().Str("envelope_type", string(evt.Type)).Msg("socket mode")
	case socketmode.EventTypeHello:
		b.connected(true)
		log.Debug().Str("envelope_type", string(evt.Type)).Msg("socket mode")
	case socketmode.EventTypeConnected:
		b.connected(true)
		log.Info().Str("envelope_type", string(evt.Type)).Msg("connected to Slack")
	case socketmode.EventTypeIncomingError:
		// A connection the socket closes on Slack's request or at
		// shutdown reports no read error: this one (a failed read, a
		// missed ping) is a loss.
		b.connected(false)
		b.logConnectionTrouble(evt)
	case socketmode.EventTypeConnectionError:
		b.connected(false)
		b.logConnectionTrouble(evt)
	case socketmode.EventTypeDisconnect:
		b.connected(false)
		log.Info().Str("envelope_type", string(evt.Type)).Msg("Slack asked to reconnect")
	case socketmode.EventTypeErrorBadMessage:
		b.ackMalformed(ctx, evt)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			b.ackAs(ctx, evt.Request, nil, "slash_commands", got)
			log.Warn().Str("envelope_type", string(evt.Type)).Msg("slash command without payload")
			return
		}
		b.slashCommand(ctx, evt.Request, cmd, got)
	case socketmode.EventTypeInteractive:
		b.dispatchInteractive(ctx, evt, got)
	case socketmode.EventTypeEventsAPI:
		retry := 0
		if evt.Request != nil {
			retry = evt.Request.RetryAttempt
		}
		b.handOff(ctx, evt.Request, "events_api", got, func(ctx context.Context) { b.handleEvent(ctx, evt.Data, retry) })
	default:
		// Unknown types are acked and ignored: Slack adds new ones.
		b.ackAs(ctx, evt.Request, nil, "unknown", got)
		log.Debug().Str("envelope_type", string(evt.Type)).Msg("ignored envelope")
	}
}

// connected records whether the Socket Mode connection is up, for /readyz
// and the metrics.
func (b *Bot) connected(up bool) {
	b.up.Store(up)
	b.obs.Connected(up)
}

// slashCommand queues a slash command with its ack held for the answer
// (heldAck). A full pool acks at once, and its grace wait, if any, comes
// after the ack.
func (b *Bot) slashCommand(ctx context.Context, req *socketmode.Request, cmd slack.SlashCommand, got time.Time) {
	held := b.holdAck(ctx, req, got)
	task := func(ctx context.Context) {
		defer held.finish()
		b.handleSlash(ctx, cmd, held.answer)
	}
	if b.offer(b.work, task) {
		return
	}
	held.finish()
	b.submit(ctx, task, func(ctx context.Context) {
		b.reply(ctx, cmd.ResponseURL, cmd.UserID, busyCommand(cmd.Command, cmd.Text))
	})
}

// dispatchInteractive routes a click or a modal submission: a submission
// is acked from the forms pool with its result (submitForm), a click at
// once with its work queued.
func (b *Bot) dispatchInteractive(ctx context.Context, evt socketmode.Event, got time.Time) {
	in, ok := evt.Data.(*socket.Interaction)
	if !ok {
		b.ackAs(ctx, evt.Request, nil, "interactive", got)
		b.log.Warn().Str("envelope_type", string(evt.Type)).Msg("interaction without payload")
		return
	}
	cb := &in.InteractionCallback
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		b.submitForm(ctx, evt.Request, cb, got)
	case slack.InteractionTypeBlockActions:
		b.handOff(ctx, evt.Request, string(cb.Type), got, func(ctx context.Context) { b.handleAction(ctx, in) },
			func(ctx context.Context) { b.reply(ctx, cb.ResponseURL, cb.User.ID, render.Notice(busyNotice)) })
	default:
		b.ackAs(ctx, evt.Request, nil, string(cb.Type), got)
	}
}

// submitForm hands a modal submission to the forms pool, which acks it
// with its validation and save result; a full pool keeps the modal open
// with what was typed and says so. cb is the caller's, shared rather than
// copied: a callback is kilobytes, and its task outlives the call.
func (b *Bot) submitForm(ctx context.Context, req *socketmode.Request, cb *slack.InteractionCallback, got time.Time) {
	task := func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, b.cfg.SubmitTimeout)
		defer cancel()
		defer func() {
			if r := recover(); r != nil {
				// Answer the modal, keeping what was typed, then let
				// runTask log the panic.
				b.ack(ctx, req, fieldErrors(map[string]string{firstInput(cb.View.CallbackID): errSaveFailed}))
				panic(r)
			}
		}()
		b.ackAs(ctx, req, b.handleSubmission(ctx, *cb), "view_submission", got)
	}
	if !b.offer(b.forms, task) {
		// Keep the modal open with what was typed.
		b.obs.Dropped("forms")
		b.ackAs(ctx, req, fieldErrors(map[string]string{firstInput(cb.View.CallbackID): busyNotice}), "view_submission", got)
	}
}

// ackMalformed acks an envelope the socket could not decode, so Slack does not
// deliver it again, and logs it without its body.
func (b *Bot) ackMalformed(ctx context.Context, evt socketmode.Event) {
	bad, _ := evt.Data.(*socketmode.ErrorBadMessage)
	if bad == nil {
		return
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	_ = json.Unmarshal(bad.Message, &env)
	b.log.Warn().Err(bad.Cause).Str("envelope_id", env.EnvelopeID).Str("type", env.Type).Int("bytes", len(bad.Message)).Msg("malformed envelope acked and dropped")
	if env.EnvelopeID != "" {
		b.ackAs(ctx, &socketmode.Request{EnvelopeID: env.EnvelopeID}, nil, "malformed", time.Now())
	}
}
