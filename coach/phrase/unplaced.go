package phrase

import "strings"

// A reply is never read as if part of it were not typed: a number, a time
// or a date that the reading did not use is reported (Reply.Unplaced), so
// the bot asks back instead of recording "thu 09:00" for "thu 10".

// numberish reports whether a word on its own names a number, a time or a
// day: it has a digit, or is a weekday, a relative day or a time of day.
// Slack's escapes (<@U123>, <https://…>) are not. Words that are also
// everyday English ("sat", "sun", "may", "march") or names ("Jan") are
// left out unless they sit next to the date that was read (cutShort).
func numberish(w word) bool {
	if strings.HasPrefix(w.orig, "<") {
		return false
	}
	if strings.ContainsAny(w.orig, "0123456789") {
		return true
	}
	if wd, ok := weekdays[w.date]; ok {
		return wd != 0 && wd != 6 || len(w.date) > 3 // sunday, saturday
	}
	switch w.date {
	case "today", "tomorrow", "tmrw", "tmr", "tomorow", "tonight", "yesterday",
		"noon", "midday", "midnight", "eod", "cob", "am", "pm":
		return true
	}
	return false
}

// cutShort reports whether words[i] could be part of a date and sits in
// the same run of such words as the date that was read: "morning" in "thu
// morning", where only "thu" was read. Month names are left to numberish:
// "Jan" next to "thu 10am" is more likely a contact than a date.
func cutShort(words []word, isDate []bool, i int) bool {
	if !dateish(words[i].date) || fillers[words[i].date] || filler[words[i].key] {
		return false
	}
	if _, ok := months[words[i].date]; ok {
		return false // a month names no day without a number, which numberish reports
	}
	for _, step := range []int{-1, 1} {
		for j := i + step; j >= 0 && j < len(words) && dateish(words[j].date); j += step {
			if isDate[j] {
				return true
			}
		}
	}
	return false
}

// LooksLikeDate reports whether a single word is written like a date or a
// time, whether or not it is a valid one: "12/01", "3.12.", "14:30",
// "25:00", "3pm", "2026-12-01", "tue", "tomorrow", "noon". A word a
// company is often named with ("3M", "54", "Monday.com") is not.
func LooksLikeDate(w string) bool {
	w = strings.ToLower(strings.Trim(w, ",;()"))
	if w == "" {
		return false
	}
	if _, ok := weekdays[w]; ok {
		return true
	}
	switch w {
	case "today", "tomorrow", "tmrw", "tonight", "yesterday", "noon", "midnight", "eod":
		return true
	}
	if _, _, ok, _ := clock(w); ok {
		return true
	}
	if _, _, _, ok, _ := isoDate(w); ok {
		return true
	}
	// 12/01, 3.12., 03.12.2026: day and month in either order
	parts := strings.FieldsFunc(w, func(r rune) bool { return r == '/' || r == '.' })
	if len(parts) >= 2 && len(parts) <= 3 && strings.ContainsAny(w, "/.") {
		for _, p := range parts {
			if !allDigits(p) || len(p) > 4 {
				return false
			}
		}
		return len(parts[0]) <= 2 && len(parts[1]) <= 2
	}
	return false
}
