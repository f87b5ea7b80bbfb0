package socket_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"pipelinecoach/bot/slacksim"
	"pipelinecoach/bot/socket"
)

// conn is a Client connected to a simulator, its events read into a
// channel the test takes them from.
type conn struct {
	sim    *slacksim.Server
	api    *slack.Client
	client *socket.Client
	events chan socketmode.Event
	done   chan error
}

func connect(t *testing.T, opts socket.Options, simOpts ...slacksim.Option) *conn {
	t.Helper()
	sim := slacksim.New(simOpts...)
	t.Cleanup(sim.Close)
	api := slack.New(sim.BotToken(), slack.OptionAppLevelToken(sim.AppToken()), slack.OptionAPIURL(sim.APIURL()))
	c := &conn{sim: sim, api: api, client: socket.New(api, opts), events: make(chan socketmode.Event, 256), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { c.done <- c.client.RunContext(ctx) })
	wg.Go(func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-c.client.Events():
				c.events <- evt
			}
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	c.next(t, socketmode.EventTypeHello)
	// The simulator takes the connection as ready just after its hello:
	// an envelope delivered and acked says it has.
	c.deliver(t, socketmode.EventTypeSlashCommand, func(ctx context.Context) (slacksim.Ack, error) {
		return c.sim.Slash(ctx, "U1", "help")
	})
	return c
}

// next is the next event of type typ, the ones before it skipped; it fails
// the test after 5 s.
func (c *conn) next(t *testing.T, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	evt, _ := c.until(t, typ)
	return evt
}

// until is next, with the types of the events skipped.
func (c *conn) until(t *testing.T, typ socketmode.EventType) (socketmode.Event, []socketmode.EventType) {
	t.Helper()
	var skipped []socketmode.EventType
	timeout := time.After(5 * time.Second)
	for {
		select {
		case evt := <-c.events:
			if evt.Type == typ {
				return evt, skipped
			}
			skipped = append(skipped, evt.Type)
		case <-timeout:
			t.Fatalf("no %s event within 5s (skipped %v)", typ, skipped)
		}
	}
}

// deliver runs send (which waits for its ack) beside the test, acks the
// envelope it brings when it comes, and returns its event and ack.
func (c *conn) deliver(t *testing.T, typ socketmode.EventType, send func(context.Context) (slacksim.Ack, error)) (socketmode.Event, slacksim.Ack) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	acked := make(chan slacksim.Ack, 1)
	failed := make(chan error, 1)
	go func() {
		ack, err := send(ctx)
		if err != nil {
			failed <- err
			return
		}
		acked <- ack
	}()
	evt := c.next(t, typ)
	if err := c.client.AckCtx(ctx, evt.Request.EnvelopeID, nil); err != nil {
		t.Fatalf("ack: %v", err)
	}
	select {
	case ack := <-acked:
		if ack.EnvelopeID != evt.Request.EnvelopeID {
			t.Fatalf("the simulator took an ack for %s, the event was %s", ack.EnvelopeID, evt.Request.EnvelopeID)
		}
		return evt, ack
	case err := <-failed:
		t.Fatalf("send: %v", err)
	}
	return evt, slacksim.Ack{}
}

// gate holds a Client's dials until opened, so that a test can act while
// no connection is open.
type gate struct {
	mu sync.Mutex
	ch chan struct{}
}

func newGate(open bool) *gate {
	g := &gate{ch: make(chan struct{})}
	if open {
		close(g.ch)
	}
	return g
}

func (g *gate) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ch = make(chan struct{})
}

func (g *gate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.ch)
}

