package coach_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Wednesday 2026-11-25 14:00 in Berlin: the first meeting of the fixtures.
var firstMeeting = time.Date(2026, 11, 25, 14, 0, 0, 0, berlin)

func bdate(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, berlin)
}

// scheduledProspect is a prospect just logged, its meeting ahead.
func scheduledProspect() coach.Prospect {
	logged := firstMeeting.Add(-48 * time.Hour)
	return coach.Prospect{
		Workspace: "T1", ID: "p1", Owner: "U1", Account: "Acme", TZ: "Europe/Berlin",
		FirstMeeting: firstMeeting, MeetingEnd: firstMeeting.Add(45 * time.Minute),
		State: coach.Scheduled, CreatedAt: logged, LastActivity: logged, Version: 1,
		FollowUpAt: firstMeeting.Add(75 * time.Minute),
		History:    []coach.Entry{{At: logged, By: "U1", Event: coach.EventLogged, To: coach.Scheduled}},
	}
}

// awaitingProspect is a prospect whose rep was asked once.
func awaitingProspect() coach.Prospect {
	p := scheduledProspect()
	askedAt := firstMeeting.Add(75 * time.Minute)
	p.History = append(p.History, coach.Entry{At: askedAt, By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting})
	p.State = coach.Awaiting
	p.Asks = 1
	p.LastAsked = askedAt
	p.FollowUpAt = bdate(11, 27, 15, 15)
	p.Version = 2
	return p
}

func mustConfirm(t *testing.T, p coach.Prospect, at time.Time) coach.Prospect {
	t.Helper()
	next, changed, err := p.Confirm(at, p.Owner, coach.SecondMeeting{At: at.Add(72 * time.Hour), Amount: 25000, Currency: "EUR"})
	if err != nil || !changed {
		t.Fatalf("Confirm: changed=%v err=%v", changed, err)
	}
	return next
}

func opportunityProspect(t *testing.T) coach.Prospect {
	return mustConfirm(t, awaitingProspect(), bdate(11, 26, 10, 0))
}

