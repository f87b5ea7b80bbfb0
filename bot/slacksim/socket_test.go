package slacksim

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func TestHelloAndConnect(t *testing.T) {
	hellos := make(chan socketmode.Request, 1)
	sim, b := start(t, func(_ *socketmode.Client, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeHello {
			hellos <- *evt.Request
		}
	})
	select {
	case h := <-hellos:
		if h.NumConnections != 1 || h.ConnectionInfo.AppID != appID || h.DebugInfo.Host == "" {
			t.Errorf("hello = %+v", h)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no hello")
	}
	res, err := b.api.AuthTest()
	if err != nil {
		t.Fatalf("AuthTest: %v", err)
	}
	if res.UserID != sim.BotUserID() || res.TeamID != sim.TeamID() || res.BotID != botID {
		t.Errorf("auth.test = %+v", res)
	}
}

func TestSlashRoundTrip(t *testing.T) {
	cmds := make(chan slack.SlashCommand, 1)
	sim, _ := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			cmds <- cmd
			_ = sm.Ack(*evt.Request, map[string]any{"text": "working on " + cmd.Text})
		}
	})
	answers := make(chan Answer, 1)
	sim.OnAnswer(func(a Answer) { answers <- a })
	ack, err := sim.Slash(testCtx(t), "U1", "add acme")
	if err != nil {
		t.Fatalf("Slash: %v", err)
	}
	if string(ack.Payload) != `{"text":"working on add acme"}` || ack.Error != "" {
		t.Errorf("ack = %s (%q)", ack.Payload, ack.Error)
	}
	// The ack's message is an answer, timed when the ack came.
	if a := <-answers; a.Method != "ack" || a.User != "U1" || !a.At.Equal(ack.Received) {
		t.Errorf("answer %+v, want U1's in the ack, at %s", a, ack.Received)
	}
	cmd := <-cmds
	if cmd.Command != "/pipeline" || cmd.ChannelID != generalID || cmd.UserID != "U1" ||
		cmd.TriggerID == "" || cmd.ResponseURL == "" || cmd.TeamID != sim.TeamID() {
		t.Errorf("slash command = %+v", cmd)
	}
	msgs := sim.Messages(generalID)
	if len(msgs) != 1 || !msgs[0].Ephemeral || msgs[0].ToUser != "U1" || msgs[0].Text != "working on add acme" {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestEventsRedeliveredUntilAcked(t *testing.T) {
	type delivery struct {
		attempt int
		reason  string
		eventID string
	}
	var mu sync.Mutex
	var got []delivery
	sim, _ := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeEventsAPI {
			return
		}
		ev := evt.Data.(slackevents.EventsAPIEvent)
		cb := ev.Data.(*slackevents.EventsAPICallbackEvent)
		mu.Lock()
		got = append(got, delivery{evt.Request.RetryAttempt, evt.Request.RetryReason, cb.EventID})
		n := len(got)
		mu.Unlock()
		if n == 3 { // ignore the first two deliveries
			_ = sm.Ack(*evt.Request)
		}
	}, WithAckTimeout(100*time.Millisecond), WithEventRetries(3))

	if _, err := sim.DM(testCtx(t), "U1", "hello"); err != nil {
		t.Fatalf("DM: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("deliveries = %+v", got)
	}
	for i, d := range got {
		wantReason := "timeout"
		if i == 0 {
			wantReason = ""
		}
		if d.attempt != i || d.reason != wantReason || d.eventID != got[0].eventID {
			t.Errorf("delivery %d = %+v", i, d)
		}
	}
}

func TestUnackedEventGivesUp(t *testing.T) {
	var mu sync.Mutex
	n := 0
	sim, _ := start(t, func(_ *socketmode.Client, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeEventsAPI {
			mu.Lock()
			n++
			mu.Unlock()
		}
	}, WithAckTimeout(50*time.Millisecond), WithEventRetries(2))
	_, err := sim.OpenHome(testCtx(t), "U1")
	if !errors.Is(err, ErrNoAck) {
		t.Fatalf("OpenHome err = %v, want ErrNoAck", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if n != 3 {
		t.Errorf("deliveries = %d, want 1 + 2 retries", n)
	}
}

func TestDisconnectReconnects(t *testing.T) {
	connected := make(chan int, 4)
	sim, _ := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		if c, ok := evt.Data.(*socketmode.ConnectedEvent); ok {
			connected <- c.ConnectionCount
		}
		ackAll(sm, evt)
	})
	if n := <-connected; n != 0 {
		t.Fatalf("first connection count = %d", n)
	}
	sim.Disconnect("refresh_requested")
	select {
	case n := <-connected:
		if n != 1 {
			t.Errorf("connection count after disconnect = %d, want 1", n)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("client did not reconnect")
	}
	if _, err := sim.Slash(testCtx(t), "U1", "still there?"); err != nil {
		t.Errorf("Slash after reconnect: %v", err)
	}
}

func TestDroppedConnectionRedeliversUnacked(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	first := make(chan struct{})
	sim, _ := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		if evt.Type != socketmode.EventTypeSlashCommand {
			return
		}
		mu.Lock()
		seen = append(seen, evt.Request.EnvelopeID)
		n := len(seen)
		mu.Unlock()
		if n == 1 {
			close(first) // leave it unacked; the test drops the connection
			return
		}
		_ = sm.Ack(*evt.Request)
	}, WithAckTimeout(2*time.Second))

	go func() {
		<-first
		sim.DropConnections()
	}()
	if _, err := sim.Slash(testCtx(t), "U1", "x"); err != nil {
		t.Fatalf("Slash: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || seen[0] != seen[1] {
		t.Errorf("deliveries = %v, want the same envelope twice", seen)
	}
}

