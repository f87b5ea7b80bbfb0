// Package slacksim is a local Slack: the Web API over HTTP and Socket Mode over a websocket,
// good enough for the real slack-go client to connect to. End-to-end tests, the demo and
// benchmarks drive it like a user would (Slash, Click, Submit, DM, OpenHome) and observe what
// the bot did (Calls, Messages, views), with faults (disconnects, failing methods, rate limits)
// injected on demand. A test takes a Mark before it acts and waits for messages posted or
// changed after it (WaitMessage), so an older message with the same words never answers.
package slacksim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	// Users carry IANA time zones; embedding the database keeps users.info correct on hosts
	// without /usr/share/zoneinfo (slim containers).
	_ "time/tzdata"
)

const (
	appID        = "A0SIM"
	botUserID    = "U0BOT"
	botID        = "B0BOT"
	botName      = "pipelinecoach"
	command      = "/pipeline"
	generalID    = "C0GENERAL"
	triggerTTL   = 3 * time.Second
	maxConns     = 10
	maxAckBytes  = 20 * 1024
	maxTextChars = 40000
)

// ErrClosed is returned by waits and drivers once the simulator is closed.
var ErrClosed = errors.New("slacksim: closed")

// ErrNoConnection is returned by a driver when no Socket Mode client connected in time.
var ErrNoConnection = errors.New("slacksim: no socket mode connection")

// ErrNoAck is returned by a driver when the envelope was not acked within the ack timeout
// (after any redeliveries).
var ErrNoAck = errors.New("slacksim: envelope not acked")

type config struct {
	teamID, domain string
	pingInterval   time.Duration
	ackTimeout     time.Duration
	eventRetries   int
	limits         *RateLimits
	now            func() time.Time
	noData         bool // WithoutDataBlocks
}

// Option configures a Server.
type Option func(*config)

// WithTeam sets the workspace id and domain (default "T0SIM", "sim").
func WithTeam(teamID, domain string) Option {
	return func(c *config) { c.teamID, c.domain = teamID, domain }
}

// WithPingInterval sets how often the server sends websocket ping frames (default 5s).
func WithPingInterval(d time.Duration) Option { return func(c *config) { c.pingInterval = d } }

// WithAckTimeout sets how long the simulated Slack waits for an ack (default 3s).
func WithAckTimeout(d time.Duration) Option { return func(c *config) { c.ackTimeout = d } }

// WithEventRetries sets how many times an unacked events_api envelope is redelivered (default 3).
func WithEventRetries(n int) Option { return func(c *config) { c.eventRetries = n } }

// WithRateLimits turns on rate limiting (off by default).
func WithRateLimits(l RateLimits) Option { return func(c *config) { c.limits = &l } }

// WithClock sets the simulator's clock, used for trigger_id expiry, event times and the At of
// recorded calls. Rate limiting always uses the real clock so benchmarks see real throughput.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Server is a running simulator. All methods are safe for concurrent use.
type Server struct {
	cfg     config
	ln      net.Listener
	http    *http.Server
	baseURL string
	limiter atomic.Pointer[limiter] // nil: no rate limits
	// onAnswer, when set, hears of every answer (answers.go).
	onAnswer atomic.Pointer[func(Answer)]

	ctx    context.Context // cancelled by Close; ends every goroutine and wait
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// pendingMu guards pending alone, so an ack reaches the envelope waiting
	// for it without queueing behind s.mu (held by Web API calls and
	// drivers): latency measured through the simulator is the client's.
	pendingMu sync.Mutex
	pending   map[string]*pending

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every state change, to wake waiters
	rng     *rand.Rand
	seq     int64 // source of ids and timestamps, so runs are reproducible

	users       map[string]*User
	usersListed int                  // users.list pages served
	statuses    map[string][2]string // user id → emoji, text
	statusUntil map[string]int64     // user id → status expiration (Unix s)
	dnd         map[string]time.Time // user id → snoozed until
	seen        map[string]bool      // users that acted through a driver (they have a DM channel)
	channels    map[string]channel
	messages    []*message
	byTS        map[string]*message // channel + "/" + ts
	calls       []Call
	acks        []Ack
	written     int // envelopes written to a connection, retries included
	faults      map[string][]Fault
	triggers    map[string]trigger
	responses   map[string]responseTarget
	views       map[string]*view // by view id
	stacks      map[string][]string
	homes       map[string]string // user id → home view id
	tickets     map[string]bool
	conns       []*conn
	stopPings   bool
}

