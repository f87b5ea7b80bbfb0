package coach

import (
	"slices"
	"strings"
)

// Unplaced returns the words a rep typed that no reading used (numbers,
// times, days the parser could not place), less those that are part of
// the name of the prospect the reply is about: "3M" in "3M yes thu 10am"
// names the account, and is not a number left over.
func Unplaced(words []string, p Prospect) []string {
	var names []string
	for _, f := range strings.Fields(p.Account + " " + p.Contact) {
		names = append(names, fold(f))
	}
	var out []string
	for _, w := range words {
		if f := fold(w); f == "" || !slices.Contains(names, f) {
			out = append(out, w)
		}
	}
	return out
}
