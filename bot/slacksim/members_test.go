package slacksim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// users.list pages through every member in id order, with what users.info
// says of each, and a tier holds it to its burst.
func TestUsersListPagesAndTier(t *testing.T) {
	limits := RateLimits{TierPerMinute: map[string]int{"users.list": 20}, TierBurst: map[string]int{"users.list": 3}}
	sim := New(WithRateLimits(limits))
	defer sim.Close()
	for i := range 450 {
		sim.AddUser(User{ID: fmt.Sprintf("U%04d", i), Name: "u", TZ: "Asia/Tokyo", Email: fmt.Sprintf("u%d@example.com", i), Deleted: i == 7})
	}
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	p := api.GetUsersPaginated(slack.GetUsersOptionLimit(200))
	var got []slack.User
	var err error
	for {
		p, err = p.Next(context.Background())
		if p.Done(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Users...)
	}
	if len(got) != 450 || got[0].ID != "U0000" || got[449].ID != "U0449" || got[3].Profile.Email != "u3@example.com" ||
		got[3].TZ != "Asia/Tokyo" || !got[7].Deleted || got[8].Deleted {
		t.Fatalf("listed %d members: first %+v", len(got), got[0])
	}
	if n := sim.UsersListed(); n != 3 {
		t.Errorf("%d pages served, want 3", n)
	}
	// The burst of 3 is spent: the next page waits for the sustained rate.
	_, err = api.GetUsersPaginated(slack.GetUsersOptionLimit(200)).Next(context.Background())
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Errorf("a 4th page at once: %v, want rate limited", err)
	}
	if d := limits.MinTime("users.list", 25); d != time.Minute+6*time.Second {
		t.Errorf("MinTime for 25 pages = %s, want 66s (22 after the burst of 3, at 20 a minute)", d)
	}
}

// Join and ChangeUser reach the bot as team_join and user_change with the
// member, and users.list shows the change.
func TestMemberEvents(t *testing.T) {
	var mu sync.Mutex
	var events []slackevents.EventsAPIInnerEvent
	sim, b := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		if evt.Request != nil {
			_ = sm.Ack(*evt.Request)
		}
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			mu.Lock()
			events = append(events, ev.InnerEvent)
			mu.Unlock()
		}
	})
	ctx := context.Background()
	if _, err := sim.Join(ctx, User{ID: "U1", Name: "kenji", TZ: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ChangeUser(ctx, User{ID: "U1", Name: "kenji", TZ: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(events) == 2 })
	if events[0].Type != "team_join" || events[1].Type != "user_change" {
		t.Fatalf("events %s, %s", events[0].Type, events[1].Type)
	}
	if ch, ok := events[1].Data.(*slackevents.UserChangeEvent); !ok || ch.User.TZ != "Europe/Paris" || ch.User.ID != "U1" {
		t.Errorf("user_change carries %+v", events[1].Data)
	}
	u, err := b.api.GetUserInfo("U1")
	if err != nil || u.TZ != "Europe/Paris" {
		t.Errorf("users.info after the change: %+v, %v", u, err)
	}
}

// An answer is timed when the bot posted it, not when the simulator is
// done with it: a slow Slack (a fault's delay, taken after the request is
// in) is not the bot's time.
func TestAnswerTimedWhenPosted(t *testing.T) {
	sim := New()
	defer sim.Close()
	sim.AddUser(User{ID: "U1"})
	sim.AddChannel("C1", "general", true)
	answers := make(chan Answer, 2)
	sim.OnAnswer(func(a Answer) { answers <- a })
	const delay = 300 * time.Millisecond
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))

	sim.FailNext("chat.postMessage", Fault{Delay: delay})
	if _, _, err := api.PostMessage("U1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	if a := <-answers; a.Method != "chat.postMessage" || back.Sub(a.At) < delay {
		t.Errorf("DM answered at %s, %s before the bot had its reply; want it timed before the %s Slack took", a.At, back.Sub(a.At), delay)
	}

	sim.mu.Lock()
	url := sim.newResponseURL(responseTarget{channel: "C1", user: "U1"})
	sim.mu.Unlock()
	sim.FailNext("response_url", Fault{Delay: delay})
	if _, _, _, err := api.SendMessage("", slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral), slack.MsgOptionText("noted", false)); err != nil {
		t.Fatal(err)
	}
	back = time.Now()
	if a := <-answers; a.Method != "response_url" || a.User != "U1" || back.Sub(a.At) < delay {
		t.Errorf("response_url answer %+v, %s before the bot had its reply; want U1's, timed before the %s Slack took", a, back.Sub(a.At), delay)
	}
}

// OnAnswer hears a DM and a Home published, each with the person it
// answers, and nothing posted to a channel.
func TestOnAnswer(t *testing.T) {
	sim := New()
	defer sim.Close()
	sim.AddUser(User{ID: "U1"})
	sim.AddUser(User{ID: "U2"})
	sim.AddChannel("C1", "general", true)
	var mu sync.Mutex
	var got []string
	sim.OnAnswer(func(a Answer) {
		mu.Lock()
		got = append(got, a.Method+" "+a.User)
		mu.Unlock()
	})
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	if _, _, err := api.PostMessage("U1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PublishView("U2", slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Home", false, false), nil, nil)}}}, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("to a channel: no one's answer", false)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"chat.postMessage U1", "views.publish U2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("answers %v, want %v", got, want)
	}
}
