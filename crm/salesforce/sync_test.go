package salesforce_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/crm"
	"pipelinecoach/crm/salesforce"
	"pipelinecoach/crm/salesforcesim"
)

var t0 = time.Date(2031, time.March, 4, 9, 0, 0, 0, time.UTC)

type fixture struct {
	sim    *salesforcesim.Server
	clock  *coachtest.Clock
	store  *coachtest.MemStore
	svc    *coach.Service
	client *salesforce.Client
	told   *coachtest.CRMRefusals
	owner  string
}

func newFixture(t *testing.T, opts ...salesforcesim.Option) *fixture {
	t.Helper()
	sim, err := salesforcesim.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	f := &fixture{sim: sim, clock: coachtest.NewClock(t0), told: &coachtest.CRMRefusals{}}
	f.owner = sim.AddUser("rita@example.com", "Rita Rep")
	f.client, err = salesforce.New(sim.URL(), salesforcesim.ClientID, salesforcesim.ClientSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := f.client.ResolveStages(ctx, salesforce.Stages{Open: "Qualification", Won: "Closed Won", Lost: "closed lost"})
	if err != nil {
		t.Fatal(err)
	}
	sink := salesforce.NewSink(f.client, st)
	sink.Now = f.clock.Now
	if sink.MultiCurrency, err = f.client.MultiCurrency(ctx); err != nil {
		t.Fatal(err)
	}
	f.store = coachtest.NewMemStore(f.clock.Now)
	f.svc = coach.NewService(f.store, &coachtest.Notifier{}, f.clock, coach.DefaultTiming)
	f.svc.CRM, f.svc.Emails, f.svc.CRMNotify = sink, coachtest.Emails{"U1": "rita@example.com", "U2": "nobody@example.com"}, f.told
	return f
}

func (f *fixture) opportunity(t *testing.T, owner, account string) coach.Prospect {
	t.Helper()
	ctx := context.Background()
	p, err := f.svc.LogMeeting(ctx, coach.NewMeeting{Team: "T1", Owner: owner, Account: account, TZ: "America/New_York", Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	p, _, err = f.svc.Confirm(ctx, coach.Actor{Workspace: "T1", User: owner}, "T1", p.ID, coach.SecondMeeting{
		At: t0.Add(7 * 24 * time.Hour), Amount: 40000, Currency: "USD", NextStep: `Send the "proposal" <!channel>`})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) run(t *testing.T) error {
	t.Helper()
	_, err := f.svc.RunDue(context.Background())
	return err
}

func TestConfirmUpsertsOneOpportunity(t *testing.T) {
	f := newFixture(t, salesforcesim.WithMultiCurrency())
	p := f.opportunity(t, "U1", "acme.com")
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	opps := f.sim.Opportunities()
	if len(opps) != 1 {
		t.Fatalf("%d opportunities, want 1", len(opps))
	}
	o := opps[0]
	want := map[string]any{
		"Pipeline_Coach_Id__c": "T1/" + p.ID, "Name": "acme.com", "StageName": "Qualification", "Amount": float64(40000),
		"CurrencyIsoCode": "USD", "NextStep": `Send the "proposal" <!channel>`, "OwnerId": f.owner,
		"Pipeline_Coach_Second_Meeting__c": "2031-03-11", "CloseDate": "2031-06-02", "IsClosed": false,
	}
	for k, v := range want {
		if o[k] != v {
			t.Errorf("%s = %#v, want %#v", k, o[k], v)
		}
	}
	accts := f.sim.Accounts()
	if len(accts) != 1 || o["AccountId"] != accts[0]["Id"] || accts[0]["Website"] != "acme.com" {
		t.Errorf("account %v, opportunity's %v", accts, o["AccountId"])
	}
	// Won: the stage follows, still one opportunity.
	f.clock.Advance(24 * time.Hour)
	if _, err := f.svc.Win(context.Background(), coach.Actor{Workspace: "T1", User: "U1"}, "T1", p.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	opps = f.sim.Opportunities()
	if len(opps) != 1 || opps[0]["StageName"] != "Closed Won" || opps[0]["IsWon"] != true {
		t.Errorf("after the win: %v", opps)
	}
}

func TestLostKeepsTheDebriefAsTyped(t *testing.T) {
	f := newFixture(t)
	p := f.opportunity(t, "U1", "Globex")
	lesson := "They said \"no budget\"\nuntil Q3. <!here>"
	if _, err := f.svc.Lose(context.Background(), coach.Actor{Workspace: "T1", User: "U1"}, "T1", p.ID, coach.LossReport{Reason: coach.ReasonNoBudget, Lesson: lesson}); err != nil {
		t.Fatal(err)
	}
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	opps := f.sim.Opportunities()
	if len(opps) != 1 || opps[0]["StageName"] != "Closed Lost" || opps[0]["Pipeline_Coach_Loss__c"] != "No decision — No budget: "+lesson {
		t.Errorf("lost: %v", opps)
	}
	if _, has := opps[0]["CurrencyIsoCode"]; has {
		t.Errorf("a single-currency org was sent CurrencyIsoCode")
	}
}

func TestRequestLimitBacksOffThenSyncs(t *testing.T) {
	f := newFixture(t)
	f.sim.SetRequestLimit(1)
	f.opportunity(t, "U1", "Acme")
	if err := f.run(t); err == nil || !strings.Contains(err.Error(), "REQUEST_LIMIT_EXCEEDED") {
		t.Fatalf("err = %v, want REQUEST_LIMIT_EXCEEDED", err)
	}
	if n := len(f.sim.Opportunities()); n != 0 {
		t.Fatalf("%d opportunities while over the limit", n)
	}
	f.sim.SetRequestLimit(0)
	f.clock.Advance(time.Minute)
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sim.Opportunities()); n != 0 {
		t.Fatalf("retried within a minute of REQUEST_LIMIT_EXCEEDED")
	}
	f.clock.Advance(5 * time.Minute)
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sim.Opportunities()); n != 1 {
		t.Fatalf("%d opportunities after the limit reset, want 1", n)
	}
}

func TestRefusalsAreToldInPlainWords(t *testing.T) {
	f := newFixture(t)
	f.sim.AddValidationRule("Description", "A description is required before an opportunity is saved.")
	f.opportunity(t, "U1", "Acme")
	f.opportunity(t, "U2", "Initech")
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	told := strings.Join(f.told.Told(), "\n")
	for _, want := range []string{"Salesforce refused it: A description is required", "no active Salesforce user has nobody@example.com"} {
		if !strings.Contains(told, want) {
			t.Errorf("told %q, want %q", told, want)
		}
	}
}

func TestEndedSessionSignsInAgain(t *testing.T) {
	f := newFixture(t)
	f.sim.EndSessions()
	f.opportunity(t, "U1", "Acme")
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sim.Opportunities()); n != 1 {
		t.Fatalf("%d opportunities", n)
	}
}

func TestUnknownSalesforceStage(t *testing.T) {
	f := newFixture(t)
	_, err := f.client.ResolveStages(context.Background(), salesforce.Stages{Open: "Qualification", Won: "Won", Lost: "Closed Lost"})
	var se *crm.StageError
	if !errors.As(err, &se) || se.Variable != "CRM_STAGE_WON" || !strings.Contains(err.Error(), "Closed Won") {
		t.Fatalf("err = %v", err)
	}
}

func TestSetupCreatesTheFields(t *testing.T) {
	f := newFixture(t, salesforcesim.WithoutCustomFields())
	steps, err := f.client.Setup(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if !s.Created {
			t.Errorf("%s not created: %+v", s.Field.FullName, s)
		}
	}
	if !f.sim.HasField(salesforce.IDField) {
		t.Error("no External ID field after setup")
	}
}

func TestSOQLQuotesTypedText(t *testing.T) {
	got := salesforce.Quote(`O'Brien \ "Co"` + "\n")
	if got != `'O\'Brien \\ \"Co\"\n'` {
		t.Errorf("Quote = %s", got)
	}
}

// crashAfterWrite writes to Salesforce and then fails as a replica killed
// before it saved the outcome would.
type crashAfterWrite struct{ coach.CRM }

func (c crashAfterWrite) SyncDeals(ctx context.Context, deals []coach.Deal) []coach.SyncResult {
	out := c.CRM.SyncDeals(ctx, deals)
	for i := range out {
		out[i] = coach.SyncResult{Err: errors.New("connection reset by peer")}
	}
	return out
}

func TestOneOpportunityAfterACrashMidWrite(t *testing.T) {
	f := newFixture(t)
	f.opportunity(t, "U1", "Acme")
	sink := f.svc.CRM
	f.svc.CRM = crashAfterWrite{sink}
	if err := f.run(t); err == nil {
		t.Fatal("the crashing replica reported no error")
	}
	f.svc.CRM = sink
	f.clock.Advance(time.Minute)
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	if n, w := len(f.sim.Opportunities()), f.sim.OpportunityWrites(); n != 1 || w != 2 {
		t.Errorf("%d opportunities after %d writes, want 1 after 2", n, w)
	}
}

func TestPullAdoptsAndLosesOpportunities(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	adopt := f.sim.AddOpportunity(map[string]any{"Name": "Umbrella renewal", "StageName": "Proposal/Price Quote", "CloseDate": "2031-05-01", "OwnerId": f.owner, "Amount": float64(12000)})
	lose := f.sim.AddOpportunity(map[string]any{"Name": "Wayne pilot", "StageName": "Prospecting", "CloseDate": "2031-05-01", "OwnerId": f.owner})
	f.sim.AddOpportunity(map[string]any{"Name": "Closed already", "StageName": "Closed Won", "CloseDate": "2031-01-01", "OwnerId": f.owner})
	if _, err := f.svc.MakeManager(ctx, coach.Actor{Workspace: "T1", User: "UADMIN", Admin: true}, "UM", "UTC"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddReps(ctx, coach.Actor{Workspace: "T1", User: "UM"}, []string{"U1"}); err != nil {
		t.Fatal(err)
	}
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.RepView(ctx, "T1", "U1")
	if err != nil || len(v.InCRM) != 2 || v.CRMName != "Salesforce" {
		t.Fatalf("in Salesforce without a second meeting: %+v, %v", v.InCRM, err)
	}
	rita := coach.Actor{Workspace: "T1", User: "U1"}
	p, err := f.svc.AdoptCRMDeal(ctx, rita, adopt)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Confirm(ctx, rita, "T1", p.ID, coach.SecondMeeting{At: f.clock.Now().Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	q, err := f.svc.AdoptCRMDeal(ctx, rita, lose)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Lose(ctx, rita, "T1", q.ID, coach.LossReport{Reason: coach.ReasonCompetitor, Lesson: "Cheaper rival"}); err != nil {
		t.Fatal(err)
	}
	if err := f.run(t); err != nil {
		t.Fatal(err)
	}
	byID := map[string]map[string]any{}
	for _, o := range f.sim.Opportunities() {
		byID[o["Id"].(string)] = o
	}
	if len(byID) != 3 {
		t.Errorf("%d opportunities, want the 3 there were", len(byID))
	}
	if a := byID[adopt]; a["StageName"] != "Proposal/Price Quote" || a["Pipeline_Coach_Id__c"] != "T1/"+p.ID || a["CloseDate"] != "2031-05-01" {
		t.Errorf("adopted: %v", a)
	}
	if l := byID[lose]; l["StageName"] != "Closed Lost" || l["Pipeline_Coach_Loss__c"] != "Lost to a competitor: Cheaper rival" {
		t.Errorf("lost: %v", l)
	}
}