func wonProspect(t *testing.T) coach.Prospect {
	p, err := opportunityProspect(t).Win(bdate(12, 10, 11, 0), "U1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func lostProspect(t *testing.T) coach.Prospect {
	p, err := awaitingProspect().Lose(bdate(11, 27, 11, 0), "U1", coach.LossReport{Reason: coach.ReasonNoFit, Lesson: "ask about fit first", Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var fe *coach.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	if !errors.Is(err, coach.ErrInvalid) {
		t.Errorf("FieldError %v does not wrap ErrInvalid", err)
	}
	if fe.Message == "" {
		t.Errorf("FieldError on %s has no message", fe.Field)
	}
	return fe.Field
}

func lastEntry(p coach.Prospect) coach.Entry { return p.History[len(p.History)-1] }

func TestConfirmRejects(t *testing.T) {
	afterFirst := bdate(11, 26, 10, 0)
	tests := []struct {
		name      string
		p         func(t *testing.T) coach.Prospect
		at        time.Time
		sm        coach.SecondMeeting
		wantField string
	}{
		{"scheduled, before the first meeting started", func(*testing.T) coach.Prospect { return scheduledProspect() },
			firstMeeting.Add(-time.Minute), coach.SecondMeeting{At: bdate(12, 1, 10, 0)}, coach.FieldSecondMeeting},
		{"no second meeting date", func(*testing.T) coach.Prospect { return awaitingProspect() },
			afterFirst, coach.SecondMeeting{Amount: 1000, Currency: "EUR"}, coach.FieldSecondMeeting},
		{"second meeting before the first", func(*testing.T) coach.Prospect { return awaitingProspect() },
			afterFirst, coach.SecondMeeting{At: firstMeeting.Add(-24 * time.Hour)}, coach.FieldSecondMeeting},
		{"second meeting at the same time as the first", func(*testing.T) coach.Prospect { return awaitingProspect() },
			afterFirst, coach.SecondMeeting{At: firstMeeting}, coach.FieldSecondMeeting},
		{"second meeting equal to the first in another zone", func(*testing.T) coach.Prospect { return awaitingProspect() },
			afterFirst, coach.SecondMeeting{At: firstMeeting.UTC()}, coach.FieldSecondMeeting},
		{"negative amount", func(*testing.T) coach.Prospect { return awaitingProspect() },
			afterFirst, coach.SecondMeeting{At: bdate(12, 1, 10, 0), Amount: -1}, coach.FieldAmount},
		{"next step too long", func(*testing.T) coach.Prospect { return awaitingProspect() },
			afterFirst, coach.SecondMeeting{At: bdate(12, 1, 10, 0), NextStep: strings.Repeat("x", coach.MaxNextStepLen+1)}, coach.FieldNextStep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p(t)
			before := p.Version
			next, changed, err := p.Confirm(tc.at, "U1", tc.sm)
			if err == nil {
				t.Fatalf("Confirm succeeded into %s, want a FieldError on %s", next.State, tc.wantField)
			}
			if changed {
				t.Error("changed = true with an error")
			}
			if got := fieldOf(t, err); got != tc.wantField {
				t.Errorf("FieldError on %q, want %q (%v)", got, tc.wantField, err)
			}
			if next.State == coach.Opportunity || !reflect.DeepEqual(next, p) || p.Version != before {
				t.Errorf("a rejected Confirm changed the prospect: %+v", next)
			}
		})
	}
}

func TestConfirmFromOpenStates(t *testing.T) {
	quiet := awaitingProspect()
	quiet.Asks = 4
	quiet.QuietSince = bdate(12, 7, 15, 15)
	quiet.FollowUpAt = time.Time{}
	tests := []struct {
		name string
		p    coach.Prospect
		at   time.Time
	}{
		{"scheduled, meeting started", scheduledProspect(), firstMeeting.Add(10 * time.Minute)},
		{"scheduled, meeting over but not yet asked", scheduledProspect(), firstMeeting.Add(time.Hour)},
		{"awaiting", awaitingProspect(), bdate(11, 26, 10, 0)},
		{"gone quiet", quiet, bdate(12, 20, 10, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := tc.p
			origHistory := len(orig.History)
			sm := coach.SecondMeeting{At: bdate(12, 22, 10, 0), Amount: 25000, Currency: "EUR", NextStep: "  demo   with\n the CFO "}
			next, changed, err := tc.p.Confirm(tc.at, "U1", sm)
			if err != nil || !changed {
				t.Fatalf("Confirm: changed=%v err=%v", changed, err)
			}
			if next.State != coach.Opportunity {
				t.Errorf("state %s, want opportunity", next.State)
			}
			if !next.SecondMeeting.Equal(sm.At) || next.Amount != 25000 || next.Currency != "EUR" {
				t.Errorf("second meeting %s amount %d %s not kept", next.SecondMeeting, next.Amount, next.Currency)
			}
			if next.NextStep != "demo with the CFO" {
				t.Errorf("next step %q, want it cleaned to %q", next.NextStep, "demo with the CFO")
			}
			if !next.FollowUpAt.IsZero() {
				t.Errorf("follow-up still set at %s: an opportunity is not asked any more", next.FollowUpAt)
			}
			if !next.QuietSince.IsZero() || next.GoneQuiet() {
				t.Error("still marked gone quiet after confirming")
			}
			if !next.LastActivity.Equal(tc.at) {
				t.Errorf("last activity %s, want %s", next.LastActivity, tc.at)
			}
			want := coach.Entry{At: tc.at, By: "U1", Event: coach.EventConfirmed, From: tc.p.State, To: coach.Opportunity}
			if len(next.History) != origHistory+1 || lastEntry(next) != want {
				t.Errorf("history %+v, want one more entry %+v", next.History, want)
			}
			if e, ok := next.Decided(); !ok || e != want {
				t.Errorf("Decided() = %+v, %v; want %+v", e, ok, want)
			}
			// The receiver is a value; the original must be untouched.
			if orig.State == coach.Opportunity || len(orig.History) != origHistory {
				t.Error("Confirm changed the prospect it was called on")
			}
		})
	}
}

func TestConfirmTwiceIsHarmless(t *testing.T) {
	opp := opportunityProspect(t)
	again, changed, err := opp.Confirm(bdate(11, 27, 10, 0), "U1", coach.SecondMeeting{At: bdate(12, 3, 10, 0), Amount: 1})
	if err != nil {
		t.Fatalf("second Confirm: %v", err)
	}
	if changed {
		t.Error("second Confirm reports changed = true")
	}
	if !reflect.DeepEqual(again, opp) {
		t.Errorf("second Confirm changed the opportunity:\n got %+v\nwant %+v", again, opp)
	}
}

func TestConfirmDecided(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    coach.Prospect
		want coach.State
	}{
		{"lost", lostProspect(t), coach.Lost},
		{"won", wonProspect(t), coach.Won},
	} {
		t.Run(tc.name, func(t *testing.T) {
			decided, _ := tc.p.Decided()
			next, changed, err := tc.p.Confirm(bdate(12, 15, 10, 0), "U1", coach.SecondMeeting{At: bdate(12, 20, 10, 0)})
			if changed || !errors.Is(err, coach.ErrDecided) {
				t.Fatalf("Confirm on %s: changed=%v err=%v, want ErrDecided", tc.name, changed, err)
			}
			var de *coach.DecidedError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecidedError", err)
			}
			if de.State != tc.want || !de.At.Equal(decided.At) || de.By != decided.By {
				t.Errorf("DecidedError %+v, want state %s at %s by %s", de, tc.want, decided.At, decided.By)
			}
			if !strings.Contains(de.Error(), string(tc.want)) {
				t.Errorf("DecidedError text %q does not say %s", de.Error(), tc.want)
			}
			if !reflect.DeepEqual(next, tc.p) {
				t.Error("a rejected Confirm changed the prospect")
			}
		})
	}
}

