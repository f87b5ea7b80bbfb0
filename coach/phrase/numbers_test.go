package phrase

import (
	"errors"
	"strings"
	"testing"
)

var (
	english = Convention{Style: DecimalPoint}
	german  = Convention{Style: DecimalComma, Currency: "EUR"}
	// A Berlin team that writes numbers the English way but bills in euros.
	pointEUR = Convention{Style: DecimalPoint, Currency: "EUR"}
)

// Amounts as reps in London, New York and Berlin type them.
func TestConventionParseAmount(t *testing.T) {
	tests := []struct {
		c     Convention
		in    string
		units int64
		cur   string // "?" asked back as ambiguous; "!" refused
	}{
		// English style
		{english, "25,000", 25_000, ""},
		{english, "$25,000", 25_000, "USD"},
		{english, "25 000", 25_000, ""},
		{english, "1,250.50", 1_251, ""},
		{english, "12.5", 13, ""},
		{english, "1.2m", 1_200_000, ""},
		{english, "1.250m", 1_250_000, ""},
		{english, "1,234,567", 1_234_567, ""},
		{english, "1.234.567", 1_234_567, ""},
		{english, "1.234.567,89", 1_234_568, ""},
		{english, "1,5 Mio", 1_500_000, ""},
		{english, "2 billion", 2_000_000_000, ""},
		{english, "3 thousand", 3_000, ""},
		{english, "25.000 €", 0, "?"},
		{english, "25.000", 0, "?"},
		{english, "1.500", 0, "?"},
		{english, "0.500", 1, ""}, // no group starts with 0
		{english, "1234.500", 1_235, ""},
		{english, "CHF 1'250'000", 1_250_000, "CHF"},
		{english, "1,0000", 0, "!"},
		{english, "1 2345", 0, "!"},
		{pointEUR, "25,000", 25_000, "EUR"},
		{pointEUR, "$25,000", 25_000, "USD"},
		{Convention{Currency: "CAD"}, "$5,000", 5_000, "CAD"},
		{Convention{Currency: "AUD"}, "$5k USD", 5_000, "USD"},
		// European style
		{german, "25.000 €", 25_000, "EUR"},
		{german, "25.000", 25_000, "EUR"},
		{german, "€ 12.500,00", 12_500, "EUR"},
		{german, "12.500,50 €", 12_501, "EUR"},
		{german, "25 000", 25_000, "EUR"},
		{german, "25\u00a0000 €", 25_000, "EUR"},
		{german, "25\u202f000,50", 25_001, "EUR"},
		{german, "1,5 Mio", 1_500_000, "EUR"},
		{german, "1,5 Mio.", 1_500_000, "EUR"},
		{german, "1,5Mio", 1_500_000, "EUR"},
		{german, "2,5 Mrd", 2_500_000_000, "EUR"},
		{german, "1,5k", 1_500, "EUR"},
		{german, "25k", 25_000, "EUR"},
		{german, "30 Tsd.", 30_000, "EUR"},
		{german, "25.000,-", 25_000, "EUR"},
		{german, "25.000,– €", 25_000, "EUR"},
		{german, "1.234.567", 1_234_567, "EUR"},
		{german, "1,234.56", 1_235, "EUR"}, // both separators: the last is decimal
		{german, "12,5", 13, "EUR"},
		{german, "1.5", 2, "EUR"}, // a dot with one digit can only be a decimal
		{german, "1.255 Mio", 1_255_000_000, "EUR"},
		{german, "$25.000", 25_000, "USD"},
		{german, "25.000 GBP", 25_000, "GBP"},
		{german, "25,000", 0, "?"},
		{german, "1,500", 0, "?"},
		{german, "1 billion", 0, "!"},
		{german, "1.2.3", 0, "!"},
		{german, "25.00", 25, "EUR"}, // two digits after a dot: only a decimal
		{german, "1.234,5.6", 0, "!"},
		{german, "1 234.567,8", 0, "!"},
	}
	for _, tt := range tests {
		got, err := tt.c.ParseAmount(tt.in)
		switch tt.cur {
		case "?":
			var amb *AmbiguousError
			if !errors.As(err, &amb) || !errors.Is(err, ErrAmount) {
				t.Errorf("%s: ParseAmount(%q) = %+v, %v; want it asked back", tt.c.Style, tt.in, got, err)
			}
			continue
		case "!":
			if err == nil || IsAmbiguous(err) || !errors.Is(err, ErrAmount) {
				t.Errorf("%s: ParseAmount(%q) = %+v, %v; want it refused", tt.c.Style, tt.in, got, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: ParseAmount(%q): %v", tt.c.Style, tt.in, err)
			continue
		}
		if want := (Amount{tt.units, tt.cur}); got != want {
			t.Errorf("%s: ParseAmount(%q) = %+v, want %+v", tt.c.Style, tt.in, got, want)
		}
	}
}

// An ambiguous number is asked back with both readings in the team's style.
func TestAmbiguousAmountWords(t *testing.T) {
	tests := []struct {
		c        Convention
		in, want string
	}{
		{english, "25.000 €", `"25.000" could be 25 or 25,000`},
		{english, "1.500", `"1.500" could be 1.5 or 1,500`},
		{german, "25,000", `"25,000" could be 25 or 25.000`},
		{german, "1,250", `"1,250" could be 1,25 or 1.250`},
	}
	for _, tt := range tests {
		_, err := tt.c.ParseAmount(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseAmount(%q): %v, want it to say %s", tt.c.Style, tt.in, err, tt.want)
		}
	}
}

func TestConventionFormat(t *testing.T) {
	tests := []struct {
		c    Convention
		a    Amount
		want string
	}{
		{english, Amount{25_000, "EUR"}, "€25,000"},
		{english, Amount{25_000, "USD"}, "$25,000"},
		{english, Amount{1_500_000, "CHF"}, "CHF 1,500,000"},
		{english, Amount{999, ""}, "999"},
		{german, Amount{25_000, "EUR"}, "25.000 €"},
		{german, Amount{1_500_000, "EUR"}, "1.500.000 €"},
		{german, Amount{25_000, "USD"}, "25.000 $"},
		{german, Amount{5_000, "CHF"}, "5.000 CHF"},
		{german, Amount{1_000, ""}, "1.000"},
		{german, Amount{0, "EUR"}, "0 €"},
	}
	for _, tt := range tests {
		if got := tt.c.Format(tt.a); got != tt.want {
			t.Errorf("%s: Format(%+v) = %q, want %q", tt.c.Style, tt.a, got, tt.want)
		}
		back, err := tt.c.ParseAmount(tt.want)
		want := tt.a
		if want.Currency == "" {
			want.Currency = tt.c.Currency
		}
		if err != nil || back != want {
			t.Errorf("%s: ParseAmount(%q) = %+v, %v; want %+v", tt.c.Style, tt.want, back, err, want)
		}
	}
}

func TestStyles(t *testing.T) {
	for cur, want := range map[string]Style{"EUR": DecimalComma, "eur": DecimalComma, "SEK": DecimalComma,
		"USD": DecimalPoint, "GBP": DecimalPoint, "CHF": DecimalPoint, "": DecimalPoint} {
		if got := StyleOf(cur); got != want {
			t.Errorf("StyleOf(%q) = %s, want %s", cur, got, want)
		}
	}
	for in, want := range map[string]Style{"1,234.56": DecimalPoint, "point": DecimalPoint, "Dot": DecimalPoint,
		"1.234,56": DecimalComma, "1 234,56": DecimalComma, "comma": DecimalComma} {
		if got, ok := ParseStyle(in); !ok || got != want {
			t.Errorf("ParseStyle(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	if _, ok := ParseStyle("roman"); ok {
		t.Error(`ParseStyle("roman") is ok`)
	}
}

// Money writes an amount that reads back as itself, and as money in a
// reply, in either style.
func TestMoneyReadsBackAsMoney(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	now := wednesday(berlin)
	for _, tt := range []struct {
		c    Convention
		a    Amount
		want string
	}{
		{Convention{}, Amount{25_000, "USD"}, "$25,000"},
		{Convention{}, Amount{25_000, ""}, "25k"},
		{Convention{}, Amount{25_500, ""}, "25.5k"},
		{Convention{Style: DecimalComma}, Amount{25_500, ""}, "25,5k"},
		{Convention{Style: DecimalComma}, Amount{25_123, ""}, "25,123k"},
		{Convention{Style: DecimalComma}, Amount{500, ""}, "0,5k"},
		{Convention{Style: DecimalComma, Currency: "EUR"}, Amount{25_000, "USD"}, "25.000 $"},
	} {
		got := tt.c.Money(tt.a)
		if got != tt.want {
			t.Errorf("%s: Money(%+v) = %q, want %q", tt.c.Style, tt.a, got, tt.want)
		}
		if r := tt.c.ParseReply("yes tue 10 "+got, now, berlin); !r.HasAmount || r.Amount != tt.a {
			t.Errorf("%s: %q in a reply reads as %+v (%v), want %+v", tt.c.Style, got, r.Amount, r.HasAmount, tt.a)
		}
	}
}

// Every example a form shows reads back as an amount in its own style.
func TestHintReadsInItsStyle(t *testing.T) {
	for _, c := range []Convention{{}, {Style: StyleOf("EUR"), Currency: "EUR"}} {
		for _, ex := range strings.Split(strings.ReplaceAll(c.Hint(), " or ", ", "), ", ") {
			if _, err := c.ParseAmount(ex); err != nil {
				t.Errorf("%+v: hint %q does not read: %v", c, ex, err)
			}
		}
	}
}

// A refusal writes its examples and limit as the team writes amounts.
func TestAmountErrorsInTheTeamsStyle(t *testing.T) {
	eur := Convention{Style: StyleOf("EUR"), Currency: "EUR"}
	_, err := eur.ParseAmount("99.000.000.000.000 €")
	if err == nil || !strings.Contains(err.Error(), "1.000.000.000.000") {
		t.Errorf("too large for a comma team: %v", err)
	}
	_, err = Convention{}.ParseAmount("$99,000,000,000,000")
	if err == nil || !strings.Contains(err.Error(), "1,000,000,000,000") {
		t.Errorf("too large for a point team: %v", err)
	}
}
