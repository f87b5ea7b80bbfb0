package render_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// The two ways of writing amounts every surface is shown in: the default
// (1,234.56, "$25,000") and a team in euros writing 1.234,56 ("25.000 €").
var (
	english = phrase.Convention{}
	euro    = phrase.Convention{Style: phrase.DecimalComma, Currency: "EUR"}
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var berlin, _ = time.LoadLocation("Europe/Berlin")

var ny, _ = time.LoadLocation("America/New_York")

// answeredInDM is an opportunity confirmed by a reply in the DM, whose
// question above now points to this answer (render.Closed).
func answeredInDM() coach.Prospect {
	p := opportunity("p1", "Acme")
	p.Prompt = coach.MessageRef{Channel: "D1", TS: "1.2"}
	return p
}

func at(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, berlin) }

var now = at(25, 16, 0)

func prospect(id, account string, state coach.State) coach.Prospect {
	return coach.Prospect{
		Workspace: "T1", ID: id, Owner: "U1", Account: account, Contact: "Jane Doe", TZ: "Europe/Berlin",
		FirstMeeting: at(25, 10, 0), MeetingEnd: at(25, 10, 45), State: state,
		CreatedAt: at(24, 9, 0), LastActivity: at(25, 11, 15),
		History: []coach.Entry{{At: at(24, 9, 0), By: "U1", Event: coach.EventLogged, To: coach.Scheduled}},
	}
}

func opportunity(id, account string) coach.Prospect {
	p := prospect(id, account, coach.Opportunity)
	p.SecondMeeting, p.Amount, p.Currency, p.NextStep = at(27, 10, 0), 25000, "USD", "Demo for the ops team"
	p.History = append(p.History, coach.Entry{At: at(25, 12, 0), By: "U1", Event: coach.EventConfirmed, From: coach.Awaiting, To: coach.Opportunity})
	return p
}

func lost(id, account string, days int) coach.Prospect {
	p := prospect(id, account, coach.Lost)
	p.Loss = &coach.Loss{Reason: coach.ReasonCompetitor, Lesson: "Ask who else they talk to <b>early</b> & often", SaveMoment: "the pricing call",
		Shared: true, Stage: coach.Awaiting, DaysToLose: days}
	p.History = append(p.History, coach.Entry{At: at(25, 12, 0), By: "U1", Event: coach.EventLost, From: coach.Awaiting, To: coach.Lost})
	return p
}

// golden compares v's JSON with testdata/name.json (-update rewrites it).
func golden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep &amp; and <@U1> readable in the files
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/render -update to create it)", err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Errorf("%s differs from %s (run with -update if the change is intended):\n%s", name, path, got)
	}
}