func TestLoseFromEachOpenState(t *testing.T) {
	lossAt := bdate(12, 18, 16, 0) // 23 days and 2 hours after the first meeting
	tests := []struct {
		name     string
		p        func(t *testing.T) coach.Prospect
		at       time.Time
		wantDays int
	}{
		{"scheduled, before the meeting", func(*testing.T) coach.Prospect { return scheduledProspect() }, firstMeeting.Add(-time.Hour), 0},
		{"scheduled, right after the meeting", func(*testing.T) coach.Prospect { return scheduledProspect() }, firstMeeting.Add(time.Hour), 0},
		{"awaiting", func(*testing.T) coach.Prospect { return awaitingProspect() }, lossAt, 23},
		{"opportunity", opportunityProspect, lossAt, 23},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p(t)
			from := p.State
			n := len(p.History)
			r := coach.LossReport{Reason: coach.ReasonStatusQuo, Lesson: "  ask what happens if they do nothing \n", SaveMoment: " first call ", Shared: true}
			next, err := p.Lose(tc.at, "U1", r)
			if err != nil {
				t.Fatalf("Lose: %v", err)
			}
			if next.State != coach.Lost || next.Loss == nil {
				t.Fatalf("state %s loss %v, want lost with a debrief", next.State, next.Loss)
			}
			want := coach.Loss{Reason: coach.ReasonStatusQuo, Lesson: "ask what happens if they do nothing", SaveMoment: "first call",
				Shared: true, Stage: from, DaysToLose: tc.wantDays}
			if *next.Loss != want {
				t.Errorf("loss %+v, want %+v", *next.Loss, want)
			}
			if !next.FollowUpAt.Equal(tc.at) {
				t.Errorf("shared loss follows up at %s, want at once (%s) for its celebration", next.FollowUpAt, tc.at)
			}
			r.Shared = false
			if private, _ := p.Lose(tc.at, "U1", r); !private.FollowUpAt.IsZero() {
				t.Errorf("private loss still followed up at %s", private.FollowUpAt)
			}
			if !next.LastActivity.Equal(tc.at) {
				t.Errorf("last activity %s, want %s", next.LastActivity, tc.at)
			}
			wantEntry := coach.Entry{At: tc.at, By: "U1", Event: coach.EventLost, From: from, To: coach.Lost}
			if len(next.History) != n+1 || lastEntry(next) != wantEntry {
				t.Errorf("history %+v, want one more entry %+v", next.History, wantEntry)
			}
			if p.State != from || p.Loss != nil || len(p.History) != n {
				t.Error("Lose changed the prospect it was called on")
			}
		})
	}
}

