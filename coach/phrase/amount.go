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

// ParseAmount reads an amount of money: "25k", "$25,000", "1.2m", "25000",
// "€30k", "£1.5M", "30k EUR", "USD 40000", "$ 12.5k", "1,250.50".
//
// Suffixes k, m and b multiply by a thousand, a million and a billion.
// Commas separate thousands (in groups of three) and a dot starts decimals;
// the result is rounded to whole units, halves up. $ means USD, € EUR and
// £ GBP; an ISO code (USD EUR GBP CAD AUD CHF JPY SEK NOK DKK INR, any case)
// may come before or after the number. "$" with CAD or AUD gives that code.
// Negative amounts and amounts above MaxUnits are refused. Zero is accepted.
func ParseAmount(text string) (Amount, error) {
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
	case sym != "":
		cur = sym
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		return Amount{}, amountErr("the amount must not be negative")
	}
	units, err := parseNumber(s)
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

// parseNumber reads "25,000", "1.2m", "12.5 k", ".5k" into whole units.
func parseNumber(s string) (int64, error) {
	if s == "" {
		return 0, amountErr("no number found; try %s", AmountFormats)
	}
	exp := 0
	switch s[len(s)-1] {
	case 'k', 'K':
		exp = 3
	case 'm', 'M':
		exp = 6
	case 'b', 'B':
		exp = 9
	}
	num := s
	if exp > 0 {
		num = strings.TrimSpace(s[:len(s)-1])
	}
	intPart, frac, hasDot := strings.Cut(num, ".")
	if hasDot && frac == "" || !hasDot && intPart == "" || intPart == "" && frac == "" {
		return 0, amountErr("%q is not a number; try %s", short(s), AmountFormats)
	}
	if hasDot && !allDigits(frac) {
		return 0, amountErr("%q is not a number; try %s", short(s), AmountFormats)
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		for i, g := range groups {
			if !allDigits(g) || (i == 0 && len(g) > 3) || (i > 0 && len(g) != 3) {
				return 0, amountErr("%q: commas go between groups of three digits (25,000), and decimals after a dot (1.5k)", short(s))
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart != "" && !allDigits(intPart) {
		return 0, amountErr("%q is not a number; try %s", short(s), AmountFormats)
	}
	tooBig := amountErr("too large; amounts go up to %s", Amount{Units: MaxUnits})
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
