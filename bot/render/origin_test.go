package render

import (
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
)

func TestFormOrigin(t *testing.T) {
	p := coach.Prospect{Workspace: "T1", ID: "p1", Owner: "U1", Account: "Acme", FirstMeeting: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	md := WithOrigin(ProspectMetadata(p), "1700000000.000100", "https://hooks.slack.com/actions/T1/1/abc")
	if ts, url := Origin(md); ts != "1700000000.000100" || url != "https://hooks.slack.com/actions/T1/1/abc" {
		t.Errorf("Origin = %q, %q", ts, url)
	}
	if id, known := ReadProspectMetadata(md); id != "p1" || known == nil || known.Account != "Acme" {
		t.Errorf("ReadProspectMetadata with an origin = %q, %+v", id, known)
	}
	if id, known := ReadProspectMetadata(WithOrigin("p1", "1.2", "https://x")); id != "p1" || known != nil {
		t.Errorf("an id alone with an origin reads %q, %+v", id, known)
	}
	if ts, _ := Origin(ProspectMetadata(p)); ts != "" {
		t.Errorf("no origin reads %q", ts)
	}
	big := "p1\n" + strings.Repeat("x", maxMetadata-10)
	if got := WithOrigin(big, "1.2", "https://x/long/enough/to/overflow"); got != big {
		t.Error("an origin past the metadata limit was added")
	}
}