func TestLoseRejects(t *testing.T) {
	at := bdate(11, 30, 10, 0)
	tests := []struct {
		name      string
		r         coach.LossReport
		wantField string
	}{
		{"unknown reason", coach.LossReport{Reason: "price"}, coach.FieldReason},
		{"empty reason", coach.LossReport{}, coach.FieldReason},
		{"reason by its label", coach.LossReport{Reason: coach.LossReason(coach.ReasonNoFit.Label())}, coach.FieldReason},
		{"lesson over the limit", coach.LossReport{Reason: coach.ReasonTiming, Lesson: strings.Repeat("a", coach.MaxLessonLen+1)}, coach.FieldLesson},
		{"lesson over the limit in runes", coach.LossReport{Reason: coach.ReasonTiming, Lesson: strings.Repeat("ü", coach.MaxLessonLen+1)}, coach.FieldLesson},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := awaitingProspect()
			next, err := p.Lose(at, "U1", tc.r)
			if err == nil {
				t.Fatalf("Lose accepted %+v", tc.r)
			}
			if got := fieldOf(t, err); got != tc.wantField {
				t.Errorf("FieldError on %q, want %q", got, tc.wantField)
			}
			if !reflect.DeepEqual(next, p) {
				t.Error("a rejected Lose changed the prospect")
			}
		})
	}
}

func TestLoseAcceptsEveryReasonAndLessonAtTheLimit(t *testing.T) {
	for _, r := range coach.LossReasons {
		lesson := "  " + strings.Repeat("ü", coach.MaxLessonLen) + "\n"
		next, err := awaitingProspect().Lose(bdate(11, 30, 10, 0), "U1", coach.LossReport{Reason: r, Lesson: lesson})
		if err != nil {
			t.Errorf("Lose with %s and a %d-rune lesson: %v", r, coach.MaxLessonLen, err)
			continue
		}
		if next.Loss.Reason != r || next.Loss.Shared {
			t.Errorf("loss %+v, want reason %s, not shared", next.Loss, r)
		}
	}
}

func TestLoseDecided(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    coach.Prospect
		want coach.State
	}{
		{"already lost", lostProspect(t), coach.Lost},
		{"already won", wonProspect(t), coach.Won},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, err := tc.p.Lose(bdate(12, 20, 10, 0), "U2", coach.LossReport{Reason: coach.ReasonOther})
			var de *coach.DecidedError
			if !errors.As(err, &de) || !errors.Is(err, coach.ErrDecided) {
				t.Fatalf("Lose on %s: %v, want a *DecidedError", tc.name, err)
			}
			decided, _ := tc.p.Decided()
			if de.State != tc.want || !de.At.Equal(decided.At) || de.By != "U1" {
				t.Errorf("DecidedError %+v, want %s at %s by U1", de, tc.want, decided.At)
			}
			if !reflect.DeepEqual(next, tc.p) {
				t.Error("a rejected Lose changed the prospect")
			}
		})
	}
}

func TestWin(t *testing.T) {
	at := bdate(12, 10, 11, 0)
	t.Run("opportunity", func(t *testing.T) {
		p := opportunityProspect(t)
		next, err := p.Win(at, "U1")
		if err != nil {
			t.Fatal(err)
		}
		want := coach.Entry{At: at, By: "U1", Event: coach.EventWon, From: coach.Opportunity, To: coach.Won}
		if next.State != coach.Won || lastEntry(next) != want || !next.FollowUpAt.IsZero() || !next.LastActivity.Equal(at) {
			t.Errorf("won: state %s last entry %+v follow-up %s", next.State, lastEntry(next), next.FollowUpAt)
		}
		if e, ok := next.Decided(); !ok || e != want {
			t.Errorf("Decided() = %+v, %v; want %+v", e, ok, want)
		}
	})
	for _, tc := range []struct {
		name    string
		p       coach.Prospect
		wantErr error
	}{
		{"scheduled", scheduledProspect(), coach.ErrNotOpportunity},
		{"awaiting", awaitingProspect(), coach.ErrNotOpportunity},
		{"lost", lostProspect(t), coach.ErrDecided},
		{"won", wonProspect(t), coach.ErrDecided},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, err := tc.p.Win(at, "U1")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Win from %s: %v, want %v", tc.name, err, tc.wantErr)
			}
			if !reflect.DeepEqual(next, tc.p) {
				t.Error("a rejected Win changed the prospect")
			}
		})
	}
}

