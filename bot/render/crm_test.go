package render_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

func TestCRMRefused(t *testing.T) {
	m := render.CRMRefused(opportunity("p1", "Acme <!channel>"), "HubSpot", "no HubSpot user has rita@example.com")
	golden(t, "crm_refused", m)
	if strings.Contains(m.Text, "<!channel>") {
		t.Errorf("typed text pings: %s", m.Text)
	}
}

func TestCRMCleanupAndHome(t *testing.T) {
	view := coach.DefaultThresholds.RepView([]coach.Prospect{opportunity("p1", "Acme")}, now)
	view.CRMName = "HubSpot"
	view.InCRM = []coach.PulledDeal{
		{ID: "9001", Name: "Umbrella <!channel> renewal", Amount: 12000, Currency: "EUR", CreatedAt: at(20, 9, 0), Stage: coach.DealOpen},
		{ID: "9002", Name: "Wayne pilot", Stage: coach.DealOpen},
	}
	m := render.Cleanup(view, berlin)
	golden(t, "cleanup_crm", m.Blocks)
	golden(t, "home_crm", render.Home(view, nil, now, berlin))
	for _, text := range []string{m.Text, string(mustJSON(t, m.Blocks))} {
		if strings.Contains(text, "<!channel>") {
			t.Errorf("typed text pings: %s", text)
		}
	}
	if !strings.Contains(string(mustJSON(t, m.Blocks)), "In HubSpot without a second meeting*: 2") {
		t.Errorf("cleanup does not count the deals in HubSpot")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as Slack reads it
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestAdminCRM(t *testing.T) {
	refused := opportunity("p2", "Globex <!here>")
	refused.CRM.Refused = "no HubSpot user has nina@example.com"
	st := coach.CRMStatus{Name: "HubSpot", Synced: 41, Pending: 3, Retrying: 1, OldestPending: at(25, 15, 0),
		LastError: "hubspot: 503: Service Unavailable", LastSynced: at(25, 15, 30),
		Mapping: []coach.CRMSetting{{Name: "HUBSPOT_PIPELINE", Value: "default"}, {Name: "CRM_STAGE_OPEN", Value: "appointmentscheduled"}},
		Refused: []coach.Prospect{refused}, RefusedCount: 1}
	golden(t, "admin_crm", render.AdminCRM(st, berlin))
	golden(t, "admin_crm_none", render.AdminCRM(coach.CRMStatus{}, berlin))
}

func TestDigestCountsTheCRMBacklog(t *testing.T) {
	d := coach.DefaultThresholds.BuildDigest(coach.Team{Workspace: "T1", Manager: "UM", Reps: []string{"U1"}, TZ: "Europe/Berlin"},
		[]coach.Prospect{opportunity("p1", "Acme")}, now)
	d.InCRM = coach.CRMBacklog{Name: "HubSpot", Deals: 3, Amounts: map[string]int64{"EUR": 36000}}
	msgs := render.Digest(d, now)
	golden(t, "digest_crm", msgs[0].Blocks)
	if !strings.Contains(string(mustJSON(t, msgs[0].Blocks)), "3 deals in HubSpot without a second meeting, €36,000") {
		t.Errorf("the digest does not count the deals in HubSpot")
	}
}
