package phrase

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fuzzClocks are the (zone, now) pairs every fuzz input is tried against:
// an ordinary Wednesday and the eves of daylight-saving changes.
func fuzzClocks(t testing.TB) []time.Time {
	berlin := mustLoad(t, "Europe/Berlin")
	ny := mustLoad(t, "America/New_York")
	return []time.Time{
		wednesday(berlin),
		time.Date(2026, 3, 28, 23, 59, 30, 0, berlin),
		time.Date(2026, 10, 31, 10, 0, 0, 0, ny),
		time.Date(2026, 11, 1, 1, 30, 0, 0, ny).Add(time.Hour), // 01:30 EST, the second one
		time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
	}
}

func FuzzWhen(f *testing.F) {
	for _, s := range []string{"today 2pm", "next tue 10am", "2026-12-01 14:30", "in 3 days", "dec 1st at 2pm", "25:00", "12/01"} {
		f.Add(s)
	}
	clocks := fuzzClocks(f)
	f.Fuzz(func(t *testing.T, text string) {
		for _, now := range clocks {
			loc := now.Location()
			got, err := When(text, now, loc)
			if err != nil {
				if !errors.Is(err, ErrDate) {
					t.Fatalf("When(%q): %v does not wrap ErrDate", text, err)
				}
				continue
			}
			// ParseReply only tries When on words that pass dateish.
			for _, f := range strings.Fields(strings.ReplaceAll(text, ",", " ")) {
				if w := strings.ToLower(trimPunct(f)); w != "" && !dateish(w) {
					t.Fatalf("When(%q) succeeds, but dateish(%q) is false", text, w)
				}
			}
			if got.Location() != loc {
				t.Fatalf("When(%q) is in %v, want %v", text, got.Location(), loc)
			}
			if got.Second() != 0 || got.Nanosecond() != 0 {
				t.Fatalf("When(%q) = %v, not to the minute", text, got)
			}
			if got.Year() < minYear || got.Year() > maxYear {
				t.Fatalf("When(%q) = %v, out of range", text, got)
			}
			// Written back as year-month-day and 24-hour clock, it reads the same.
			wall := got.Format("2006-01-02 15:04")
			back, err := When(wall, now, loc)
			if err != nil {
				t.Fatalf("When(%q) = %s, which does not read back: %v", text, wall, err)
			}
			if back.Format("2006-01-02 15:04") != wall {
				t.Fatalf("When(%q) = %s, reads back as %s", text, wall, back)
			}
			// Only a repeated daylight-saving hour may read back at the other offset.
			if d := back.Sub(got); d != 0 && d != time.Hour && d != -time.Hour {
				t.Fatalf("When(%q) = %v, reads back as %v", text, got, back)
			}
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"25k", "$25,000", "1.2m", "£1.5M", "30k EUR", "1,250.50", "12kk", "-5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		a, err := ParseAmount(text)
		if err != nil {
			if !errors.Is(err, ErrAmount) {
				t.Fatalf("ParseAmount(%q): %v does not wrap ErrAmount", text, err)
			}
			return
		}
		if a.Units < 0 || a.Units > MaxUnits {
			t.Fatalf("ParseAmount(%q) = %d units", text, a.Units)
		}
		if a.Currency != "" && !currencies[a.Currency] {
			t.Fatalf("ParseAmount(%q) = currency %q", text, a.Currency)
		}
		back, err := ParseAmount(a.String())
		if err != nil || back != a {
			t.Fatalf("ParseAmount(%q) = %+v, written %q, reads back as %+v, %v", text, a, a.String(), back, err)
		}
	})
}

// noSilentDrop: every typed word with a digit, and every weekday or
// relative day, was read as the date or the amount, is an answer word, or
// is reported unplaced; and what is reported unplaced was typed and not
// read.
func noSilentDrop(t *testing.T, text string, now time.Time, r Reply, c Convention) {
	t.Helper()
	if len(text) > MaxLen {
		if r.Answer != Unclear || r.HasWhen {
			t.Fatalf("ParseReply of %d bytes = %+v, want it unclear, asked again", len(text), r)
		}
		return
	}
	when := strings.Fields(r.WhenText)
	if r.HasWhen != (len(when) > 0) {
		t.Fatalf("ParseReply(%q): HasWhen %v with WhenText %q", text, r.HasWhen, r.WhenText)
	}
	for _, w := range replyWords(text) {
		strong := strings.ContainsAny(w.orig, "0123456789") && !strings.HasPrefix(w.orig, "<") ||
			w.date == "tomorrow" || w.date == "today" || w.date == "thursday" || w.date == "tue"
		if !strong || slices.Contains(when, w.orig) || slices.Contains(strings.Fields(r.AmountText), w.orig) ||
			slices.Contains(r.Unplaced, w.orig) || filler[w.key] || answerWord(w.key) {
			continue
		}
		t.Fatalf("ParseReply(%q) = %+v drops %q without a word", text, r, w.orig)
	}
	for _, u := range r.Unplaced {
		if !strings.Contains(text, u) || !strings.Contains(r.Rest, u) {
			t.Fatalf("ParseReply(%q): unplaced %q is not in the text and its rest %q", text, u, r.Rest)
		}
	}
	if r.HasAmount != (r.AmountText != "") || r.HasAmount && r.Answer != Yes || r.HasAmount && r.Ambiguous != nil {
		t.Fatalf("ParseReply(%q): amount %+v, %q with %v, ambiguous %v", text, r.Amount, r.AmountText, r.Answer, r.Ambiguous)
	}
	if r.HasAmount {
		// The amount shown back reads the same on its own, and is money.
		if got, err := c.ParseAmount(r.AmountText); err != nil || got != r.Amount {
			t.Fatalf("ParseReply(%q) read %q as %+v, but alone it reads %+v, %v", text, r.AmountText, r.Amount, got, err)
		}
		if !strings.ContainsAny(r.AmountText, "€$£kKmMbB") && !strings.ContainsFunc(r.AmountText, func(r rune) bool { return r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' }) {
			t.Fatalf("ParseReply(%q) read the bare number %q as money", text, r.AmountText)
		}
	}
	if r.HasWhen {
		// What is shown back as understood reads the same on its own.
		if got, err := When(r.WhenText, now, r.When.Location()); err != nil || !got.Equal(r.When) {
			t.Fatalf("ParseReply(%q) read %q as %v, but alone it reads %v, %v", text, r.WhenText, r.When, got, err)
		}
	}
}

// answerWord reports whether key is a word of an answer phrase.
func answerWord(key string) bool {
	for _, ps := range phrases {
		for _, p := range ps {
			if slices.Contains(p.words, key) {
				return true
			}
		}
	}
	return false
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"yes, tue 10am", "no, not yet", "Acme yes tue 10am", "nobody", "lose it", "👍",
		"yes, thu 10", "yes thu morning", "not yet, tue 10am", "yes 25,000 thu 10am", "yep <@U123> tomorrow 9",
		"yes, tue 10, 25.000 €", "yes €25.000 thu 2pm", "yes 25k or 30k tue 10", "yes 1,5 Mio 3.12. 10 Uhr"} {
		f.Add(s)
	}
	clocks := fuzzClocks(f)
	f.Fuzz(func(t *testing.T, text string) {
		for i, now := range clocks {
			loc := now.Location()
			c := []Convention{{}, {Style: DecimalComma, Currency: "EUR"}}[i%2]
			r := c.ParseReply(text, now, loc)
			if r.Answer < Unclear || r.Answer > No {
				t.Fatalf("ParseReply(%q).Answer = %d", text, r.Answer)
			}
			if r.HasWhen && r.Answer != Yes {
				t.Fatalf("ParseReply(%q) has a date with %v", text, r.Answer)
			}
			if !r.HasWhen && !r.When.IsZero() {
				t.Fatalf("ParseReply(%q).When = %v without HasWhen", text, r.When)
			}
			if r.HasWhen && r.When.Location() != loc {
				t.Fatalf("ParseReply(%q).When is in %v, want %v", text, r.When.Location(), loc)
			}
			if len(r.Rest) > len(text) {
				t.Fatalf("ParseReply(%q).Rest = %q is longer than the text", text, r.Rest)
			}
			for _, w := range strings.Fields(r.Rest) {
				if !strings.Contains(text, w) {
					t.Fatalf("ParseReply(%q).Rest has %q, which was not typed", text, w)
				}
			}
			if again := c.ParseReply(text, now, loc); !reflect.DeepEqual(again, r) {
				t.Fatalf("ParseReply(%q) is not deterministic: %+v then %+v", text, r, again)
			}
			noSilentDrop(t, text, now, r, c)
		}
	})
}

// In either style, an amount is read or refused with a reason, and what is
// read, written back in the same style, reads the same.
func FuzzConventionParseAmount(f *testing.F) {
	for _, s := range []string{"25.000 €", "€ 12.500,00", "25 000", "1,5 Mio", "25,000", "1.234.567,89", "25.000,-", "2 billion"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, c := range []Convention{{Style: DecimalPoint}, {Style: DecimalComma, Currency: "EUR"}} {
			a, err := c.ParseAmount(text)
			if err != nil {
				if !errors.Is(err, ErrAmount) {
					t.Fatalf("%s: ParseAmount(%q): %v does not wrap ErrAmount", c.Style, text, err)
				}
				continue
			}
			if a.Units < 0 || a.Units > MaxUnits || a.Currency != "" && !currencies[a.Currency] {
				t.Fatalf("%s: ParseAmount(%q) = %+v", c.Style, text, a)
			}
			back, err := c.ParseAmount(c.Format(a))
			if err != nil || back != a {
				t.Fatalf("%s: ParseAmount(%q) = %+v, written %q, reads back as %+v, %v", c.Style, text, a, c.Format(a), back, err)
			}
		}
	})
}