func TestGolden(t *testing.T) {
	hostile := prospect("p9", "<!channel> & <https://evil.example|click>", coach.Awaiting)
	waiting := opportunity("p4", "Umbrella")
	waiting.WaitingOn, waiting.WaitingUntil = "legal review", at(30, 9, 0)
	view := coach.DefaultThresholds.RepView([]coach.Prospect{opportunity("p1", "Acme"), prospect("p2", "Globex", coach.Awaiting), lost("p3", "Initech", 2)}, now)
	view.Framework = coach.ChooseFramework("spiced", "")
	managerDigest := trendDigest() // with weeks of history: the charts show
	fromCalendar := prospect("p5", "Acme", coach.Awaiting)
	fromCalendar.Calendar = &coach.CalendarMeeting{EventID: "e1", Title: "Acme intro", Start: at(25, 10, 0), End: at(25, 11, 0), Company: "acme.com"}
	withEvidence := fromCalendar
	withEvidence.NextMeeting = &coach.CalendarMeeting{EventID: "e2", Title: "Acme — follow-up", Start: at(1+30, 10, 0), Company: "acme.com"}
	syncs := []coach.CalendarSync{
		{Workspace: "T1", Rep: "U2", Mailbox: "omar@ourco.com", Gone: true, Failures: 3, LastError: "the mailbox does not exist or cannot be read", ErrorAt: at(25, 15, 0)},
		{Workspace: "T1", Rep: "U3", Mailbox: "kim@ourco.com", Failures: 1, LastError: "the calendar service asked to slow down or is down: 429 rateLimitExceeded", ErrorAt: at(25, 15, 58), LastRead: at(25, 15, 50)},
		{Workspace: "T1", Rep: "U1", Mailbox: "rita@ourco.com", LastRead: at(25, 15, 59)},
	}
	tests := map[string]any{
		"prompt_calendar":          render.Prompt(fromCalendar, coach.Ask{Kind: coach.AskFirst, N: 1}).Blocks,
		"prompt_calendar_evidence": render.Prompt(withEvidence, coach.Ask{Kind: coach.AskFirst, N: 1}).Blocks,
		"modal_confirm_evidence":   render.ConfirmModal(withEvidence, coach.SecondMeeting{At: withEvidence.NextMeeting.Start}, coach.ChooseFramework("bant", ""), phrase.Convention{}),
		"calendar_status":          render.CalendarStatus(syncs[2], true, now, berlin).Blocks,
		"calendar_status_off":      render.CalendarStatus(coach.CalendarSync{}, false, now, berlin).Blocks,
		"calendar_admin":           render.CalendarAdmin(syncs, now, berlin).Blocks,
		"prompt_first":             render.Prompt(prospect("p1", "Acme", coach.Awaiting), coach.Ask{Kind: coach.AskFirst, N: 1}).Blocks,
		"prompt_reminder":          render.Prompt(prospect("p1", "Acme", coach.Awaiting), coach.Ask{Kind: coach.AskReminder, N: 2}).Blocks,
		"prompt_closeout":          render.Prompt(prospect("p1", "Acme", coach.Awaiting), coach.Ask{Kind: coach.AskCloseOut, N: 4}).Blocks,
		"prompt_waitover":          render.Prompt(waiting, coach.Ask{Kind: coach.AskWaitOver}).Blocks,
		"prompt_hostile":           render.Prompt(hostile, coach.Ask{Kind: coach.AskFirst, N: 1}).Blocks,
		"decided_opp":              render.Decided(opportunity("p1", "Acme"), english).Blocks,
		"decided_lost":             render.Decided(lost("p3", "Initech", 2), english).Blocks,
		"celebration_fast":         render.Celebration(lost("p3", "Initech", 2)),
		"celebration_slow":         render.Celebration(lost("p3", "Initech", 45)),
		"home":                     render.Home(view, nil, now, berlin),
		"home_manager":             render.Home(view, &managerDigest, now, berlin),
		"modal_confirm":            render.ConfirmModal(prospect("p1", "Acme", coach.Awaiting), coach.SecondMeeting{}, coach.ChooseFramework("meddicc", ""), phrase.Convention{}),
		"modal_lose":               render.LoseModal(prospect("p1", "Acme", coach.Awaiting)),
		"modal_update":             render.UpdateModal(waiting, coach.ChooseFramework("bant", ""), english),
		"modal_log":                render.LogModal(render.LogDraft{Account: "Acme"}, berlin),
		"cleanup":                  render.Cleanup(view, berlin).Blocks,
		"lessons":                  render.Lessons([]coach.Prospect{lost("p3", "Initech", 2)}, "competitor").Blocks,
		"pipeline":                 render.Pipeline(view, now, berlin).Blocks,
		"brief":                    render.Brief(briefFixture()).Blocks,
		"digest":                   render.Digest(trendDigest(), now)[0].Blocks,
		"digest_plain":             render.Digest(trendDigest(), now)[0].Plain().Blocks,
		"deal_card":                render.DealCard(opportunity("p1", "Acme"), coach.ChooseFramework("bant", ""), english, berlin),
		// what was understood from typed words, shown back with a Change button
		"answered_echo": render.WithEcho(render.Answered(answeredInDM(), english), render.Echo{
			Parts: []string{render.EchoMeeting("second meeting", at(27, 10, 0), berlin)}, Prospect: "p1"}),
		"decided_echo": render.WithEcho(render.Decided(opportunity("p1", "Acme"), english), render.Echo{
			Parts: []string{render.EchoMeeting("second meeting", at(27, 10, 0), berlin), "estimated $25,000"}, Prospect: "p1"}),
		"echo_only": render.EchoOnly(render.Echo{
			Parts: []string{render.EchoMeeting("second meeting", at(27, 10, 0), ny), "estimated 25.000 €"}, Prospect: "p1"}),
		"modal_correct_log": render.CorrectLogModal(prospect("p1", "Acme", coach.Scheduled), berlin),
		"logged_echo": render.WithEcho(render.Logged(prospect("p1", "Acme", coach.Scheduled)), render.Echo{
			Parts: []string{render.EchoMeeting("first meeting", at(25, 10, 0), berlin)}, Prospect: "p1", Change: render.ActionCorrectLog}),
		"unplaced_yes":    render.Unplaced(prospect("p1", "Acme", coach.Awaiting), "10", true),
		"unplaced_answer": render.Unplaced(prospect("p1", "Acme", coach.Awaiting), "tue 10am", false),
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) { golden(t, name, v) })
	}
}

