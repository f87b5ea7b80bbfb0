package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"pipelinecoach/bot"
	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/crm/hubspot"
	"pipelinecoach/crm/hubspotsim"
)

// crmRep is a rep whose Slack profile shows the email HubSpot knows her by.
const crmRep = "U0CARA"

// newCRMHarness is a bot over the product store (productStore) writing to a simulated
// HubSpot through the real client.
func newCRMHarness(t *testing.T) (*harness, *hubspotsim.Server) {
	h, hs, _ := newCRMHarnessOwner(t)
	return h, hs
}

// newCRMHarnessOwner is newCRMHarness and Cara's HubSpot owner id.
func newCRMHarnessOwner(t *testing.T) (*harness, *hubspotsim.Server, string) {
	t.Helper()
	hs, err := hubspotsim.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hs.Close() })
	owner := hs.AddOwner("cara@example.com", "Cara", "Closer")
	c, err := hubspot.New(hs.URL(), hubspotsim.Token, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.ResolveStages(context.Background(), hubspot.Stages{Pipeline: "default", Open: "appointmentscheduled", Won: "closedwon", Lost: "closedlost"})
	if err != nil {
		t.Fatal(err)
	}
	sink := hubspot.NewSink(c, st)
	h := newHarnessOpts(t, nil, harnessOpts{setup: func(s *bot.Setup) { s.CRM = sink }})
	sink.Now = h.clock.Now
	h.member(h.sim.Join, slacksim.User{ID: crmRep, Name: "cara", RealName: "Cara Closer", TZ: "Europe/Berlin", Email: "cara@example.com"})
	return h, hs, owner
}

// confirm logs a first meeting, waits for the question and confirms a
// second meeting through the modal.
func (h *harness) confirm(user, account string, more ...string) {
	h.t.Helper()
	dm := h.sim.DMChannel(user)
	h.slash(user, "log "+account+" today 10:00")
	h.reply(user, "Logged a first meeting with")
	h.at(start.Add(3 * time.Hour))
	prompt := h.waitFor(dm, "Did you book a second meeting?")
	h.click(user, prompt, render.ActionYes)
	v := h.view(user, render.ViewConfirm)
	inputs := map[string]string{render.InputSecondDate: "2026-12-02", render.InputSecondTime: "10:00",
		render.InputAmount: "25k", render.InputNextStep: "Demo for the ops team"}
	for i := 0; i+1 < len(more); i += 2 {
		inputs[more[i]] = more[i+1]
	}
	if ack := h.submit(user, v, inputs); len(ack.Payload) != 0 {
		h.t.Fatalf("confirmation acked with %s", ack.Payload)
	}
	h.waitFor(dm, "is an opportunity")
}

func TestConfirmedInSlackLandsInHubSpot(t *testing.T) {
	h, hs := newCRMHarness(t)
	h.confirm(crmRep, "Acme Corp", render.InputCloseDate, "2027-01-29")
	if n := hs.DealWrites(); n != 0 {
		t.Fatalf("HubSpot written on the ack path (%d writes)", n)
	}
	h.runScheduler()
	deals := hs.Deals()
	if len(deals) != 1 {
		t.Fatalf("HubSpot has %d deals, want 1", len(deals))
	}
	d := deals[0]
	ps := h.prospects(crmRep)
	if d.Properties["pipelinecoach_id"] != h.sim.TeamID()+"/"+ps[0].ID || d.Properties["dealname"] != "Acme Corp" ||
		d.Properties["amount"] != "25000" || d.Properties["hs_next_step"] != "Demo for the ops team" ||
		d.Properties["dealstage"] != "appointmentscheduled" || d.Company["name"] != "Acme Corp" ||
		d.Properties["closedate"] != "1801180800000" { // the rep's close date, 2027-01-29
		t.Errorf("deal %+v", d)
	}
	if ps[0].CRM.ID != d.ID {
		t.Errorf("prospect linked to %q, want %q", ps[0].CRM.ID, d.ID)
	}
}

