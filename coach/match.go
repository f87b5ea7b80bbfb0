package coach

import (
	"slices"
	"strings"
	"unicode"
)

// MatchAccount finds the prospects a rep means by a name they typed,
// forgiving case, spacing, punctuation and partial names. An exact name wins
// over partial ones. With no match at all, closest lists up to three names
// nearest to what was typed, to suggest.
func MatchAccount(ps []Prospect, typed string) (matches, closest []Prospect) {
	q := fold(typed)
	if q == "" {
		return nil, nil
	}
	var partial []Prospect
	for _, p := range ps {
		name := fold(p.Account)
		switch {
		case name == q:
			matches = append(matches, p)
		case strings.Contains(name, q) || (len(name) >= 3 && strings.Contains(q, name)):
			partial = append(partial, p)
		}
	}
	if len(matches) > 0 {
		return matches, nil
	}
	if len(partial) > 0 {
		return partial, nil
	}
	ranked := slices.Clone(ps)
	slices.SortStableFunc(ranked, func(a, b Prospect) int {
		return distance(fold(a.Account), q) - distance(fold(b.Account), q)
	})
	return nil, ranked[:min(3, len(ranked))]
}

// fold lowers case and keeps letters and digits only, so "ACME, Inc." and
// "acme inc" compare equal.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// distance is the Levenshtein distance, over at most 64 runes of each side
// so a long name costs bounded time.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	ra, rb = ra[:min(len(ra), 64)], rb[:min(len(rb), 64)]
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
