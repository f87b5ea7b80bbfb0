package coach

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// WorkingHours is when a rep may be asked something: a daily window on
// working days, in the rep's own zone.
type WorkingHours struct {
	Start, End time.Duration // since local midnight; Start < End
	Days       [7]bool       // indexed by time.Weekday
}

// DefaultWorkingHours is 09:00–18:00, Monday to Friday.
var DefaultWorkingHours = WorkingHours{
	Start: 9 * time.Hour, End: 18 * time.Hour,
	Days: [7]bool{time.Monday: true, time.Tuesday: true, time.Wednesday: true, time.Thursday: true, time.Friday: true},
}

// ParseWorkingHours reads a window like "09:00-18:00" and days like
// "Mon-Fri" or "Mon,Tue,Thu".
func ParseWorkingHours(window, days string) (WorkingHours, error) {
	var wh WorkingHours
	from, to, ok := strings.Cut(strings.TrimSpace(window), "-")
	if !ok {
		return wh, fmt.Errorf("working hours %q: want HH:MM-HH:MM", window)
	}
	var err error
	if wh.Start, err = parseClock(from); err != nil {
		return wh, fmt.Errorf("working hours %q: %w", window, err)
	}
	if wh.End, err = parseClock(to); err != nil {
		return wh, fmt.Errorf("working hours %q: %w", window, err)
	}
	if wh.Start >= wh.End {
		return wh, fmt.Errorf("working hours %q: the start must be before the end", window)
	}
	for part := range strings.SplitSeq(days, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		first, last, isRange := strings.Cut(part, "-")
		a, err := parseWeekday(first)
		if err != nil {
			return wh, fmt.Errorf("working days %q: %w", days, err)
		}
		b := a
		if isRange {
			if b, err = parseWeekday(last); err != nil {
				return wh, fmt.Errorf("working days %q: %w", days, err)
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			wh.Days[d] = true
			if d == b {
				break
			}
		}
	}
	if wh.Days == [7]bool{} {
		return wh, fmt.Errorf("working days %q: no day given", days)
	}
	return wh, nil
}

func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a time like 09:00", strings.TrimSpace(s))
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func parseWeekday(s string) (time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if len(s) >= 2 && strings.HasPrefix(name, s) {
			return d, nil
		}
	}
	return 0, fmt.Errorf("%q is not a weekday", s)
}

func (wh WorkingHours) isWorkingDay(t time.Time) bool { return wh.Days[t.Weekday()] }

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func at(day time.Time, since time.Duration) time.Time {
	y, m, d := day.Date()
	h, mins := int(since/time.Hour), int(since%time.Hour/time.Minute)
	return time.Date(y, m, d, h, mins, 0, 0, day.Location())
}

// Next returns t if it falls in working hours, otherwise the start of the
// next working window, in t's zone.
func (wh WorkingHours) Next(t time.Time) time.Time {
	if wh.Days == [7]bool{} {
		return t
	}
	day := midnight(t)
	for range 8 {
		if wh.isWorkingDay(day) {
			start, end := at(day, wh.Start), at(day, wh.End)
			if t.Before(start) {
				return start
			}
			if t.Before(end) {
				return t
			}
		}
		day = midnight(day.AddDate(0, 0, 1))
		t = day
	}
	return t
}

// AddWorkingDays moves t forward by n working days, keeping its time of day,
// then into working hours.
func (wh WorkingHours) AddWorkingDays(t time.Time, n int) time.Time {
	if wh.Days == [7]bool{} {
		return t.AddDate(0, 0, n)
	}
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wh.isWorkingDay(t) {
			n--
		}
	}
	return wh.Next(t)
}

// Wait is how long to wait before asking again: whole working days, or a
// plain duration (then moved into working hours).
type Wait struct {
	WorkingDays int
	Duration    time.Duration
}

