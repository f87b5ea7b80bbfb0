package phrase

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Style is how a team writes numbers: which of "." and "," is the decimal
// separator. The other one, and a space, group thousands.
type Style string

// Styles. The zero Style is DecimalPoint.
const (
	DecimalPoint Style = "point" // 1,234.56 — English-speaking countries, Switzerland, Japan, India
	DecimalComma Style = "comma" // 1.234,56 — most of continental Europe
)

// StyleOf is the style amounts in a currency are usually written in: a
// decimal comma for the euro and the Scandinavian crowns, a decimal point
// for the rest. A team whose people write otherwise sets its style.
func StyleOf(currency string) Style {
	switch strings.ToUpper(currency) {
	case "EUR", "SEK", "NOK", "DKK":
		return DecimalComma
	}
	return DecimalPoint
}

// ParseStyle reads a style as a person names it: an example ("1,234.56",
// "1.234,56", "1 234,56") or a word ("point", "dot", "comma").
func ParseStyle(s string) (Style, bool) {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "1,234.56", "1,234", "point", "dot", "decimal point", "english", "en":
		return DecimalPoint, true
	case "1.234,56", "1 234,56", "1.234", "comma", "decimal comma", "european", "de":
		return DecimalComma, true
	}
	return "", false
}

// Example is the style shown as a number: "1,234.56" or "1.234,56".
func (s Style) Example() string {
	if s.decimal() == ',' {
		return "1.234,56"
	}
	return "1,234.56"
}

func (s Style) decimal() byte {
	if s == DecimalComma {
		return ','
	}
	return '.'
}

func (s Style) group() byte {
	if s == DecimalComma {
		return '.'
	}
	return ','
}

// Convention is how a team writes amounts: its number style and the
// currency an amount typed without one is in ("" for none).
type Convention struct {
	Style    Style
	Currency string
}

// Examples lists what ParseAmount accepts in this convention, for help text.
func (c Convention) Examples() string {
	if c.Style.decimal() == ',' {
		return "25k, 25.000 €, 1,5 Mio, € 12.500,00"
	}
	return AmountFormats
}

// Hint is a form's short example of amounts, written the way the team
// writes them, each of which reads one way only in its style.
func (c Convention) Hint() string {
	if c.Style.decimal() == ',' {
		return "25k, 25.000 or 1,5 Mio"
	}
	return "25k, 25 000 or 1.5m"
}

// AmbiguousError: a number that means two different amounts depending on
// which separator is the decimal one ("25.000" with a decimal point is 25,
// but a German rep means 25,000). The bot asks which.
type AmbiguousError struct {
	Text           string // the number as typed
	Small, Grouped string // the two readings, written in the team's style
	// The grouped reading as an amount ("25.000" read as twenty-five
	// thousand) in the currency typed or assumed, to suggest written in
	// full, which reads one way only.
	GroupedUnits int64
	Currency     string
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("%s: %q could be %s or %s; write the one you mean", ErrAmount, e.Text, e.Small, e.Grouped)
}

// Unwrap makes every AmbiguousError an ErrAmount.
func (e *AmbiguousError) Unwrap() error { return ErrAmount }

// multipliers by lowercase word, as powers of ten.
var multipliers = map[string]int{
	"k": 3, "tsd": 3, "tsd.": 3, "thousand": 3, "tausend": 3,
	"m": 6, "mn": 6, "mio": 6, "mio.": 6, "million": 6, "millions": 6, "millionen": 6,
	"b": 9, "bn": 9, "mrd": 9, "mrd.": 9, "milliarde": 9, "milliarden": 9,
	"billion": 9, "billions": 9,
}

// cutMultiplier removes a trailing multiplier ("25k", "1,5 Mio") and
// returns its power of ten.
func (c Convention) cutMultiplier(s string) (string, int, error) {
	i := len(s)
	for i > 0 && (isLetter(s[i-1]) || s[i-1] == '.' && i == len(s)) {
		i--
	}
	word := strings.ToLower(s[i:])
	if word == "" || word == "." {
		return s, 0, nil
	}
	exp, ok := multipliers[word]
	if !ok {
		return s, 0, nil
	}
	if strings.HasPrefix(word, "billion") && c.Style.decimal() == ',' {
		return "", 0, amountErr("%q is a thousand million in English and a million million in German; write Mrd or bn", word)
	}
	return strings.TrimSpace(s[:i]), exp, nil
}

// spaces that group thousands: a space, a no-break space, a narrow no-break
// space, a thin space, and the Swiss apostrophes.
var groupSpaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2009", " ", "'", " ", "’", " ")

// readNumber reads a number in the convention's style into whole units.
//
// A space (or an apostrophe) always groups thousands. With both "." and
// "," the last one is the decimal separator. With one of them, the style
// decides: the style's decimal separator is decimal ("12.5" with a decimal
// point), the other one groups thousands ("12,500"). A separator that
// cannot be what the style says is read the only way it can be: "1,5" is
// one and a half in either style, "1.234.567" grouped in either. One case
// is asked back rather than guessed: the style's decimal separator, once,
// followed by exactly three digits, with no multiplier ("25.000" with a
// decimal point, "25,000" with a decimal comma), since people of the other
// style write thousands that way.
func (c Convention) readNumber(s string) (int64, error) {
	if s == "" {
		return 0, amountErr("no number found; try %s", c.Examples())
	}
	num, exp, err := c.cutMultiplier(s)
	if err != nil {
		return 0, err
	}
	// "25.000,-": a German way of writing whole units.
	for _, whole := range []string{",-", ",–", ",—", ".-"} {
		if n, ok := strings.CutSuffix(num, whole); ok && n != "" && exp == 0 {
			num = n
			break
		}
	}
	num = groupSpaces.Replace(num)
	if num == "" {
		return 0, amountErr("%q is not a number; try %s", short(s), c.Examples())
	}
	for i := 0; i < len(num); i++ {
		if b := num[i]; b != '.' && b != ',' && b != ' ' && (b < '0' || b > '9') {
			return 0, amountErr("%q is not a number; try %s", short(s), c.Examples())
		}
	}
	intPart, frac, err := c.separate(s, num, exp)
	if err != nil {
		return 0, err
	}
	return c.toUnits(s, intPart, frac, exp)
}

