package coach_test

import (
	"slices"
	"testing"
	"time"

	"pipelinecoach/coach"
)

func TestClearlyBelow(t *testing.T) {
	th := coach.DefaultThresholds
	weeks := 21 * ndDay
	for _, tc := range []struct {
		name string
		r    coach.Rate
		span time.Duration
		want bool
	}{
		{"1 of 5 (20%) could be 49%: no verdict", coach.Rate{Num: 1, Den: 5}, weeks, false},
		{"0 of 5 over three weeks", coach.Rate{Num: 0, Den: 5}, weeks, true},
		{"0 of 5 in three days: one bad week", coach.Rate{Num: 0, Den: 5}, 3 * ndDay, false},
		{"0 of 4: under the minimum sample", coach.Rate{Num: 0, Den: 4}, weeks, false},
		{"1 of 10", coach.Rate{Num: 1, Den: 10}, weeks, true},
		{"2 of 10 (20%) could be 40%", coach.Rate{Num: 2, Den: 10}, weeks, false},
		{"3 of 20", coach.Rate{Num: 3, Den: 20}, weeks, true},
		{"9 of 30 at the line", coach.Rate{Num: 9, Den: 30}, weeks, false},
	} {
		if got := th.ClearlyBelow(tc.r, tc.span, 0.30); got != tc.want {
			t.Errorf("%s: ClearlyBelow(%v) = %v, want %v (upper %.2f)", tc.name, tc.r, got, tc.want, coach.WilsonUpper(tc.r))
		}
	}
	if coach.WilsonUpper(coach.Rate{}) != 1 {
		t.Errorf("no sample is compatible with anything")
	}
}

func TestBriefsOnePerRep(t *testing.T) {
	low := coach.Finding{Kind: coach.FindingLowConversion, Workspace: "W1", Manager: "M1", Rep: "R", Subject: "R", Importance: 90,
		Deals: []coach.Prospect{{ID: "d1"}}}
	stalledShown := coach.Finding{Kind: coach.FindingStalled, Workspace: "W1", Manager: "M1", Rep: "R", Subject: "d1", Importance: 65, Deals: []coach.Prospect{{ID: "d1"}}}
	aged := coach.Finding{Kind: coach.FindingAged, Workspace: "W1", Manager: "M1", Rep: "R", Subject: "d2", Importance: 41, Deals: []coach.Prospect{{ID: "d2"}}}
	praise := coach.Finding{Kind: coach.FindingPraise, Workspace: "W1", Manager: "M1", Rep: "R", Subject: "R", Importance: 30}
	otherStalled := coach.Finding{Kind: coach.FindingStalled, Workspace: "W1", Manager: "M1", Rep: "S", Subject: "d3", Importance: 69}
	onlyPraise := coach.Finding{Kind: coach.FindingPraise, Workspace: "W1", Manager: "M1", Rep: "P", Subject: "P", Importance: 30}

	bs := coach.Briefs([]coach.Finding{aged, praise, otherStalled, stalledShown, onlyPraise, low}, nil)
	if len(bs) != 2 || bs[0].Rep != "R" || bs[1].Rep != "S" {
		t.Fatalf("briefs = %+v, want R then S, none for praise alone", bs)
	}
	r := bs[0]
	if r.Key() != "W1/M1/brief/R" || r.Importance() != 90 || r.Praise == nil || len(r.Findings) != 3 || r.Findings[0].Kind != coach.FindingLowConversion {
		t.Errorf("R's brief: %+v", r)
	}
	// The stalled deal is an example of the low conversion already: listed
	// there, not again.
	var deals []string
	for _, n := range r.DealFindings() {
		deals = append(deals, n.Subject)
	}
	if !slices.Equal(deals, []string{"d2"}) || len(r.Patterns()) != 1 {
		t.Errorf("deal findings %v, patterns %d", deals, len(r.Patterns()))
	}
	// A quieted finding is left out; a brief with only quieted findings
	// goes away.
	bs = coach.Briefs([]coach.Finding{low, otherStalled}, func(n coach.Finding) bool { return n.Rep == "S" })
	if len(bs) != 1 || bs[0].Rep != "R" {
		t.Errorf("with S quieted: %+v", bs)
	}
}

