package slacksim

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func modal(title string, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain(title), Submit: plain("Save"), Close: plain("Cancel"),
		CallbackID: "add_prospect", PrivateMetadata: "meta", Blocks: slack.Blocks{BlockSet: blocks},
	}
}

func TestViewsOpenTrigger(t *testing.T) {
	clock := &fakeClock{now: time.Date(2025, 1, 15, 9, 0, 0, 0, time.UTC)}
	triggers := make(chan string, 1)
	sim, b := start(t, slashTriggers(triggers, nil), WithClock(clock.Now))
	view := modal("Add prospect", slack.NewSectionBlock(plain("hi"), nil, nil))

	cases := []struct {
		name    string
		trigger func() string
		want    string
	}{
		{"fresh", func() string { return triggerFrom(t, sim, triggers, "U1") }, ""},
		{"old", func() string {
			id := triggerFrom(t, sim, triggers, "U1")
			clock.Advance(3 * time.Second)
			return id
		}, "expired_trigger_id"},
		{"made up", func() string { return "123.456.abc" }, "expired_trigger_id"},
		{"used twice", func() string {
			id := triggerFrom(t, sim, triggers, "U1")
			if _, err := b.api.OpenView(id, view); err != nil {
				t.Fatalf("first use: %v", err)
			}
			return id
		}, "trigger_exchanged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := b.api.OpenView(tc.trigger(), view)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Fatalf("views.open err = %q, want %q", got, tc.want)
			}
			if tc.want == "" && (!strings.HasPrefix(res.ID, "V") || res.Hash == "") {
				t.Errorf("view = %+v", res.View)
			}
		})
	}

	bad := modal(strings.Repeat("t", 25))
	if _, err := b.api.OpenView(triggerFrom(t, sim, triggers, "U1"), bad); err == nil || err.Error() != "invalid_blocks" {
		t.Errorf("25-char title: %v", err)
	}
}

func TestSubmitFillsState(t *testing.T) {
	submissions := make(chan slack.InteractionCallback, 2)
	triggers := make(chan string, 1)
	sim, b := start(t, slashTriggers(triggers, func(sm *socketmode.Client, evt socketmode.Event) {
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || cb.Type != slack.InteractionTypeViewSubmission {
			ackAll(sm, evt)
			return
		}
		submissions <- cb
		if cb.View.State.Values["name"]["name_in"].Value == "bad" {
			_ = sm.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"name": "Too short"}))
			return
		}
		_ = sm.Ack(*evt.Request)
	}))

	opts := func(vals ...string) []*slack.OptionBlockObject {
		var out []*slack.OptionBlockObject
		for _, v := range vals {
			out = append(out, slack.NewOptionBlockObject(v, plain(strings.ToUpper(v)), nil))
		}
		return out
	}
	input := func(id string, el slack.BlockElement) slack.Block {
		return slack.NewInputBlock(id, plain(id), nil, el)
	}
	view := modal("Add prospect",
		input("name", slack.NewPlainTextInputBlockElement(nil, "name_in")),
		input("value", slack.NewNumberInputBlockElement(nil, "value_in", true)),
		input("due", slack.NewDatePickerBlockElement("due_in")),
		input("at", slack.NewTimePickerBlockElement("at_in")),
		input("stage", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "stage_in", opts("lead", "won")...)),
		input("tags", slack.NewCheckboxGroupsBlockElement("tags_in", opts("hot", "vip", "new")...)),
		input("prio", slack.NewRadioButtonsBlockElement("prio_in", opts("low", "high")...)),
		input("note", slack.NewPlainTextInputBlockElement(nil, "note_in")),
	)
	if _, err := b.api.OpenView(triggerFrom(t, sim, triggers, "U1"), view); err != nil {
		t.Fatalf("views.open: %v", err)
	}
	v, err := sim.WaitView(testCtx(t), "U1", func(v View) bool { return v.CallbackID == "add_prospect" })
	if err != nil {
		t.Fatal(err)
	}
	if v.Title != "Add prospect" || v.PrivateMetadata != "meta" || !strings.Contains(v.AllText(), "stage") {
		t.Errorf("view = %+v", v)
	}

	inputs := map[string]string{
		"name_in": "Acme", "value_in": "1200", "due_in": "2025-02-01", "at_in": "09:30",
		"stage_in": "won", "tags_in": "hot,new", "prio_in": "high",
	}
	ack, err := sim.Submit(testCtx(t), "U1", v, inputs)
	if err != nil || ack.Error != "" {
		t.Fatalf("Submit: %+v, %v", ack, err)
	}
	cb := <-submissions
	vals := cb.View.State.Values
	checks := []struct {
		name, got, want string
	}{
		{"plain_text_input", vals["name"]["name_in"].Value, "Acme"},
		{"number_input", vals["value"]["value_in"].Value, "1200"},
		{"datepicker", vals["due"]["due_in"].SelectedDate, "2025-02-01"},
		{"timepicker", vals["at"]["at_in"].SelectedTime, "09:30"},
		{"static_select", vals["stage"]["stage_in"].SelectedOption.Value, "won"},
		{"checkboxes", vals["tags"]["tags_in"].SelectedOptions[0].Value + "," + vals["tags"]["tags_in"].SelectedOptions[1].Value, "hot,new"},
		{"radio_buttons", vals["prio"]["prio_in"].SelectedOption.Value, "high"},
		{"left out", vals["note"]["note_in"].Value, ""},
		{"callback_id", cb.View.CallbackID, "add_prospect"},
		{"private_metadata", cb.View.PrivateMetadata, "meta"},
		{"view id", cb.View.ID, v.ID},
		{"hash", cb.View.Hash, v.Hash},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if _, ok := vals["note"]["note_in"]; !ok {
		t.Error("left-out input missing from state")
	}
	if open := sim.OpenViews("U1"); len(open) != 0 {
		t.Errorf("view still open after empty ack: %+v", open)
	}

	// A response_action errors ack keeps the modal open.
	if _, err := b.api.OpenView(triggerFrom(t, sim, triggers, "U1"), view); err != nil {
		t.Fatalf("views.open: %v", err)
	}
	v2, _ := sim.WaitView(testCtx(t), "U1", func(View) bool { return true })
	if ack, err := sim.Submit(testCtx(t), "U1", v2, map[string]string{"name_in": "bad"}); err != nil || ack.Error != "" {
		t.Fatalf("Submit: %+v, %v", ack, err)
	}
	<-submissions
	if open := sim.OpenViews("U1"); len(open) != 1 || open[0].ID != v2.ID {
		t.Errorf("open views after errors = %+v", open)
	}
	if _, err := sim.Submit(testCtx(t), "U1", v2, map[string]string{"stage_in": "lost"}); err == nil {
		t.Error("Submit with an unknown option value should fail")
	}
}

