package slacksim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestPostToUserThenClick(t *testing.T) {
	clicks := make(chan slack.InteractionCallback, 1)
	sim, b := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			_ = sm.Ack(*evt.Request)
			clicks <- cb
			return
		}
		ackAll(sm, evt)
	})
	sim.AddUser(User{ID: "U1", Name: "ana"})

	ch, ts, err := b.api.PostMessage("U1",
		slack.MsgOptionText("Follow up with Acme?", false),
		slack.MsgOptionBlocks(
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Acme* is due", false, false), nil, nil),
			slack.NewActionBlock("acts",
				slack.NewButtonBlockElement("done", "p1", slack.NewTextBlockObject(slack.PlainTextType, "Done", false, false)).WithStyle(slack.StylePrimary),
				slack.NewButtonBlockElement("snooze", "p1", slack.NewTextBlockObject(slack.PlainTextType, "Snooze", false, false)),
			),
		))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	if ch != sim.DMChannel("U1") || ts == "" {
		t.Fatalf("posted to %q at %q", ch, ts)
	}
	msgs := sim.Messages(ch)
	if len(msgs) != 1 {
		t.Fatalf("messages = %+v", msgs)
	}
	m := msgs[0]
	if got := m.Buttons(); len(got) != 2 || got[0] != (Button{ActionID: "done", BlockID: "acts", Text: "Done", Value: "p1", Style: "primary"}) {
		t.Errorf("buttons = %+v", got)
	}
	if want := "Follow up with Acme?\n*Acme* is due\nDone\nSnooze"; m.AllText() != want {
		t.Errorf("AllText = %q, want %q", m.AllText(), want)
	}

	if _, err := sim.Click(testCtx(t), "U1", m, "done"); err != nil {
		t.Fatalf("Click: %v", err)
	}
	cb := <-clicks
	acts := cb.ActionCallback.BlockActions
	if cb.Type != slack.InteractionTypeBlockActions || len(acts) != 1 || acts[0].ActionID != "done" ||
		acts[0].Value != "p1" || acts[0].BlockID != "acts" || acts[0].ActionTs == "" {
		t.Fatalf("callback = %+v, actions %+v", cb, acts)
	}
	if cb.Container.Type != "message" || cb.Container.MessageTs != ts || cb.Container.ChannelID != ch ||
		cb.Channel.ID != ch || cb.Message.Timestamp != ts || cb.User.ID != "U1" || cb.TriggerID == "" {
		t.Errorf("callback context = %+v", cb)
	}

	// The response_url is tied to the clicked message: replace_original updates it.
	if _, _, err := b.api.PostMessage("", slack.MsgOptionReplaceOriginal(cb.ResponseURL), slack.MsgOptionText("Done ✓", false)); err != nil {
		t.Fatalf("response_url: %v", err)
	}
	got, err := sim.WaitMessage(testCtx(t), Beginning, func(m Message) bool { return m.TS == ts && m.Updates == 1 })
	if err != nil || got.Text != "Done ✓" || len(got.Blocks.BlockSet) != 0 {
		t.Errorf("after replace_original: %+v, %v", got, err)
	}
	if _, err := sim.WaitCall(testCtx(t), func(c Call) bool { return c.Method == "response_url" }); err != nil {
		t.Errorf("response_url call not recorded: %v", err)
	}
}

