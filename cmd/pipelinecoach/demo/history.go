package demo

import (
	"fmt"
	"time"

	"pipelinecoach/coach"
)

// history is the team's eight weeks before the fortnight, written to the
// store as the bot would have recorded them, so the coaching and the
// digest's trend have something to stand on. Omar and Lena are healthy:
// most first meetings lead to a second, the rest are lost within days, and
// deals still open wait on a recorded budget decision. Rita's first
// meetings rarely lead to a second (1 in 16), though she loses fast.
func (d *director) history() {
	if !d.ok() {
		return
	}
	team := d.sim.TeamID()
	n := 0
	deal := func(owner, tz string, first time.Time, outcome string) {
		n++
		p := coach.Prospect{
			Workspace: team, ID: fmt.Sprintf("hist%03d", n), Owner: owner, Account: fmt.Sprintf("%s %d", accounts[n%len(accounts)], n),
			TZ: tz, FirstMeeting: first, MeetingEnd: first.Add(time.Hour), CreatedAt: first.Add(-24 * time.Hour), Version: 1,
		}
		add := func(at time.Time, ev coach.Event, to coach.State) {
			p.History = append(p.History, coach.Entry{At: at, By: owner, Event: ev, From: p.State, To: to})
			p.State, p.LastActivity = to, at
		}
		p.State = coach.Scheduled
		p.History = []coach.Entry{{At: p.CreatedAt, By: owner, Event: coach.EventLogged, To: coach.Scheduled}}
		add(first.Add(90*time.Minute), coach.EventAsked, coach.Awaiting)
		lose := func(at time.Time) {
			add(at, coach.EventLost, coach.Lost)
			p.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Stage: coach.Awaiting, DaysToLose: coach.DaysBetween(first, at)}
		}
		if outcome == "fast loss" {
			lose(first.Add(3 * 24 * time.Hour))
		} else {
			opp := first.Add(2 * 24 * time.Hour)
			add(opp, coach.EventConfirmed, coach.Opportunity)
			p.SecondMeeting, p.NextStep, p.Amount, p.Currency = opp.Add(48*time.Hour), "Proposal review", 30000, "EUR"
			p.Qualification = map[string]string{"budget": "approved", "authority": "the COO signs", "need": "forecasts by hand", "timeline": "this quarter"}
			switch closeAt := first.Add(24 * 24 * time.Hour); {
			case closeAt.After(start.AddDate(0, 0, -3)):
				// Still open: waiting on the buyer's budget decision.
				at := start.AddDate(0, 0, -4)
				add(at, coach.EventUpdated, coach.Opportunity)
				p.WaitingOn, p.WaitingUntil = "the buyer's budget decision", start.AddDate(0, 0, 17)
				p.Waits = []coach.RecordedWait{{From: at, Until: p.WaitingUntil}}
			case outcome == "won":
				add(closeAt, coach.EventWon, coach.Won)
			default:
				add(closeAt, coach.EventLost, coach.Lost)
				p.Loss = &coach.Loss{Reason: coach.ReasonCompetitor, Stage: coach.Opportunity, DaysToLose: coach.DaysBetween(first, closeAt)}
			}
		}
		if err := d.store.Save(d.ctx, p); err != nil {
			d.fail("load the history: %v", err)
		}
	}
	for w := 8; w >= 1; w-- {
		monday := start.AddDate(0, 0, -7*w)
		ny, london := mustZone("America/New_York"), mustZone("Europe/London")
		at := func(day, hour int, loc *time.Location) time.Time {
			t := monday.AddDate(0, 0, day)
			return time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, loc)
		}
		deal(omar, "America/New_York", at(0, 10, ny), "won")
		deal(omar, "America/New_York", at(2, 11, ny), "lost")
		deal(omar, "America/New_York", at(3, 14, ny), "fast loss")
		deal(lena, "Europe/London", at(1, 10, london), []string{"won", "lost"}[w%2])
		deal(lena, "Europe/London", at(3, 15, london), "fast loss")
		for i := range 2 {
			outcome := "fast loss"
			if w == 6 && i == 0 {
				outcome = "won"
			}
			deal(rita, "Europe/Berlin", at(1+2*i, 10, berlin), outcome)
		}
	}
}

var accounts = []string{"Tyrell", "Wayne", "Cyberdyne", "Soylent", "Wonka", "Gringotts", "Oscorp", "Vandelay", "Dunder", "Pied Piper", "Massive Dynamic", "Aperture"}
