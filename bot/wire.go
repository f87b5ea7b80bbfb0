package bot

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"pipelinecoach/bot/sender"
	"pipelinecoach/bot/socket"
	"pipelinecoach/coach"
)

// Setup is everything a running Pipeline Coach is made of. cmd/pipelinecoach
// fills it from the environment; tests, the demo and benchmarks fill it
// with a simulator, a fake clock and a tick channel.
type Setup struct {
	Config   Config
	APIURL   string // ends with "/"
	AppToken string
	BotToken string
	Store    coach.Store
	Clock    coach.Clock
	Timing   coach.Timing
	// Tick paces the scheduler; nil means every second of real time.
	Tick   <-chan time.Time
	Sender sender.Options
	Log    zerolog.Logger
	// Lease is how long a claimed job is held; zero keeps coach's default.
	Lease time.Duration
	// PingInterval is how long the Socket Mode connection waits for
	// Slack's websocket ping before it drops the connection and
	// reconnects; zero keeps socket.DefaultPingInterval (30 s).
	PingInterval time.Duration
	// Holidays are the workspace's holidays (HOLIDAYS); Defaults fill new
	// teams (DEFAULT_TIMEZONE, QUALIFICATION_FRAMEWORK).
	Holidays []string
	Defaults coach.TeamDefaults
	// CRM, when set, receives every opportunity (CRM=hubspot|salesforce);
	// CRMPull is how often its deals are read back (CRM_PULL).
	CRM     coach.CRM
	CRMPull time.Duration
	// Calendar reads reps' calendars; a nil Source leaves logging manual.
	// Its Mailboxes are the bot's (the email in each Slack profile).
	Calendar coach.CalendarSettings
}

// Runtime is a wired bot and scheduler, ready to run.
type Runtime struct {
	Bot       *Bot
	Service   *coach.Service
	Scheduler *coach.Scheduler
	Sender    *sender.Sender
	Socket    *socket.Client
}

// Assemble wires a Runtime; nothing runs until Run.
func Assemble(s Setup) *Runtime {
	cfg := s.Config
	cfg.defaults()
	api := slack.New(s.BotToken, slack.OptionAppLevelToken(s.AppToken), slack.OptionAPIURL(s.APIURL),
		slack.OptionHTTPClient(webClient(cfg.Workers+cfg.FormWorkers+schedulerCalls)))
	sm := socket.New(api, socket.Options{PingInterval: s.PingInterval})
	out := sender.New(api, s.Log, s.Sender)
	notify := Notifier{Slack: out, Celebrations: s.Config.CelebrationChannel, Status: s.Store, Log: s.Log.With().Str("component", "notifier").Logger()}
	svc := coach.NewService(s.Store, notify, s.Clock, s.Timing)
	svc.Presence = NewPresence(out, s.Clock.Now)
	svc.Holidays = s.Holidays
	if s.Defaults.TZ != "" {
		svc.TeamDefaults.TZ = s.Defaults.TZ
	}
	if s.Defaults.Framework != "" {
		svc.TeamDefaults.Framework = s.Defaults.Framework
	}
	if s.Lease > 0 {
		svc.Lease = s.Lease
	}
	tick := s.Tick
	if tick == nil {
		tick = time.NewTicker(time.Second).C
	}
	schedLog := s.Log.With().Str("component", "scheduler").Logger()
	sched := &coach.Scheduler{Service: svc, Tick: tick, OnRun: func(n int, err error) {
		if err != nil {
			schedLog.Error().Err(err).Int("jobs", n).Msg("scheduler run failed")
		} else if n > 0 {
			schedLog.Debug().Int("jobs", n).Msg("scheduler run")
		}
	}}
	b := New(s.Config, svc, s.Store, out, sm, s.Log.With().Str("component", "bot").Logger())
	dir := b.useDirectory(coach.NewDirectory(s.Store, s.Clock), out)
	svc.Members = dir
	if p, ok := svc.Presence.(*Presence); ok {
		p.Members = dir
	}
	if s.CRM != nil {
		svc.CRM, svc.Emails, svc.CRMNotify, svc.CRMPull = s.CRM, b.users, notify, s.CRMPull
	}
	if s.Calendar.Source != nil {
		svc.Calendar = s.Calendar
		svc.Calendar.Mailboxes = b.users
		calLog := s.Log.With().Str("component", "calendar").Logger()
		onRead := s.Calendar.OnRead
		svc.Calendar.OnRead = func(c coach.CalendarSync, ch coach.CalendarChanges, err error) {
			logCalendarRead(calLog, c, ch, err)
			if onRead != nil {
				onRead(c, ch, err)
			}
		}
	}
	return &Runtime{Bot: b, Service: svc, Scheduler: sched, Sender: out, Socket: sm}
}

// schedulerCalls is room for the scheduler's Web API calls in webClient.
const schedulerCalls = 8

// webClient is the HTTP client of every Web API call and response_url
// post. Go's default transport keeps two idle connections per host: with
// workers calling Slack at once, every call beyond two opened a new
// connection (a TLS handshake, against slack.com) and closed it after, 500
// of them in TIME_WAIT at 200 envelopes a second. It keeps as many as can
// be in use at once.
func webClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = conns
	t.MaxIdleConns = max(t.MaxIdleConns, conns)
	return &http.Client{Transport: t}
}

// Run runs the bot and the scheduler until ctx ends.
func (r *Runtime) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { r.Scheduler.Run(ctx) })
	err := r.Bot.Run(ctx)
	wg.Wait()
	return err
}
