package coach

import (
	"context"
	"fmt"
	"time"
)

// CorrectMeeting puts right a first meeting as it was logged — the company,
// the contact, the time — as long as the rep has not been asked about it
// yet: a misread time is corrected at its source, and the question moves
// with the meeting. Correcting to what is already recorded changes nothing.
func (p Prospect) CorrectMeeting(now time.Time, by string, m NewMeeting, meeting time.Duration) (next Prospect, changed bool, err error) {
	if err := p.CanCorrectMeeting(); err != nil {
		return p, false, err
	}
	m.Team, m.Owner = p.Workspace, p.Owner
	if err := m.Validate(); err != nil {
		return p, false, err
	}
	account, contact := cleanText(m.Account), cleanText(m.Contact)
	if account == p.Account && contact == p.Contact && m.Start.Equal(p.FirstMeeting) {
		return p, false, nil
	}
	next = p.clone()
	next.Account, next.Contact = account, contact
	next.FirstMeeting, next.MeetingEnd = m.Start, m.Start.Add(meeting)
	next.LastActivity = now
	next.History = append(next.History, Entry{At: now, By: by, Event: EventUpdated, From: p.State, To: p.State})
	return next, true, nil
}

// CanCorrectMeeting says why the first meeting can no longer be corrected:
// the rep was asked about it, or it was decided, or it is the calendar's
// (its time follows the event, so a correction here would be undone by the
// next move there).
func (p Prospect) CanCorrectMeeting() error {
	switch p.State {
	case Won, Lost, Withdrawn:
		return p.decidedError()
	case Awaiting, Opportunity:
		return invalid(FieldFirstMeeting, "was already asked about, so it stays as logged; lose it and log it again if it never happened")
	}
	if p.Calendar != nil {
		return invalid(FieldFirstMeeting, "comes from your calendar: move it there and I'll follow")
	}
	return nil
}

// CorrectMeeting corrects a logged first meeting (Prospect.CorrectMeeting)
// and moves the question about it to the new meeting's end.
func (s *Service) CorrectMeeting(ctx context.Context, actor Actor, team, id string, m NewMeeting) (Prospect, error) {
	p, _, err := s.change(ctx, &actor, team, id, func(p Prospect) (Prospect, bool, error) {
		now := s.clock.Now()
		next, changed, err := p.CorrectMeeting(now, actor.User, m, s.timing.MeetingDuration)
		if changed {
			next.FollowUpAt = s.timing.FirstAsk(next.MeetingEnd, now, next.Location())
		}
		return next, changed, err
	})
	if err != nil {
		return p, fmt.Errorf("correct first meeting %s: %w", id, err)
	}
	return p, nil
}
