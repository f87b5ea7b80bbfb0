package phrase

import (
	"strings"
	"testing"
	"time"
)

func TestParseReply(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := wednesday(berlin)
	tests := []struct {
		in     string
		answer Answer
		when   string // layout in Berlin; "" for no date
		rest   string
	}{
		// Yes
		{"yes", Yes, "", ""},
		{"Yes!", Yes, "", ""},
		{"YES", Yes, "", ""},
		{"y", Yes, "", ""},
		{"yep", Yes, "", ""},
		{"yeah", Yes, "", ""},
		{"booked", Yes, "", ""},
		{"Booked.", Yes, "", ""},
		{"sure did", Yes, "", ""},
		{"Yes, booked", Yes, "", ""},
		{"yes, tue 10am", Yes, "2026-12-01 10:00 +0100", ""},
		{"yes tue 10am", Yes, "2026-12-01 10:00 +0100", ""},
		{"yep booked for thu 2pm", Yes, "2026-11-26 14:00 +0100", ""},
		{"yes we have a second meeting on 2026-12-03 15:00", Yes, "2026-12-03 15:00 +0100", ""},
		{"we have a second meeting on 2026-12-03 15:00", Yes, "2026-12-03 15:00 +0100", ""},
		{"Acme yes tue 10am", Yes, "2026-12-01 10:00 +0100", "Acme"},
		{"yes Acme tue 10am", Yes, "2026-12-01 10:00 +0100", "Acme"},
		{"booked with Jane Doe next mon 9:30am", Yes, "2026-11-30 09:30 +0100", "Jane Doe"},
		{"yes, booked tomorrow at 10 am.", Yes, "2026-11-26 10:00 +0100", ""},
		{"yes dec 1st at 2pm", Yes, "2026-12-01 14:00 +0100", ""},
		{"tue 10am booked", Yes, "2026-12-01 10:00 +0100", ""},
		{"confirmed for 2026-12-01", Yes, "2026-12-01 09:00 +0100", ""},
		{"yes, in 3 days", Yes, "2026-11-28 10:00 +0100", ""},
		{"yes booked it just now", Yes, "", ""},
		{"yes now", Yes, "", ""},
		{"yes, Monday.com", Yes, "", "Monday.com"},
		{"yes 25:00", Yes, "", "25:00"},
		{"👍", Yes, "", ""},
		{"👍🏽", Yes, "", ""},
		{":+1:", Yes, "", ""},
		{":+1::skin-tone-3: thu 2pm", Yes, "2026-11-26 14:00 +0100", ""},
		{"✅ fri 11:00", Yes, "2026-11-27 11:00 +0100", ""},
		{"it's booked", Yes, "", ""},
		{"scheduled", Yes, "", ""},
		{"of course", Yes, "", ""},
		// NotYet
		{"not yet", NotYet, "", ""},
		{"Not yet.", NotYet, "", ""},
		{"no, not yet", NotYet, "", ""},
		{"no not yet", NotYet, "", ""},
		{"nope, not yet", NotYet, "", ""},
		{"working on it", NotYet, "", ""},
		{"pending", NotYet, "", ""},
		{"maybe", NotYet, "", ""},
		{"later", NotYet, "", ""},
		{"not booked", NotYet, "", ""},
		{"haven't booked it yet", NotYet, "", ""},
		{"havent booked", NotYet, "", ""},
		{"not yet booked", NotYet, "", ""},
		{"no meeting booked", NotYet, "", ""},
		{"haven't got it booked", NotYet, "", ""},
		{"Acme: not booked yet, maybe next week", NotYet, "", "Acme next week"},
		{"didn't", NotYet, "", ""},
		{"did not book", NotYet, "", "book"},
		{"we did not", NotYet, "", ""},
		{"I didn't", NotYet, "", ""},
		{"i did", Yes, "", ""},
		{"not sure", NotYet, "", ""},
		{"no meeting yet", NotYet, "", ""},
		{"no reply from Acme", NotYet, "", "from Acme"},
		{"not yet, tue 10am", NotYet, "", "tue 10am"},
		{"in progress", NotYet, "", ""},
		{"⏳", NotYet, "", ""},
		// No
		{"no", No, "", ""},
		{"No.", No, "", ""},
		{"n", No, "", ""},
		{"nope", No, "", ""},
		{"nah", No, "", ""},
		{"no second meeting", No, "", ""},
		{"lose it", No, "", ""},
		{"No — lose it fast", No, "", ""},
		{"dead", No, "", ""},
		{"not interested", No, "", ""},
		{"they're not interested", No, "", "they're"},
		{"no, lost it yesterday", No, "", "yesterday"},
		{"Acme is dead", No, "", "Acme"},
		{"👎", No, "", ""},
		// Unclear
		{"", Unclear, "", ""},
		{"   ", Unclear, "", ""},
		{"nobody", Unclear, "", "nobody"},
		{"yesterday", Unclear, "", "yesterday"},
		{"Acme tue 10am", Unclear, "", "Acme tue 10am"}, // a date with more words is no answer
		{"call me tue 10am", Unclear, "", "me tue 10am"},
		{"not", Unclear, "", "not"},
		{"hmm", Unclear, "", "hmm"},
		{"what?", Unclear, "", "what"},
		{"yes no", Unclear, "", ""},
		{"yes, not yet", Unclear, "", ""},
		{"booked? no", Unclear, "", ""},
		{"ok", Unclear, "", ""},
		// a time alone answers the question: booked for then
		{"tue 10am", Yes, "2026-12-01 10:00 +0100", ""},
		{"thu 10", Yes, "2026-11-26 10:00 +0100", ""},
		{"for tomorrow at 2pm", Yes, "2026-11-26 14:00 +0100", ""},
		{"yesterday 3pm", Yes, "2026-11-24 15:00 +0100", ""},
		{"nonsense yesno", Unclear, "", "nonsense yesno"},
		{"yes " + strings.Repeat("x", MaxLen), Unclear, "", ""},
	}
	for _, tt := range tests {
		got := ParseReply(tt.in, now, berlin)
		if got.Answer != tt.answer {
			t.Errorf("ParseReply(%q).Answer = %v, want %v", tt.in, got.Answer, tt.answer)
		}
		if got.Rest != tt.rest {
			t.Errorf("ParseReply(%q).Rest = %q, want %q", tt.in, got.Rest, tt.rest)
		}
		switch {
		case tt.when == "" && got.HasWhen:
			t.Errorf("ParseReply(%q).When = %s, want none", tt.in, got.When.Format(layout))
		case tt.when != "" && !got.HasWhen:
			t.Errorf("ParseReply(%q) has no When, want %s", tt.in, tt.when)
		case tt.when != "" && got.When.Format(layout) != tt.when:
			t.Errorf("ParseReply(%q).When = %s, want %s", tt.in, got.When.Format(layout), tt.when)
		}
		if got.HasWhen && got.When.Location() != berlin {
			t.Errorf("ParseReply(%q).When is in %v", tt.in, got.When.Location())
		}
	}
}