func TestTypedTextNeverPingsOrLinks(t *testing.T) {
	p := prospect("p9", "<!channel> <@U123> <https://x.example|x> & co", coach.Awaiting)
	p.Contact = "<!here>"
	l := lost("p9", p.Account, 3)
	l.Loss.Lesson, l.Loss.SaveMoment = "<!everyone>", "<!here>"
	for name, m := range map[string]render.Message{
		"prompt": render.Prompt(p, coach.Ask{Kind: coach.AskFirst, N: 1}), "logged": render.Logged(p), "decided": render.Decided(p, english),
		"celebration": render.Celebration(l), "lessons": render.Lessons([]coach.Prospect{l}, ""), "updated": render.Updated(opportunity("p9", p.Account)),
		"unplaced": render.Unplaced(p, "<!channel> 10", true), "unplaced answer": render.Unplaced(p, "<@U123> tue", false),
		"echo": render.WithEcho(render.Decided(p, english), render.Echo{Parts: []string{"<!here>"}, Prospect: "p9"}),
	} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(m) // the fallback text too: Slack parses it for notifications
		raw := buf.Bytes()
		for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<@U123>", "<https://"} {
			if strings.Contains(string(raw), bad) {
				t.Errorf("%s shows typed %s unescaped: %s", name, bad, raw)
			}
		}
	}
}

// TestLimitsForAnySize renders views of many deals with long names and
// checks every Block Kit limit the simulator enforces that rendering owns.
func TestLimitsForAnySize(t *testing.T) {
	for _, n := range []int{0, 1, 7, 60, 1000} {
		var ps []coach.Prospect
		for i := range n {
			name := fmt.Sprintf("%s %d", strings.Repeat("Ü", 190), i)
			switch i % 5 {
			case 0:
				ps = append(ps, opportunity(fmt.Sprintf("o%d", i), name))
			case 1:
				ps = append(ps, prospect(fmt.Sprintf("a%d", i), name, coach.Awaiting))
			case 2:
				q := prospect(fmt.Sprintf("q%d", i), name, coach.Awaiting)
				q.QuietSince = at(20, 9, 0)
				ps = append(ps, q)
			case 3:
				s := prospect(fmt.Sprintf("s%d", i), name, coach.Scheduled)
				s.FirstMeeting = at(28, 9, 0)
				ps = append(ps, s)
			default:
				l := lost(fmt.Sprintf("l%d", i), name, i)
				l.Loss.Lesson = strings.Repeat("lesson ", 430)
				ps = append(ps, l)
			}
		}
		v := coach.DefaultThresholds.RepView(ps, now)
		var reps []string
		for i := range n {
			reps = append(reps, fmt.Sprintf("U%04d", i))
		}
		d := coach.DefaultThresholds.BuildDigest(coach.Team{Workspace: "T1", Manager: "UM", Reps: reps}, ps, now)
		home := render.Home(v, &d, now, berlin)
		for _, m := range render.Digest(d, now) {
			checkBlocks(t, fmt.Sprintf("digest(%d)", n), m.Blocks, 50)
		}
		checkBlocks(t, fmt.Sprintf("home(%d)", n), home.Blocks.BlockSet, 100)
		checkBlocks(t, fmt.Sprintf("pipeline(%d)", n), render.Pipeline(v, now, berlin).Blocks, 50)
		checkBlocks(t, fmt.Sprintf("cleanup(%d)", n), render.Cleanup(v, berlin).Blocks, 50)
		checkBlocks(t, fmt.Sprintf("lessons(%d)", n), render.Lessons(coach.Lessons(ps, ""), "").Blocks, 50)
		for _, section := range []string{render.SectionOpportunities, render.SectionNotYet, render.SectionQuiet, render.SectionScheduled, render.SectionLosses} {
			checkBlocks(t, fmt.Sprintf("all %s (%d)", section, n), render.AllModal(v, section, berlin).Blocks.BlockSet, 100)
		}
		checkBlocks(t, fmt.Sprintf("lose all (%d)", n), render.LoseAllModal(v.GoneQuiet).Blocks.BlockSet, 100)
		for _, fw := range coach.Frameworks {
			checkBlocks(t, "confirm "+fw.Name, render.ConfirmModal(opportunity("o", strings.Repeat("x", 200)), coach.SecondMeeting{}, fw, phrase.Convention{}).Blocks.BlockSet, 100)
			checkBlocks(t, "update "+fw.Name, render.UpdateModal(opportunity("o", strings.Repeat("x", 200)), fw, euro).Blocks.BlockSet, 100)
		}
		if md := render.LoseAllModal(v.GoneQuiet).PrivateMetadata; len(md) > 3000 {
			t.Errorf("lose-all metadata is %d bytes", len(md))
		}
	}
}

