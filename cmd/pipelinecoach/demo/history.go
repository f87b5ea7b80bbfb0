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
	n := 0
	deal := func(owner, tz string, first time.Time, outcome string) {
		n++
		if err := d.store.Save(d.ctx, pastDeal(d.sim.TeamID(), n, owner, tz, first, outcome)); err != nil {
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

// pastDeal is the history's n-th prospect, its first meeting at first: the
// owner is asked about it, then loses it within days ("fast loss") or
// makes it an opportunity that is won, lost or still open.
func pastDeal(team string, n int, owner, tz string, first time.Time, outcome string) coach.Prospect {
	p := coach.Prospect{
		Workspace: team, ID: fmt.Sprintf("hist%03d", n), Owner: owner, Account: fmt.Sprintf("%s %d", accounts[n%len(accounts)], n),
		TZ: tz, FirstMeeting: first, MeetingEnd: first.Add(time.Hour), CreatedAt: first.Add(-24 * time.Hour), Version: 1,
	}
	p.State = coach.Scheduled
	p.History = []coach.Entry{{At: p.CreatedAt, By: owner, Event: coach.EventLogged, To: coach.Scheduled}}
	advance(&p, first.Add(90*time.Minute), coach.EventAsked, coach.Awaiting)
	if outcome == "fast loss" {
		at := first.Add(3 * 24 * time.Hour)
		advance(&p, at, coach.EventLost, coach.Lost)
		p.Loss = &coach.Loss{Reason: coach.ReasonNoFit, Stage: coach.Awaiting, DaysToLose: coach.DaysBetween(first, at)}
		return p
	}
	opp := first.Add(2 * 24 * time.Hour)
	advance(&p, opp, coach.EventConfirmed, coach.Opportunity)
	p.SecondMeeting, p.NextStep, p.Amount, p.Currency = opp.Add(48*time.Hour), "Proposal review", 30000, "EUR"
	p.Qualification = map[string]string{"budget": "approved", "authority": "the COO signs", "need": "forecasts by hand", "timeline": "this quarter"}
	switch closeAt := first.Add(24 * 24 * time.Hour); {
	case closeAt.After(start.AddDate(0, 0, -3)):
		// Still open: waiting on the buyer's budget decision.
		at := start.AddDate(0, 0, -4)
		advance(&p, at, coach.EventUpdated, coach.Opportunity)
		p.WaitingOn, p.WaitingUntil = "the buyer's budget decision", start.AddDate(0, 0, 17)
		p.Waits = []coach.RecordedWait{{From: at, Until: p.WaitingUntil}}
	case outcome == "won":
		advance(&p, closeAt, coach.EventWon, coach.Won)
	default:
		advance(&p, closeAt, coach.EventLost, coach.Lost)
		p.Loss = &coach.Loss{Reason: coach.ReasonCompetitor, Stage: coach.Opportunity, DaysToLose: coach.DaysBetween(first, closeAt)}
	}
	return p
}

// advance moves p to state to at, by its owner, as the bot records a change.
func advance(p *coach.Prospect, at time.Time, ev coach.Event, to coach.State) {
	p.History = append(p.History, coach.Entry{At: at, By: p.Owner, Event: ev, From: p.State, To: to})
	p.State, p.LastActivity = to, at
}

var accounts = []string{"Tyrell", "Wayne", "Cyberdyne", "Soylent", "Wonka", "Gringotts", "Oscorp", "Vandelay", "Dunder", "Pied Piper", "Massive Dynamic", "Aperture"}