// dialer dials once the gate is open.
func (g *gate) dialer() *websocket.Dialer {
	return &websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		g.mu.Lock()
		ch := g.ch
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// asSlackGo is the interaction as slack-go's socketmode.Client decodes it.
func asSlackGo(t *testing.T, evt socketmode.Event) slack.InteractionCallback {
	t.Helper()
	var cb slack.InteractionCallback
	if err := json.Unmarshal(evt.Request.Payload, &cb); err != nil {
		t.Fatalf("slack-go's decoding: %v", err)
	}
	return cb
}

// TestAButtonDecodesAsSlackGoDecodesIt clicks a button on a message with
// blocks: the callback is slack-go's in every field but the message's
// blocks, which MessageBlocks gives as slack-go would.
func TestAButtonDecodesAsSlackGoDecodesIt(t *testing.T) {
	c := connect(t, socket.Options{})
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Did you book a *second meeting*?", false, false), nil, nil, slack.SectionBlockOptionBlockID("prompt")),
		slack.NewActionBlock("prompt_actions",
			slack.NewButtonBlockElement("prospect_yes", "p1", slack.NewTextBlockObject(slack.PlainTextType, "Yes, booked", false, false)).WithStyle(slack.StylePrimary),
			slack.NewButtonBlockElement("prospect_notyet", "p1", slack.NewTextBlockObject(slack.PlainTextType, "Not yet", false, false))),
		slack.NewContextBlock("ctx", slack.NewTextBlockObject(slack.MarkdownType, "Acme · Jane Doe", false, false)),
	}
	c.sim.AddChannel("C1", "sales", true)
	channel := "C1"
	if _, _, err := c.api.PostMessageContext(t.Context(), channel, slack.MsgOptionText("Did you book a second meeting?", false), slack.MsgOptionBlocks(blocks...)); err != nil {
		t.Fatal(err)
	}
	posted := c.sim.Messages(channel)[0]
	evt, _ := c.deliver(t, socketmode.EventTypeInteractive, func(ctx context.Context) (slacksim.Ack, error) {
		return c.sim.Click(ctx, "U1", posted, "prospect_notyet")
	})
	in, ok := evt.Data.(*socket.Interaction)
	if !ok {
		t.Fatalf("data is %T, want *socket.Interaction", evt.Data)
	}
	// The next envelope is read while this one is held, as the bot holds
	// one while it answers: what was kept of this one's frame (its
	// payload, its message's blocks) must still be this one's.
	c.deliver(t, socketmode.EventTypeSlashCommand, func(ctx context.Context) (slacksim.Ack, error) {
		return c.sim.Slash(ctx, "U1", strings.Repeat("log Acme tue 10am ", 200))
	})
	want := asSlackGo(t, evt)
	if len(want.Message.Blocks.BlockSet) != 3 || len(want.ActionCallback.BlockActions) != 1 || want.ResponseURL == "" || want.TriggerID == "" {
		t.Fatalf("the simulator's click is not what this test needs: %+v", want)
	}
	if got := in.MessageBlocks(); !reflect.DeepEqual(got, want.Message.Blocks) {
		t.Errorf("MessageBlocks() = %+v, want %+v", got, want.Message.Blocks)
	}
	want.Message.Blocks = slack.Blocks{}
	if !reflect.DeepEqual(in.InteractionCallback, want) {
		t.Errorf("callback differs from slack-go's:\n got %+v\nwant %+v", in.InteractionCallback, want)
	}
}

// TestAFormDecodesAsSlackGoDecodesIt submits a modal: every field is
// slack-go's but the view's blocks, which the bot never reads.
func TestAFormDecodesAsSlackGoDecodesIt(t *testing.T) {
	c := connect(t, socket.Options{})
	c.sim.AddChannel("C1", "sales", true)
	channel := "C1"
	button := slack.NewActionBlock("open", slack.NewButtonBlockElement("open_form", "p1", slack.NewTextBlockObject(slack.PlainTextType, "Open", false, false)))
	if _, _, err := c.api.PostMessageContext(t.Context(), channel, slack.MsgOptionText("open", false), slack.MsgOptionBlocks(button)); err != nil {
		t.Fatal(err)
	}
	click, _ := c.deliver(t, socketmode.EventTypeInteractive, func(ctx context.Context) (slacksim.Ack, error) {
		return c.sim.Click(ctx, "U1", c.sim.Messages(channel)[0], "open_form")
	})
	modal := slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: "confirm", PrivateMetadata: `{"p":"p1"}`,
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Second meeting", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("when", slack.NewTextBlockObject(slack.PlainTextType, "When", false, false), nil,
				slack.NewPlainTextInputBlockElement(nil, "when_input")),
			slack.NewInputBlock("amount", slack.NewTextBlockObject(slack.PlainTextType, "Amount", false, false), nil,
				slack.NewPlainTextInputBlockElement(nil, "amount_input")),
		}},
	}
	if _, err := c.api.OpenViewContext(t.Context(), click.Data.(*socket.Interaction).TriggerID, modal); err != nil {
		t.Fatal(err)
	}
	views := c.sim.OpenViews("U1")
	if len(views) != 1 {
		t.Fatalf("%d views open, want 1", len(views))
	}
	evt, _ := c.deliver(t, socketmode.EventTypeInteractive, func(ctx context.Context) (slacksim.Ack, error) {
		return c.sim.Submit(ctx, "U1", views[0], map[string]string{"when_input": "tue 10am", "amount_input": "12k"})
	})
	in := evt.Data.(*socket.Interaction)
	want := asSlackGo(t, evt)
	if want.Type != slack.InteractionTypeViewSubmission || len(want.View.Blocks.BlockSet) != 2 || want.View.State == nil ||
		want.View.State.Values["when"]["when_input"].Value != "tue 10am" {
		t.Fatalf("the simulator's submission is not what this test needs: %+v", want.View)
	}
	want.View.Blocks = slack.Blocks{}
	if !reflect.DeepEqual(in.InteractionCallback, want) {
		t.Errorf("callback differs from slack-go's:\n got %+v\nwant %+v", in.InteractionCallback, want)
	}
}