func TestChatErrors(t *testing.T) {
	sim := New()
	defer sim.Close()
	sim.AddUser(User{ID: "U1"})
	sim.AddChannel("C0OTHER", "other", false)
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	section := func(text string) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
	}
	many := make([]slack.Block, 51)
	for i := range many {
		many[i] = section("x")
	}
	cases := []struct {
		name, channel string
		opts          []slack.MsgOption
		want          string
	}{
		{"51 blocks", "U1", []slack.MsgOption{slack.MsgOptionBlocks(many...)}, "invalid_blocks"},
		{"3001-char section", "U1", []slack.MsgOption{slack.MsgOptionBlocks(section(strings.Repeat("a", 3001)))}, "invalid_blocks"},
		{"empty section", "U1", []slack.MsgOption{slack.MsgOptionBlocks(section(""))}, "invalid_blocks"},
		{"duplicate block_id", "U1", []slack.MsgOption{slack.MsgOptionBlocks(
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.PlainTextType, "a", false, false), nil, nil, slack.SectionBlockOptionBlockID("b")),
			slack.NewDividerBlock(), slack.NewContextBlock("b", slack.NewTextBlockObject(slack.PlainTextType, "c", false, false)),
		)}, "invalid_blocks"},
		{"long button", "U1", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewActionBlock("",
			slack.NewButtonBlockElement("a", "v", slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("b", 76), false, false))))}, "invalid_blocks"},
		{"long header", "U1", []slack.MsgOption{slack.MsgOptionBlocks(slack.NewHeaderBlock(
			slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false)))}, "invalid_blocks"},
		{"no text", "U1", nil, "no_text"},
		{"unknown channel", "C0NOPE", []slack.MsgOption{slack.MsgOptionText("hi", false)}, "channel_not_found"},
		{"unknown user", "U404", []slack.MsgOption{slack.MsgOptionText("hi", false)}, "channel_not_found"},
		{"not a member", "C0OTHER", []slack.MsgOption{slack.MsgOptionText("hi", false)}, "not_in_channel"},
		{"50 blocks are fine", "U1", []slack.MsgOption{slack.MsgOptionBlocks(many[:50]...)}, ""},
		{"public channel", generalID, []slack.MsgOption{slack.MsgOptionText("hi", false)}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := api.PostMessage(tc.channel, tc.opts...)
			var got string
			var se slack.SlackErrorResponse
			if errors.As(err, &se) {
				got = se.Err
				if got == "invalid_blocks" && len(se.Errors) == 0 {
					t.Error("invalid_blocks without errors")
				}
			} else if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
		})
	}

	_, _, _, err := api.UpdateMessage(sim.DMChannel("U1"), "1.2", slack.MsgOptionText("x", false))
	if err == nil || err.Error() != "message_not_found" {
		t.Errorf("chat.update unknown ts: %v", err)
	}
	_, _, err = api.PostMessage("U1", slack.MsgOptionText(strings.Repeat("t", maxTextChars+5), false))
	if err != nil {
		t.Errorf("long text should be truncated, not refused: %v", err)
	}
}