func TestNewMeetingValidate(t *testing.T) {
	valid := coach.NewMeeting{Team: "T1", Owner: "U1", Account: "Acme", Contact: "Ada", TZ: "Europe/Berlin", Start: firstMeeting}
	tests := []struct {
		name      string
		edit      func(*coach.NewMeeting)
		wantField string // "" = valid; "-" = ErrInvalid without a field
	}{
		{"valid", func(*coach.NewMeeting) {}, ""},
		{"no contact is fine", func(m *coach.NewMeeting) { m.Contact = "" }, ""},
		{"account at the limit", func(m *coach.NewMeeting) { m.Account = strings.Repeat("ä", coach.MaxAccountLen) }, ""},
		{"account over the limit only by spaces", func(m *coach.NewMeeting) { m.Account = "  " + strings.Repeat("a", coach.MaxAccountLen) + "   " }, ""},
		{"empty account", func(m *coach.NewMeeting) { m.Account = "" }, coach.FieldAccount},
		{"blank account", func(m *coach.NewMeeting) { m.Account = " \t\n " }, coach.FieldAccount},
		{"201-char account", func(m *coach.NewMeeting) { m.Account = strings.Repeat("a", coach.MaxAccountLen+1) }, coach.FieldAccount},
		{"201-rune account", func(m *coach.NewMeeting) { m.Account = strings.Repeat("ä", coach.MaxAccountLen+1) }, coach.FieldAccount},
		{"contact too long", func(m *coach.NewMeeting) { m.Contact = strings.Repeat("c", coach.MaxContactLen+1) }, coach.FieldContact},
		{"missing start", func(m *coach.NewMeeting) { m.Start = time.Time{} }, coach.FieldFirstMeeting},
		{"no team", func(m *coach.NewMeeting) { m.Team = "" }, "-"},
		{"no owner", func(m *coach.NewMeeting) { m.Owner = "" }, "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := valid
			tc.edit(&m)
			err := m.Validate()
			switch tc.wantField {
			case "":
				if err != nil {
					t.Errorf("Validate: %v", err)
				}
			case "-":
				if !errors.Is(err, coach.ErrInvalid) {
					t.Errorf("Validate: %v, want ErrInvalid", err)
				}
			default:
				if err == nil {
					t.Fatalf("Validate accepted it, want a FieldError on %s", tc.wantField)
				}
				if got := fieldOf(t, err); got != tc.wantField {
					t.Errorf("FieldError on %q, want %q (%v)", got, tc.wantField, err)
				}
			}
		})
	}
}

// TestHistoryRecordsEveryTransition walks a prospect through the lifecycle
// and checks who, when, from and to of every entry.
func TestHistoryRecordsEveryTransition(t *testing.T) {
	p := awaitingProspect()
	confirmAt, winAt := bdate(11, 30, 10, 0), bdate(12, 15, 12, 0)
	p, _, err := p.Confirm(confirmAt, "U1", coach.SecondMeeting{At: bdate(12, 2, 10, 0)})
	if err != nil {
		t.Fatal(err)
	}
	p, err = p.Win(winAt, "UADMIN")
	if err != nil {
		t.Fatal(err)
	}
	want := []coach.Entry{
		{At: firstMeeting.Add(-48 * time.Hour), By: "U1", Event: coach.EventLogged, To: coach.Scheduled},
		{At: firstMeeting.Add(75 * time.Minute), By: coach.SystemActor, Event: coach.EventAsked, From: coach.Scheduled, To: coach.Awaiting},
		{At: confirmAt, By: "U1", Event: coach.EventConfirmed, From: coach.Awaiting, To: coach.Opportunity},
		{At: winAt, By: "UADMIN", Event: coach.EventWon, From: coach.Opportunity, To: coach.Won},
	}
	if !reflect.DeepEqual(p.History, want) {
		t.Errorf("history\n got %+v\nwant %+v", p.History, want)
	}
	for i := 1; i < len(p.History); i++ {
		if p.History[i].From != p.History[i-1].To {
			t.Errorf("entry %d starts from %s, but the previous one ended in %s", i, p.History[i].From, p.History[i-1].To)
		}
	}
	if lastEntry(p).To != p.State {
		t.Errorf("history ends in %s, state is %s", lastEntry(p).To, p.State)
	}

	// And the losing path.
	loseAt := bdate(12, 1, 9, 30)
	l, err := awaitingProspect().Lose(loseAt, "U1", coach.LossReport{Reason: coach.ReasonWentDark})
	if err != nil {
		t.Fatal(err)
	}
	if got := lastEntry(l); got != (coach.Entry{At: loseAt, By: "U1", Event: coach.EventLost, From: coach.Awaiting, To: coach.Lost}) {
		t.Errorf("loss entry %+v", got)
	}
	if e, ok := l.Decided(); !ok || !e.At.Equal(loseAt) {
		t.Errorf("Decided() = %+v, %v", e, ok)
	}
	if _, ok := awaitingProspect().Decided(); ok {
		t.Error("an awaiting prospect reports itself decided")
	}
}

