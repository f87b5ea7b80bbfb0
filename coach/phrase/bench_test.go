package phrase

import (
	"strings"
	"testing"
)

// The worst a DM can do to ParseReply: MaxLen bytes of words that all could
// be part of a date, none of which reads as one.
func BenchmarkParseReplyWorstCase(b *testing.B) {
	text := strings.Repeat("1 ", MaxLen/2)[:MaxLen]
	now := wednesday(mustLoad(b, "Europe/Berlin"))
	b.ReportAllocs()
	for b.Loop() {
		ParseReply(text, now, now.Location())
	}
}

func BenchmarkParseReplyTypical(b *testing.B) {
	now := wednesday(mustLoad(b, "Europe/Berlin"))
	b.ReportAllocs()
	for b.Loop() {
		ParseReply("yes, booked with Jane for next tuesday at 3", now, now.Location())
	}
}

func BenchmarkParseAmountComma(b *testing.B) {
	c := Convention{Style: DecimalComma, Currency: "EUR"}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = c.ParseAmount("€ 12.500,00")
	}
}