func TestOversizedAckIsDropped(t *testing.T) {
	sim := New(WithAckTimeout(200 * time.Millisecond))
	defer sim.Close()
	ws := dialRaw(t, sim)

	type result struct {
		ack Ack
		err error
	}
	done := make(chan result, 1)
	go func() {
		a, err := sim.Slash(testCtx(t), "U1", "x")
		done <- result{a, err}
	}()
	var env envelope
	if err := ws.ReadJSON(&env); err != nil {
		t.Fatalf("read envelope: %v", err)
	}
	big := map[string]any{"envelope_id": env.EnvelopeID, "payload": map[string]string{"text": strings.Repeat("x", maxAckBytes)}}
	if err := ws.WriteJSON(big); err != nil {
		t.Fatalf("write ack: %v", err)
	}
	if r := <-done; !errors.Is(r.err, ErrNoAck) {
		t.Fatalf("Slash = %+v, want ErrNoAck for a dropped 20 KB ack", r)
	}
	if n := len(sim.Acks()); n != 0 {
		t.Errorf("recorded %d acks, want 0", n)
	}
}

// dialRaw connects a bare websocket client and reads the hello.
func dialRaw(t *testing.T, sim *Server) *websocket.Conn {
	t.Helper()
	api := slack.New(sim.BotToken(), slack.OptionAppLevelToken(sim.AppToken()), slack.OptionAPIURL(sim.APIURL()))
	_, url, err := api.StartSocketModeContext(testCtx(t))
	if err != nil {
		t.Fatalf("apps.connections.open: %v", err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = ws.Close() })
	var hello socketmode.Request
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("hello = %+v, %v", hello, err)
	}
	return ws
}

func TestNoConnection(t *testing.T) {
	sim := New()
	defer sim.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := sim.Slash(ctx, "U1", "x"); !errors.Is(err, ErrNoConnection) {
		t.Errorf("err = %v, want ErrNoConnection", err)
	}
}

func TestStoppedPingsMakeClientReconnect(t *testing.T) {
	connected := make(chan int, 4)
	sim, _ := startWith(t, func(_ *socketmode.Client, evt socketmode.Event) {
		if c, ok := evt.Data.(*socketmode.ConnectedEvent); ok {
			connected <- c.ConnectionCount
		}
	}, []socketmode.Option{socketmode.OptionPingInterval(200 * time.Millisecond)}, WithPingInterval(20*time.Millisecond))
	<-connected
	sim.StopPings(true)
	select {
	case n := <-connected:
		if n != 1 {
			t.Errorf("connection count = %d", n)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("client did not notice the missing pings")
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	sim := New(WithPingInterval(10 * time.Millisecond))
	api := slack.New(sim.BotToken(), slack.OptionAppLevelToken(sim.AppToken()), slack.OptionAPIURL(sim.APIURL()))
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = sm.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				ackAll(sm, evt)
			}
		}
	})
	if _, err := sim.Slash(testCtx(t), "U1", "x"); err != nil {
		t.Fatal(err)
	}
	sim.Close() // with the client still connected: Close must end its side alone
	if sim.Connections() != 0 {
		t.Error("connections left after Close")
	}
	cancel()
	wg.Wait()
	waitUntil(t, func() bool { return runtime.NumGoroutine() <= before })
}

func TestSlashAckReplies(t *testing.T) {
	replies := make(chan any, 1)
	sim, _ := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		if evt.Type == socketmode.EventTypeSlashCommand {
			_ = sm.Ack(*evt.Request, <-replies)
		}
	})
	long := map[string]any{"blocks": []any{map[string]any{"type": "section",
		"text": map[string]any{"type": "mrkdwn", "text": strings.Repeat("x", 3001)}}}}
	cases := []struct {
		name      string
		reply     any
		wantErr   string
		ephemeral bool
	}{
		{"ephemeral by default", map[string]any{"text": "only you"}, "", true},
		{"in channel", map[string]any{"text": "everyone", "response_type": "in_channel"}, "", false},
		{"invalid blocks", long, "invalid_blocks", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(sim.Messages(generalID))
			replies <- tc.reply
			ack, err := sim.Slash(testCtx(t), "U1", "x")
			if err != nil || ack.Error != tc.wantErr {
				t.Fatalf("Slash = %+v, %v", ack, err)
			}
			msgs := sim.Messages(generalID)
			if tc.wantErr != "" {
				if len(msgs) != before {
					t.Errorf("refused reply was shown: %+v", msgs[before:])
				}
				return
			}
			if len(msgs) != before+1 || msgs[before].Ephemeral != tc.ephemeral {
				t.Errorf("messages = %+v", msgs)
			}
		})
	}
}

func TestSlashResponseURLReplacesFirstReply(t *testing.T) {
	urls := make(chan string, 1)
	sim, b := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			_ = sm.Ack(*evt.Request, map[string]any{"text": "working…"})
			urls <- cmd.ResponseURL
		}
	})
	if _, err := sim.Slash(testCtx(t), "U1", "report"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.api.PostMessage("", slack.MsgOptionReplaceOriginal(<-urls), slack.MsgOptionText("done", false)); err != nil {
		t.Fatalf("response_url: %v", err)
	}
	msgs := sim.Messages(generalID)
	if len(msgs) != 1 || msgs[0].Text != "done" || msgs[0].Updates != 1 || msgs[0].ToUser != "U1" {
		t.Errorf("messages = %+v", msgs)
	}
}
