// Package socket is the bot's Socket Mode connection to Slack. It opens one
// (apps.connections.open, then a WebSocket), keeps one open (a new one when
// Slack asks for it, when Slack's pings stop, or when a read fails), hands
// each envelope to the bot as slack-go's socketmode.Event, and writes acks.
//
// It stands where slack-go's socketmode.Client stood, for the time to answer:
// slack-go decodes each envelope three times (the frame, the envelope, the
// payload) and builds every block of the message a button was on and of a
// submitted form, which the bot never reads from there; and an envelope
// passes three of its goroutines before the bot sees it, an ack one more
// before it is written. Here the frame is read once, into a reused buffer
// and then one copy of its size; the envelope and its payload are decoded
// once each, the payload and a pressed message's blocks left as bytes of
// that copy until asked for (Interaction.MessageBlocks), a form's blocks
// skipped, the callback decoded in place and handed on as a pointer; and an
// ack is written by the goroutine that sends it. A button's envelope takes
// a third of the time to decode and half the memory (BenchmarkDecodeButton).
// Memory counts as time does: what an envelope leaves is collected on the
// bot's one P, and a collection holds up the answers in flight.
//
// Everything else keeps slack-go's shapes: the events, their types and data
// (a connection attempt, its failure, Slack's hello and disconnect, a read
// that failed, a malformed envelope), the Request, and slack.SlashCommand,
// slackevents.EventsAPIEvent and slack.InteractionCallback (in *Interaction)
// as payloads.
package socket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Defaults, as slack-go's: Slack pings every 10 s or so, and a connection
// that heard none for 30 s is taken for dead.
const (
	DefaultPingInterval = 30 * time.Second
	handshakeTimeout    = 45 * time.Second
	writeTimeout        = 10 * time.Second
	// maxAck is Slack's limit on what it reads back: an ack of 20 KB or
	// more is dropped without a word, so it is refused here instead.
	maxAck = 20 << 10
	// readLimit bounds one envelope in memory; Slack's are kilobytes.
	readLimit = 8 << 20
	// writeBuffer holds the largest ack in one frame: Slack does not put
	// continuation frames together.
	writeBuffer = 32 << 10
	firstRetry  = 100 * time.Millisecond
	maxRetry    = 5 * time.Minute
)

// Options tune a Client; the zero value is Slack's defaults.
type Options struct {
	// PingInterval is how long without a ping from Slack means the
	// connection is dead.
	PingInterval time.Duration
	// Dialer dials the WebSocket (tests: a proxy, a fault).
	Dialer *websocket.Dialer
}

// Client is one Socket Mode connection at a time, and the events from it.
type Client struct {
	api    *slack.Client
	opts   Options
	events chan socketmode.Event

	mu      sync.Mutex // serialises writes: gorilla allows one writer
	conn    *websocket.Conn
	stopped bool // RunContext has returned: no connection will come
	// changed is closed when conn changes, for an ack waiting for one.
	changed chan struct{}
}

// New returns a Client that opens connections with api's app-level token.
func New(api *slack.Client, opts Options) *Client {
	if opts.PingInterval <= 0 {
		opts.PingInterval = DefaultPingInterval
	}
	return &Client{api: api, opts: opts, events: make(chan socketmode.Event, 64), changed: make(chan struct{})}
}

// Events is what the connection brings, in the order it came.
func (c *Client) Events() <-chan socketmode.Event { return c.events }

