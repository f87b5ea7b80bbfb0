package hubspot_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/crm"
	"pipelinecoach/crm/hubspot"
	"pipelinecoach/crm/hubspotsim"
)

// t0 is a Tuesday morning in Berlin.
var t0 = time.Date(2031, time.March, 4, 9, 0, 0, 0, time.UTC)

var rita = coach.Actor{Workspace: "T1", User: "U1"}

type fixture struct {
	sim    *hubspotsim.Server
	clock  *coachtest.Clock
	store  *coachtest.MemStore
	sink   *hubspot.Sink
	told   *coachtest.CRMRefusals
	svc    *coach.Service
	client *hubspot.Client
}

func newFixture(t *testing.T, opts ...hubspotsim.Option) *fixture {
	t.Helper()
	sim, err := hubspotsim.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	sim.AddOwner("rita@example.com", "Rita", "Rep")
	c, err := hubspot.New(sim.URL(), hubspotsim.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.ResolveStages(context.Background(), hubspot.Stages{Pipeline: "Sales Pipeline", Open: "Qualified To Buy", Won: "closedwon", Lost: "closedlost"})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{sim: sim, clock: coachtest.NewClock(t0), told: &coachtest.CRMRefusals{}, client: c}
	f.store = coachtest.NewMemStore(f.clock.Now)
	f.sink = hubspot.NewSink(c, st)
	f.sink.Now = f.clock.Now
	f.svc = f.replica(f.sink)
	return f
}

// replica is another bot over the same store and clock, writing through crm.
func (f *fixture) replica(sink coach.CRM) *coach.Service {
	svc := coach.NewService(f.store, &coachtest.Notifier{}, f.clock, coach.DefaultTiming)
	svc.CRM = sink
	svc.Emails = coachtest.Emails{"U1": "rita@example.com", "U2": "nobody@example.com"}
	svc.CRMNotify = f.told
	return svc
}

func (f *fixture) opportunity(t *testing.T, owner, account string) coach.Prospect {
	t.Helper()
	ctx := context.Background()
	p, err := f.svc.LogMeeting(ctx, coach.NewMeeting{Team: "T1", Owner: owner, Account: account, TZ: "Europe/Berlin", Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	p, _, err = f.svc.Confirm(ctx, coach.Actor{Workspace: "T1", User: owner}, "T1", p.ID, coach.SecondMeeting{
		At: t0.Add(7 * 24 * time.Hour), Amount: 40000, Currency: "EUR", NextStep: "Send the proposal"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// run runs what is due now, as the scheduler's tick would.
func (f *fixture) run(t *testing.T, svc *coach.Service) error {
	t.Helper()
	_, err := svc.RunDue(context.Background())
	return err
}

func (f *fixture) onlyDeal(t *testing.T) hubspotsim.Deal {
	t.Helper()
	deals := f.sim.Deals()
	if len(deals) != 1 {
		t.Fatalf("HubSpot has %d deals, want 1: %+v", len(deals), deals)
	}
	return deals[0]
}

func TestConfirmWritesOneDealWithTheMappedFields(t *testing.T) {
	f := newFixture(t)
	p := f.opportunity(t, "U1", "Acme GmbH")
	if got := f.sim.Deals(); len(got) != 0 {
		t.Fatalf("a deal was written before the scheduler ran: %+v", got)
	}
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	d := f.onlyDeal(t)
	want := map[string]string{
		"pipelinecoach_id":             "T1/" + p.ID,
		"dealname":                     "Acme GmbH",
		"amount":                       "40000",
		"deal_currency_code":           "EUR",
		"pipeline":                     "default",
		"dealstage":                    "qualifiedtobuy",
		"hs_next_step":                 "Send the proposal",
		"pipelinecoach_second_meeting": ms("2031-03-11"),
		// No rep's date and no team: the confirmation plus the default 90-day cycle.
		"closedate":        ms("2031-06-02"),
		"hubspot_owner_id": ownerID(t, f, "rita@example.com"),
	}
	for k, v := range want {
		if d.Properties[k] != v {
			t.Errorf("deal %s = %q, want %q", k, d.Properties[k], v)
		}
	}
	if d.Company["name"] != "Acme GmbH" {
		t.Errorf("deal's company = %v, want Acme GmbH", d.Company)
	}
	got, _ := f.store.Prospect(context.Background(), "T1", p.ID)
	if got.CRM.ID != d.ID || !got.CRM.SyncAt.IsZero() || got.CRM.SyncedAt.IsZero() {
		t.Errorf("prospect's CRM link = %+v, want id %s, synced, nothing due", got.CRM, d.ID)
	}
	// Nothing more to do: a later run writes nothing.
	writes := f.sim.DealWrites()
	f.clock.Advance(time.Hour)
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	if f.sim.DealWrites() != writes {
		t.Errorf("an idle run wrote to HubSpot")
	}
}

func ms(date string) string {
	d, _ := time.Parse("2006-01-02", date)
	return strconv.FormatInt(d.UnixMilli(), 10)
}

func ownerID(t *testing.T, f *fixture, email string) string {
	t.Helper()
	o, found, err := f.client.OwnerByEmail(context.Background(), email)
	if err != nil || !found {
		t.Fatalf("owner %s: %v %v", email, found, err)
	}
	return o.ID
}

func TestNothingReachesHubSpotBeforeAnOpportunity(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.svc.LogMeeting(ctx, coach.NewMeeting{Team: "T1", Owner: "U1", Account: "Initech", TZ: "Europe/Berlin", Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Hour)
	if _, err := f.svc.NotYet(ctx, rita, "T1", first.ID); err != nil {
		t.Fatal(err)
	}
	other, err := f.svc.LogMeeting(ctx, coach.NewMeeting{Team: "T1", Owner: "U1", Account: "Globex", TZ: "Europe/Berlin", Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Lose(ctx, rita, "T1", other.ID, coach.LossReport{Reason: coach.ReasonNoFit}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		f.clock.Advance(24 * time.Hour)
		_ = f.run(t, f.svc)
	}
	if n := f.sim.DealWrites(); n != 0 {
		t.Errorf("HubSpot saw %d deal writes for a first meeting, a not-yet and a lost non-opportunity", n)
	}
	if got := f.sim.Requests()["POST /crm/v3/objects/deals/batch/upsert"]; got != 0 {
		t.Errorf("%d upserts", got)
	}
}

func TestUpdatesWonAndLostFollow(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	won := f.opportunity(t, "U1", "acme.com")
	lost := f.opportunity(t, "U1", "Globex")
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	amount := int64(55000)
	waiting := "legal review"
	if _, err := f.svc.Update(ctx, rita, "T1", won.ID, coach.DealUpdate{Amount: &amount, Currency: "EUR", WaitingOn: &waiting, WaitingUntil: t0.Add(20 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	d := dealOf(t, f, won.ID)
	if d.Properties["amount"] != "55000" || !strings.Contains(d.Properties["hs_next_step"], "Waiting on legal review until 2031-03-24") {
		t.Errorf("after the update: amount %q next step %q", d.Properties["amount"], d.Properties["hs_next_step"])
	}
	if d.Company["domain"] != "acme.com" {
		t.Errorf("a domain typed as the account finds the company by domain: %v", d.Company)
	}
	f.clock.Advance(24 * time.Hour)
	if _, err := f.svc.Win(ctx, rita, "T1", won.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Lose(ctx, rita, "T1", lost.ID, coach.LossReport{Reason: coach.ReasonCompetitor, Lesson: "They had an \"integration\"\nwe lacked. <!channel>"}); err != nil {
		t.Fatal(err)
	}
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	if d := dealOf(t, f, won.ID); d.Properties["dealstage"] != "closedwon" || d.Properties["closedate"] != ms("2031-03-05") {
		t.Errorf("won deal: stage %q close %q", d.Properties["dealstage"], d.Properties["closedate"])
	}
	d = dealOf(t, f, lost.ID)
	want := "Lost to a competitor: They had an \"integration\"\nwe lacked. <!channel>"
	if d.Properties["dealstage"] != "closedlost" || d.Properties["closed_lost_reason"] != want {
		t.Errorf("lost deal: stage %q reason %q, want %q", d.Properties["dealstage"], d.Properties["closed_lost_reason"], want)
	}
	if n := len(f.sim.Deals()); n != 2 {
		t.Errorf("%d deals, want 2", n)
	}
}

func dealOf(t *testing.T, f *fixture, id string) hubspotsim.Deal {
	t.Helper()
	for _, d := range f.sim.Deals() {
		if d.Properties["pipelinecoach_id"] == "T1/"+id {
			return d
		}
	}
	t.Fatalf("no deal for %s", id)
	return hubspotsim.Deal{}
}

// crashAfterWrite writes to HubSpot and then fails as a replica killed
// before it saved the outcome would.
type crashAfterWrite struct{ coach.CRM }

func (c crashAfterWrite) SyncDeals(ctx context.Context, deals []coach.Deal) []coach.SyncResult {
	out := c.CRM.SyncDeals(ctx, deals)
	for i := range out {
		out[i] = coach.SyncResult{Err: errors.New("connection reset by peer")}
	}
	return out
}

func TestOneDealWhateverHappens(t *testing.T) {
	t.Run("killed mid-sync, then retried", func(t *testing.T) {
		f := newFixture(t)
		f.opportunity(t, "U1", "Acme")
		if err := f.run(t, f.replica(crashAfterWrite{f.sink})); err == nil {
			t.Fatal("the crashing replica reported no error")
		}
		for range 3 {
			f.clock.Advance(10 * time.Minute)
			_ = f.run(t, f.svc)
		}
		f.onlyDeal(t)
		if f.sim.DealWrites() < 2 {
			t.Errorf("the deal was written %d times; the retry never happened", f.sim.DealWrites())
		}
	})
	t.Run("two replicas at once", func(t *testing.T) {
		f := newFixture(t)
		for range 5 {
			f.opportunity(t, "U1", "Acme")
		}
		other := f.replica(f.sink)
		var wg sync.WaitGroup
		for _, svc := range []*coach.Service{f.svc, other} {
			wg.Go(func() { _ = f.run(t, svc) })
		}
		wg.Wait()
		if n := len(f.sim.Deals()); n != 5 {
			t.Errorf("%d deals for 5 opportunities", n)
		}
		if n := f.sim.DealWrites(); n != 5 {
			t.Errorf("%d deal writes for 5 opportunities on two replicas", n)
		}
	})
}

func TestOwnerNotFoundIsToldOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.opportunity(t, "U2", "Acme")
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sim.Deals()); n != 0 {
		t.Fatalf("%d deals for an owner HubSpot does not know", n)
	}
	told := f.told.Told()
	if len(told) != 1 || !strings.Contains(told[0], "HubSpot refused it: no HubSpot user has nobody@example.com") {
		t.Fatalf("rep told %q", told)
	}
	got, _ := f.store.Prospect(ctx, "T1", p.ID)
	if got.CRM.Refused == "" || !got.CRM.SyncAt.IsZero() || got.State != coach.Opportunity {
		t.Errorf("after the refusal: %+v state %s; want it saved here, refused there, nothing due", got.CRM, got.State)
	}
	// A later update tries again; the same refusal is not told twice.
	step := "Call the CFO"
	if _, err := f.svc.Update(ctx, coach.Actor{Workspace: "T1", User: "U2"}, "T1", p.ID, coach.DealUpdate{NextStep: &step}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Minute) // the owner lookup is remembered for a minute
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	if got := f.told.Told(); len(got) != 1 {
		t.Errorf("rep told %d times: %q", len(got), got)
	}
	// Once the admin adds the user, the next change lands.
	f.sim.AddOwner("nobody@example.com", "No", "Body")
	step = "Send the contract"
	if _, err := f.svc.Update(ctx, coach.Actor{Workspace: "T1", User: "U2"}, "T1", p.ID, coach.DealUpdate{NextStep: &step}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(2 * time.Minute)
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	if d := f.onlyDeal(t); d.Properties["hs_next_step"] != "Send the contract" {
		t.Errorf("next step %q", d.Properties["hs_next_step"])
	}
}

func TestHubSpotDownThenSyncedAfter(t *testing.T) {
	f := newFixture(t)
	f.sim.SetDown(true)
	p := f.opportunity(t, "U1", "Acme")
	if err := f.run(t, f.svc); err == nil {
		t.Fatal("no error while HubSpot is down")
	}
	for range 12 { // an hour of outage, the scheduler ticking
		f.clock.Advance(5 * time.Minute)
		_ = f.run(t, f.svc)
	}
	got, _ := f.store.Prospect(context.Background(), "T1", p.ID)
	if got.CRM.Attempts < 2 || got.CRM.SyncAt.IsZero() || got.CRM.LastError == "" {
		t.Errorf("during the outage: %+v; want retries pending with the error", got.CRM)
	}
	f.sim.SetDown(false)
	f.clock.Advance(11 * time.Minute) // the longest wait between tries
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	f.onlyDeal(t)
}

func TestUnknownStageNamesTheVariable(t *testing.T) {
	f := newFixture(t)
	_, err := f.client.ResolveStages(context.Background(), hubspot.Stages{Pipeline: "default", Open: "Negotiation", Won: "closedwon", Lost: "closedlost"})
	var se *crm.StageError
	if !errors.As(err, &se) || se.Variable != "CRM_STAGE_OPEN" {
		t.Fatalf("err = %v, want a StageError on CRM_STAGE_OPEN", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "Qualified To Buy (qualifiedtobuy)") || strings.Contains(msg, "\n") {
		t.Errorf("message %q: want one line listing the stages", msg)
	}
	_, err = f.client.ResolveStages(context.Background(), hubspot.Stages{Pipeline: "Enterprise", Open: "x", Won: "y", Lost: "z"})
	if !errors.As(err, &se) || se.Variable != "HUBSPOT_PIPELINE" {
		t.Fatalf("err = %v, want a StageError on HUBSPOT_PIPELINE", err)
	}
}

func TestPullAdoptsOneDealAndLosesAnother(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner := ownerID(t, f, "rita@example.com")
	other := f.sim.AddOwner("olga@example.com", "Olga", "Other")
	open := func(name, stage, ownerID string) string {
		return f.sim.AddDeal(map[string]string{"dealname": name, "dealstage": stage, "hubspot_owner_id": ownerID, "amount": "12000"})
	}
	adopt := open("Umbrella renewal", "presentationscheduled", owner)
	lose := open("Wayne Enterprises", "appointmentscheduled", owner)
	open("Olga's deal", "appointmentscheduled", other)
	open("Already won", "closedwon", owner)

	admin := coach.Actor{Workspace: "T1", User: "UADMIN", Admin: true}
	if _, err := f.svc.MakeManager(ctx, admin, "UM", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddReps(ctx, coach.Actor{Workspace: "T1", User: "UM"}, []string{"U1"}); err != nil {
		t.Fatal(err)
	}
	pull := func() {
		t.Helper()
		if err := f.store.Schedule(ctx, coach.CRMPullKey("T1", "UM"), f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if err := f.run(t, f.svc); err != nil {
			t.Fatal(err)
		}
	}
	pull()
	v, err := f.svc.RepView(ctx, "T1", "U1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range v.InCRM {
		names = append(names, d.Name)
	}
	if len(v.InCRM) != 2 || v.CRMName != "HubSpot" {
		t.Fatalf("in HubSpot without a second meeting: %q (%s), want the two open deals of Rita", names, v.CRMName)
	}
	d, err := f.svc.TeamDigest(ctx, coach.Actor{Workspace: "T1", User: "UM"})
	if err != nil {
		t.Fatal(err)
	}
	if d.InCRM.Deals != 2 || d.InCRM.Amounts[""] != 24000 {
		t.Errorf("the manager's digest counts %+v, want 2 deals of 24,000", d.InCRM)
	}

	// Confirmed: adopted and linked, HubSpot's stage kept.
	p, err := f.svc.AdoptCRMDeal(ctx, rita, adopt)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Confirm(ctx, rita, "T1", p.ID, coach.SecondMeeting{At: t0.Add(3 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Lost fast: closed lost there with the debrief.
	q, err := f.svc.AdoptCRMDeal(ctx, rita, lose)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Lose(ctx, rita, "T1", q.ID, coach.LossReport{Reason: coach.ReasonNoBudget, Lesson: "No budget this year"}); err != nil {
		t.Fatal(err)
	}
	if err := f.run(t, f.svc); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sim.Deals()); n != 4 {
		t.Errorf("%d deals in HubSpot, want the 4 there were", n)
	}
	byID := map[string]hubspotsim.Deal{}
	for _, d := range f.sim.Deals() {
		byID[d.ID] = d
	}
	a := byID[adopt].Properties
	if a["pipelinecoach_id"] != "T1/"+p.ID || a["dealstage"] != "presentationscheduled" || a["pipelinecoach_second_meeting"] != ms("2031-03-07") {
		t.Errorf("adopted deal: %v", a)
	}
	if l := byID[lose].Properties; l["dealstage"] != "closedlost" || l["closed_lost_reason"] != "No decision — No budget: No budget this year" {
		t.Errorf("lost deal: %v", l)
	}
	if v, _ := f.svc.RepView(ctx, "T1", "U1"); len(v.InCRM) != 0 {
		t.Errorf("still asked about %d deals", len(v.InCRM))
	}

	// Changes made in HubSpot come back; a deal closed there is not asked about.
	f.sim.SetDealProperty(adopt, "amount", "99000")
	stray := open("Stark pilot", "appointmentscheduled", owner)
	f.clock.Advance(time.Hour)
	pull()
	if got, _ := f.store.Prospect(ctx, "T1", p.ID); got.Amount != 99000 {
		t.Errorf("amount after the pull: %d, want 99000", got.Amount)
	}
	if v, _ := f.svc.RepView(ctx, "T1", "U1"); len(v.InCRM) != 1 {
		t.Errorf("want the new deal asked about, got %d", len(v.InCRM))
	}
	f.sim.SetDealProperty(adopt, "dealstage", "closedwon")
	f.sim.SetDealProperty(stray, "dealstage", "closedlost")
	f.clock.Advance(time.Hour)
	pull()
	if got, _ := f.store.Prospect(ctx, "T1", p.ID); got.State != coach.Won {
		t.Errorf("after closed won in HubSpot: %s", got.State)
	}
	if v, _ := f.svc.RepView(ctx, "T1", "U1"); len(v.InCRM) != 0 {
		t.Errorf("a deal closed in HubSpot is still asked about")
	}
}
