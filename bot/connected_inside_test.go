package bot

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// TestReadyAcrossAReconnect feeds the bot the connection events of a
// reconnect in the orders the socket delivers them, and checks what
// /readyz would say after each sequence.
func TestReadyAcrossAReconnect(t *testing.T) {
	event := func(typ socketmode.EventType) socketmode.Event { return socketmode.Event{Type: typ} }
	readError := func(err error) socketmode.Event {
		return socketmode.Event{Type: socketmode.EventTypeIncomingError, Data: &slack.IncomingEventError{ErrorObj: err}}
	}
	// What gorilla/websocket returns for a read on a connection the peer
	// reset.
	resetRead := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	up := []socketmode.Event{event(socketmode.EventTypeConnecting), event(socketmode.EventTypeConnected), event(socketmode.EventTypeHello)}
	cases := []struct {
		name   string
		events []socketmode.Event
		ready  bool
	}{
		{"connected", up, true},
		{"Slack asks to reconnect, and the new connection is up",
			append(append(append([]socketmode.Event{}, up...), event(socketmode.EventTypeDisconnect)), up...), true},
		{"the connection is reset", append(append([]socketmode.Event{}, up...), readError(resetRead)), false},
		{"reconnecting", append(append([]socketmode.Event{}, up...), event(socketmode.EventTypeConnecting)), false},
		{"Slack asks to reconnect", append(append([]socketmode.Event{}, up...), event(socketmode.EventTypeDisconnect)), false},
		{"a connection attempt fails", []socketmode.Event{event(socketmode.EventTypeConnecting),
			{Type: socketmode.EventTypeConnectionError, Data: &slack.ConnectionErrorEvent{ErrorObj: errors.New("dial: refused")}}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &Bot{log: zerolog.Nop(), obs: noObserver{}}
			for _, evt := range c.events {
				b.dispatch(t.Context(), evt)
			}
			if b.Connected() != c.ready {
				t.Errorf("Connected() = %v after %d events, want %v", b.Connected(), len(c.events), c.ready)
			}
		})
	}
}
