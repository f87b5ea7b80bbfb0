package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
)

// calendarWhat says what is read and kept, in the rep's words.
const calendarWhat = "I read your calendar to find first meetings with people from outside the company, and ask you after each one. " +
	"I keep only what I show you — the event's time, its title, the company's domain and the contact's name — never descriptions or other guests' addresses."

// CalendarStatus answers `/pipeline calendar`: whether the rep's calendar
// is read, when it was last read, and the button to turn it off or on.
// found is false when reading never started for the rep.
func CalendarStatus(c coach.CalendarSync, found bool, now time.Time, loc *time.Location) Message {
	var text string
	on := found && !c.Off
	switch {
	case !found:
		text = ":calendar: I don't read your calendar yet. Turn it on and your first meetings arrive by themselves; `/pipeline log` still works for what no calendar holds."
	case c.Off:
		text = ":calendar: Reading your calendar is *off*. First meetings come only from `/pipeline log`."
	case c.Gone:
		text = fmt.Sprintf(":warning: I can't read the calendar of *%s*: the mailbox does not exist or I may not read it. Your admin can check the setup; I'll try again %s.",
			Escape(c.Mailbox), ago(c.NextRead, now, loc))
	case c.LastRead.IsZero():
		text = fmt.Sprintf(":calendar: I'll read the calendar of *%s* for the first time %s.", Escape(c.Mailbox), ago(c.NextRead, now, loc))
	default:
		text = fmt.Sprintf(":calendar: I read the calendar of *%s*: last read %s.", Escape(c.Mailbox), ago(c.LastRead, now, loc))
		if c.Failures > 0 {
			text += fmt.Sprintf(" The last %s failed (%s); I'll try again %s.", plural(c.Failures, "read", "reads"), safe(c.LastError, 200), ago(c.NextRead, now, loc))
		}
	}
	toggle := button(ActionCalendarOn, "on", "Turn it on", "primary")
	if on {
		toggle = button(ActionCalendarOff, "off", "Turn it off", "")
	}
	return Message{Text: "Your calendar: " + calendarWord(c, found), Blocks: []slack.Block{
		section("calendar_status", text),
		slack.NewActionBlock("calendar_actions", toggle),
		contextText("calendar_note", calendarWhat),
	}}
}

func calendarWord(c coach.CalendarSync, found bool) string {
	if !found {
		return "not read"
	}
	return c.Status()
}

// ago is a time relative to now for a status line: "2 minutes ago", "in 5
// minutes", or the date beyond a day.
func ago(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "—"
	}
	d := now.Sub(t)
	future := d < 0
	if future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = plural(int(d/time.Minute), "minute", "minutes")
	case d < 24*time.Hour:
		s = plural(int(d/time.Hour), "hour", "hours")
	default:
		return When(t, loc)
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// maxAdminRows keeps the admin's list within Slack's 50 blocks.
const maxAdminRows = 40

// CalendarAdmin answers `/pipeline admin calendar`: per rep, the status
// and the last error, what needs attention first.
func CalendarAdmin(all []coach.CalendarSync, now time.Time, loc *time.Location) Message {
	counts := map[string]int{}
	for _, c := range all {
		counts[c.Status()]++
	}
	var parts []string
	for _, s := range []string{"ok", "waiting", "failing", "gone", "off"} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	head := fmt.Sprintf(":calendar: *Calendars read: %d.* %s", len(all), strings.Join(parts, " · "))
	if len(all) == 0 {
		head = ":calendar: No calendar is read yet. Reps on a team are added within the hour; a rep can turn theirs on with `/pipeline calendar`."
	}
	blocks := []slack.Block{section("calendar_admin", head)}
	for i, c := range all {
		if i == maxAdminRows {
			blocks = append(blocks, contextText("calendar_more", fmt.Sprintf("…and %d more.", len(all)-maxAdminRows)))
			break
		}
		line := fmt.Sprintf("<@%s> · %s · *%s*", Escape(c.Rep), Escape(c.Mailbox), c.Status())
		if !c.LastRead.IsZero() {
			line += " · last read " + ago(c.LastRead, now, loc)
		}
		if c.Failures > 0 && c.LastError != "" {
			line += fmt.Sprintf("\n> %s (%s, %s)", safe(c.LastError, 300), plural(c.Failures, "failure", "failures"), ago(c.ErrorAt, now, loc))
		}
		blocks = append(blocks, section(fmt.Sprintf("calendar_rep_%d", i), line))
	}
	return Message{Text: fmt.Sprintf("Calendars read: %d", len(all)), Blocks: blocks}
}