func TestShouldBrief(t *testing.T) {
	th := coach.DefaultThresholds
	thu9 := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		s     coach.BriefState
		now   time.Time
		th    func(*coach.Thresholds)
		want  coach.BriefReason
		retry time.Time
	}{
		{name: "fresh", want: coach.SendBrief},
		{name: "a brief 7 days less a second ago", s: coach.BriefState{LastSent: ndNow.Add(-7*ndDay + time.Second)}, want: coach.HeldTooSoon, retry: ndNow.Add(time.Second)},
		{name: "a brief yesterday", s: coach.BriefState{LastSent: ndAgo(1)}, want: coach.HeldTooSoon, retry: ndNow.Add(6 * ndDay)},
		{name: "a brief exactly 7 days ago", s: coach.BriefState{LastSent: ndAgo(7)}, want: coach.SendBrief},
		{name: "snoozed", s: coach.BriefState{SnoozedUntil: ndNow.Add(3 * ndDay)}, want: coach.HeldSnoozed, retry: ndNow.Add(3 * ndDay)},
		{name: "snooze just over", s: coach.BriefState{SnoozedUntil: ndNow}, want: coach.SendBrief},
		{name: "daily limit", s: coach.BriefState{SentToday: 3}, want: coach.HeldDailyLimit, retry: thu9},
		{name: "one left today", s: coach.BriefState{SentToday: 2}, want: coach.SendBrief},
		{name: "briefs off", th: func(th *coach.Thresholds) { th.MaxNudgesPerDay = 0 }, want: coach.HeldDailyLimit, retry: thu9},
		{name: "evening", now: ndNow.Add(10 * time.Hour), want: coach.HeldOutsideHours, retry: thu9},
		{name: "saturday", now: ndNow.Add(3 * ndDay), want: coach.HeldOutsideHours, retry: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)},
		{name: "manager's zone: 06:00 in New York", s: coach.BriefState{TZ: "America/New_York"}, want: coach.HeldOutsideHours,
			retry: time.Date(2026, 3, 11, 13, 0, 0, 0, time.UTC)},
		{name: "holiday", s: coach.BriefState{Holidays: []string{"2026-03-11"}}, want: coach.HeldHoliday, retry: thu9},
		{name: "on vacation until Monday", s: coach.BriefState{Away: true, AwayUntil: ndNow.Add(5 * ndDay)}, want: coach.HeldManagerAway, retry: ndNow.Add(5 * ndDay)},
		{name: "out of office, no end given", s: coach.BriefState{Away: true}, want: coach.HeldManagerAway},
		{name: "back", s: coach.BriefState{AwayUntil: ndNow}, want: coach.SendBrief},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now, th := ndNow, th
			if !tc.now.IsZero() {
				now = tc.now
			}
			if tc.th != nil {
				tc.th(&th)
			}
			got := th.ShouldBrief(tc.s, now)
			if got.Reason != tc.want || got.Send != (tc.want == coach.SendBrief) || !got.Retry.Equal(tc.retry) {
				t.Errorf("ShouldBrief = %+v, want %s retry %v", got, tc.want, tc.retry)
			}
			if got.Reason.String() == string(got.Reason) {
				t.Errorf("reason %q has no sentence", got.Reason)
			}
		})
	}
}

func TestPickBriefsDailyLimit(t *testing.T) {
	var bs []coach.Brief
	for _, rep := range []string{"A", "B", "C", "D"} {
		bs = append(bs, coach.Brief{Workspace: "W1", Manager: "M1", Rep: rep, Findings: []coach.Finding{{Kind: coach.FindingStalled, Rep: rep}}})
	}
	bs = append(bs, coach.Brief{Workspace: "W1", Manager: "M2", Rep: "E", Findings: []coach.Finding{{Kind: coach.FindingStalled}}})
	send, held := coach.DefaultThresholds.PickBriefs(bs, func(b coach.Brief) coach.BriefState {
		if b.Rep == "A" {
			return coach.BriefState{LastSent: ndAgo(2)}
		}
		return coach.BriefState{}
	}, ndNow)
	var got []string
	for _, b := range send {
		got = append(got, b.Rep)
	}
	if !slices.Equal(got, []string{"B", "C", "D", "E"}) {
		t.Errorf("sent %v, want B C D (M1's three) and E (M2's)", got)
	}
	if held["W1/M1/brief/A"].Reason != coach.HeldTooSoon || len(held) != 1 {
		t.Errorf("held %v", held)
	}
	send, held = coach.DefaultThresholds.PickBriefs(bs[1:4], func(coach.Brief) coach.BriefState { return coach.BriefState{SentToday: 1} }, ndNow)
	if len(send) != 2 || held["W1/M1/brief/D"].Reason != coach.HeldDailyLimit {
		t.Errorf("with one sent today: sent %d, held %v", len(send), held)
	}
}

func TestParseCycleDays(t *testing.T) {
	for in, want := range map[string]int{"60": 60, "60d": 60, "60 days": 60, " 1 day ": 1, "730": 730, "auto": 0, "AUTO": 0} {
		if got, err := coach.ParseCycleDays(in); err != nil || got != want {
			t.Errorf("ParseCycleDays(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5", "731", "two months", "60 weeks"} {
		if _, err := coach.ParseCycleDays(in); err == nil {
			t.Errorf("ParseCycleDays(%q) accepted", in)
		}
	}
}