func TestAnswerString(t *testing.T) {
	for a, want := range map[Answer]string{Unclear: "unclear", Yes: "yes", NotYet: "not yet", No: "no", Answer(42): "unclear"} {
		if got := a.String(); got != want {
			t.Errorf("Answer(%d).String() = %q, want %q", int(a), got, want)
		}
	}
}

func TestParseReplyNewYork(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	now := time.Date(2026, 10, 31, 10, 0, 0, 0, ny) // Saturday before the clocks go back
	got := ParseReply("yes, tomorrow 10am", now, ny)
	if got.Answer != Yes || !got.HasWhen || got.When.Format(layout) != "2026-11-01 10:00 -0500" {
		t.Errorf("got %+v", got)
	}
}

// With Yes, words that name money are the deal's amount, read as the team
// writes numbers; a bare number is never money, and an amount that could
// mean two things in the team's style is asked back with both readings.
func TestParseReplyAmount(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := wednesday(berlin)
	english := Convention{Style: DecimalPoint, Currency: "USD"}
	euro := Convention{Style: DecimalComma, Currency: "EUR"}
	tests := []struct {
		conv      Convention
		in        string
		whenText  string
		amount    Amount // zero for none
		unplaced  string
		ambiguous string // "small|grouped"
	}{
		{euro, "yes, tue 10, 25.000 €", "tue 10", Amount{25_000, "EUR"}, "", ""},
		{euro, "yes 25.000 € tue 10", "tue 10", Amount{25_000, "EUR"}, "", ""},
		{euro, "yes tue 10 25 000 €", "tue 10", Amount{25_000, "EUR"}, "", ""},
		{euro, "yes tue 10 € 12.500,00", "tue 10", Amount{12_500, "EUR"}, "", ""},
		{euro, "yes tue 10 1,5 Mio", "tue 10", Amount{1_500_000, "EUR"}, "", ""},
		{euro, "yes, tue 10, 30k", "tue 10", Amount{30_000, "EUR"}, "", ""},
		{euro, "yes tue 10 EUR 25.000", "tue 10", Amount{25_000, "EUR"}, "", ""},
		{euro, "yes tue 10 25.000,- €", "tue 10", Amount{25_000, "EUR"}, "", ""},
		{euro, "yes, 3.12. 10 Uhr, 25.000 €", "3.12. 10", Amount{25_000, "EUR"}, "", ""},
		{euro, "yes 25k", "", Amount{25_000, "EUR"}, "", ""},
		{euro, "ja yes tue 10 25.000 CHF", "tue 10", Amount{25_000, "CHF"}, "", ""},
		{english, "yes tue 10 $25,000", "tue 10", Amount{25_000, "USD"}, "", ""},
		{english, "yes €25k thu 2pm", "thu 2pm", Amount{25_000, "EUR"}, "", ""},
		{english, "yes, 2026-12-03 10:00, 1.2m", "2026-12-03 10:00", Amount{1_200_000, "USD"}, "", ""},
		// what could mean two things in the team's style: asked back
		{euro, "yes tue 10 $25,000", "tue 10", Amount{}, "$25,000", "25|25.000"},
		{english, "yes, tue 10, 25.000 €", "tue 10", Amount{}, "25.000", "25|25,000"},
		{english, "yes tue 10 €25.000", "tue 10", Amount{}, "€25.000", "25|25,000"},
		// a bare number is no money; two amounts are no amount
		{euro, "yes tue 10 25.000", "tue 10", Amount{}, "25.000", ""},
		{euro, "yes tue 10 25k or 30k", "tue 10", Amount{}, "25k 30k", ""},
		{euro, "yes 3 people tue 10 25k", "tue 10", Amount{25_000, "EUR"}, "3", ""},
		{euro, "yes tue 10 25 kg", "tue 10", Amount{}, "25", ""},
		// only with yes
		{euro, "not yet, 25.000 €", "", Amount{}, "25.000", ""},
		{euro, "no, 25k", "", Amount{}, "25k", ""},
	}
	for _, tt := range tests {
		r := tt.conv.ParseReply(tt.in, now, berlin)
		var got Amount
		if r.HasAmount {
			got = r.Amount
		}
		amb := ""
		if r.Ambiguous != nil {
			amb = r.Ambiguous.Small + "|" + r.Ambiguous.Grouped
		}
		if r.WhenText != tt.whenText || got != tt.amount || strings.Join(r.Unplaced, " ") != tt.unplaced || amb != tt.ambiguous {
			t.Errorf("%s: ParseReply(%q) = when %q, amount %+v (%q), unplaced %q, ambiguous %q; want %q, %+v, %q, %q",
				tt.conv.Style, tt.in, r.WhenText, got, r.AmountText, r.Unplaced, amb, tt.whenText, tt.amount, tt.unplaced, tt.ambiguous)
		}
		if r.HasAmount {
			if back, err := tt.conv.ParseAmount(r.AmountText); err != nil || back != r.Amount {
				t.Errorf("ParseReply(%q) read %q as %+v, but alone it reads %+v, %v", tt.in, r.AmountText, r.Amount, back, err)
			}
		}
	}
}
