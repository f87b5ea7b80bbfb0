package render_test

import (
	"strings"
	"testing"

	"pipelinecoach/bot/render"
)

func TestCRMRefused(t *testing.T) {
	m := render.CRMRefused(opportunity("p1", "Acme <!channel>"), "HubSpot", "no HubSpot user has rita@example.com")
	golden(t, "crm_refused", m)
	if strings.Contains(m.Text, "<!channel>") {
		t.Errorf("typed text pings: %s", m.Text)
	}
}