// RunContext connects and reconnects until ctx ends or Slack refuses the
// token, and returns why it stopped.
func (c *Client) RunContext(ctx context.Context) error {
	c.mu.Lock()
	c.stopped = false
	c.mu.Unlock()
	defer c.stop()
	for count := 0; ; count++ {
		conn, info, err := c.connect(ctx, count)
		if err != nil {
			return err
		}
		c.emit(ctx, socketmode.Event{Type: socketmode.EventTypeConnected,
			Data: &socketmode.ConnectedEvent{ConnectionCount: count, Info: info}})
		c.serve(ctx, conn)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// AckCtx acknowledges an envelope, with payload as its answer when not nil.
// With no connection open, or the one it was written to going, it waits
// for the next, until ctx ends, and goes out there, as an ack queued in
// slack-go's client did.
func (c *Client) AckCtx(ctx context.Context, envelopeID string, payload any) error {
	frame, err := ackFrame(envelopeID, payload)
	if err != nil {
		return fmt.Errorf("encode ack: %w", err)
	}
	if len(frame) >= maxAck {
		return fmt.Errorf("ack of %d bytes: Slack drops one of %d or more", len(frame), maxAck)
	}
	var failed *websocket.Conn
	var lastErr error
	for {
		c.mu.Lock()
		conn, changed := c.conn, c.changed
		if c.stopped {
			c.mu.Unlock()
			return ErrStopped
		}
		if conn != nil && conn != failed {
			lastErr = write(conn, frame)
			c.mu.Unlock()
			if lastErr == nil {
				return nil
			}
			failed = conn
		} else {
			c.mu.Unlock()
		}
		select {
		case <-changed:
		case <-ctx.Done():
			if lastErr != nil {
				return fmt.Errorf("write ack: %w", lastErr)
			}
			return fmt.Errorf("ack with no connection to Slack: %w", ctx.Err())
		}
	}
}

// ackFrame is an ack as Slack reads it. A payload already encoded
// (json.RawMessage, as a command's answer is) goes in as it is: encoding/json
// would scan every byte of it again.
func ackFrame(envelopeID string, payload any) ([]byte, error) {
	id, err := json.Marshal(envelopeID)
	if err != nil {
		return nil, err
	}
	var body []byte
	switch p := payload.(type) {
	case nil:
	case json.RawMessage:
		body = p
	default:
		if body, err = json.Marshal(p); err != nil {
			return nil, err
		}
	}
	frame := make([]byte, 0, len(id)+len(body)+32)
	frame = append(frame, `{"envelope_id":`...)
	frame = append(frame, id...)
	if len(body) > 0 && string(body) != "null" {
		frame = append(frame, `,"payload":`...)
		frame = append(frame, body...)
	}
	return append(frame, '}'), nil
}

// ErrStopped is an ack sent once the connection has stopped for good
// (shutdown): none will open to carry it.
var ErrStopped = errors.New("ack after the connection to Slack was closed for good")

// stop fails the acks waiting for a connection: RunContext has returned.
func (c *Client) stop() {
	c.mu.Lock()
	c.stopped = true
	c.mu.Unlock()
	c.setConn(nil)
}

// setConn makes conn the one acks go on (nil: none), and wakes the acks
// waiting for a change.
func (c *Client) setConn(conn *websocket.Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
	close(c.changed)
	c.changed = make(chan struct{})
}

func write(conn *websocket.Conn, frame []byte) error {
	if err := conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	return conn.WriteMessage(websocket.TextMessage, frame)
}

// connect opens a connection, retrying with a doubling wait (at least what
// Slack asks when it rate-limits) until one opens, ctx ends, or Slack
// refuses the token.
func (c *Client) connect(ctx context.Context, count int) (*websocket.Conn, *slack.SocketModeConnection, error) {
	wait := firstRetry
	for attempt := 1; ; attempt++ {
		c.emit(ctx, socketmode.Event{Type: socketmode.EventTypeConnecting,
			Data: &slack.ConnectingEvent{Attempt: attempt, ConnectionCount: count}})
		conn, info, err := c.open(ctx)
		if err == nil {
			return conn, info, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if refusedToken(err) {
			c.emit(ctx, socketmode.Event{Type: socketmode.EventTypeInvalidAuth, Data: &slack.InvalidAuthEvent{}})
			return nil, nil, fmt.Errorf("open a Socket Mode connection: %w", err)
		}
		next := wait
		if limited, ok := errors.AsType[*slack.RateLimitedError](err); ok {
			next = max(next, limited.RetryAfter)
		}
		c.emit(ctx, socketmode.Event{Type: socketmode.EventTypeConnectionError,
			Data: &slack.ConnectionErrorEvent{Attempt: attempt, Backoff: next, ErrorObj: err}})
		timer := time.NewTimer(next)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, nil, ctx.Err()
		}
		wait = min(wait*2, maxRetry)
	}
}

// refusedToken says whether retrying cannot help: the token is wrong,
// revoked or of an inactive account.
func refusedToken(err error) bool {
	switch err.Error() {
	case "invalid_auth", "account_inactive", "not_authed", "token_revoked":
		return true
	}
	code, ok := errors.AsType[slack.StatusCodeError](err)
	return ok && code.Code == http.StatusNotFound
}

// open asks Slack for a connection URL and dials it.
func (c *Client) open(ctx context.Context) (*websocket.Conn, *slack.SocketModeConnection, error) {
	info, url, err := c.api.StartSocketModeContext(ctx)
	if err != nil {
		return nil, nil, err
	}
	dialer := c.opts.Dialer
	if dialer == nil {
		dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: handshakeTimeout, WriteBufferSize: writeBuffer}
	}
	header := http.Header{}
	header.Add("Origin", "https://api.slack.com")
	conn, resp, err := dialer.DialContext(ctx, url, header)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("dial the Socket Mode URL: %w", err)
	}
	conn.SetReadLimit(readLimit)
	return conn, info, nil
}

// serve reads envelopes from conn until Slack asks for a new connection,
// its pings stop, a read fails, or ctx ends; conn is closed on return.
func (c *Client) serve(ctx context.Context, conn *websocket.Conn) {
	var closing atomic.Bool // this side closed conn: its read error is no loss
	var lastPing atomic.Int64
	lastPing.Store(time.Now().UnixNano())
	conn.SetPingHandler(func(data string) error {
		lastPing.Store(time.Now().UnixNano())
		// WriteControl may run beside WriteMessage (gorilla allows it).
		if err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout)); err != nil &&
			!errors.Is(err, websocket.ErrCloseSent) {
			return err
		}
		return nil
	})
	c.setConn(conn)
	done := make(chan struct{})
	var watch sync.WaitGroup
	watch.Go(func() { c.watch(ctx, conn, &closing, &lastPing, done) })
	defer func() {
		c.setConn(nil)
		closing.Store(true)
		_ = conn.Close()
		close(done)
		watch.Wait()
	}()
	var buf bytes.Buffer
	for {
		frame, err := readFrame(conn, &buf)
		if err != nil {
			if !closing.Load() && ctx.Err() == nil {
				c.emit(ctx, socketmode.Event{Type: socketmode.EventTypeIncomingError, Data: &slack.IncomingEventError{ErrorObj: err}})
			}
			return
		}
		if c.handle(ctx, frame) == errDisconnect {
			return
		}
	}
}