func checkBlocks(t *testing.T, name string, blocks []slack.Block, max int) {
	t.Helper()
	if len(blocks) > max {
		t.Errorf("%s: %d blocks, limit %d", name, len(blocks), max)
	}
	ids := map[string]bool{}
	charts := 0
	for _, b := range blocks {
		id := b.ID()
		if id != "" && ids[id] {
			t.Errorf("%s: duplicate block_id %q", name, id)
		}
		ids[id] = true
		switch b := b.(type) {
		case *slack.DataTableBlock:
			if len(b.Rows) < 2 || len(b.Rows) > 101 || len(b.Rows[0]) > 20 || b.Caption == "" {
				t.Errorf("%s: table %s has %d rows of %d columns", name, b.BlockID, len(b.Rows), len(b.Rows[0]))
			}
		case *slack.DataVisualizationBlock:
			charts++
			if err := b.Validate(); err != nil || charts > 2 {
				t.Errorf("%s: chart %s: %v (chart %d of the message)", name, b.BlockID, err, charts)
			}
		case *slack.SectionBlock:
			if n := utf8.RuneCountInString(b.Text.Text); n < 1 || n > 3000 {
				t.Errorf("%s: section %s is %d characters", name, b.BlockID, n)
			}
		case *slack.ActionBlock:
			if len(b.Elements.ElementSet) > 25 {
				t.Errorf("%s: %d elements in an actions block", name, len(b.Elements.ElementSet))
			}
			seen := map[string]bool{}
			for _, el := range b.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					if utf8.RuneCountInString(btn.Text.Text) > 75 || len(btn.Value) > 2000 || seen[btn.ActionID] {
						t.Errorf("%s: bad button %+v", name, btn)
					}
					seen[btn.ActionID] = true
				}
			}
		}
	}
}

func TestEscapeAndTruncate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a & b", "a &amp; b"},
		{"<!channel>", "&lt;!channel&gt;"},
		{"plain", "plain"},
	}
	for _, tc := range tests {
		if got := render.Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := render.Truncate("abcdef", 4); got != "abc…" {
		t.Errorf("Truncate = %q", got)
	}
	if got := render.Truncate("äöü", 3); got != "äöü" {
		t.Errorf("Truncate kept-length = %q", got)
	}
}

// Money writes an amount as the team writes amounts: the currency where
// its style puts it, thousands grouped its way.
func TestMoney(t *testing.T) {
	for _, tt := range []struct {
		units         int64
		currency      string
		english, euro string
	}{
		{1_234_567, "USD", "$1,234,567", "1.234.567 $"},
		{25_000, "EUR", "€25,000", "25.000 €"},
		{300, "GBP", "£300", "300 £"},
		{5_000, "CHF", "CHF 5,000", "5.000 CHF"},
		{12_500, "", "12,500", "12.500"},
		{0, "EUR", "€0", "0 €"},
	} {
		if got := render.Money(tt.units, tt.currency, english); got != tt.english {
			t.Errorf("Money(%d, %q) in English = %q, want %q", tt.units, tt.currency, got, tt.english)
		}
		if got := render.Money(tt.units, tt.currency, euro); got != tt.euro {
			t.Errorf("Money(%d, %q) in euros = %q, want %q", tt.units, tt.currency, got, tt.euro)
		}
	}
}

