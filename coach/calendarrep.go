package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrCalendarOff: calendars are not read in this deployment. A refusal:
// the person asked for what is not set up, nothing failed.
var ErrCalendarOff error = &refusal{"calendar reading is not set up"}

// ErrNotIgnored: "not a sales meeting" withdrew the meeting, but the store
// did not take the company onto the rep's ignored list, so a later meeting
// with it may be asked about again. The withdrawal itself stands.
var ErrNotIgnored = errors.New("withdrawn, but the company is not ignored from now on")

// CalendarStatus is a rep's calendar reading, ErrNotFound when it never
// started, ErrCalendarOff when this deployment reads no calendars.
func (s *Service) CalendarStatus(ctx context.Context, actor Actor) (CalendarSync, error) {
	if !s.CalendarOn() {
		return CalendarSync{}, ErrCalendarOff
	}
	c, err := s.store.CalendarSync(ctx, actor.Workspace, actor.User)
	if err != nil {
		return CalendarSync{}, fmt.Errorf("calendar of %s: %w", actor.User, err)
	}
	return c, nil
}

// SetCalendar turns the reading of the actor's own calendar on or off.
// Turning it on reads it at once, a mailbox that was gone included.
func (s *Service) SetCalendar(ctx context.Context, actor Actor, on bool) (CalendarSync, error) {
	if !s.CalendarOn() {
		return CalendarSync{}, ErrCalendarOff
	}
	if on {
		if err := s.EnrolCalendar(ctx, actor.Workspace, actor.User); err != nil {
			return CalendarSync{}, err
		}
	}
	return s.changeCalendar(ctx, actor.Workspace, actor.User, false, func(c CalendarSync) (CalendarSync, bool) {
		if c.Off == !on && (!on || (!c.Gone && c.Failures == 0)) {
			return c, false
		}
		c.Off = !on
		if on {
			c.Gone, c.Failures, c.NextRead = false, 0, s.clock.Now()
		}
		return c, true
	})
}

// CalendarStatuses is every rep's calendar reading, for an admin.
func (s *Service) CalendarStatuses(ctx context.Context, actor Actor) ([]CalendarSync, error) {
	if !actor.Admin {
		return nil, &RoleError{Need: RoleAdmin, Action: "see everyone's calendar status"}
	}
	if !s.CalendarOn() {
		return nil, ErrCalendarOff
	}
	all, err := s.store.CalendarSyncs(ctx, actor.Workspace)
	if err != nil {
		return nil, fmt.Errorf("calendars of %s: %w", actor.Workspace, err)
	}
	slices.SortFunc(all, func(a, b CalendarSync) int {
		if a.Status() != b.Status() {
			return calendarStatusRank(a.Status()) - calendarStatusRank(b.Status())
		}
		if a.Mailbox < b.Mailbox {
			return -1
		}
		return 1
	})
	return all, nil
}

// calendarStatusRank puts what needs an admin first.
func calendarStatusRank(s string) int {
	return slices.Index([]string{"gone", "failing", "waiting", "off", "ok"}, s)
}

// NotSalesMeeting withdraws a prospect the calendar brought that was not a
// sales meeting, and ignores its company for the rep from then on.
func (s *Service) NotSalesMeeting(ctx context.Context, actor Actor, workspace, id string) (Prospect, error) {
	p, _, err := s.change(ctx, &actor, workspace, id, func(p Prospect) (Prospect, bool, error) {
		switch p.State {
		case Withdrawn:
			return p, false, nil
		case Scheduled, Awaiting:
		default:
			return p, false, p.decidedError()
		}
		next := p.clone()
		next.withdraw(s.clock.Now(), actor.User)
		return next, true, nil
	})
	if err != nil {
		return p, fmt.Errorf("not a sales meeting %s: %w", id, err)
	}
	company := fold(p.Account)
	if p.Calendar != nil && p.Calendar.Company != "" {
		company = p.Calendar.Company
	}
	if s.CalendarOn() {
		_, err = s.changeCalendar(ctx, workspace, p.Owner, false, func(c CalendarSync) (CalendarSync, bool) {
			if slices.Contains(c.Ignored, company) {
				return c, false
			}
			c.Ignored = append(c.Ignored, company)
			return c, true
		})
		if errors.Is(err, ErrNotFound) {
			err = nil
		}
	}
	if err != nil {
		return p, fmt.Errorf("ignore %s for %s: %w", company, p.Owner, errors.Join(ErrNotIgnored, err))
	}
	return p, nil
}

// ConfirmNextMeeting confirms the later meeting the calendar shows as the
// second meeting: the rep's one click, with that meeting's date.
func (s *Service) ConfirmNextMeeting(ctx context.Context, actor Actor, workspace, id string) (Prospect, bool, error) {
	return s.ConfirmNextMeetingWith(ctx, actor, workspace, id, SecondMeeting{})
}

// ConfirmNextMeetingWith is ConfirmNextMeeting with what else the rep said
// about the deal (an amount typed with "yes"); sm.At is ignored: the date
// is the calendar's, as stored.
func (s *Service) ConfirmNextMeetingWith(ctx context.Context, actor Actor, workspace, id string, sm SecondMeeting) (Prospect, bool, error) {
	p, changed, err := s.change(ctx, &actor, workspace, id, func(p Prospect) (Prospect, bool, error) {
		if p.State == Opportunity {
			return p, false, nil
		}
		if p.NextMeeting == nil {
			return p, false, invalid(FieldSecondMeeting, "is not on your calendar any more: which date is it?")
		}
		sm.At = p.NextMeeting.Start
		return p.Confirm(s.clock.Now(), actor.User, sm)
	})
	if err != nil {
		return p, false, fmt.Errorf("confirm the calendar's second meeting %s: %w", id, err)
	}
	return p, changed, nil
}

// calendarTwin finds the meeting the calendar already brought that a rep
// is logging by hand: same company name, within a day.
func calendarTwin(ps []Prospect, account string, start time.Time) (Prospect, bool) {
	for _, p := range ps {
		if p.Calendar != nil && (p.State == Scheduled || p.State == Awaiting) &&
			fold(p.Account) == fold(account) && absDuration(p.FirstMeeting.Sub(start)) <= mergeWindow {
			return p, true
		}
	}
	return Prospect{}, false
}