// ParseWait reads "2d" or "2" (working days) or a Go duration like "48h".
func ParseWait(s string) (Wait, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil {
		if n < 1 {
			return Wait{}, fmt.Errorf("%q: wait at least one working day", s)
		}
		return Wait{WorkingDays: n}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return Wait{}, fmt.Errorf("%q: want working days like 2d, or a duration like 48h", s)
	}
	return Wait{Duration: d}, nil
}

// After returns when a wait that starts at t ends, within working hours.
func (w Wait) After(wh WorkingHours, t time.Time) time.Time {
	if w.WorkingDays > 0 {
		return wh.AddWorkingDays(t, w.WorkingDays)
	}
	return wh.Next(t.Add(w.Duration))
}

// Timing holds the timing rules of the product; every one is configurable.
type Timing struct {
	PromptDelay     time.Duration // after the first meeting ends
	MeetingDuration time.Duration // a first meeting's assumed length
	WorkingHours    WorkingHours
	ReminderAfter   Wait
	MaxReminders    int
}

// DefaultTiming is the product's defaults (the package doc, "Timing").
var DefaultTiming = Timing{
	PromptDelay:     30 * time.Minute,
	MeetingDuration: 45 * time.Minute,
	WorkingHours:    DefaultWorkingHours,
	ReminderAfter:   Wait{WorkingDays: 2},
	MaxReminders:    2,
}

// FirstAsk is when the rep is first asked whether a second meeting was
// booked: the meeting's end plus the delay, moved into the rep's working
// hours; a meeting logged after it happened is asked about at once (still
// within working hours).
func (tm Timing) FirstAsk(meetingEnd, now time.Time, loc *time.Location) time.Time {
	t := meetingEnd.Add(tm.PromptDelay)
	if t.Before(now) {
		t = now
	}
	return tm.WorkingHours.Next(t.In(loc))
}

// AskKind is which question the bot asks.
type AskKind string

// The questions, in the order they are asked.
const (
	AskFirst    AskKind = "first"    // was a second meeting booked?
	AskReminder AskKind = "reminder" // still no second meeting?
	AskCloseOut AskKind = "closeout" // close it out?
	AskWaitOver AskKind = "waitover" // the wait you recorded is over: where does it stand?
)

// Ask is one question to a rep about a prospect.
type Ask struct {
	Kind AskKind
	N    int // 1 for the first prompt, counting every question sent
}

// nextAsk decides what, if anything, the scheduler sends when a prospect's
// follow-up comes due. ok == false with quiet == true means the rep never
// answered the close-out and the prospect has gone quiet.
func (tm Timing) nextAsk(p Prospect) (ask Ask, ok, quiet bool) {
	if p.State != Scheduled && p.State != Awaiting {
		return Ask{}, false, false
	}
	n := p.Asks + 1
	switch {
	case p.Asks == 0:
		return Ask{Kind: AskFirst, N: n}, true, false
	case p.Asks <= tm.MaxReminders:
		return Ask{Kind: AskReminder, N: n}, true, false
	case p.Asks == tm.MaxReminders+1:
		return Ask{Kind: AskCloseOut, N: n}, true, false
	}
	return Ask{}, false, p.QuietSince.IsZero()
}

// locations are the zones loaded so far, by name: time.LoadLocation reads
// and parses the zone file on every call, and every answer asks for its
// person's zone.
var locations sync.Map // zone name → *time.Location

// zone loads a zone of the database once per process; ok is false for a
// name the database does not have.
func zone(name string) (loc *time.Location, ok bool) {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	locations.Store(name, loc)
	return loc, true
}

// ZoneLocation is the zone named, loaded once per process; UTC for "" or a
// name the database does not have.
func ZoneLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if loc, ok := zone(name); ok {
		return loc
	}
	return time.UTC
}

// ValidZone reports whether name is a time zone coach can compute in: a
// name of the IANA database ("Europe/Berlin", "UTC"). "" and "Local" are
// not: they mean whatever zone the server runs in. It is the one rule for
// every zone, from the environment or typed in Slack.
func ValidZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, ok := zone(name)
	return ok
}
