package command

import (
	"strings"
	"testing"

	"pipelinecoach/coach/phrase"
)

func TestLeadingAmount(t *testing.T) {
	english := phrase.Convention{Style: phrase.DecimalPoint}
	german := phrase.Convention{Style: phrase.DecimalComma, Currency: "EUR"}
	tests := []struct {
		conv  phrase.Convention
		in    string
		units int64
		used  int // -1: refused; -2: asked back
	}{
		{english, "250k", 250_000, 1},
		{english, "250k 2026-Q1", 250_000, 1},
		{english, "$ 250,000 Q1", 250_000, 2},
		{english, "250.000", 0, -2},
		{english, "lots", 0, -1},
		{english, "", 0, -1},
		{german, "250.000 € Q1", 250_000, 2},
		{german, "€ 12.500,00", 12_500, 2},
		{german, "1,5 Mio 2026-Q1", 1_500_000, 2},
		{german, "250 000", 250_000, 2},
		{german, "250,000", 0, -2},
	}
	for _, tt := range tests {
		a, n, err := LeadingAmount(strings.Fields(tt.in), tt.conv)
		switch tt.used {
		case -1:
			if err == nil || phrase.IsAmbiguous(err) {
				t.Errorf("%s: LeadingAmount(%q) = %+v, %d, %v; want refused", tt.conv.Style, tt.in, a, n, err)
			}
		case -2:
			if !phrase.IsAmbiguous(err) {
				t.Errorf("%s: LeadingAmount(%q) = %+v, %d, %v; want asked back", tt.conv.Style, tt.in, a, n, err)
			}
		default:
			if err != nil || a.Units != tt.units || n != tt.used {
				t.Errorf("%s: LeadingAmount(%q) = %+v, %d, %v; want %d in %d words", tt.conv.Style, tt.in, a, n, err, tt.units, tt.used)
			}
		}
	}
}