// watch closes conn when ctx ends or Slack's pings stop, which ends the
// read in serve.
func (c *Client) watch(ctx context.Context, conn *websocket.Conn, closing *atomic.Bool, lastPing *atomic.Int64, done <-chan struct{}) {
	tick := time.NewTicker(c.opts.PingInterval / 2)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
		case now := <-tick.C:
			if now.Sub(time.Unix(0, lastPing.Load())) <= c.opts.PingInterval {
				continue
			}
			c.emit(ctx, socketmode.Event{Type: socketmode.EventTypeIncomingError, Data: &slack.IncomingEventError{
				ErrorObj: fmt.Errorf("no ping from Slack for more than %s", c.opts.PingInterval)}})
		}
		closing.Store(true)
		_ = conn.Close()
		return
	}
}

// readFrame reads the next message through buf, which grows to the largest
// envelope once and is reused, and returns a copy of exactly the message's
// length: what is decoded from it keeps parts of it (rawJSON). Gorilla's
// ReadMessage grows a new buffer for each message, about twice the
// envelope's size in garbage.
func readFrame(conn *websocket.Conn, buf *bytes.Buffer) ([]byte, error) {
	_, r, err := conn.NextReader()
	if err != nil {
		return nil, err
	}
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// errDisconnect ends a connection Slack asked to replace.
var errDisconnect = errors.New("disconnect: Slack asked for a new connection")

// handle decodes one envelope and hands it on; a malformed one goes on as
// socketmode.EventTypeErrorBadMessage, for the bot to ack by its id.
func (c *Client) handle(ctx context.Context, frame []byte) error {
	req, err := decodeEnvelope(frame)
	if err != nil {
		c.bad(ctx, frame, err)
		return nil
	}
	evt, err := decode(req)
	if err != nil {
		c.bad(ctx, frame, err)
		return nil
	}
	c.emit(ctx, evt)
	if evt.Type == socketmode.EventTypeDisconnect {
		return errDisconnect
	}
	return nil
}

func (c *Client) bad(ctx context.Context, frame []byte, err error) {
	c.emit(ctx, socketmode.Event{Type: socketmode.EventTypeErrorBadMessage,
		Data: &socketmode.ErrorBadMessage{Cause: err, Message: frame}})
}

// rawJSON is JSON kept as the bytes of the frame it was decoded from, where
// json.RawMessage copies them: a frame is read into memory of its own
// (readFrame) and never written again, so its parts stay as they came.
type rawJSON []byte

func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = b
	return nil
}

// envelope decodes a socketmode.Request with its payload left in the frame:
// a field of the outer struct hides the embedded one of the same JSON name.
type envelope struct {
	*socketmode.Request
	Payload rawJSON `json:"payload"`
}

// decodeEnvelope is the request a frame holds; its payload is part of the
// frame.
func decodeEnvelope(frame []byte) (*socketmode.Request, error) {
	req := &socketmode.Request{}
	env := envelope{Request: req}
	if err := json.Unmarshal(frame, &env); err != nil {
		return nil, fmt.Errorf("decode envelope: %w", err)
	}
	req.Payload = json.RawMessage(env.Payload)
	return req, nil
}

// decode is the event an envelope brings.
func decode(req *socketmode.Request) (socketmode.Event, error) {
	evt := socketmode.Event{Type: socketmode.EventType(req.Type), Request: req}
	switch req.Type {
	case socketmode.RequestTypeHello, socketmode.RequestTypeDisconnect:
	case socketmode.RequestTypeEventsAPI:
		e, err := slackevents.ParseEvent(req.Payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			return evt, fmt.Errorf("decode Events API event: %w", err)
		}
		evt.Data = e
	case socketmode.RequestTypeSlashCommands:
		var cmd slack.SlashCommand
		if err := json.Unmarshal(req.Payload, &cmd); err != nil {
			return evt, fmt.Errorf("decode slash command: %w", err)
		}
		evt.Data = cmd
	case socketmode.RequestTypeInteractive:
		in, err := decodeInteraction(req.Payload)
		if err != nil {
			return evt, fmt.Errorf("decode interaction: %w", err)
		}
		evt.Data = in
	default:
		return evt, fmt.Errorf("envelope of unknown type %q", req.Type)
	}
	return evt, nil
}

func (c *Client) emit(ctx context.Context, evt socketmode.Event) {
	select {
	case c.events <- evt:
	case <-ctx.Done():
	}
}
