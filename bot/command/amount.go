package command

import (
	"strings"

	"pipelinecoach/coach/phrase"
)

// maxAmountWords is the most words an amount takes: "€ 12.500,00",
// "1,5 Mio EUR".
const maxAmountWords = 4

// LeadingAmount reads the amount at the start of words, as conv writes
// amounts, taking as many words as make one ("25.000 €", "1,5 Mio"), and
// returns how many it used. The error is for the first word alone when no
// run of words reads, or for the longest run whose only trouble is that it
// could mean two things (phrase.AmbiguousError), which is asked back.
func LeadingAmount(words []string, conv phrase.Convention) (phrase.Amount, int, error) {
	var firstErr error
	for n := min(len(words), maxAmountWords); n >= 1; n-- {
		a, err := conv.ParseAmount(strings.Join(words[:n], " "))
		if err == nil {
			return a, n, nil
		}
		if phrase.IsAmbiguous(err) {
			return phrase.Amount{}, 0, err
		}
		firstErr = err
	}
	if firstErr == nil {
		_, firstErr = conv.ParseAmount("")
	}
	return phrase.Amount{}, 0, firstErr
}