// TestCommandsAndEventsDecodeAsSlackGoDecodesThem: a slash command, a DM
// and App Home opened.
func TestCommandsAndEventsDecodeAsSlackGoDecodesThem(t *testing.T) {
	c := connect(t, socket.Options{})
	evt, _ := c.deliver(t, socketmode.EventTypeSlashCommand, func(ctx context.Context) (slacksim.Ack, error) {
		return c.sim.Slash(ctx, "U1", "log Acme tue 10am")
	})
	var cmd slack.SlashCommand
	if err := json.Unmarshal(evt.Request.Payload, &cmd); err != nil {
		t.Fatal(err)
	}
	if cmd.Text != "log Acme tue 10am" || !reflect.DeepEqual(evt.Data, cmd) {
		t.Errorf("command = %+v, want %+v", evt.Data, cmd)
	}
	for _, send := range []func(context.Context) (slacksim.Ack, error){
		func(ctx context.Context) (slacksim.Ack, error) { return c.sim.DM(ctx, "U1", "yes, tue 10am") },
		func(ctx context.Context) (slacksim.Ack, error) { return c.sim.OpenHome(ctx, "U1") },
	} {
		evt, _ := c.deliver(t, socketmode.EventTypeEventsAPI, send)
		want, err := slackevents.ParseEvent(evt.Request.Payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(evt.Data, want) {
			t.Errorf("event = %+v, want %+v", evt.Data, want)
		}
	}
}

// TestAMalformedEnvelopeKeepsTheConnection: a payload that does not decode
// comes as a bad message with its envelope, and the next one as usual.
func TestAMalformedEnvelopeKeepsTheConnection(t *testing.T) {
	c := connect(t, socket.Options{})
	for _, send := range []struct{ typ, payload string }{{"interactive", `[1, 2]`}, {"no_such_type", `{}`}} {
		go func() { _, _ = c.sim.Send(t.Context(), send.typ, json.RawMessage(send.payload), 0) }()
		evt := c.next(t, socketmode.EventTypeErrorBadMessage)
		bad := evt.Data.(*socketmode.ErrorBadMessage)
		if bad.Cause == nil || !strings.Contains(string(bad.Message), `"envelope_id"`) {
			t.Errorf("%s: bad message %v with %q, want a cause and the envelope", send.typ, bad.Cause, bad.Message)
		}
	}
	c.deliver(t, socketmode.EventTypeSlashCommand, func(ctx context.Context) (slacksim.Ack, error) {
		return c.sim.Slash(ctx, "U1", "help")
	})
}

// TestAReconnectKeepsEveryEnvelope: Slack asking for a new connection,
// the connection dropped, and Slack's pings stopping each end in a new
// connection that takes the next envelope; only the drop is a read error.
func TestAReconnectKeepsEveryEnvelope(t *testing.T) {
	c := connect(t, socket.Options{PingInterval: 300 * time.Millisecond}, slacksim.WithPingInterval(50*time.Millisecond))
	cases := []struct {
		name  string
		cut   func()
		first socketmode.EventType
	}{
		{"Slack asks", func() { c.sim.Disconnect("refresh_requested") }, socketmode.EventTypeDisconnect},
		{"dropped", c.sim.DropConnections, socketmode.EventTypeIncomingError},
		{"pings stop", func() { c.sim.StopPings(true) }, socketmode.EventTypeIncomingError},
	}
	for _, tc := range cases {
		tc.cut()
		c.next(t, tc.first)
		c.sim.StopPings(false)
		connected, between := c.until(t, socketmode.EventTypeConnected)
		_, after := c.until(t, socketmode.EventTypeHello)
		// The connection this side closed reports no lost read: taken
		// for a loss, it would mark a working bot not ready.
		if lost := slices.Contains(append(between, after...), socketmode.EventTypeIncomingError); lost {
			t.Errorf("%s: a read error reported after the cut (%v, %v)", tc.name, between, after)
		}
		if n := connected.Data.(*socketmode.ConnectedEvent).ConnectionCount; n < 1 {
			t.Errorf("%s: connection count %d, want a new connection", tc.name, n)
		}
		c.deliver(t, socketmode.EventTypeSlashCommand, func(ctx context.Context) (slacksim.Ack, error) {
			return c.sim.Slash(ctx, "U1", "help")
		})
		if n := c.sim.Connections(); n != 1 {
			t.Errorf("%s: %d connections, want 1", tc.name, n)
		}
	}
}

// TestAnAckWaitsForAConnection: an envelope acked while its connection is
// gone and the next not yet open is acked on the next; an ack Slack would
// drop for its size is refused.
func TestAnAckWaitsForAConnection(t *testing.T) {
	dials := newGate(true) // the first connection dials at once
	c := connect(t, socket.Options{Dialer: dials.dialer()})
	acked := make(chan error, 1)
	go func() {
		_, err := c.sim.Slash(t.Context(), "U1", "help")
		acked <- err
	}()
	evt := c.next(t, socketmode.EventTypeSlashCommand)
	dials.hold()
	c.sim.Disconnect("refresh_requested")
	c.next(t, socketmode.EventTypeConnecting) // the old connection is closed: none is open
	ackErr := make(chan error, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	go func() { ackErr <- c.client.AckCtx(ctx, evt.Request.EnvelopeID, nil) }()
	dials.open()
	if err := <-ackErr; err != nil {
		t.Errorf("ack across a reconnect: %v", err)
	}
	if err := <-acked; err != nil {
		t.Errorf("the simulator never took the ack: %v", err)
	}
	if err := c.client.AckCtx(t.Context(), "sim-env-y", strings.Repeat("x", 20<<10)); err == nil || !strings.Contains(err.Error(), "drops") {
		t.Errorf("an ack of 20 KB: %v, want it refused", err)
	}
}

// TestAnAckAfterShutdownFailsAtOnce: once RunContext has returned, an ack
// waiting for a connection, and any sent later, fail with ErrStopped rather
// than wait for one that will not come.
func TestAnAckAfterShutdownFailsAtOnce(t *testing.T) {
	dials := newGate(false) // no connection opens
	sim := slacksim.New()
	t.Cleanup(sim.Close)
	api := slack.New(sim.BotToken(), slack.OptionAppLevelToken(sim.AppToken()), slack.OptionAPIURL(sim.APIURL()))
	client := socket.New(api, socket.Options{Dialer: dials.dialer()})
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	waiting := make(chan error, 1)
	ackCtx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	go func() { waiting <- client.AckCtx(ackCtx, "e1", nil) }() // no connection yet: the dial is held
	stop()
	<-done
	if err := <-waiting; !errors.Is(err, socket.ErrStopped) {
		t.Errorf("an ack waiting at shutdown: %v, want ErrStopped", err)
	}
	if err := client.AckCtx(ackCtx, "e2", nil); !errors.Is(err, socket.ErrStopped) {
		t.Errorf("an ack after shutdown: %v, want ErrStopped", err)
	}
}

// TestAWrongTokenStops: Slack refusing the app token ends RunContext with
// the reason, without retrying.
func TestAWrongTokenStops(t *testing.T) {
	sim := slacksim.New()
	t.Cleanup(sim.Close)
	api := slack.New(sim.BotToken(), slack.OptionAppLevelToken("xapp-wrong"), slack.OptionAPIURL(sim.APIURL()))
	client := socket.New(api, socket.Options{})
	done := make(chan error, 1)
	go func() { done <- client.RunContext(t.Context()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
			t.Errorf("RunContext = %v, want invalid_auth", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunContext still running 5s after a refused token")
	}
	var seen []socketmode.EventType
	for len(client.Events()) > 0 {
		seen = append(seen, (<-client.Events()).Type)
	}
	want := []socketmode.EventType{socketmode.EventTypeConnecting, socketmode.EventTypeInvalidAuth}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("events %v, want %v", seen, want)
	}
}
