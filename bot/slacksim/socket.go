package slacksim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// conn is one Socket Mode websocket.
type conn struct {
	ws        *websocket.Conn
	writeMu   sync.Mutex    // gorilla allows one writer at a time
	done      chan struct{} // closed when the reader has stopped and the conn is unregistered
	closeOnce sync.Once
	ready     bool // hello sent; guarded by Server.mu
}

// write sends one JSON text frame.
// write sends v as one text frame and returns when it started to (after
// encoding, and after any write ahead of it on this connection).
func (c *conn) write(v any) (time.Time, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return time.Time{}, err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	start := time.Now()
	_ = c.ws.SetWriteDeadline(start.Add(5 * time.Second))
	return start, c.ws.WriteMessage(websocket.TextMessage, b)
}

// close drops the TCP connection without a close frame; the reader then unregisters it.
func (c *conn) close() { c.closeOnce.Do(func() { _ = c.ws.Close() }) }

// envelope is what Slack sends over Socket Mode.
type envelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	Payload                json.RawMessage `json:"payload"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

// pending is an envelope waiting for its ack.
type pending struct{ ack chan Ack }

func (s *Server) handleSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket]
	delete(s.tickets, ticket) // a ticket opens one connection
	s.mu.Unlock()
	if !valid {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	up := websocket.Upgrader{
		// slack-go sends Origin: https://api.slack.com, which is not this host.
		CheckOrigin: func(*http.Request) bool { return true },
	}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &conn{ws: ws, done: make(chan struct{})}

	s.mu.Lock()
	if s.ctx.Err() != nil {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	// Registering under s.mu, before Close has cancelled, keeps wg.Add ahead of wg.Wait.
	s.wg.Add(1)
	defer s.wg.Done()
	tooMany := len(s.conns) >= maxConns
	if !tooMany {
		s.conns = append(s.conns, c)
	}
	n := len(s.conns)
	s.mu.Unlock()

	if tooMany {
		_, _ = c.write(map[string]any{"type": "disconnect", "reason": "too_many_websockets",
			"debug_info": map[string]any{"host": "applink-sim"}})
		_ = ws.Close()
		return
	}
	hello := map[string]any{
		"type":            "hello",
		"num_connections": n,
		"debug_info":      map[string]any{"host": "applink-sim", "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": appID},
	}
	if _, err := c.write(hello); err == nil {
		s.mu.Lock()
		c.ready = true // only now may envelopes go to it: hello comes first
		s.broadcast()
		s.mu.Unlock()
	}
	s.wg.Go(func() { s.ping(c) })
	s.read(c)

	s.mu.Lock()
	s.conns = slicesDelete(s.conns, c)
	close(c.done)
	s.broadcast()
	s.mu.Unlock()
}

func slicesDelete(conns []*conn, c *conn) []*conn {
	out := conns[:0]
	for _, x := range conns {
		if x != c {
			out = append(out, x)
		}
	}
	return out
}

// read handles the client's acks until the connection ends.
func (s *Server) read(c *conn) {
	defer c.close()
	s.wg.Go(func() {
		// Close must end a reader blocked on a silent connection.
		select {
		case <-s.ctx.Done():
			c.close()
		case <-c.done:
		}
	})
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		received := arrivalOf(c.ws.NetConn())
		if len(data) >= maxAckBytes {
			continue // Slack drops oversized acks without a word: the envelope stays unacked
		}
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			continue
		}
		ack := Ack{EnvelopeID: a.EnvelopeID, Received: received}
		if len(a.Payload) > 0 && string(a.Payload) != "null" {
			ack.Payload = a.Payload
		}
		s.pendingMu.Lock()
		if p := s.pending[ack.EnvelopeID]; p != nil {
			select {
			case p.ack <- ack:
			default: // already acked; a duplicate ack changes nothing
			}
		}
		s.pendingMu.Unlock()
		s.mu.Lock()
		s.acks = append(s.acks, ack)
		s.broadcast()
		s.mu.Unlock()
	}
}

// ping sends websocket pings, as Slack does; slack-go reconnects when they stop.
func (s *Server) ping(c *conn) {
	t := time.NewTicker(s.cfg.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.mu.Lock()
			stop := s.stopPings
			s.mu.Unlock()
			if !stop {
				_ = c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second))
			}
		}
	}
}

func (s *Server) readyConns() []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*conn
	for _, c := range s.conns {
		if c.ready {
			out = append(out, c)
		}
	}
	return out
}

// pickConn returns a random ready connection, as Slack spreads envelopes over an app's
// connections, waiting for one to appear.
func (s *Server) pickConn(ctx context.Context) (*conn, error) {
	var picked *conn
	err := s.waitFor(ctx, func() bool {
		ready := s.readyConns()
		if len(ready) == 0 {
			return false
		}
		s.mu.Lock()
		picked = ready[s.rng.IntN(len(ready))]
		s.mu.Unlock()
		return true
	})
	if err != nil && !errors.Is(err, ErrClosed) {
		return nil, fmt.Errorf("%w: %w", ErrNoConnection, err)
	}
	return picked, err
}

// deliver sends env to one client and waits for its ack. An events_api envelope that is not
// acked in time is sent again (retry_attempt+1, retry_reason "timeout") up to the configured
// retries; any envelope whose connection drops before its ack is sent again on another one.
// Redeliveries keep the envelope id, so a late ack to an earlier attempt still counts.
func (s *Server) deliver(ctx context.Context, env envelope) (Ack, error) {
	p := &pending{ack: make(chan Ack, 1)}
	s.pendingMu.Lock()
	s.pending[env.EnvelopeID] = p
	s.pendingMu.Unlock()
	defer func() {
		s.pendingMu.Lock()
		delete(s.pending, env.EnvelopeID)
		s.pendingMu.Unlock()
	}()

	timeouts := 0
	for {
		c, err := s.pickConn(ctx)
		if err != nil {
			return Ack{}, err
		}
		sent, err := c.write(env)
		if err == nil {
			s.mu.Lock()
			s.written++
			s.mu.Unlock()
		}
		if err != nil {
			c.close()
			select {
			case <-c.done: // wait until it is unregistered, or it would be picked again
			case <-s.ctx.Done():
				return Ack{}, ErrClosed
			}
			continue
		}
		timer := time.NewTimer(s.cfg.ackTimeout)
		select {
		case a := <-p.ack:
			timer.Stop()
			a.Sent = sent
			return a, nil
		case <-c.done:
			timer.Stop()
			select {
			case a := <-p.ack: // acked just before the connection went
				a.Sent = sent
				return a, nil
			default:
			}
			if env.Type == "events_api" {
				env.RetryAttempt++
				env.RetryReason = "connection_lost"
			}
		case <-timer.C:
			if env.Type != "events_api" || timeouts >= s.cfg.eventRetries {
				return Ack{}, fmt.Errorf("%w: %s %s within %s", ErrNoAck, env.Type, env.EnvelopeID, s.cfg.ackTimeout)
			}
			timeouts++
			env.RetryAttempt++
			env.RetryReason = "timeout"
		case <-ctx.Done():
			timer.Stop()
			return Ack{}, ctx.Err()
		case <-s.ctx.Done():
			timer.Stop()
			return Ack{}, ErrClosed
		}
	}
}
