package bot

import (
	"errors"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// logConnectionTrouble writes a Socket Mode connection problem in words:
// the cause as an error, and for a failed connection attempt its number and
// how long the socket waits before the next one, rounded for a person. It
// never writes the event as a struct (a backoff in nanoseconds says
// nothing to whoever is on call).
func (b *Bot) logConnectionTrouble(evt socketmode.Event) {
	switch e := evt.Data.(type) {
	case *slack.ConnectionErrorEvent:
		b.log.Warn().Err(causeOf(e.ErrorObj)).Int("attempt", e.Attempt).
			Str("retry_in", e.Backoff.Round(time.Millisecond).String()).
			Msg("could not connect to Slack; retrying")
	case *slack.IncomingEventError:
		b.log.Warn().Err(causeOf(e.ErrorObj)).Msg("lost the connection to Slack; reconnecting")
	default:
		b.log.Warn().Str("envelope_type", string(evt.Type)).Msg("Socket Mode connection problem; reconnecting")
	}
}

// causeOf is err, or a placeholder when the event carried none.
func causeOf(err error) error {
	if err == nil {
		return errors.New("no cause given")
	}
	return err
}