// TestDigestFitsAnyTeam: 300 reps and 5,000 deals become messages Slack
// accepts: top entries and "and N more", never a rejected post.
func TestDigestFitsAnyTeam(t *testing.T) {
	var reps []string
	for i := range 300 {
		reps = append(reps, fmt.Sprintf("U%04d", i))
	}
	var ps []coach.Prospect
	for i := range 5000 {
		name := fmt.Sprintf("%s %d", strings.Repeat("Ö", 150), i)
		var p coach.Prospect
		switch i % 4 {
		case 0:
			p = opportunity(fmt.Sprintf("o%d", i), name)
			p.LastActivity = at(1, 9, 0) // stalled
			p.FirstMeeting = at(25, 10, 0).AddDate(0, -6, 0)
		case 1:
			p = lost(fmt.Sprintf("l%d", i), name, i%40)
			p.Loss.Lesson = strings.Repeat("a long lesson ", 200)
		case 2:
			p = prospect(fmt.Sprintf("a%d", i), name, coach.Awaiting)
		default:
			p = prospect(fmt.Sprintf("q%d", i), name, coach.Awaiting)
			p.QuietSince = at(20, 9, 0)
		}
		p.Owner = reps[i%300]
		ps = append(ps, p)
	}
	d := coach.DefaultThresholds.BuildDigest(coach.Team{Workspace: "T1", Manager: "UM", Reps: reps, TZ: "Europe/Berlin"}, ps, now)
	msgs := render.Digest(d, now)
	if len(msgs) == 0 {
		t.Fatal("no digest")
	}
	all := ""
	for i, m := range msgs {
		checkBlocks(t, fmt.Sprintf("digest part %d", i), m.Blocks, 50)
		raw, _ := json.Marshal(m.Blocks)
		all += string(raw)
	}
	for _, want := range []string{"U0000", "U0299", "more"} {
		if !strings.Contains(all, want) {
			t.Errorf("the digest lacks %q", want)
		}
	}
}

// An amount a form is filled with is written as the team writes amounts,
// and reads back as itself in either style.
func TestAmountInputReadsBackInEitherStyle(t *testing.T) {
	for _, tt := range []struct {
		a             phrase.Amount
		english, euro string
	}{
		{phrase.Amount{Units: 25_000, Currency: "EUR"}, "€25 000", "25 000 €"},
		{phrase.Amount{Units: 1_500_000, Currency: "CHF"}, "CHF 1 500 000", "1 500 000 CHF"},
		{phrase.Amount{Units: 999, Currency: "USD"}, "$999", "999 $"},
		{phrase.Amount{Units: 1_234_567, Currency: "GBP"}, "£1 234 567", "1 234 567 £"},
		{phrase.Amount{Units: 40_000}, "40 000", "40 000"},
	} {
		for written, want := range map[phrase.Convention]string{english: tt.english, euro: tt.euro} {
			in := render.AmountInput(tt.a.Units, tt.a.Currency, written)
			if in != want {
				t.Errorf("%s: %+v is filled in as %q, want %q", written.Style, tt.a, in, want)
			}
			for _, conv := range []phrase.Convention{{Style: phrase.DecimalPoint}, {Style: phrase.DecimalComma}} {
				if back, err := conv.ParseAmount(in); err != nil || back != tt.a {
					t.Errorf("%s: %q reads back as %+v, %v; want %+v", conv.Style, in, back, err, tt.a)
				}
			}
		}
	}
}

