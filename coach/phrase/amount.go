package phrase

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrAmount is wrapped by every error ParseAmount returns; the wrapping
// message says what was wrong and what works.
var ErrAmount = errors.New("not an amount I understand")

// AmountFormats lists examples of what ParseAmount accepts, for help text.
const AmountFormats = "25k, $25,000, 1.2m"

// MaxUnits is the largest amount ParseAmount accepts.
const MaxUnits = 1_000_000_000_000

// Amount is money as typed: whole units (no cents) and an ISO 4217 currency
// code when one was given.
type Amount struct {
	Units    int64
	Currency string // "USD", "EUR", …; "" when none was typed
}

// Currencies ParseAmount knows, by ISO code.
var currencies = map[string]bool{
	"USD": true, "EUR": true, "GBP": true, "CAD": true, "AUD": true, "CHF": true,
	"JPY": true, "SEK": true, "NOK": true, "DKK": true, "INR": true,
}

var symbols = map[string]string{"$": "USD", "€": "EUR", "£": "GBP"}

func amountErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrAmount}, args...)...)
}

// ParseAmount reads an amount of money written with a decimal point, as in
// English ("1,250.50"), with no currency assumed: Convention{}.ParseAmount.
func ParseAmount(text string) (Amount, error) { return Convention{}.ParseAmount(text) }

// ParseAmount reads an amount of money as the convention's team writes it:
// "25k", "$25,000", "1.2m", "25000", "€30k", "£1.5M", "30k EUR",
// "USD 40000", "$ 12.5k", "1,250.50"; with a decimal comma "25.000 €",
// "€ 12.500,00", "1,5 Mio", "25.000,-"; in either "25 000".
//
// Multipliers k, m and b (and the words thousand, Tsd, Mio, million, mn,
// Mrd, bn) multiply by a thousand, a million and a billion; "billion" is
// refused with a decimal comma, where it means a thousand times more. How
// separators are read is in readNumber. The result is rounded to whole
// units, halves up. $ means USD (or the convention's CAD or AUD), € EUR and
// £ GBP; an ISO code (USD EUR GBP CAD AUD CHF JPY SEK NOK DKK INR, any case)
// may come before or after the number. With no currency typed, the
// convention's currency is used. Negative amounts and amounts above
// MaxUnits are refused. Zero is accepted.
func (c Convention) ParseAmount(text string) (Amount, error) {
	if len(text) > MaxLen {
		return Amount{}, amountErr("too long; try %s", AmountFormats)
	}
	s := strings.TrimSpace(text)
	if s == "" {
		return Amount{}, amountErr("nothing typed; try %s", AmountFormats)
	}
	sym, code := "", ""
	// Strip up to one symbol and one code from either end.
	for range 4 {
		s = strings.TrimSpace(s)
		if p, c, ok := cutSymbol(s); ok && sym == "" {
			s, sym = p, c
			continue
		}
		if p, c, ok := cutCode(s); ok && code == "" {
			s, code = p, c
			continue
		}
		break
	}
	cur := code
	switch {
	case sym != "" && code != "":
		dollar := sym == "USD" && (code == "USD" || code == "CAD" || code == "AUD")
		if sym != code && !dollar {
			return Amount{}, amountErr("%q names two currencies; give one", text)
		}
	case code != "":
	case sym == "USD" && (c.Currency == "CAD" || c.Currency == "AUD"):
		cur = c.Currency // a Canadian team's "$" is its own dollar
	case sym != "":
		cur = sym
	case c.Currency != "" && currencies[c.Currency]:
		cur = c.Currency
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		return Amount{}, amountErr("the amount must not be negative")
	}
	units, err := c.readNumber(s)
	if amb := (*AmbiguousError)(nil); errors.As(err, &amb) {
		amb.Currency = cur
	}
	if err != nil {
		return Amount{}, err
	}
	return Amount{Units: units, Currency: cur}, nil
}

// cutSymbol removes a currency symbol from the start or end of s.
func cutSymbol(s string) (rest, code string, ok bool) {
	for sym, c := range symbols {
		if r, ok := strings.CutPrefix(s, sym); ok {
			return r, c, true
		}
		if r, ok := strings.CutSuffix(s, sym); ok {
			return r, c, true
		}
	}
	return s, "", false
}

// cutCode removes an ISO currency code from the start or end of s, when it
// is not part of a longer word.
func cutCode(s string) (rest, code string, ok bool) {
	if len(s) < 3 {
		return s, "", false
	}
	if c := strings.ToUpper(s[:3]); currencies[c] && (len(s) == 3 || !isLetter(s[3])) {
		return s[3:], c, true
	}
	n := len(s)
	if c := strings.ToUpper(s[n-3:]); currencies[c] && (n == 3 || !isLetter(s[n-4])) {
		return s[:n-3], c, true
	}
	return s, "", false
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// toUnits turns the digits before and after the decimal separator, times
// 10^exp, into whole units, rounding the first dropped decimal half up. Its
// errors write examples and the limit the way the team writes amounts.
func (c Convention) toUnits(s, intPart, frac string, exp int) (int64, error) {
	if intPart != "" && !allDigits(intPart) || frac != "" && !allDigits(frac) || intPart == "" && frac == "" {
		return 0, amountErr("%q is not a number; try %s", short(s), c.Examples())
	}
	tooBig := amountErr("too large; amounts go up to %s", c.Format(Amount{Units: MaxUnits, Currency: c.Currency}))
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 13 {
		return 0, tooBig
	}
	var whole int64
	if intPart != "" {
		whole, _ = strconv.ParseInt(intPart, 10, 64)
	}
	scale := int64(1)
	for range exp {
		scale *= 10
	}
	if whole > MaxUnits/scale {
		return 0, tooBig
	}
	units := whole * scale
	// The first exp decimals are units; the next one rounds.
	digits := frac + strings.Repeat("0", exp+1)
	if exp > 0 {
		f, _ := strconv.ParseInt(digits[:exp], 10, 64)
		units += f
	}
	if digits[exp] >= '5' {
		units++
	}
	if units > MaxUnits {
		return 0, tooBig
	}
	return units, nil
}

// String writes the amount with thousands separators: "$25,000",
// "€1,200,000", "£300", "CHF 5,000", or "25,000" with no currency.
func (a Amount) String() string {
	n := a.Units
	neg := n < 0
	u := uint64(n)
	if neg {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch a.Currency {
	case "":
	case "USD":
		b.WriteString("$")
	case "EUR":
		b.WriteString("€")
	case "GBP":
		b.WriteString("£")
	default:
		b.WriteString(a.Currency)
		b.WriteByte(' ')
	}
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// KnownCurrency reports whether code (uppercase ISO 4217) is a currency
// ParseAmount knows.
func KnownCurrency(code string) bool { return currencies[code] }

// CurrencyCodes lists the currencies ParseAmount knows, for help text.
const CurrencyCodes = "USD EUR GBP CAD AUD CHF JPY SEK NOK DKK INR"
