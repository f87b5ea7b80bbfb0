package render

import (
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// A form's metadata is one encoding: the id and version seen, then the
// message it was opened from. Garbled or forged metadata gives no more than
// an id for coach to check, and never an origin that is not a URL.
func TestFormMetadata(t *testing.T) {
	p := coach.Prospect{Workspace: "T1", ID: "p1", Version: 7, Owner: "U1", Account: "Acme", FirstMeeting: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	origin := Origin{TS: "1700000000.000100", ResponseURL: "https://hooks.slack.com/actions/T1/1/abc"}
	md := WithOrigin(FormMetadata(p), origin)
	if got := ReadFormMetadata(md); got.ID != "p1" || got.Version != 7 || got.Origin != origin {
		t.Errorf("ReadFormMetadata(%q) = %+v", md, got)
	}
	if got := ReadFormMetadata(FormMetadata(p)); got.ID != "p1" || got.Version != 7 || got.Origin != (Origin{}) {
		t.Errorf("without an origin: %+v", got)
	}
	for _, tc := range []struct {
		md   string
		want FormMeta
	}{
		{"", FormMeta{}},
		{"p1", FormMeta{Seen: coach.Seen{ID: "p1"}}},
		{"p1 x", FormMeta{Seen: coach.Seen{ID: "p1"}}},
		{"p1 -3", FormMeta{Seen: coach.Seen{ID: "p1"}}},
		{"p1\n{\"id\":\"p1\",\"owner\":\"U9\"}", FormMeta{Seen: coach.Seen{ID: "p1"}}}, // a form from before versions
		{"p1 7\n1.2 https://x", FormMeta{Seen: coach.Seen{ID: "p1"}}},
		{"p1 7 1.2 javascript:alert(1)", FormMeta{Seen: coach.Seen{ID: "p1", Version: 7}}},
		{"p1 7 1.2 /relative", FormMeta{Seen: coach.Seen{ID: "p1", Version: 7}}},
		{"p1 7 1.2", FormMeta{Seen: coach.Seen{ID: "p1", Version: 7}}},
	} {
		if got := ReadFormMetadata(tc.md); got != tc.want {
			t.Errorf("ReadFormMetadata(%q) = %+v, want %+v", tc.md, got, tc.want)
		}
	}
	if got := WithOrigin("p1,p2,p3", origin); got != "p1,p2,p3" {
		t.Errorf("an origin was added to a list of ids: %q", got)
	}
	if got := WithOrigin(FormMetadata(p), Origin{TS: "1.2", ResponseURL: "https://x/" + strings.Repeat("y", maxMetadata)}); got != FormMetadata(p) {
		t.Error("an origin past the metadata limit was added")
	}
	if got := WithOrigin(FormMetadata(p), Origin{TS: "1 2", ResponseURL: "https://x"}); got != FormMetadata(p) {
		t.Errorf("an origin with a space was added: %q", got)
	}
}