func TestHubSpotRefusalIsToldToTheRepOnce(t *testing.T) {
	h, hs := newCRMHarness(t)
	h.member(h.sim.Join, slacksim.User{ID: "U0NEW", Name: "nina", RealName: "Nina New", TZ: "Europe/Berlin", Email: "nina@example.com"})
	h.confirm("U0NEW", "Globex")
	h.runScheduler()
	dm := h.sim.DMChannel("U0NEW")
	h.waitFor(dm, "is saved here; HubSpot refused it: no HubSpot user has nina@example.com — ask your admin")
	h.clock.Advance(time.Hour)
	h.runScheduler()
	n := 0
	for _, m := range h.dms("U0NEW") {
		if strings.Contains(m.AllText(), "HubSpot refused it") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("told %d times", n)
	}
	if len(hs.Deals()) != 0 {
		t.Errorf("a deal without an owner was written")
	}
	h.slash(admin, "admin crm")
	m := h.reply(admin, "HubSpot refused 1 deal")
	if !strings.Contains(m.AllText(), "no HubSpot user has nina@example.com") || !strings.Contains(m.AllText(), "CRM_STAGE_OPEN") {
		t.Errorf("/pipeline admin crm: %s", m.AllText())
	}
	if ps := h.prospects("U0NEW"); ps[0].State != coach.Opportunity || ps[0].CRM.Refused == "" {
		t.Errorf("prospect %+v", ps[0])
	}
}

func TestCleanupLosesADealFoundInHubSpot(t *testing.T) {
	h, hs, owner := newCRMHarnessOwner(t)
	deal := hs.AddDeal(map[string]string{"dealname": "Umbrella renewal", "dealstage": "appointmentscheduled", "hubspot_owner_id": owner, "amount": "12000"})
	svc := h.rt.Service
	if _, err := svc.MakeManager(h.ctx, coach.Actor{Workspace: h.sim.TeamID(), User: admin, Admin: true}, "U0MGR", "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddReps(h.ctx, coach.Actor{Workspace: h.sim.TeamID(), User: "U0MGR"}, []string{crmRep}); err != nil {
		t.Fatal(err)
	}
	h.runScheduler() // the team's first pull
	h.slash(crmRep, "cleanup")
	m := h.reply(crmRep, "In HubSpot without a second meeting")
	if !strings.Contains(m.AllText(), "Umbrella renewal") {
		t.Fatalf("cleanup: %s", m.AllText())
	}
	h.click(crmRep, m, render.ActionCRMLose)
	v := h.view(crmRep, render.ViewLose)
	h.submit(crmRep, v, map[string]string{render.InputReason: string(coach.ReasonStatusQuo), render.InputLesson: "They keep their spreadsheet"})
	h.runScheduler()
	var got hubspotsim.Deal
	for _, d := range hs.Deals() {
		if d.ID == deal {
			got = d
		}
	}
	if got.Properties["dealstage"] != "closedlost" || got.Properties["closed_lost_reason"] != "No decision — No commitment to change (status quo): They keep their spreadsheet" {
		t.Errorf("deal after losing it fast: %v", got.Properties)
	}
	if n := len(hs.Deals()); n != 1 {
		t.Errorf("%d deals in HubSpot, want the one there was", n)
	}
}

// HubSpot down for an hour: confirmations are answered without calling it,
// and land once it is back.
func TestHubSpotDownForAnHour(t *testing.T) {
	h, hs := newCRMHarness(t)
	total := func() int {
		n := 0
		for _, c := range hs.Requests() {
			n += c
		}
		return n
	}
	before := total() // the stage check at start
	hs.SetDown(true)
	h.confirm(crmRep, "Acme Corp")
	if n := total() - before; n != 0 {
		t.Fatalf("the confirmation called HubSpot %d times on its way to the rep", n)
	}
	for range 12 {
		h.clock.Advance(5 * time.Minute)
		h.runScheduler()
	}
	if total() == before || len(hs.Deals()) != 0 {
		t.Fatalf("during the outage: %d requests, %d deals", total()-before, len(hs.Deals()))
	}
	hs.SetDown(false)
	h.clock.Advance(11 * time.Minute)
	h.runScheduler()
	if n := len(hs.Deals()); n != 1 {
		t.Fatalf("%d deals after HubSpot came back, want 1", n)
	}
}
