package main

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// roleBareAnswer is test 9's baseline: a slack-go bot that acks and answers
// each envelope the plainest way Slack allows, looking nothing up and
// keeping nothing.
const roleBareAnswer = "bare-answer"

// roleStoreAnswer is test 9's second baseline: the bare bot making, before
// each answer, as many round trips to a Redis of its own as ours needs at
// least (storeTrips): what answering from a store costs on this machine.
const roleStoreAnswer = "store-answer"

// storeTrips are the round trips ours makes before answering, at least:
// /pipeline one (the pipeline read, or a log's save); "Not yet" two (the
// prospect read, the save); a form two (read, save: the form was opened
// by another process, so its read is not at hand).
var storeTrips = map[string]int{kindSlash: 1, kindButton: 2, kindSubmit: 2}

// storeKey holds storeValue, which stands in for a stored prospect, about
// its size.
const storeKey = "store-answer"

var storeValue = strings.Repeat("x", 1000)

// roundTrips makes n round trips to rdb (none without one): a read, then
// writes.
func roundTrips(ctx context.Context, rdb *redis.Client, n int) {
	for i := 0; rdb != nil && i < n; i++ {
		if i == 0 {
			_ = rdb.Get(ctx, storeKey).Err()
			continue
		}
		_ = rdb.Set(ctx, storeKey, storeValue, 0).Err()
	}
}

// slashReply is the bare bot's answer to a command.
var slashReply = map[string]string{"response_type": "ephemeral", "text": "Done."}

// runAnsweringBareBot answers a command in its ack, a button through its
// response_url, a modal submission with a DM, and App Home opened with a
// publish; with rdb, each after storeTrips round trips to it.
func runAnsweringBareBot(ctx context.Context, apiURL, appToken, botToken string, rdb *redis.Client) error {
	api := slack.New(botToken, slack.OptionAppLevelToken(appToken), slack.OptionAPIURL(apiURL),
		slack.OptionHTTPClient(benchHTTPClient()))
	sm := socketmode.New(api)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	answer := func(fn func()) { wg.Go(fn) }
	wg.Go(func() {
		for {
			var evt socketmode.Event
			select {
			case <-ctx.Done():
				return
			case evt = <-sm.Events:
			}
			if evt.Request == nil || evt.Request.EnvelopeID == "" {
				continue
			}
			id := evt.Request.EnvelopeID
			if _, ok := evt.Data.(slack.SlashCommand); ok {
				// A command's answer travels in its ack, as ours does.
				answer(func() {
					roundTrips(ctx, rdb, storeTrips[kindSlash])
					_ = sm.AckCtx(ctx, id, slashReply)
				})
				continue
			}
			_ = sm.AckCtx(ctx, id, nil)
			switch data := evt.Data.(type) {
			case slack.InteractionCallback:
				if data.Type == slack.InteractionTypeViewSubmission {
					answer(func() {
						roundTrips(ctx, rdb, storeTrips[kindSubmit])
						_, _, _ = api.PostMessageContext(ctx, data.User.ID, slack.MsgOptionText("Saved.", false))
					})
				} else if data.ResponseURL != "" {
					answer(func() {
						roundTrips(ctx, rdb, storeTrips[kindButton])
						_, _, _, _ = api.SendMessageContext(ctx, "", slack.MsgOptionResponseURL(data.ResponseURL, slack.ResponseTypeEphemeral),
							slack.MsgOptionText("Noted.", false))
					})
				}
			case slackevents.EventsAPIEvent:
				if home, ok := data.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok {
					answer(func() {
						_, _ = api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: home.User,
							View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
								slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "Home", false, false), nil, nil)}}}})
					})
				}
			}
		}
	})
	err := sm.RunContext(ctx)
	cancel()
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// benchHTTPClient keeps as many idle connections to the simulator as the
// bot's own client does, so the baseline opens no more connections than
// ours.
func benchHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	t.MaxIdleConns = 64
	return &http.Client{Transport: t}
}
