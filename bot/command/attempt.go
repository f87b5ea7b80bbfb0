package command

import (
	"regexp"
	"strings"
)

// dateish matches a word a person types when they mean a date or a time.
var dateish = regexp.MustCompile(`(?i)^(\d{1,2}(:\d{2})?\s*(am|pm|h)?|\d{1,2}:\d+|\d+(am|pm)|\d{4}-\d+-\d+|\d+[/.]\d+([/.]\d+)?|today|tonight|tomorrow|tmrw|yesterday|noon|midnight|morning|afternoon|evening|eod|next|last|(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|rsday|urday)?)$`)

// DateAttempt returns the trailing words of a /pipeline log line that look
// like a date or time the parser could not read ("tomorrow 25pm"), so the
// person hears which formats work instead of getting an account named
// "Acme tomorrow 25pm". It is "" when nothing looks like one.
func DateAttempt(args string) string {
	words := strings.Fields(args)
	if i := lastWith(words); i >= 0 {
		words = words[:i]
	}
	n := 0
	for n < len(words) && n < 4 && dateish.MatchString(words[len(words)-1-n]) {
		n++
	}
	if n == 0 || n == len(words) && len(words) > 0 && !hasDigit(words) {
		return ""
	}
	return strings.Join(words[len(words)-n:], " ")
}

func lastWith(words []string) int {
	for i := len(words) - 1; i > 0; i-- {
		if strings.EqualFold(words[i], "with") {
			return i
		}
	}
	return -1
}

func hasDigit(words []string) bool {
	for _, w := range words {
		if strings.ContainsAny(w, "0123456789") {
			return true
		}
	}
	return false
}
