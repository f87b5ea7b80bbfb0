package slacksim

import (
	"context"
	"slices"
	"time"
)

// AddUser adds or replaces a workspace member.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = &u
	s.broadcast()
}

// SetUserStatus sets the profile status users.info reports for the user.
func (s *Server) SetUserStatus(userID, emoji, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses[userID] = [2]string{emoji, text}
	s.broadcast()
}

// SetStatusExpiration sets when the user's status clears (users.info
// profile.status_expiration); zero for never.
func (s *Server) SetStatusExpiration(userID string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.IsZero() {
		delete(s.statusUntil, userID)
	} else {
		s.statusUntil[userID] = until.Unix()
	}
	s.broadcast()
}

// SetDND snoozes the user's notifications until then (dnd.info); zero ends it.
func (s *Server) SetDND(userID string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dnd[userID] = until
	s.broadcast()
}

// DMChannel is the DM channel id between the bot and the user, as conversations.open returns it.
func (s *Server) DMChannel(userID string) string { return "D" + userID }

// Calls returns every Web API call recorded so far, in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Acks returns every ack received so far (oversized acks, which Slack drops, are not included).
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.acks)
}

// WaitCall returns the first recorded call matching, waiting for one if none has arrived yet.
func (s *Server) WaitCall(ctx context.Context, match func(Call) bool) (Call, error) {
	var found Call
	seen := 0 // calls are append-only, so each is checked once
	err := s.waitFor(ctx, func() bool {
		s.mu.Lock()
		calls := s.calls[seen:len(s.calls):len(s.calls)]
		s.mu.Unlock()
		for _, c := range calls {
			seen++
			if match(c) {
				found = c
				return true
			}
		}
		return false
	})
	return found, err
}

// WaitAcked returns once there are as many acks as envelopes written to
// the bot so far (retries included), or ctx's error: an envelope given up
// on may still be read and acked after the call that sent it returned.
func (s *Server) WaitAcked(ctx context.Context) error {
	return s.waitFor(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.acks) >= s.written
	})
}

// Messages returns the current state of the channel's messages (ephemerals included), in post order.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Channel == channel {
			out = append(out, m.snapshot())
		}
	}
	return out
}

// Mark is a point in the simulator's history. A test takes one before it acts
// and waits for what changed after it, so an older message with the same
// words cannot answer for the bot.
type Mark int64

// Beginning is the Mark before anything happened: waiting since it sees
// every message.
const Beginning Mark = 0

// Mark returns the present point in the simulator's history.
func (s *Server) Mark() Mark {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Mark(s.seq)
}

// WaitMessage returns the first message in any channel, in post order, that was posted or
// changed after since and whose current state matches; it re-checks whenever a message is
// posted or changed.
func (s *Server) WaitMessage(ctx context.Context, since Mark, match func(Message) bool) (Message, error) {
	var found Message
	err := s.waitFor(ctx, func() bool {
		s.mu.Lock()
		all := make([]Message, 0, len(s.messages))
		for _, m := range s.messages {
			if m.changed > int64(since) {
				all = append(all, m.snapshot())
			}
		}
		s.mu.Unlock()
		for _, m := range all {
			if match(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found, err
}

// OpenViews returns the user's modal stack, bottom first.
func (s *Server) OpenViews(userID string) []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []View
	for _, id := range s.stacks[userID] {
		out = append(out, s.views[id].public())
	}
	return out
}

// WaitView returns a modal open for the user that matches, now or once one does.
func (s *Server) WaitView(ctx context.Context, userID string, match func(View) bool) (View, error) {
	var found View
	err := s.waitFor(ctx, func() bool {
		for _, v := range s.OpenViews(userID) {
			if match(v) {
				found = v
				return true
			}
		}
		return false
	})
	return found, err
}

// Home returns the Home tab last published for the user.
func (s *Server) Home(userID string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.homes[userID]
	if !ok {
		return View{}, false
	}
	return s.views[id].public(), true
}

// WaitHome returns the user's Home tab once its latest version matches.
func (s *Server) WaitHome(ctx context.Context, userID string, match func(View) bool) (View, error) {
	var found View
	err := s.waitFor(ctx, func() bool {
		v, ok := s.Home(userID)
		if ok && match(v) {
			found = v
			return true
		}
		return false
	})
	return found, err
}

// Connections is the number of Socket Mode connections currently open.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.conns {
		if c.ready {
			n++
		}
	}
	return n
}