func TestHomeAndClickView(t *testing.T) {
	clicks := make(chan slack.InteractionCallback, 1)
	sim, b := start(t, func(sm *socketmode.Client, evt socketmode.Event) {
		ackAll(sm, evt)
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			clicks <- cb
		}
	})
	sim.AddUser(User{ID: "U1"})
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewActionBlock("home_acts", slack.NewButtonBlockElement("refresh", "r", plain("Refresh"))),
	}}}
	if _, err := b.api.PublishView("U1", home, ""); err != nil {
		t.Fatalf("views.publish: %v", err)
	}
	v, err := sim.WaitHome(testCtx(t), "U1", func(v View) bool { return strings.Contains(v.AllText(), "Refresh") })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.OpenHome(testCtx(t), "U1"); err != nil {
		t.Fatalf("OpenHome: %v", err)
	}
	if _, err := sim.ClickView(testCtx(t), "U1", v, "refresh"); err != nil {
		t.Fatalf("ClickView: %v", err)
	}
	cb := <-clicks
	if cb.Container.Type != "view" || cb.Container.ViewID != v.ID || cb.View.ID != v.ID ||
		len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].Value != "r" {
		t.Errorf("callback = %+v", cb)
	}
}

func TestSubmissionResponseActions(t *testing.T) {
	triggers := make(chan string, 1)
	acks := make(chan any, 1)
	sim, b := start(t, slashTriggers(triggers, func(sm *socketmode.Client, evt socketmode.Event) {
		if cb, ok := evt.Data.(slack.InteractionCallback); ok && cb.Type == slack.InteractionTypeViewSubmission {
			_ = sm.Ack(*evt.Request, <-acks)
			return
		}
		ackAll(sm, evt)
	}))
	step := modal("Step", slack.NewSectionBlock(plain("one"), nil, nil))
	if _, err := b.api.OpenView(triggerFrom(t, sim, triggers, "U1"), step); err != nil {
		t.Fatal(err)
	}
	top := func() View {
		open := sim.OpenViews("U1")
		if len(open) == 0 {
			return View{}
		}
		return open[len(open)-1]
	}
	big := make([]slack.Block, 101)
	for i := range big {
		big[i] = slack.NewDividerBlock()
	}
	cases := []struct {
		name      string
		ack       any
		wantErr   string
		wantStack int
		wantText  string
	}{
		{"update", slack.NewUpdateViewSubmissionResponse(ptr(modal("Step", slack.NewSectionBlock(plain("two"), nil, nil)))), "", 1, "two"},
		{"push", slack.NewPushViewSubmissionResponse(ptr(modal("Next", slack.NewSectionBlock(plain("three"), nil, nil)))), "", 2, "three"},
		{"invalid update", slack.NewUpdateViewSubmissionResponse(ptr(modal("Step", big...))), "invalid_blocks", 2, "three"},
		{"close top", nil, "", 1, "two"},
		{"clear", slack.NewClearViewSubmissionResponse(), "", 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			acks <- tc.ack
			ack, err := sim.Submit(testCtx(t), "U1", top(), nil)
			if err != nil || ack.Error != tc.wantErr {
				t.Fatalf("Submit = %+v, %v; want error %q", ack, err, tc.wantErr)
			}
			if n := len(sim.OpenViews("U1")); n != tc.wantStack {
				t.Fatalf("stack = %d, want %d", n, tc.wantStack)
			}
			if got := top().AllText(); !strings.Contains(got, tc.wantText) {
				t.Errorf("top view text = %q, want %q", got, tc.wantText)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestViewsUpdateHash(t *testing.T) {
	triggers := make(chan string, 1)
	sim, b := start(t, slashTriggers(triggers, nil))
	res, err := b.api.OpenView(triggerFrom(t, sim, triggers, "U1"), modal("Step", slack.NewSectionBlock(plain("one"), nil, nil)))
	if err != nil {
		t.Fatal(err)
	}
	next := modal("Step", slack.NewSectionBlock(plain("two"), nil, nil))
	if _, err := b.api.UpdateView(next, "", "stale", res.ID); err == nil || err.Error() != "hash_conflict" {
		t.Errorf("stale hash: %v", err)
	}
	upd, err := b.api.UpdateView(next, "", res.Hash, res.ID)
	if err != nil || upd.ID != res.ID || upd.Hash == res.Hash {
		t.Fatalf("views.update = %+v, %v", upd, err)
	}
	if _, err := sim.WaitView(testCtx(t), "U1", func(v View) bool { return strings.Contains(v.AllText(), "two") }); err != nil {
		t.Error(err)
	}
}
