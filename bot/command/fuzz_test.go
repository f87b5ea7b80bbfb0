package command

import (
	"slices"
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach/phrase"
)

func FuzzParseLog(f *testing.F) {
	for _, s := range []string{"Acme Corp tomorrow 10am with Jane Doe", "Acme", "with Jane", "Next Inc next tue 10am", "Monday.com"} {
		f.Add(s)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, berlin)
	f.Fuzz(func(t *testing.T, text string) {
		got := ParseLog(text, now, berlin)
		words := strings.Fields(Unescape(text))
		// The contact follows the last "with".
		k := len(words)
		for i := len(words) - 1; i >= 0; i-- {
			if strings.EqualFold(words[i], "with") {
				k = i
				break
			}
		}
		before, after := words[:k], []string(nil)
		if k < len(words) {
			after = words[k+1:]
		}
		account, contact := strings.Fields(got.Account), strings.Fields(got.Contact)
		if !got.HasWhen {
			if !got.When.IsZero() {
				t.Fatalf("ParseLog(%q).When = %v without HasWhen", text, got.When)
			}
			if !slices.Equal(account, before) || !slices.Equal(contact, after) {
				t.Fatalf("ParseLog(%q) = %+v, want account %q, contact %q", text, got, before, after)
			}
			return
		}
		if got.When.Location() != berlin {
			t.Fatalf("ParseLog(%q).When is in %v", text, got.When.Location())
		}
		// The date is the words left over, either at the end of the words
		// before "with" or at the end of the contact; never in the account
		// or the contact.
		var date []string
		switch {
		case slices.Equal(contact, after) && len(before) > len(account) && slices.Equal(before[:len(account)], account):
			date = before[len(account):]
		case slices.Equal(account, before) && len(after) > len(contact) && slices.Equal(after[:len(contact)], contact):
			date = after[len(contact):]
		default:
			t.Fatalf("ParseLog(%q) = %+v: account and contact do not match the words", text, got)
		}
		if len(date) == 0 || len(date) > maxDateWords {
			t.Fatalf("ParseLog(%q): the date is %d words", text, len(date))
		}
		want, err := phrase.When(strings.Join(date, " "), now, berlin)
		if err != nil || !want.Equal(got.When) {
			t.Fatalf("ParseLog(%q).When = %v, but %q reads as %v, %v", text, got.When, date, want, err)
		}
	})
}
