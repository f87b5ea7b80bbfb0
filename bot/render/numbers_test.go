package render_test

import (
	"strings"
	"testing"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// inEuros is p priced in euros.
func inEuros(p coach.Prospect) coach.Prospect {
	if p.Amount > 0 {
		p.Currency = "EUR"
	}
	return p
}

// euroView is a rep of a team in euros that writes 1.234,56: an
// opportunity, a quota, and deals in the CRM without a second meeting.
func euroView() coach.RepView {
	acme := inEuros(opportunity("p1", "Acme"))
	acme.Amount = 1_234_500
	stale := inEuros(opportunity("p6", "Stark"))
	stale.LastActivity = at(1, 9, 0)
	v := coach.DefaultThresholds.RepView([]coach.Prospect{acme, stale, prospect("p2", "Globex", coach.Awaiting), lost("p3", "Initech", 2)}, now)
	v.Framework = coach.ChooseFramework("bant", "")
	v.Numbers = euro
	v.Quota = coach.Quota{Amount: 2_000_000, Currency: "EUR", Period: "2026-Q4"}
	v.Coverage, v.HasCoverage = 0.6, true
	v.CRMName = "HubSpot"
	v.InCRM = []coach.PulledDeal{
		{ID: "9001", Name: "Umbrella renewal", Amount: 12_000, Currency: "EUR", CreatedAt: at(20, 9, 0), Stage: coach.DealOpen},
		{ID: "9002", Name: "Wayne pilot", Amount: 7_500, Currency: "CHF", Stage: coach.DealOpen},
	}
	return v
}

// euroDigest is trendDigest of a team in euros, with a CRM backlog.
func euroDigest() coach.Digest {
	d := trendDigest()
	for i := range d.Rows {
		if d.Rows[i].OpenAmount == 0 {
			d.Rows[i].OpenAmount, d.Rows[i].Currency = 1_250_000, "EUR"
		}
	}
	d.InCRM = coach.CRMBacklog{Name: "HubSpot", Deals: 3, Amounts: map[string]int64{"EUR": 36_000}}
	d.Numbers = euro
	return d
}

// Every surface that shows an amount, for a team that writes "25.000 €".
// The English goldens of the same surfaces are in TestGolden.
func TestGoldenInEuros(t *testing.T) {
	v := euroView()
	d := euroDigest()
	b := briefFixture()
	for i, n := range b.Findings {
		for j := range n.Deals {
			b.Findings[i].Deals[j] = inEuros(n.Deals[j])
		}
	}
	b.Numbers = euro
	acme := inEuros(opportunity("p1", "Acme"))
	tests := map[string]any{
		"euro_decided":      render.Decided(acme, euro).Blocks,
		"euro_pipeline":     render.Pipeline(v, now, berlin).Blocks,
		"euro_home_manager": render.Home(v, &d, now, berlin),
		"euro_cleanup":      render.Cleanup(v, berlin).Blocks,
		"euro_digest":       render.Digest(d, now)[0].Blocks,
		"euro_digest_plain": render.Digest(d, now)[0].Plain().Blocks,
		"euro_brief":        render.Brief(b).Blocks,
		"euro_deal_card":    render.DealCard(acme, coach.ChooseFramework("bant", ""), euro, berlin),
		"euro_modal_update": render.UpdateModal(acme, coach.ChooseFramework("bant", ""), euro),
		"euro_ask_back":     render.AmountAskBack(prospect("p1", "Acme", coach.Awaiting), "25,000", "25", "25.000", "25.000 $"),
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) { golden(t, name, v) })
	}
}

// What a rep and a manager read, surface by surface, in each style (in is
// a team in euros writing 1.234,56): the amount as the team writes it, and
// never the other style's; a table's number stays a number.
func TestAmountsOnEverySurface(t *testing.T) {
	view := func(in bool) coach.RepView {
		if in {
			return euroView()
		}
		v := euroView()
		v.Numbers = english
		return v
	}
	digest := func(in bool) coach.Digest {
		d := euroDigest()
		if !in {
			d.Numbers = english
		}
		return d
	}
	numbers := func(in bool) phrase.Convention {
		if in {
			return euro
		}
		return english
	}
	acme := inEuros(opportunity("p1", "Acme"))
	surfaces := []struct {
		name          string
		show          func(in bool) string
		english, euro string
	}{
		{"decided", func(in bool) string { return string(mustJSON(t, render.Decided(acme, numbers(in)).Blocks)) }, "Estimated €25,000.", "Estimated 25.000 €."},
		{"deal card", func(in bool) string {
			return string(mustJSON(t, render.DealCard(acme, coach.Framework{}, numbers(in), berlin)))
		}, "Amount: €25,000", "Amount: 25.000 €"},
		{"update form", func(in bool) string {
			return string(mustJSON(t, render.UpdateModal(acme, coach.Framework{}, numbers(in))))
		}, `"initial_value":"€25 000"`, `"initial_value":"25 000 €"`},
		{"pipeline total", func(in bool) string { return string(mustJSON(t, render.Pipeline(view(in), now, berlin).Blocks)) }, "€1,259,500", "1.259.500 €"},
		{"pipeline deal", func(in bool) string { return string(mustJSON(t, render.Pipeline(view(in), now, berlin).Blocks)) }, "· €1,234,500", "· 1.234.500 €"},
		{"home quota", func(in bool) string { return string(mustJSON(t, render.Home(view(in), nil, now, berlin))) }, "quota (€2,000,000)", "quota (2.000.000 €)"},
		{"home CRM", func(in bool) string { return string(mustJSON(t, render.Home(view(in), nil, now, berlin))) }, "(CHF 7,500 + €12,000)", "(12.000 € + 7.500 CHF)"},
		{"cleanup CRM", func(in bool) string { return string(mustJSON(t, render.Cleanup(view(in), berlin).Blocks)) }, "renewal* · €12,000", "renewal* · 12.000 €"},
		{"cleanup stale", func(in bool) string { return string(mustJSON(t, render.Cleanup(view(in), berlin).Blocks)) }, "*Stark* · €25,000", "*Stark* · 25.000 €"},
		{"digest table", func(in bool) string { return string(mustJSON(t, render.Digest(digest(in), now)[0].Blocks)) }, `"text":"€1,250,000"`, `"text":"1.250.000 €"`},
		{"digest table number", func(in bool) string { return string(mustJSON(t, render.Digest(digest(in), now)[0].Blocks)) }, `"value":1250000`, `"value":1250000`},
		{"digest text", func(in bool) string { return string(mustJSON(t, render.Digest(digest(in), now)[0].Plain().Blocks)) }, "· €1,250,000 ·", "· 1.250.000 € ·"},
		{"digest CRM", func(in bool) string { return string(mustJSON(t, render.Digest(digest(in), now)[0].Blocks)) }, "without a second meeting, €36,000", "without a second meeting, 36.000 €"},
		{"home team", func(in bool) string {
			d := digest(in)
			return string(mustJSON(t, render.Home(view(in), &d, now, berlin)))
		}, `"text":"€1,250,000"`, `"text":"1.250.000 €"`},
	}
	for _, s := range surfaces {
		en, eu := s.show(false), s.show(true)
		if !strings.Contains(en, s.english) {
			t.Errorf("%s in English lacks %q: %s", s.name, s.english, en)
		}
		if !strings.Contains(eu, s.euro) {
			t.Errorf("%s in euros lacks %q: %s", s.name, s.euro, eu)
		}
		if s.english != s.euro && strings.Contains(eu, s.english) {
			t.Errorf("%s in euros still shows %q", s.name, s.english)
		}
	}
}
