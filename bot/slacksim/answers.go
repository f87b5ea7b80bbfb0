package slacksim

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"
)

// Answer is something the bot showed one person: a slash command's ack
// carrying a message, a post to a response_url of theirs, a message in
// their DM, their App Home published.
type Answer struct {
	User   string
	Method string // "ack", "response_url", "chat.postMessage" or "views.publish"
	// At is when the bot had posted it: when the whole request had
	// arrived, on the real clock, like an ack's Received (on Linux the
	// kernel's receive time of its last bytes: arrival_linux.go). What the
	// simulator does with it next (reading every block, checking it
	// against Slack's rules, storing it) is Slack's part, not the bot's,
	// and costs a rich message far more here than a one-word reply.
	At time.Time
}

// OnAnswer sets a function called with every answer the simulator took
// (nil for none), once it has, for benchmarks that time answers rather
// than acks. It is called outside the simulator's lock and must be quick.
func (s *Server) OnAnswer(fn func(Answer)) {
	if fn == nil {
		s.onAnswer.Store(nil)
		return
	}
	s.onAnswer.Store(&fn)
}

// answered tells OnAnswer about a call that showed something to a person.
func (s *Server) answered(call *Call) {
	fn := s.onAnswer.Load()
	if fn == nil || call.Error != "" || call.Status >= 300 {
		return
	}
	user := call.to
	switch call.Method {
	case "chat.postMessage":
		ch := call.Params.Get("channel")
		if u, ok := strings.CutPrefix(ch, "D"); ok {
			ch = u
		}
		if strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
			user = ch
		}
	case "views.publish":
		var body struct {
			UserID string `json:"user_id"`
		}
		_ = json.Unmarshal(call.Body, &body)
		user = body.UserID
	}
	if user != "" {
		(*fn)(Answer{User: user, Method: call.Method, At: call.in})
	}
}

// answeredInAck tells OnAnswer about a slash command's answer carried in
// its ack, received at at.
func (s *Server) answeredInAck(user string, at time.Time) {
	if fn := s.onAnswer.Load(); fn != nil {
		(*fn)(Answer{User: user, Method: "ack", At: at})
	}
}

// connKey keys the connection a request came on in its context.
type connKey struct{}

// arrival is when the bytes last read of r's connection arrived (after
// its body is read: when the whole request had).
func arrival(r *http.Request) time.Time {
	c, _ := r.Context().Value(connKey{}).(net.Conn)
	return arrivalOf(c)
}
