// Package render builds every Block Kit payload the bot sends: messages,
// modals and the App Home view. It is pure: values in, slack-go blocks out,
// no I/O and no routing. Golden files in testdata pin the JSON.
package render

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"pipelinecoach/coach/phrase"
)

// Message is a message's fallback text (notifications, screen readers) and
// its blocks.
type Message struct {
	Text   string
	Blocks []slack.Block
	// Fallback, when set, is the message with its tables and charts said
	// in text, for a workspace that answers invalid_blocks to them.
	Fallback []slack.Block `json:",omitempty"`
}

// Plain is the message as text blocks only: Fallback when it has one.
func (m Message) Plain() Message {
	if m.Fallback == nil {
		return m
	}
	return Message{Text: m.Text, Blocks: m.Fallback}
}

// Options turns the message into slack-go options for posting or updating.
func (m Message) Options() []slack.MsgOption {
	return []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)}
}

// Block Kit limits that rendering must respect: Slack rejects a payload
// over any of them.
const (
	maxSectionText = 3000
	maxButtonText  = 75
	maxHeaderText  = 150
	maxOptionText  = 75
	maxMessageBlks = 50
	maxViewBlocks  = 100
)

// Escape makes text a person typed safe inside mrkdwn: a typed <!channel>,
// <@U…> or link shows as text and never pings or links.
func Escape(s string) string { return mrkdwnEscaper.Replace(s) }

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Truncate cuts s to at most n characters, ending with an ellipsis when cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// safe is typed text escaped and cut to n characters, for mrkdwn.
func safe(s string, n int) string { return Escape(Truncate(s, n)) }

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, Truncate(text, maxSectionText), false, false)
}

func plain(text string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, Truncate(text, n), false, false)
}

func section(blockID, text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID(blockID))
}

func contextText(blockID, text string) *slack.ContextBlock {
	return slack.NewContextBlock(blockID, mrkdwn(text))
}

func header(text string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(plain(text, maxHeaderText))
}

func button(actionID, value, text, style string) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID, value, plain(text, maxButtonText))
	if style != "" {
		b.Style = slack.Style(style)
	}
	return b
}

// When formats a time for a rep, in their zone: "Tue Dec 1, 14:30".
func When(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(loc).Format("Mon Jan 2, 15:04")
}

// Day formats a date for a rep: "Tue Dec 1".
func Day(t time.Time, loc *time.Location) string { return t.In(loc).Format("Mon Jan 2") }

// Plural is "1 deal", "3 deals".
func Plural(n int, one, many string) string { return plural(n, one, many) }

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Money writes whole units in a currency as the team that owns them writes
// amounts (coach decides numbers: the owner's team's convention): "$25,000",
// "CHF 1,200" with a decimal point, "25.000 €", "1.200 CHF" with a decimal
// comma, "25,000" or "25.000" with no currency.
func Money(units int64, currency string, numbers phrase.Convention) string {
	return numbers.Format(phrase.Amount{Units: units, Currency: currency})
}
