package phrase

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrDate is wrapped by every error When returns; the wrapping message says
// which part of the text failed.
var ErrDate = errors.New("not a date and time I understand")

// DateFormats lists examples of what When accepts, for help text.
const DateFormats = "today 2pm, tomorrow 10:00, thu 10, mon 9am, 2026-12-01 14:30, yesterday 3pm"

// Bounds on what When accepts.
const (
	minYear = 1970
	maxYear = 2199
	maxDays = 5 * 366 // farthest "in N days" / "N days ago"
)

func dateErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrDate}, args...)...)
}

// When parses a date and time typed by a rep, in the rep's zone loc,
// relative to now. The result is in loc, to the minute (seconds and below
// are zero). A nil loc means UTC.
//
// What it reads (case-insensitive, any spacing; "at", "on", "for" and "@"
// are ignored, commas are spaces):
//
//   - a day: "today", "tomorrow" ("tmrw", "tmr"), "yesterday";
//     a weekday ("mon", "monday", "tue", "tues", …); "next <weekday>";
//     "last <weekday>"; "this <weekday>"; "2026-12-01"; "dec 1",
//     "december 1st", "1 dec", optionally followed by a year ("dec 1 2026");
//     day and month with dots, as in Europe: "3.12." or "03.12.2026" (the
//     closing dot is required without a year: "3.12" could be a time).
//   - a time: "2pm", "2 pm", "2:30pm", "14:00", "noon", "midnight", "end
//     of day" or "eod" (EndOfDay, 17:00); with a day, a bare hour in the
//     working day: "thu 10" (08 to 11 are morning, 12 is noon, 1 to 7 are
//     afternoon: "tue 1" is 13:00, "tomorrow 9" 09:00), and 13 to 23 as on
//     a 24-hour clock. "morning", "afternoon", "evening" ("in the
//     morning", "tonight") narrow a bare hour ("thu afternoon 4" is 16:00)
//     and must agree with a clock time; alone they are refused, asking for
//     the time.
//   - "now"; "in 2 hours", "in 30 min", "in an hour" (from now, nothing else
//     allowed); "in 3 days", "in 2 weeks", "3 days ago" (the time of day of
//     now is kept unless a time is given).
//
// Defaults: a time alone means today; a day alone means 09:00.
//
// Weekdays: a bare weekday ("mon 9am", "this mon 9am") is its next
// occurrence, today included only when that time today is still ahead of
// now. "next mon" is the Monday among the 7 days after today (so on a
// Wednesday "next thu" is tomorrow and "next wed" is a week away). "last
// mon" is the Monday among the 7 days before today.
//
// Month and day without a year ("dec 1") take the year that puts the date
// closest to today (so in December "jan 5" is next January and in January
// "dec 20" is last December).
//
// Slashed dates ("12/01") are refused as ambiguous between US and European
// order; so are impossible dates and times ("2026-02-30", "25:00", "13pm").
// Daylight saving: days are counted on the calendar, so "tomorrow 10:00" is
// 10:00 on the wall clock whatever the offset. A time skipped when clocks
// go forward is moved forward by the gap ("2:30am" becomes 03:30); a time
// that happens twice when clocks go back is the first of the two.
func When(text string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if len(text) > MaxLen {
		return time.Time{}, dateErr("too long (at most %d characters)", MaxLen)
	}
	toks := dateTokens(text)
	if len(toks) == 0 {
		return time.Time{}, dateErr("nothing typed; try %s", DateFormats)
	}
	var s dateSpec
	if err := s.read(toks); err != nil {
		return time.Time{}, err
	}
	return s.resolve(now.In(loc), loc)
}