type channel struct {
	name   string
	member bool
}

type trigger struct {
	user   string
	issued time.Time
}

// New starts a simulator on 127.0.0.1:0 with one workspace.
func New(opts ...Option) *Server {
	cfg := config{
		teamID:       "T0SIM",
		domain:       "sim",
		pingInterval: 5 * time.Second,
		ackTimeout:   3 * time.Second,
		eventRetries: 3,
		now:          time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("slacksim: listen: %v", err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg:         cfg,
		ln:          ln,
		baseURL:     "http://" + ln.Addr().String(),
		ctx:         ctx,
		cancel:      cancel,
		changed:     make(chan struct{}),
		rng:         rand.New(rand.NewPCG(1, 2)),
		users:       map[string]*User{},
		statuses:    map[string][2]string{},
		statusUntil: map[string]int64{},
		dnd:         map[string]time.Time{},
		seen:        map[string]bool{},
		channels:    map[string]channel{generalID: {name: "general", member: true}},
		faults:      map[string][]Fault{},
		byTS:        map[string]*message{},
		triggers:    map[string]trigger{},
		responses:   map[string]responseTarget{},
		views:       map[string]*view{},
		stacks:      map[string][]string{},
		homes:       map[string]string{},
		tickets:     map[string]bool{},
		pending:     map[string]*pending{},
	}
	if cfg.limits != nil {
		s.limiter.Store(newLimiter(*cfg.limits))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{method}", s.handleAPI)
	mux.HandleFunc("GET /api/{method}", s.handleAPI)
	mux.HandleFunc("POST /response/{id}", s.handleResponseURL)
	mux.HandleFunc("GET /link/", s.handleSocket)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) }}
	s.wg.Go(func() { _ = s.http.Serve(listenForArrivals(ln)) })
	return s
}

// APIURL is the Web API base URL, ending in "/" as slack-go requires.
func (s *Server) APIURL() string { return s.baseURL + "/api/" }

// AppToken is the app-level token apps.connections.open requires.
func (s *Server) AppToken() string { return "xapp-1-" + appID + "-" + s.cfg.domain }

// BotToken is the bot token every other Web API method requires.
func (s *Server) BotToken() string { return "xoxb-sim-" + s.cfg.teamID }

// BotUserID is the bot's user id.
func (s *Server) BotUserID() string { return botUserID }

// TeamID is the workspace id.
func (s *Server) TeamID() string { return s.cfg.teamID }

// Close stops the server, ends every connection and waits for its goroutines.
func (s *Server) Close() {
	s.cancel()
	_ = s.http.Close() // hijacked websocket connections are not closed by this
	s.mu.Lock()
	for _, c := range s.conns {
		c.close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// AddChannel makes a public channel known; member says whether the bot is in it.
func (s *Server) AddChannel(id, name string, member bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = channel{name: name, member: member}
}

// broadcast wakes every waiter. Callers hold s.mu.
func (s *Server) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// nextID returns a fresh, reproducible sequence number. Callers hold s.mu.
func (s *Server) nextID() int64 {
	s.seq++
	return s.seq
}

// waitFor re-runs check after every state change until it reports done or ctx ends.
// check runs without s.mu so it may call any exported method; snapshot state inside it.
func (s *Server) waitFor(ctx context.Context, check func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if check() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.ctx.Done():
			return ErrClosed
		}
	}
}
