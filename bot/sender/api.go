package sender

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// PostMessage posts to a channel (or to a user id, which lands in the app's Messages tab) and
// returns the channel id and ts Slack reports. It is retried on 5xx and connection errors, so
// in rare cases (Slack posted, the reply was lost) a message may appear twice.
func (s *Sender) PostMessage(ctx context.Context, channel string, opts ...slack.MsgOption) (channelID, ts string, err error) {
	c := call{method: MethodPostMessage, channel: channel, desc: fmt.Sprintf("%s to %s", MethodPostMessage, channel)}
	err = s.do(ctx, c, func(ctx context.Context) error {
		var err error
		channelID, ts, err = s.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return channelID, ts, err
}

// UpdateMessage replaces the message at ts in channel.
func (s *Sender) UpdateMessage(ctx context.Context, channel, ts string, opts ...slack.MsgOption) error {
	c := call{method: MethodUpdate, channel: channel, desc: fmt.Sprintf("%s in %s", MethodUpdate, channel)}
	return s.do(ctx, c, func(ctx context.Context) error {
		_, _, _, err := s.api.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
}

// PostEphemeral shows a message only user sees in channel.
func (s *Sender) PostEphemeral(ctx context.Context, channel, user string, opts ...slack.MsgOption) error {
	c := call{method: MethodPostEphemeral, channel: channel, user: user,
		desc: fmt.Sprintf("%s to %s in %s", MethodPostEphemeral, user, channel)}
	return s.do(ctx, c, func(ctx context.Context) error {
		_, err := s.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// Respond posts to an interaction's response_url. opts are applied after
// slack.MsgOptionResponseURL(responseURL, ""), so with no response type Slack's default applies
// (ephemeral for slash commands); pass slack.MsgOptionResponseURL(responseURL,
// slack.ResponseTypeInChannel), slack.MsgOptionReplaceOriginal(responseURL) or
// slack.MsgOptionDeleteOriginal(responseURL) to change that. slack-go sends it as JSON without
// a token. The URL is never logged nor put in errors. A 429 here waits for this call only.
func (s *Sender) Respond(ctx context.Context, responseURL string, opts ...slack.MsgOption) error {
	c := call{method: MethodResponseURL, desc: MethodResponseURL, private: true}
	all := append([]slack.MsgOption{slack.MsgOptionResponseURL(responseURL, "")}, opts...)
	return s.do(ctx, c, func(ctx context.Context) error {
		_, _, _, err := s.api.SendMessageContext(ctx, "", all...)
		return redactURL(err)
	})
}

// OpenView opens a modal. It is never retried, whatever the error: the trigger_id dies 3 s
// after the click. During a rate-limit cool-down of views.open it fails at once with a
// *slack.RateLimitedError.
func (s *Sender) OpenView(ctx context.Context, triggerID string, v slack.ModalViewRequest) (viewID string, err error) {
	c := call{method: MethodViewsOpen, desc: MethodViewsOpen, noRetry: true}
	err = s.do(ctx, c, func(ctx context.Context) error {
		resp, err := s.api.OpenViewContext(ctx, triggerID, v)
		if err == nil && resp != nil {
			viewID = resp.ID
		}
		return err
	})
	return viewID, err
}

// UpdateView replaces the modal viewID.
func (s *Sender) UpdateView(ctx context.Context, viewID string, v slack.ModalViewRequest) error {
	c := call{method: MethodViewsUpdate, desc: fmt.Sprintf("%s of %s", MethodViewsUpdate, viewID)}
	return s.do(ctx, c, func(ctx context.Context) error {
		_, err := s.api.UpdateViewContext(ctx, v, "", "", viewID)
		return err
	})
}

// PushView pushes a modal on the stack and returns its view id. Like OpenView, never retried.
func (s *Sender) PushView(ctx context.Context, triggerID string, v slack.ModalViewRequest) (string, error) {
	c := call{method: MethodViewsPush, desc: MethodViewsPush, noRetry: true}
	var viewID string
	err := s.do(ctx, c, func(ctx context.Context) error {
		resp, err := s.api.PushViewContext(ctx, triggerID, v)
		if err == nil && resp != nil {
			viewID = resp.ID
		}
		return err
	})
	return viewID, err
}

// PublishHome publishes userID's App Home tab.
func (s *Sender) PublishHome(ctx context.Context, userID string, v slack.HomeTabViewRequest) error {
	c := call{method: MethodViewsPublish, user: userID, desc: fmt.Sprintf("%s for %s", MethodViewsPublish, userID)}
	return s.do(ctx, c, func(ctx context.Context) error {
		_, err := s.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: v})
		return err
	})
}

// UserInfo returns userID's profile (with locale and time zone).
func (s *Sender) UserInfo(ctx context.Context, userID string) (*slack.User, error) {
	c := call{method: MethodUsersInfo, user: userID, desc: fmt.Sprintf("%s for %s", MethodUsersInfo, userID)}
	var u *slack.User
	err := s.do(ctx, c, func(ctx context.Context) error {
		var err error
		u, err = s.api.GetUserInfoContext(ctx, userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// OpenDM opens (or finds) the direct message channel with userID and returns its id.
func (s *Sender) OpenDM(ctx context.Context, userID string) (channelID string, err error) {
	c := call{method: MethodConvOpen, user: userID, desc: fmt.Sprintf("%s with %s", MethodConvOpen, userID)}
	err = s.do(ctx, c, func(ctx context.Context) error {
		ch, _, _, err := s.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{userID}})
		if err == nil && ch != nil {
			channelID = ch.ID
		}
		return err
	})
	return channelID, err
}

// AuthTest checks the bot token and returns who the bot is.
func (s *Sender) AuthTest(ctx context.Context) (*slack.AuthTestResponse, error) {
	c := call{method: MethodAuthTest, desc: MethodAuthTest}
	var resp *slack.AuthTestResponse
	err := s.do(ctx, c, func(ctx context.Context) error {
		var err error
		resp, err = s.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// DNDInfo returns the user's Do Not Disturb state.
func (s *Sender) DNDInfo(ctx context.Context, userID string) (*slack.DNDStatus, error) {
	c := call{method: MethodDNDInfo, user: userID, desc: fmt.Sprintf("%s for %s", MethodDNDInfo, userID)}
	var st *slack.DNDStatus
	err := s.do(ctx, c, func(ctx context.Context) error {
		var err error
		st, err = s.api.GetDNDInfoContext(ctx, &userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}
