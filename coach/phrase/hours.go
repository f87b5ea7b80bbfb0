package phrase

// Hours as people write them. A rep who types "thu 10" or "tomorrow 3"
// means an hour of their working day, not 03:00; a clock with am/pm or
// minutes ("3pm", "15:00") is read as written. Words for a part of the day
// narrow a bare hour ("thu afternoon 3") but are never turned into a time
// on their own: "thu morning" is asked back, since nobody can tell whether
// it means 08:00 or 11:30.

// EndOfDay is the hour "end of day", "eod" and "close of business" stand
// for: the end of an ordinary working day, stated wherever the time is
// shown back.
const EndOfDay = 17

// Bare hours: 8 to 11 are the morning, 12 is noon and 1 to 7 the
// afternoon; 13 to 23 are already a 24-hour clock.
const (
	firstMorningHour = 8
	lastAfternoon    = 7
)

// partsOfDay maps the words for a part of the day to their canonical word.
var partsOfDay = map[string]string{
	"morning": "morning", "mornings": "morning",
	"afternoon": "afternoon", "arvo": "afternoon",
	"evening": "evening", "tonight": "evening",
}

// endOfDay reports how many tokens at toks[i] say "end of day" (or "end of
// the day", "eod", "close of business", "cob"); 0 when they don't.
func endOfDay(toks []string, i int) int {
	switch toks[i] {
	case "eod", "cob", "eob":
		return 1
	case "end", "close":
	default:
		return 0
	}
	j := i + 1
	if j >= len(toks) || toks[j] != "of" {
		return 0
	}
	j++
	if j < len(toks) && toks[j] == "the" {
		j++
	}
	if j < len(toks) && (toks[j] == "day" || toks[j] == "business") {
		return j - i + 1
	}
	return 0
}

func (s *dateSpec) setPart(word string) error {
	p := partsOfDay[word]
	if s.part != "" && s.part != p {
		return dateErr("two parts of the day given (%q and %q); give one", s.part, p)
	}
	s.part = p
	return nil
}

// placeHour puts a bare hour into the working day (narrowed by a part of
// the day when one was given), checks a clock time against the part of the
// day, and refuses a part of the day with no hour at all.
func (s *dateSpec) placeHour() error {
	if !s.hasTime {
		if s.part != "" {
			return dateErr("%q is not a time: at what time? Write it like %q or %q", s.part, "10am", "3pm")
		}
		return nil
	}
	if s.bare {
		if s.day == noDay {
			return dateErr("%q needs am/pm or minutes, like 2pm or 14:00, or a day before it, like %q", s.timeWords, "thu "+s.timeWords)
		}
		h, ok := bareHour(s.hour, s.part)
		if !ok {
			return dateErr("%q is not an hour %s; write it like 9am, 3pm or 15:00", s.timeWords, workingWords(s.part))
		}
		s.hour = h
		return nil
	}
	if s.part != "" && !inPart(s.hour, s.part) {
		return dateErr("%q is not in the %s; give one of them", s.timeWords, s.part)
	}
	return nil
}

// bareHour reads an hour typed without am/pm or minutes.
func bareHour(h int, part string) (int, bool) {
	switch part {
	case "morning":
		return h, h >= 5 && h <= 11
	case "afternoon":
		switch {
		case h == 12 || h >= 13 && h <= 18:
			return h, true
		case h >= 1 && h <= 6:
			return h + 12, true
		}
		return 0, false
	case "evening":
		switch {
		case h >= 17 && h <= 23:
			return h, true
		case h >= 5 && h <= 11:
			return h + 12, true
		}
		return 0, false
	}
	switch {
	case h >= firstMorningHour && h <= 12 || h >= 13 && h <= 23:
		return h, true
	case h >= 1 && h <= lastAfternoon:
		return h + 12, true
	}
	return 0, false
}

func inPart(h int, part string) bool {
	switch part {
	case "morning":
		return h >= 5 && h < 12
	case "afternoon":
		return h >= 12 && h < 19
	}
	return h >= 17
}

func workingWords(part string) string {
	switch part {
	case "morning":
		return "in the morning (5 to 11)"
	case "afternoon":
		return "in the afternoon (12 to 6)"
	case "evening":
		return "in the evening (5 to 11)"
	}
	return "of the working day (8 to 11 morning, 12 noon, 1 to 7 afternoon)"
}