// separate splits num (digits, ".", "," and " " only) into the digits
// before and after the decimal separator.
func (c Convention) separate(s, num string, exp int) (intPart, frac string, err error) {
	dec, grp := c.Style.decimal(), c.Style.group()
	dots, commas, spaces := strings.Count(num, "."), strings.Count(num, ","), strings.Count(num, " ")
	decimalAt := -1 // index of the decimal separator, if any
	groupSep := byte(0)
	switch {
	case spaces > 0:
		if dots > 0 && commas > 0 || dots > 1 || commas > 1 {
			return "", "", amountErr("%q mixes separators; write it like %s", short(s), c.Style.Example())
		}
		decimalAt = strings.IndexAny(num, ".,")
		groupSep = ' '
	case dots > 0 && commas > 0:
		last := strings.LastIndexAny(num, ".,")
		d := num[last]
		if strings.Count(num, string(d)) > 1 {
			return "", "", amountErr("%q has more than one decimal separator; write it like %s", short(s), c.Style.Example())
		}
		decimalAt, groupSep = last, otherSep(d)
	case dots+commas == 0:
	default:
		sep := byte('.')
		if commas > 0 {
			sep = ','
		}
		if dots+commas > 1 {
			groupSep = sep // "1.234.567": only grouping repeats
			break
		}
		at := strings.IndexByte(num, sep)
		before, after := num[:at], num[at+1:]
		groupable := len(after) == 3 && len(before) >= 1 && len(before) <= 3 && before[0] != '0'
		switch {
		case sep == dec && groupable && exp == 0:
			return "", "", c.ambiguous(s, before, after)
		case sep == dec:
			decimalAt = at
		case groupable:
			groupSep = grp
		case len(after) >= 1 && len(after) <= 2 || exp > 0 && len(after) >= 1 && len(after) != 3:
			decimalAt = at // "1,5", "12,50" with a decimal point: only a decimal
		default:
			return "", "", amountErr("%q: thousands go in groups of three digits, like %s", short(s), c.Style.Example())
		}
	}
	whole := num
	if decimalAt >= 0 {
		whole, frac = num[:decimalAt], num[decimalAt+1:]
		if frac == "" || strings.ContainsAny(frac, ". ,") {
			return "", "", amountErr("%q is not a number; try %s", short(s), c.Examples())
		}
	}
	if groupSep != 0 {
		groups := strings.Split(whole, string(groupSep))
		for i, g := range groups {
			if !allDigits(g) || i == 0 && len(g) > 3 || i > 0 && len(g) != 3 {
				return "", "", amountErr("%q: thousands go in groups of three digits, like %s", short(s), c.Style.Example())
			}
		}
		whole = strings.Join(groups, "")
	}
	if strings.ContainsAny(whole, ". ,") {
		return "", "", amountErr("%q is not a number; try %s", short(s), c.Examples())
	}
	return whole, frac, nil
}

func otherSep(b byte) byte {
	if b == '.' {
		return ','
	}
	return '.'
}

// ambiguous words the two readings of before<dec>after in the style.
func (c Convention) ambiguous(s, before, after string) error {
	small := before
	if f := strings.TrimRight(after, "0"); f != "" {
		small += string(c.Style.decimal()) + f
	}
	n, _ := strconv.ParseInt(before+after, 10, 64)
	return &AmbiguousError{Text: short(s), Small: small, Grouped: c.Style.group1000(n), GroupedUnits: n}
}

// group1000 writes n with the style's thousands separator.
func (s Style) group1000(n int64) string {
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
	}
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(s.group())
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// Format writes an amount as the convention's team reads it: "$25,000",
// "€1,200,000", "CHF 5,000" with a decimal point; "25.000 €", "5.000 CHF"
// with a decimal comma. ParseAmount of the result gives the amount back.
func (c Convention) Format(a Amount) string {
	if c.Style.decimal() != ',' {
		return a.String()
	}
	n := c.Style.group1000(a.Units)
	switch a.Currency {
	case "":
		return n
	case "EUR":
		return n + " €"
	case "GBP":
		return n + " £"
	case "USD":
		return n + " $"
	}
	return n + " " + a.Currency
}

// IsAmbiguous reports whether err is an amount asked back because it could
// mean two things.
func IsAmbiguous(err error) bool {
	var a *AmbiguousError
	return errors.As(err, &a)
}

// Money writes a so that it reads back as a in this convention and is taken
// as money in a reply, which takes no bare number for an amount: Format
// with a currency; without one, in thousands ("25k", "25.5k" or "25,5k").
func (c Convention) Money(a Amount) string {
	if a.Currency != "" {
		return c.Format(a)
	}
	k, r := a.Units/1000, a.Units%1000
	if r == 0 {
		return strconv.FormatInt(k, 10) + "k"
	}
	frac := strings.TrimRight(fmt.Sprintf("%03d", r), "0")
	return strconv.FormatInt(k, 10) + string(c.Style.decimal()) + frac + "k"
}