// dateTokens lowercases text, turns commas into spaces, drops a trailing
// period from each word and joins "2 pm" into "2pm".
func dateTokens(text string) []string {
	text = strings.ToLower(text)
	text = strings.ReplaceAll(text, ",", " ")
	fields := strings.Fields(text)
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if dm, ok := dottedDate(f); ok {
			out = append(out, dm...)
			continue
		}
		f = strings.ReplaceAll(f, "a.m", "am")
		f = strings.ReplaceAll(f, "p.m", "pm")
		f = strings.TrimRight(f, ".")
		if f == "" {
			continue
		}
		if (f == "am" || f == "pm") && len(out) > 0 && isClock(out[len(out)-1]) {
			out[len(out)-1] += f
			continue
		}
		out = append(out, f)
	}
	return out
}

// isClock reports whether s is digits, optionally with ":" and digits.
func isClock(s string) bool {
	h, m, found := strings.Cut(s, ":")
	return allDigits(h) && (!found || allDigits(m))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type dayKind int

const (
	noDay      dayKind = iota
	dayOffset          // today + offset days
	dayWeekday         // weekday with weekMode
	dayDate            // year, month, day (year 0: closest to today)
)

type weekMode int

const (
	weekBare weekMode = iota
	weekNext
	weekLast
)

// dateSpec is what the words said, before it is resolved against now.
type dateSpec struct {
	day       dayKind
	dayWords  string // the words that gave the day, for error messages
	offset    int
	keepClock bool // "in 3 days": keep now's time of day unless a time is given
	weekday   time.Weekday
	mode      weekMode
	year      int
	month     time.Month
	dom       int

	hasTime   bool
	timeWords string
	hour, min int
	bare      bool   // the time is a bare hour ("thu 10"), placed in the working day by finish
	part      string // "morning", "afternoon", "evening": narrows a bare hour, or is asked back alone

	now     bool          // "now"
	elapsed time.Duration // "in 2 hours"
	hasElap bool
}

func (s *dateSpec) setDay(words string) error {
	if s.day != noDay {
		return dateErr("two days given (%q and %q); give one", s.dayWords, words)
	}
	s.dayWords = words
	return nil
}

func (s *dateSpec) setTime(words string, h, m int) error {
	if s.hasTime {
		return dateErr("two times given (%q and %q); give one", s.timeWords, words)
	}
	s.hasTime, s.timeWords, s.hour, s.min = true, words, h, m
	return nil
}

var fillers = map[string]bool{"at": true, "on": true, "for": true, "@": true}

// dayOffsets are the words that name a day by its distance from today.
var dayOffsets = map[string]int{
	"today": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "tomorow": 1, "yesterday": -1,
}

// clockWords are the words that name a time of day exactly.
var clockWords = map[string]struct{ hour, min int }{
	"noon": {12, 0}, "midday": {12, 0}, "midnight": {0, 0},
}

// read fills the spec from the tokens, then checks that what they said
// adds up to one moment.
func (s *dateSpec) read(toks []string) error {
	for i := 0; i < len(toks); {
		n, err := s.readAt(toks, i)
		if err != nil {
			return err
		}
		i += n
	}
	return s.finish()
}

// readAt reads the words starting at toks[i] and returns how many it used.
func (s *dateSpec) readAt(toks []string, i int) (int, error) {
	tok := toks[i]
	if fillers[tok] {
		return 1, nil
	}
	if tok == "now" {
		if s.now {
			return 0, dateErr(`"now" given twice`)
		}
		s.now = true
		return 1, nil
	}
	if off, ok := dayOffsets[tok]; ok {
		return 1, s.setOffset(tok, off)
	}
	if n, ok, err := s.readPartOfDay(toks, i); ok {
		return n, err
	}
	if n := endOfDay(toks, i); n > 0 {
		return n, s.setTime(strings.Join(toks[i:i+n], " "), EndOfDay, 0)
	}
	if tok == "next" || tok == "last" || tok == "this" {
		return s.readWeekRef(toks, i)
	}
	if tok == "in" {
		n, err := s.readRelative(toks, i+1, 1)
		return n + 1, err
	}
	if c, ok := clockWords[tok]; ok {
		return 1, s.setTime(tok, c.hour, c.min)
	}
	if strings.Contains(tok, "/") {
		return 0, dateErr("%q could be month/day or day/month; write the date as 2026-12-01 or dec 1", tok)
	}
	return s.readOther(toks, i)
}

// setOffset records a day given as a distance from today.
func (s *dateSpec) setOffset(words string, offset int) error {
	if err := s.setDay(words); err != nil {
		return err
	}
	s.day, s.offset = dayOffset, offset
	return nil
}

// readPartOfDay reads "morning", "this afternoon", "in the evening" or
// "tonight" at toks[i]; ok is false when toks[i] starts none of them.
func (s *dateSpec) readPartOfDay(toks []string, i int) (n int, ok bool, err error) {
	tok := toks[i]
	switch {
	case tok == "this" && i+1 < len(toks) && partsOfDay[toks[i+1]] != "":
		// "this morning" is today; the part itself is read as the next token.
		return 1, true, s.setOffset(tok+" "+toks[i+1], 0)
	case partsOfDay[tok] != "":
		if err := s.setPart(tok); err != nil {
			return 0, true, err
		}
		if tok == "tonight" {
			return 1, true, s.setOffset(tok, 0)
		}
		return 1, true, nil
	case tok == "in" && i+2 < len(toks) && toks[i+1] == "the" && partsOfDay[toks[i+2]] != "" && toks[i+2] != "tonight":
		return 3, true, s.setPart(toks[i+2])
	}
	return 0, false, nil
}

// readWeekRef reads "next mon", "last fri" or "this thu" at toks[i].
func (s *dateSpec) readWeekRef(toks []string, i int) (int, error) {
	tok := toks[i]
	if i+1 >= len(toks) {
		return 0, dateErr("%q needs a weekday after it, like %q", tok, tok+" mon")
	}
	wd, ok := weekdays[toks[i+1]]
	if !ok {
		return 0, dateErr("%q needs a weekday after it, like %q, not %q", tok, tok+" mon", toks[i+1])
	}
	if err := s.setDay(tok + " " + toks[i+1]); err != nil {
		return 0, err
	}
	s.day, s.weekday = dayWeekday, wd
	switch tok {
	case "next":
		s.mode = weekNext
	case "last":
		s.mode = weekLast
	default:
		s.mode = weekBare
	}
	return 2, nil
}

// finish checks that the words read add up to one moment and places a
// bare hour in the working day.
func (s *dateSpec) finish() error {
	if s.now || s.hasElap {
		if s.day != noDay || s.hasTime || (s.now && s.hasElap) {
			return dateErr(`"now" and "in 2 hours" stand alone; give no other day or time with them`)
		}
		return nil
	}
	if s.day == noDay && !s.hasTime {
		if s.part != "" {
			return dateErr("%q needs a day and a time, like %q", s.part, "tomorrow 10am")
		}
		return dateErr("no day or time found; try %s", DateFormats)
	}
	return s.placeHour()
}

// readOther reads a weekday, a date, a span ago or a time starting at
// toks[i] and returns how many tokens it used.
func (s *dateSpec) readOther(toks []string, i int) (int, error) {
	if n, ok, err := s.readDate(toks, i); ok {
		return n, err
	}
	if n, ok, err := s.readAgo(toks, i); ok {
		return n, err
	}
	return s.readClock(toks[i])
}

// readDate reads a weekday, an ISO date, "dec 1" or "1 dec" (each with an
// optional year); ok is false when toks[i] starts none of them.
func (s *dateSpec) readDate(toks []string, i int) (n int, ok bool, err error) {
	tok := toks[i]
	if wd, isDay := weekdays[tok]; isDay {
		if err := s.setDay(tok); err != nil {
			return 0, true, err
		}
		s.day, s.weekday, s.mode = dayWeekday, wd, weekBare
		return 1, true, nil
	}
	if y, m, d, isISO, err := isoDate(tok); isISO {
		if err != nil {
			return 0, true, err
		}
		return 1, true, s.setDate(tok, y, m, d)
	}
	if m, isMonth := months[tok]; isMonth {
		// "dec 1", "dec 1st 2026"
		if i+1 >= len(toks) {
			return 0, true, dateErr("%q needs a day of the month, like %q", tok, tok+" 1")
		}
		d, isDOM := dayOfMonth(toks[i+1])
		if !isDOM {
			return 0, true, dateErr("%q needs a day of the month, like %q, not %q", tok, tok+" 1", toks[i+1])
		}
		n, err := s.setDateWithYear(toks, i, m, d)
		return n, true, err
	}
	if d, isDOM := dayOfMonth(tok); isDOM && i+1 < len(toks) {
		if m, isMonth := months[toks[i+1]]; isMonth {
			// "1 dec", "1st december 2026"
			n, err := s.setDateWithYear(toks, i, m, d)
			return n, true, err
		}
	}
	return 0, false, nil
}

// setDateWithYear records the day and month at toks[i:i+2] and the year
// that may follow them, returning how many tokens that was.
func (s *dateSpec) setDateWithYear(toks []string, i int, m time.Month, d int) (int, error) {
	y, used, err := yearAt(toks, i+2)
	if err != nil {
		return 0, err
	}
	n := 2 + used
	return n, s.setDate(strings.Join(toks[i:i+n], " "), y, m, d)
}

func (s *dateSpec) setDate(words string, y int, m time.Month, d int) error {
	if err := s.setDay(words); err != nil {
		return err
	}
	s.day, s.year, s.month, s.dom = dayDate, y, m, d
	return nil
}

// readAgo reads "3 days ago" or "3d ago" at toks[i]; ok is false when
// toks[i] starts neither. A span with neither "in" nor "ago" is refused,
// since it names no moment.
func (s *dateSpec) readAgo(toks []string, i int) (n int, ok bool, err error) {
	tok := toks[i]
	if allDigits(tok) && i+1 < len(toks) {
		if _, isUnit := unitOf(toks[i+1]); isUnit {
			if i+2 < len(toks) && toks[i+2] == "ago" {
				n, err := s.readRelative(toks, i, -1)
				if err != nil {
					return 0, true, err
				}
				if n != 2 {
					return 0, true, dateErr("%q is not a time span", strings.Join(toks[i:i+2], " "))
				}
				return 3, true, nil
			}
			return 0, true, dateErr("%q needs \"in\" before it or \"ago\" after it", tok+" "+toks[i+1])
		}
	}
	if num, unit, isSpan := compactSpan(tok); isSpan && num != "" && unit != "" && i+1 < len(toks) && toks[i+1] == "ago" {
		if _, err := s.readRelative(toks, i, -1); err != nil {
			return 0, true, err
		}
		return 2, true, nil
	}
	return 0, false, nil
}

// readClock reads one token as a time: a clock ("3pm", "15:00") as
// written, or a bare hour that placeHour puts in the working day.
func (s *dateSpec) readClock(tok string) (int, error) {
	if h, m, ok, err := clock(tok); ok {
		if err != nil {
			return 0, err
		}
		return 1, s.setTime(tok, h, m)
	}
	if allDigits(tok) && len(tok) <= 2 {
		h, _ := strconv.Atoi(tok)
		if err := s.setTime(tok, h, 0); err != nil {
			return 0, err
		}
		s.bare = true
		return 1, nil
	}
	if allDigits(tok) {
		return 0, dateErr("%q needs am/pm or minutes, like 2pm or 14:00", tok)
	}
	return 0, dateErr("%q is not a day or a time; try %s", short(tok), DateFormats)
}

// dateish reports whether the lowercase word w could be one of the words
// When reads; a cheap filter, never narrower than When.
func dateish(w string) bool {
	if w == "" {
		return false
	}
	if w[0] >= '0' && w[0] <= '9' {
		return true
	}
	if _, ok := weekdays[w]; ok {
		return true
	}
	if _, ok := months[w]; ok {
		return true
	}
	if _, ok := unitOf(w); ok {
		return true
	}
	switch w {
	case "the", "end", "of", "eod", "cob", "eob", "close", "business", "morning", "afternoon", "evening", "tonight":
		return true
	case "at", "on", "for", "@", "now", "today", "tomorrow", "tmrw", "tmr", "tomorow", "yesterday",
		"next", "last", "this", "in", "noon", "midday", "midnight", "ago", "a", "an", "one",
		"am", "pm", "a.m", "p.m", "a.m.", "p.m.":
		return true
	}
	return false
}

// short caps a word quoted in an error message.
func short(s string) string {
	const n = 30
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// readRelative reads "<n> <unit>" or "<n><unit>" at toks[i] ("2 hours",
// "an hour", "3d"), with sign +1 for "in …" and -1 for "… ago", and returns
// how many tokens it used.
func (s *dateSpec) readRelative(toks []string, i, sign int) (int, error) {
	if i >= len(toks) {
		return 0, dateErr(`"in" needs a time span after it, like "in 2 hours" or "in 3 days"`)
	}
	num, unitWord, used := "", "", 0
	if n, u, ok := compactSpan(toks[i]); ok && u != "" {
		num, unitWord, used = n, u, 1
	} else if i+1 < len(toks) {
		num, unitWord, used = toks[i], toks[i+1], 2
	} else {
		return 0, dateErr("%q needs a unit, like %q", toks[i], toks[i]+" hours")
	}
	words := strings.Join(toks[i:i+used], " ")
	var n int
	switch {
	case num == "a" || num == "an" || num == "one":
		n = 1
	case allDigits(num) && len(num) <= 6:
		n, _ = strconv.Atoi(num)
	default:
		return 0, dateErr("%q is not a whole number of minutes, hours, days or weeks", short(words))
	}
	u, ok := unitOf(unitWord)
	if !ok {
		return 0, dateErr("%q is not a time span; use minutes, hours, days or weeks", short(words))
	}
	switch u {
	case unitMinute, unitHour:
		d := time.Duration(n) * time.Minute
		if u == unitHour {
			d = time.Duration(n) * time.Hour
		}
		if d > maxDays*24*time.Hour {
			return 0, dateErr("%q is too far away", words)
		}
		if s.hasElap {
			return 0, dateErr("two time spans given; give one")
		}
		s.hasElap, s.elapsed = true, time.Duration(sign)*d
	default:
		days := n
		if u == unitWeek {
			days = n * 7
		}
		if days > maxDays {
			return 0, dateErr("%q is too far away", words)
		}
		if err := s.setDay(words); err != nil {
			return 0, err
		}
		s.day, s.offset, s.keepClock = dayOffset, sign*days, true
	}
	return used, nil
}

// compactSpan splits "2h" into "2" and "h" when the suffix is a unit; a
// token of digits only gives ok with an empty unit.
func compactSpan(tok string) (num, unit string, ok bool) {
	j := 0
	for j < len(tok) && tok[j] >= '0' && tok[j] <= '9' {
		j++
	}
	if j == 0 {
		return "", "", false
	}
	if j == len(tok) {
		return tok, "", true
	}
	if _, ok := unitOf(tok[j:]); !ok {
		return "", "", false
	}
	return tok[:j], tok[j:], true
}

type unit int

const (
	unitMinute unit = iota
	unitHour
	unitDay
	unitWeek
)

func unitOf(w string) (unit, bool) {
	switch w {
	case "m", "min", "mins", "minute", "minutes":
		return unitMinute, true
	case "h", "hr", "hrs", "hour", "hours":
		return unitHour, true
	case "d", "day", "days":
		return unitDay, true
	case "w", "wk", "wks", "week", "weeks":
		return unitWeek, true
	}
	return 0, false
}

// isoDate reads "2026-12-01". ok says whether tok has that shape; err says
// why a date of that shape is impossible.
func isoDate(tok string) (y int, m time.Month, d int, ok bool, err error) {
	parts := strings.Split(tok, "-")
	if len(parts) != 3 || len(parts[0]) != 4 || !allDigits(parts[0]) ||
		len(parts[1]) > 2 || !allDigits(parts[1]) || len(parts[2]) > 2 || !allDigits(parts[2]) {
		return 0, 0, 0, false, nil
	}
	y, _ = strconv.Atoi(parts[0])
	mi, _ := strconv.Atoi(parts[1])
	d, _ = strconv.Atoi(parts[2])
	if y < minYear || y > maxYear {
		return 0, 0, 0, true, dateErr("%q: the year must be between %d and %d", tok, minYear, maxYear)
	}
	if mi < 1 || mi > 12 {
		return 0, 0, 0, true, dateErr("%q: the month must be 01 to 12 (dates are year-month-day)", tok)
	}
	m = time.Month(mi)
	if d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, true, dateErr("%q: %s %d has %d days", tok, m, y, daysIn(y, m))
	}
	return y, m, d, true, nil
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dayOfMonth reads "1", "01", "1st", "22nd", "3rd", "4th" (1 to 31).
func dayOfMonth(tok string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if t, ok := strings.CutSuffix(tok, suf); ok {
			tok = t
			break
		}
	}
	if !allDigits(tok) || len(tok) > 2 {
		return 0, false
	}
	d, _ := strconv.Atoi(tok)
	return d, d >= 1 && d <= 31
}

// yearAt reads an optional four-digit year at toks[i].
func yearAt(toks []string, i int) (year, used int, err error) {
	if i >= len(toks) || len(toks[i]) != 4 || !allDigits(toks[i]) {
		return 0, 0, nil
	}
	y, _ := strconv.Atoi(toks[i])
	if y < minYear || y > maxYear {
		return 0, 0, dateErr("%q: the year must be between %d and %d", toks[i], minYear, maxYear)
	}
	return y, 1, nil
}

// clock reads "14:00", "2pm", "2:30pm", "12am". ok says whether tok has the
// shape of a time; err says why such a time is impossible.
func clock(tok string) (h, m int, ok bool, err error) {
	body, ampm := tok, ""
	if b, found := strings.CutSuffix(tok, "am"); found {
		body, ampm = b, "am"
	} else if b, found := strings.CutSuffix(tok, "pm"); found {
		body, ampm = b, "pm"
	}
	hs, ms, colon := strings.Cut(body, ":")
	if !allDigits(hs) || (colon && !allDigits(ms)) || (!colon && ampm == "") {
		return 0, 0, false, nil
	}
	if len(hs) > 2 || (colon && len(ms) != 2) {
		return 0, 0, true, dateErr("%q is not a time; write it like 2pm, 2:30pm or 14:30", short(tok))
	}
	h, _ = strconv.Atoi(hs)
	if colon {
		m, _ = strconv.Atoi(ms)
	}
	if m > 59 {
		return 0, 0, true, dateErr("%q: minutes go up to 59", tok)
	}
	switch ampm {
	case "":
		if h > 23 {
			return 0, 0, true, dateErr("%q: hours go up to 23", tok)
		}
	default:
		if h < 1 || h > 12 {
			return 0, 0, true, dateErr("%q: with am/pm the hour is 1 to 12", tok)
		}
		if h == 12 {
			h = 0
		}
		if ampm == "pm" {
			h += 12
		}
	}
	return h, m, true, nil
}

func (s *dateSpec) resolve(now time.Time, loc *time.Location) (time.Time, error) {
	if s.now {
		return toMinute(now), nil
	}
	if s.hasElap {
		return toMinute(now.Add(s.elapsed)), nil
	}
	y, mo, d := now.Date()
	h, mi := 9, 0
	if s.hasTime {
		h, mi = s.hour, s.min
	}
	switch s.day {
	case noDay:
		// a time alone means today
	case dayOffset:
		d += s.offset
		if s.keepClock && !s.hasTime {
			h, mi = now.Hour(), now.Minute()
		}
	case dayWeekday:
		diff := int(s.weekday - now.Weekday())
		switch s.mode {
		case weekNext:
			diff = (diff + 7) % 7
			if diff == 0 {
				diff = 7
			}
		case weekLast:
			diff = (diff - 7) % 7
			if diff == 0 {
				diff = -7
			}
		default:
			diff = (diff + 7) % 7
			if diff == 0 && !wallTime(y, mo, d, h, mi, loc).After(now) {
				diff = 7
			}
		}
		d += diff
	case dayDate:
		year := s.year
		if year == 0 {
			year = closestYear(y, mo, d, s.month, s.dom)
			if year == 0 {
				return time.Time{}, dateErr("%q: %s has no day %d", s.dayWords, s.month, s.dom)
			}
		} else if s.dom > daysIn(year, s.month) {
			return time.Time{}, dateErr("%q: %s %d has %d days", s.dayWords, s.month, year, daysIn(year, s.month))
		}
		y, mo, d = year, s.month, s.dom
	}
	t := wallTime(y, mo, d, h, mi, loc)
	if t.Year() < minYear || t.Year() > maxYear {
		return time.Time{}, dateErr("the year must be between %d and %d", minYear, maxYear)
	}
	return t, nil
}

// wallTime is the instant the wall clock in loc shows y-mo-d h:mi (the date
// may overflow, as in time.Date). In a gap it moves forward by the gap; in
// a repeated hour it is the first occurrence. time.Date guarantees neither.
func wallTime(y int, mo time.Month, d, h, mi int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, h, mi, 0, 0, loc)
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC)
	var best time.Time
	found, minOff := false, 0
	for k, probe := range []time.Time{t, t.Add(-12 * time.Hour), t.Add(12 * time.Hour)} {
		_, off := probe.Zone()
		if k == 0 || off < minOff {
			minOff = off
		}
		c := wall.Add(-time.Duration(off) * time.Second).In(loc)
		if c.Hour() == h && c.Minute() == mi && c.Day() == wall.Day() && (!found || c.Before(best)) {
			best, found = c, true
		}
	}
	if found {
		return best
	}
	// In a gap: read the clock with the offset from before the change.
	return wall.Add(-time.Duration(minOff) * time.Second).In(loc)
}