func TestAuthAndUnknownMethod(t *testing.T) {
	sim := New()
	defer sim.Close()
	cases := []struct {
		name   string
		call   func() error
		expect string
	}{
		{"wrong bot token", func() error {
			_, err := slack.New("xoxb-wrong", slack.OptionAPIURL(sim.APIURL())).AuthTest()
			return err
		}, "invalid_auth"},
		{"missing token", func() error {
			_, err := slack.New("", slack.OptionAPIURL(sim.APIURL())).GetUserInfo("U1")
			return err
		}, "invalid_auth"},
		{"bot token opening a socket", func() error {
			_, _, err := slack.New(sim.BotToken(), slack.OptionAppLevelToken(sim.BotToken()), slack.OptionAPIURL(sim.APIURL())).StartSocketModeContext(context.Background())
			return err
		}, "invalid_auth"},
		{"app token on a bot method", func() error {
			_, err := slack.New(sim.AppToken(), slack.OptionAPIURL(sim.APIURL())).AuthTest()
			return err
		}, "invalid_auth"},
		{"right token", func() error {
			_, err := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL())).AuthTest()
			return err
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.expect {
				t.Errorf("err = %q, want %q", got, tc.expect)
			}
		})
	}

	resp, err := http.PostForm(sim.APIURL()+"chat.fly", url.Values{"token": {sim.BotToken()}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		OK    bool
		Error string
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.OK || body.Error != "unknown_method" {
		t.Errorf("unknown method: %d %+v", resp.StatusCode, body)
	}
	if c := sim.Calls(); len(c) == 0 || c[len(c)-1].Error != "unknown_method" {
		t.Errorf("calls = %+v", c)
	}
}

func TestRateLimited(t *testing.T) {
	cases := []struct {
		name  string
		opts  []Option
		setup func(*Server)
		calls int
		want  time.Duration
	}{
		{"per channel", []Option{WithRateLimits(RateLimits{PostPerChannelPerSecond: 1, PostBurst: 1})}, nil, 2, time.Second},
		{"workspace", []Option{WithRateLimits(RateLimits{PostPerMinute: 2})}, nil, 3, 30 * time.Second},
		{"injected", nil, func(s *Server) {
			s.FailNext("chat.postMessage", Fault{Status: 429, Error: "ratelimited", RetryAfter: 2 * time.Second})
		}, 1, 2 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim := New(tc.opts...)
			defer sim.Close()
			if tc.setup != nil {
				tc.setup(sim)
			}
			api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
			var err error
			for range tc.calls {
				_, _, err = api.PostMessage(generalID, slack.MsgOptionText("hi", false))
			}
			var rl *slack.RateLimitedError
			if !errors.As(err, &rl) || rl.RetryAfter != tc.want {
				t.Fatalf("last err = %v, want RateLimitedError after %s", err, tc.want)
			}
			c := sim.Calls()
			if last := c[len(c)-1]; last.Status != 429 || last.Error != "ratelimited" {
				t.Errorf("recorded %+v", last)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	sim := New()
	defer sim.Close()
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	sim.FailNext("auth.test", Fault{Status: 500})
	sim.FailNext("auth.test", Fault{Error: "channel_not_found"})
	sim.FailNext("auth.test", Fault{Delay: 20 * time.Millisecond})

	_, err := api.AuthTest()
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 500 {
		t.Errorf("first = %v, want status 500", err)
	}
	if _, err = api.AuthTest(); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("second = %v", err)
	}
	start := time.Now()
	if _, err = api.AuthTest(); err != nil || time.Since(start) < 20*time.Millisecond {
		t.Errorf("third = %v after %s", err, time.Since(start))
	}
}

func TestUsersInfo(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)}
	sim := New(WithClock(clock.Now))
	defer sim.Close()
	sim.AddUser(User{ID: "U1", Name: "ana", RealName: "Ana Lima", TZ: "Europe/Berlin", IsAdmin: true})
	sim.SetUserStatus("U1", ":palm_tree:", "Vacationing")
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	u, err := api.GetUserInfo("U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.TZ != "Europe/Berlin" || u.TZOffset != 3600 || u.TZLabel != "CET" || !u.IsAdmin ||
		u.Profile.RealName != "Ana Lima" || u.Profile.StatusEmoji != ":palm_tree:" || u.Profile.StatusText != "Vacationing" {
		t.Errorf("user = %+v", u)
	}
	if _, err := api.GetUserInfo("U404"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}
	ch, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"U1"}})
	if err != nil || ch.ID != sim.DMChannel("U1") {
		t.Errorf("conversations.open = %+v, %v", ch, err)
	}
}

// TestACallIsRecordedWithWhatItPosted: whoever sees a message the bot
// posted also sees the call that posted it. Recorded a moment after the
// message, a test that waited for the message and then counted calls came
// up one short now and then (11 runs in 200 of one bot test, under -race).
func TestACallIsRecordedWithWhatItPosted(t *testing.T) {
	sim := New()
	defer sim.Close()
	sim.AddUser(User{ID: "U1"})
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	posts := map[string]func(text string) error{
		"chat.postMessage": func(text string) error {
			_, _, err := api.PostMessage(generalID, slack.MsgOptionText(text, false))
			return err
		},
		"response_url": func(text string) error {
			sim.mu.Lock()
			url := sim.newResponseURL(responseTarget{channel: generalID, user: "U1"})
			sim.mu.Unlock()
			_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral), slack.MsgOptionText(text, false))
			return err
		},
	}
	for method, post := range posts {
		for i := range 100 {
			text := fmt.Sprintf("%s %d", method, i)
			before := len(sim.Calls())
			mark := sim.Mark()
			errc := make(chan error, 1)
			go func() { errc <- post(text) }()
			if _, err := sim.WaitMessage(testCtx(t), mark, func(m Message) bool { return m.Text == text }); err != nil {
				select {
				case perr := <-errc:
					t.Fatalf("%s: never seen (the post: %v): %v", text, perr, err)
				default:
					t.Fatalf("%s: never seen, the post still running: %v", text, err)
				}
			}
			n := 0
			for _, c := range sim.Calls()[before:] {
				if c.Method == method {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%s: seen with %d %s calls recorded, want 1", text, n, method)
			}
			if err := <-errc; err != nil {
				t.Fatalf("%s: %v", text, err)
			}
		}
	}
}
