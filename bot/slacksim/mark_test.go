package slacksim

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// A wait since a mark sees only what was posted or changed after it: an
// older message with the same words does not answer, an update does.
func TestWaitMessageSinceAMark(t *testing.T) {
	sim := New()
	defer sim.Close()
	sim.AddUser(User{ID: "U1"})
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	ch, ts, err := api.PostMessage("U1", slack.MsgOptionText("Saved", false))
	if err != nil {
		t.Fatal(err)
	}
	saved := func(m Message) bool { return strings.Contains(m.Text, "Saved") }

	mark := sim.Mark()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if m, err := sim.WaitMessage(ctx, mark, saved); err == nil {
		t.Fatalf("a message from before the mark answered: %+v", m)
	}
	if _, err := sim.WaitMessage(testCtx(t), Beginning, saved); err != nil {
		t.Fatalf("since the beginning, the message is there: %v", err)
	}

	if _, _, _, err := api.UpdateMessage(ch, ts, slack.MsgOptionText("Saved again", false)); err != nil {
		t.Fatal(err)
	}
	m, err := sim.WaitMessage(testCtx(t), mark, saved)
	if err != nil || m.Text != "Saved again" {
		t.Fatalf("the update after the mark: %+v, %v", m, err)
	}
	later, cancelLater := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelLater()
	if _, err := sim.WaitMessage(later, sim.Mark(), saved); err == nil {
		t.Fatal("a mark taken after the update still saw it")
	}
}