// TestOnlyConfirmMakesAnOpportunity tries every other operation from every
// state: none of them produces an opportunity.
func TestOnlyConfirmMakesAnOpportunity(t *testing.T) {
	at := bdate(12, 20, 10, 0)
	quiet := awaitingProspect()
	quiet.QuietSince = bdate(12, 7, 15, 15)
	for _, p := range []coach.Prospect{scheduledProspect(), awaitingProspect(), quiet, lostProspect(t), wonProspect(t)} {
		if next, err := p.Win(at, "U1"); err == nil || next.State == coach.Opportunity {
			t.Errorf("Win from %s: state %s err %v", p.State, next.State, err)
		}
		if next, _ := p.Lose(at, "U1", coach.LossReport{Reason: coach.ReasonOther}); next.State == coach.Opportunity {
			t.Errorf("Lose from %s made an opportunity", p.State)
		}
		if next, _, err := p.Confirm(at, "U1", coach.SecondMeeting{}); err == nil || next.State == coach.Opportunity {
			t.Errorf("Confirm without a date from %s: state %s err %v", p.State, next.State, err)
		}
	}
	if quiet.State != coach.Awaiting || !quiet.GoneQuiet() {
		t.Error("a gone-quiet prospect should be awaiting and GoneQuiet")
	}
}

