package phrase

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in    string
		units int64
		cur   string
	}{
		{"25k", 25_000, ""},
		{"25K", 25_000, ""},
		{"$25,000", 25_000, "USD"},
		{"1.2m", 1_200_000, ""},
		{"25000", 25_000, ""},
		{"25,000", 25_000, ""},
		{"€30k", 30_000, "EUR"},
		{"£1.5M", 1_500_000, "GBP"},
		{"30k EUR", 30_000, "EUR"},
		{"30k eur", 30_000, "EUR"},
		{"USD 40000", 40_000, "USD"},
		{"usd40000", 40_000, "USD"},
		{"$ 12.5k", 12_500, "USD"},
		{"1,250.50", 1_251, ""},
		{"1,250.49", 1_250, ""},
		{"1250.5", 1_251, ""},
		{"0.4", 0, ""},
		{"0", 0, ""},
		{"$0", 0, "USD"},
		{"  $25k  ", 25_000, "USD"},
		{"25 k", 25_000, ""},
		{"25k$", 25_000, "USD"},
		{"30 €", 30, "EUR"},
		{"$25k USD", 25_000, "USD"},
		{"$25k CAD", 25_000, "CAD"},
		{"AUD $5,000", 5_000, "AUD"},
		{"€5k EUR", 5_000, "EUR"},
		{"CHF 1,000,000", 1_000_000, "CHF"},
		{"JPY 3m", 3_000_000, "JPY"},
		{"sek 500", 500, "SEK"},
		{"NOK 1.5k", 1_500, "NOK"},
		{"DKK 2b", 2_000_000_000, "DKK"},
		{"INR 10,00,000", 0, "!"}, // Indian grouping is not thousands grouping
		{".5k", 500, ""},
		{"1.2345k", 1_235, ""},
		{"1.2344k", 1_234, ""},
		{"0.0000005m", 1, ""},
		{"0.0000004m", 0, ""},
		{"007", 7, ""},
		{"1,000,000,000,000", 1_000_000_000_000, ""},
		{"1000b", 1_000_000_000_000, ""},
		{"999,999,999,999.5", 1_000_000_000_000, ""},
		{"1t", 0, "!"},
		// the other style's decimal separator, where it can only be one
		{"1,2", 1, ""},
		{"1,5k", 1_500, ""},
		{"1.250,50", 1_251, ""},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if tt.cur == "!" {
			if err == nil {
				t.Errorf("ParseAmount(%q) = %+v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseAmount(%q): %v", tt.in, err)
			continue
		}
		if want := (Amount{tt.units, tt.cur}); got != want {
			t.Errorf("ParseAmount(%q) = %+v, want %+v", tt.in, got, want)
		}
	}
}

func TestParseAmountErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "nothing typed"},
		{"   ", "nothing typed"},
		{"abc", "not a number"},
		{"-5", "negative"},
		{"-$5k", "negative"},
		{"$-5k", "negative"},
		{"USD -5", "negative"},
		{"1.2.3", "groups of three"},
		{"12kk", "not a number"},
		{"k", "not a number"},
		{"$", "no number found"},
		{"USD", "no number found"},
		{"5.", "not a number"},
		{".", "not a number"},
		{"1,0000", "groups of three"},
		{",000", "groups of three"},
		{"1000,000", "groups of three"},
		{"12 5", "groups of three"},
		{"1,000,000,000,001", "too large"},
		{"1000000000001", "too large"},
		{"1001b", "too large"},
		{"99999999999999999999999", "too large"},
		{"999,999,999,999.5k", "too large"},
		{"$5 EUR", "two currencies"},
		{"€5 GBP", "two currencies"},
		{"$5 CHF", "two currencies"},
		{"¥500", "not a number"},
		{"5 XYZ", "not a number"},
		{"25k dollars", "not a number"},
		{"1e6", "not a number"},
		{"USD 5 EUR", "not a number"},
		{strings.Repeat("1", MaxLen+1), "too long"},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in)
		if err == nil {
			t.Errorf("ParseAmount(%q) = %+v, want an error", tt.in, got)
			continue
		}
		if !errors.Is(err, ErrAmount) {
			t.Errorf("ParseAmount(%q): %v does not wrap ErrAmount", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseAmount(%q): %q does not say %q", tt.in, err, tt.want)
		}
	}
}

func TestAmountString(t *testing.T) {
	tests := []struct {
		a    Amount
		want string
	}{
		{Amount{25_000, "USD"}, "$25,000"},
		{Amount{1_200_000, "EUR"}, "€1,200,000"},
		{Amount{25_000, ""}, "25,000"},
		{Amount{300, "GBP"}, "£300"},
		{Amount{5_000, "CHF"}, "CHF 5,000"},
		{Amount{0, ""}, "0"},
		{Amount{999, ""}, "999"},
		{Amount{1_000, ""}, "1,000"},
		{Amount{100_000, ""}, "100,000"},
		{Amount{MaxUnits, "USD"}, "$1,000,000,000,000"},
		{Amount{-25_000, "USD"}, "-$25,000"},
		{Amount{-9223372036854775808, ""}, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.a, got, tt.want)
		}
		if tt.a.Units < 0 {
			continue
		}
		back, err := ParseAmount(tt.a.String())
		if err != nil || back != tt.a {
			t.Errorf("ParseAmount(%q) = %+v, %v; want %+v", tt.a.String(), back, err, tt.a)
		}
	}
}