// closestYear picks, among last year, this year and next year, the one in
// which month/day exists and is closest to today; 0 when none has it.
func closestYear(y int, mo time.Month, d int, month time.Month, dom int) int {
	today := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	best, bestDist := 0, time.Duration(0)
	for _, cand := range []int{y + 1, y, y - 1} { // future first on ties
		if dom > daysIn(cand, month) {
			continue
		}
		dist := time.Date(cand, month, dom, 0, 0, 0, 0, time.UTC).Sub(today)
		if dist < 0 {
			dist = -dist
		}
		if best == 0 || dist < bestDist {
			best, bestDist = cand, dist
		}
	}
	return best
}

// toMinute drops seconds and below without going through the wall clock,
// so an instant in a repeated daylight-saving hour keeps its offset.
func toMinute(t time.Time) time.Time {
	return t.Add(-time.Duration(t.Second())*time.Second - time.Duration(t.Nanosecond()))
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

var months = map[string]time.Month{
	"jan": time.January, "january": time.January,
	"feb": time.February, "february": time.February,
	"mar": time.March, "march": time.March,
	"apr": time.April, "april": time.April,
	"may": time.May,
	"jun": time.June, "june": time.June,
	"jul": time.July, "july": time.July,
	"aug": time.August, "august": time.August,
	"sep": time.September, "sept": time.September, "september": time.September,
	"oct": time.October, "october": time.October,
	"nov": time.November, "november": time.November,
	"dec": time.December, "december": time.December,
}