func TestDaysBetween(t *testing.T) {
	tests := []struct {
		a, b time.Time
		want int
	}{
		{firstMeeting, firstMeeting, 0},
		{firstMeeting, firstMeeting.Add(-72 * time.Hour), 0},
		{firstMeeting, firstMeeting.Add(23 * time.Hour), 0},
		{firstMeeting, firstMeeting.Add(24 * time.Hour), 1},
		{firstMeeting, firstMeeting.Add(30*24*time.Hour + time.Minute), 30},
	}
	for _, tc := range tests {
		if got := coach.DaysBetween(tc.a, tc.b); got != tc.want {
			t.Errorf("DaysBetween(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSmallTypes(t *testing.T) {
	for s, open := range map[coach.State]bool{coach.Scheduled: true, coach.Awaiting: true, coach.Opportunity: true, coach.Won: false, coach.Lost: false} {
		if s.Open() != open {
			t.Errorf("%s.Open() = %v", s, !open)
		}
	}
	if !(coach.MessageRef{Channel: "D1"}).IsZero() || !(coach.MessageRef{TS: "1.0"}).IsZero() || (coach.MessageRef{Channel: "D1", TS: "1.0"}).IsZero() {
		t.Error("MessageRef.IsZero is wrong")
	}
	seen := map[string]bool{}
	for _, r := range coach.LossReasons {
		l := r.Label()
		if l == "" || l == string(r) || seen[l] {
			t.Errorf("reason %s has label %q", r, l)
		}
		seen[l] = true
		if r.NoDecision() == (r == coach.ReasonCompetitor) {
			t.Errorf("%s.NoDecision() = %v", r, r.NoDecision())
		}
	}
	fe := &coach.FieldError{Field: coach.FieldLesson, Message: "is too long"}
	if fe.Error() != "lesson: is too long" || !errors.Is(fe, coach.ErrInvalid) {
		t.Errorf("FieldError %q", fe.Error())
	}
}

// TestLoseLimitsTheSaveMoment: every text a rep types is bounded so that the
// messages built from it fit Slack (prospect.go, "Limits on what a rep types").
func TestLoseLimitsTheSaveMoment(t *testing.T) {
	_, err := awaitingProspect().Lose(bdate(11, 30, 10, 0), "U1", coach.LossReport{
		Reason: coach.ReasonTiming, SaveMoment: strings.Repeat("s", 20000)})
	if err == nil {
		t.Error("a 20000-character save moment was accepted")
	}
}

func TestCloseDateNotBeforeTheSecondMeeting(t *testing.T) {
	p := awaitingProspectForClose()
	second := p.FirstMeeting.Add(48 * time.Hour)
	_, _, err := p.Confirm(second, "U1", coach.SecondMeeting{At: second, CloseDate: second.Add(-24 * time.Hour)})
	var fe *coach.FieldError
	if !errors.As(err, &fe) || fe.Field != coach.FieldCloseDate {
		t.Fatalf("err = %v, want a close-date field error", err)
	}
	sameDay := time.Date(second.Year(), second.Month(), second.Day(), 0, 30, 0, 0, second.Location())
	next, _, err := p.Confirm(second, "U1", coach.SecondMeeting{At: second, CloseDate: sameDay})
	if err != nil || !next.CloseDate.Equal(sameDay) {
		t.Fatalf("a close on the meeting's day: %v %v", err, next.CloseDate)
	}
}

func awaitingProspectForClose() coach.Prospect {
	first := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	return coach.Prospect{Workspace: "T1", ID: "p1", Owner: "U1", Account: "Acme", TZ: "UTC", FirstMeeting: first,
		MeetingEnd: first.Add(45 * time.Minute), State: coach.Awaiting, Version: 2}
}

// A deal is retired once won, lost or withdrawn, at the latest moment any
// metric counts it: a deal lost, reopened and won is retired at its win,
// a correction after the close moves it later, and an open deal is not
// retired at all.
func TestRetiredAtTheLatestMomentCounted(t *testing.T) {
	first := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	p := coach.Prospect{Workspace: "T1", ID: "p", Owner: "U1", FirstMeeting: first, State: coach.Opportunity,
		LastActivity: first.Add(day),
		History: []coach.Entry{
			{At: first.Add(-day), Event: coach.EventLogged, To: coach.Scheduled},
			{At: first.Add(2 * day), Event: coach.EventConfirmed, From: coach.Awaiting, To: coach.Opportunity},
		}}
	if at, ok := p.Retired(); ok {
		t.Fatalf("an open opportunity is retired at %s", at)
	}
	lost := p
	lost.State = coach.Lost
	lost.History = append(append([]coach.Entry(nil), p.History...),
		coach.Entry{At: first.Add(10 * day), Event: coach.EventLost, From: coach.Opportunity, To: coach.Lost})
	wantRetired(t, "lost", lost, first.Add(10*day))

	won := lost
	won.State = coach.Won
	won.History = append(append([]coach.Entry(nil), lost.History...),
		coach.Entry{At: first.Add(20 * day), Event: coach.EventConfirmed, From: coach.Lost, To: coach.Opportunity},
		coach.Entry{At: first.Add(30 * day), Event: coach.EventWon, From: coach.Opportunity, To: coach.Won})
	wantRetired(t, "lost, reopened and won", won, first.Add(30*day))

	corrected := won
	corrected.LastActivity = first.Add(31 * day) // an amount corrected after the win
	wantRetired(t, "corrected after the win", corrected, first.Add(31*day))

	withdrawn := coach.Prospect{Workspace: "T1", ID: "w", Owner: "U1", FirstMeeting: first, State: coach.Withdrawn,
		LastActivity: first.Add(-day)}
	wantRetired(t, "withdrawn before its meeting", withdrawn, first)
}

func wantRetired(t *testing.T, what string, p coach.Prospect, want time.Time) {
	t.Helper()
	if at, ok := p.Retired(); !ok || !at.Equal(want) {
		t.Errorf("%s: Retired() = %s, %v; want %s", what, at, ok, want)
	}
}
