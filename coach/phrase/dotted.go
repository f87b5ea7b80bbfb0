package phrase

import (
	"strconv"
	"strings"
)

// dottedDate rewrites a date written with dots, day first, as Europeans
// do — "3.12." or "03.12.2026" — into the words When reads: "3 dec" or
// "3 dec 2026". Nobody writes month first with dots, so it is never asked
// back as ambiguous the way "12/03" is; but "3.12" without the closing dot
// or a year could be a time, and is left alone.
func dottedDate(f string) ([]string, bool) {
	parts := strings.Split(f, ".")
	if len(parts) != 3 || len(parts[0]) > 2 || len(parts[1]) > 2 || !allDigits(parts[0]) || !allDigits(parts[1]) {
		return nil, false
	}
	if parts[2] != "" && (len(parts[2]) != 4 || !allDigits(parts[2])) {
		return nil, false
	}
	m, _ := strconv.Atoi(parts[1])
	if m < 1 || m > 12 {
		return nil, false
	}
	d := strings.TrimLeft(parts[0], "0")
	if d == "" {
		return nil, false
	}
	out := []string{d, monthAbbrev[m-1]}
	if parts[2] != "" {
		out = append(out, parts[2])
	}
	return out, true
}

var monthAbbrev = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

func isDottedDate(f string) bool {
	_, ok := dottedDate(f)
	return ok
}
