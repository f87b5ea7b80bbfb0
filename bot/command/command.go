// Package command parses the text after /pipeline: which subcommand, and
// the arguments of the ones that take structured words (log) or mention
// people and channels.
package command

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"pipelinecoach/coach/phrase"
)

// Name is a /pipeline subcommand.
type Name string

// Subcommands.
const (
	Mine     Name = "mine"
	Help     Name = "help"
	Log      Name = "log"
	Won      Name = "won"
	Lost     Name = "lost"
	Update   Name = "update"
	Cleanup  Name = "cleanup"
	Lessons  Name = "lessons"
	Team     Name = "team"
	Quota    Name = "quota"
	Digest   Name = "digest"
	Settings Name = "settings"
	Admin    Name = "admin"
	Calendar Name = "calendar"
)

// ErrUnknown is wrapped by Parse's error for a first word that is no
// subcommand; the bot answers with usage.
var ErrUnknown = errors.New("unknown subcommand")

// Command is the text after /pipeline, split into the subcommand and the
// rest.
type Command struct {
	Name Name
	Args string // trimmed, as typed (case kept, Slack escapes kept)
}

var names = map[string]Name{
	"mine": Mine, "help": Help, "log": Log, "won": Won, "lost": Lost, "update": Update,
	"cleanup": Cleanup, "lessons": Lessons, "team": Team, "quota": Quota, "digest": Digest,
	"settings": Settings, "admin": Admin, "calendar": Calendar,
	// aliases
	"?": Help, "list": Mine, "pipeline": Mine,
}

// Parse splits the text after /pipeline. No text means Mine. The first word
// is the subcommand, in any case; "?" is Help and "list" and "pipeline" are
// Mine. An unknown first word is an error wrapping ErrUnknown that quotes
// the word (cut to 40 characters).
func Parse(text string) (Command, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Command{Name: Mine}, nil
	}
	word, args := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word, args = text[:i], strings.TrimSpace(text[i:])
	}
	name, ok := names[strings.ToLower(word)]
	if !ok {
		return Command{}, fmt.Errorf("%w %q", ErrUnknown, shorten(word, 40))
	}
	return Command{Name: name, Args: args}, nil
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// LogArgs are the words after /pipeline log. Missing parts are empty; the
// bot opens a modal to ask for them.
type LogArgs struct {
	Account string
	Contact string
	When    time.Time
	HasWhen bool
	// Stray is the last word of Account when it is written like a date or
	// a time that was not read ("Acme 12/01 14:30"): the bot asks rather
	// than log a company named "Acme 12/01".
	Stray string
}

// maxDateWords is the longest run of words tried as a date.
const maxDateWords = 8

// ParseLog parses "<account> [when] [with <contact>]" (Slack escapes
// &amp; &lt; &gt; are undone first, and runs of spaces become one):
//
//   - Contact is what follows the last word "with" (any case); "Withers"
//     is not "with".
//   - When is the longest run of words, at most 8, at the end of what
//     precedes "with" that phrase.When reads in full; Account is the words
//     before it. A text that is a date in full ("tomorrow 10am") is a date
//     with no account; "Monday.com" and "Next Inc" are accounts, since they
//     do not read as dates in full.
//   - When no date precedes "with", the longest run at the end of the
//     contact's words is tried, leaving at least one word for the contact:
//     "Acme with Jane tomorrow 10am".
//
// "Acme Corp tomorrow 10am with Jane Doe" gives Acme Corp, tomorrow 10:00,
// Jane Doe; "Acme" an account only; "with Jane" a contact only.
func ParseLog(args string, now time.Time, loc *time.Location) LogArgs {
	words := strings.Fields(Unescape(args))
	before, contact := words, []string(nil)
	for i := len(words) - 1; i >= 0; i-- {
		if strings.EqualFold(words[i], "with") {
			before, contact = words[:i], words[i+1:]
			break
		}
	}
	var la LogArgs
	account, t, ok := cutDate(before, 0, now, loc)
	if !ok {
		contact, t, ok = cutDate(contact, 1, now, loc)
	}
	la.Account = strings.Join(account, " ")
	la.Contact = strings.Join(contact, " ")
	if ok {
		la.When, la.HasWhen = t, true
		if n := len(account); n > 0 && phrase.LooksLikeDate(account[n-1]) {
			la.Stray = account[n-1]
		}
	}
	return la
}

// cutDate finds the longest suffix of words, keeping at least keep words
// before it, that phrase.When reads, and returns the words before it.
func cutDate(words []string, keep int, now time.Time, loc *time.Location) ([]string, time.Time, bool) {
	for i := max(keep, len(words)-maxDateWords); i < len(words); i++ {
		if t, err := phrase.When(strings.Join(words[i:], " "), now, loc); err == nil {
			return words[:i], t, true
		}
	}
	return words, time.Time{}, false
}

// Unescape undoes Slack's escaping of &, < and > in message text.
func Unescape(s string) string {
	return unescaper.Replace(s)
}

var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// UserIDs returns the IDs of the people mentioned in text as Slack escapes
// them ("<@U123|jane>" or "<@U123>"), in order, each once; nil when none.
func UserIDs(text string) []string { return mentions(text, "<@") }

// ChannelIDs returns the IDs of the channels mentioned in text as Slack
// escapes them ("<#C123|sales>" or "<#C123>"), in order, each once; nil when
// none.
func ChannelIDs(text string) []string { return mentions(text, "<#") }

func mentions(text, open string) []string {
	var ids []string
	seen := map[string]bool{}
	for {
		i := strings.Index(text, open)
		if i < 0 {
			return ids
		}
		text = text[i+len(open):]
		j := 0
		for j < len(text) && isIDByte(text[j]) {
			j++
		}
		id, rest := text[:j], text[j:]
		if !validID(id) || rest == "" {
			continue
		}
		switch rest[0] {
		case '>':
			text = rest[1:]
		case '|':
			// The label runs to '>'; Slack escapes '<' and '>' inside it.
			end := strings.IndexAny(rest, "<>")
			if end < 0 || rest[end] != '>' {
				continue
			}
			text = rest[end+1:]
		default:
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
}

func isIDByte(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// validID reports whether s, made of uppercase letters and digits, looks
// like a Slack ID: it starts with a letter.
func validID(s string) bool {
	return len(s) >= 2 && len(s) <= 32 && s[0] >= 'A' && s[0] <= 'Z'
}