// briefFixture is a brief with a pattern, a deal that shows it, another
// deal, and praise.
func briefFixture() coach.Brief {
	acme := opportunity("p1", "Acme <!here>")
	globex := opportunity("p2", "Globex")
	globex.NextStep = ""
	lostFast := lost("p3", "Initech", 0)
	low := coach.Finding{Kind: coach.FindingLowConversion, Workspace: "T1", Manager: "UM", Rep: "U1", Subject: "U1", Importance: 90,
		WindowDays: 90, Line: 0.30, RepRate: coach.Rate{Num: 1, Den: 12}, TeamRate: coach.Rate{Num: 20, Den: 40}, RepUpper: 0.24,
		Deals: []coach.Prospect{prospect("p5", "Hooli", coach.Lost)}}
	stalled := coach.Finding{Kind: coach.FindingStalled, Workspace: "T1", Manager: "UM", Rep: "U1", Subject: "p1", Importance: 65,
		Stalled: true, Aged: true, DaysStalled: 16, StalledAfterDays: 14, DaysOpen: 140, DaysWaited: 12, CycleDays: 90, AgedAfterDays: 135,
		Deals: []coach.Prospect{acme}}
	late := coach.Finding{Kind: coach.FindingLateQualification, Workspace: "T1", Manager: "UM", Rep: "U1", Subject: "p2", Importance: 52,
		LateQualification: true, DaysAsOpportunity: 40, Framework: "BANT", Part: 0.25,
		Missing: []coach.FrameworkItem{{Key: "authority", Name: "Authority", Question: "Who signs?"}}, Deals: []coach.Prospect{globex}}
	praise := coach.Finding{Kind: coach.FindingPraise, Workspace: "T1", Manager: "UM", Rep: "U1", Subject: "U1", FastHabit: true, Sample: 3,
		Line: 14, RepMedian: 3, TeamMedian: 9, HasTeamMedian: true, Deals: []coach.Prospect{lostFast}}
	return coach.Brief{Workspace: "T1", Manager: "UM", Rep: "U1", Findings: []coach.Finding{low, stalled, late}, Praise: &praise}
}

// trendDigest is a digest of a team with four weeks of history.
func trendDigest() coach.Digest {
	var ps []coach.Prospect
	for i := range 8 {
		p := prospect(fmt.Sprintf("t%d", i), fmt.Sprintf("Deal %d", i), coach.Awaiting)
		p.FirstMeeting = now.AddDate(0, 0, -4*i-1)
		p.History = []coach.Entry{{At: p.FirstMeeting.Add(-time.Hour), By: "U1", Event: coach.EventLogged, To: coach.Scheduled}}
		if i%2 == 0 {
			p.State = coach.Opportunity
			p.History = append(p.History, coach.Entry{At: p.FirstMeeting.Add(24 * time.Hour), By: "U1", Event: coach.EventConfirmed, From: coach.Awaiting, To: coach.Opportunity})
		}
		p.Owner = []string{"U1", "U2"}[i%2*0+i/4]
		ps = append(ps, p)
	}
	team := coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1", "U2"}, TZ: "Europe/Berlin",
		Quotas: map[string]coach.Quota{"U1": {Amount: 100000, Currency: "USD", Period: "2026-Q4"}}}
	return coach.DefaultThresholds.BuildDigest(team, ps, now)
}

// A brief about a rep with every pattern and hundreds of flagged deals
// with long names stays within a message's limits.
func TestBriefFitsAnySize(t *testing.T) {
	b := briefFixture()
	long := strings.Repeat("Ö", 150)
	for i := range 300 {
		p := opportunity(fmt.Sprintf("d%d", i), fmt.Sprintf("%s %d", long, i))
		p.NextStep = ""
		b.Findings = append(b.Findings, coach.Finding{Kind: coach.FindingStalled, Workspace: "T1", Manager: "UM", Rep: "U1", Subject: p.ID,
			Stalled: true, Aged: true, LateQualification: true, DaysStalled: 40, DaysOpen: 200, CycleDays: 90, Framework: "MEDDICC",
			Missing: []coach.FrameworkItem{{Name: long}, {Name: long}}, Deals: []coach.Prospect{p}})
	}
	m := render.Brief(b)
	checkBlocks(t, "brief", m.Blocks, 50)
	if raw, _ := json.Marshal(m.Blocks); !strings.Contains(string(raw), "more.") {
		t.Error("a brief that cannot list every deal does not say how many more")
	}
}
