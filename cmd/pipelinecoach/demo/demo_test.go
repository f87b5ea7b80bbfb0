package demo

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The demo is played once, by the first test that needs it, and its output
// shared by the others.
var (
	playOnce sync.Once
	played   struct {
		text, html string
		err        error
		took       time.Duration
	}
)

func play(t *testing.T) {
	t.Helper()
	playOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		dir, err := os.MkdirTemp("", "demo-test-")
		if err != nil {
			played.err = err
			return
		}
		defer os.RemoveAll(dir)
		var out bytes.Buffer
		path := filepath.Join(dir, "demo.html")
		began := time.Now()
		played.err = Run(ctx, &out, path)
		played.took = time.Since(began)
		played.text = out.String()
		if b, err := os.ReadFile(path); err == nil {
			played.html = string(b)
		}
	})
	if played.err != nil {
		t.Fatalf("the demo failed: %v\n%s", played.err, played.text)
	}
}

func TestDemoPlaysEveryStep(t *testing.T) {
	play(t)
	if !regexp.MustCompile(`All \d+ steps did what the script expected\.\n$`).MatchString(played.text) {
		t.Errorf("the transcript does not end saying every step passed:\n%s", tail(played.text, 400))
	}
	if played.took > 20*time.Second {
		t.Errorf("the demo took %v; it should take a few seconds", played.took)
	}
	t.Logf("played in %v", played.took)
}

func TestTranscriptShowsTheKeyMoments(t *testing.T) {
	play(t)
	for _, want := range []string{
		"] Ada → /pipeline admin manager @Mia",
		"] Mia → /pipeline team add @Rita @Omar @Lena",
		"📅 I see Acme — follow-up on Thu Nov 26, 10:00 on your calendar. Is that the second meeting?",
		"] Pipeline Coach → Rita (only Rita sees it): 📝 Logged a first meeting with Globex with Hank Scorpio",
		"It is not pipeline yet.",
		"] Pipeline Coach → Rita (DM): How did the first meeting with Acme go (Mon Nov 23, 10:00 with Jane Doe)? Did you book a second meeting?",
		"    [Yes, booked] [Not yet] [No — lose it fast]",
		"] Rita clicks [Add details]",
		"] Rita fills in the form “Second meeting booked” and clicks [Make it pipeline]:",
		"    Second meeting date: 2026-11-26",
		"    Estimated amount: €25k",
		"Acme is an opportunity: second meeting Thu Nov 26, 10:00",
		"] Rita clicks [No — lose it fast]",
		"    Team: ☑ Share it with the team",
		"] Pipeline Coach → #wins: ⚡ @Rita lost Globex the same day. Lightning fast",
		"] Omar → Pipeline Coach (DM): yes, thu 2pm",
		"Northwind is an opportunity: second meeting Thu Nov 26, 14:00",
		"] Pipeline Coach → Mia (DM): == Coaching brief ==",
		"@Rita — one thing to talk about this week.",
		"🔍 First meetings rarely lead to a second",
		"2 in 18 (11%) of the last 90 days' first meetings led to a second; the team's: 27 in 59 (46%). Even allowing for chance, that is at most 24%",
		"✨ Going well — start with it",
		"] Mia clicks [Discussed]",
		"    Team: ☐ Share it with the team",
		"] Omar clicks [Not yet]",
		"Checking in on Contoso",
		"Contoso still has no second meeting since Mon Nov 23, 09:00 with Priya Shah. Close it out?",
		"] Pipeline Coach → #sales-team: == Weekly pipeline digest ==",
		"[line chart] First→second conversion, % (4 weeks to each)",
		"[bar chart] Pipeline integrity: real pipeline vs not yet",
		"  @Rita · First meetings 5 · New opportunities 1 · Won 0 · Lost 4 · Conversion, 90 days 10% (2 of 21)",
		"1 prospect gone quiet",
		"] Lena opens the Pipeline Coach app, Home tab:",
		"Gone quiet — never answered",
		"──── Monday 7 December ────",
	} {
		if !strings.Contains(played.text, want) {
			t.Errorf("the transcript lacks %q", want)
		}
	}
	// Block Kit is rendered, not shown raw.
	for _, raw := range []string{"<@U0", "<#C0", "&amp;", "&lt;", "&gt;", "*Acme*", "_yes, tue 10am_", ":zap:", `"type"`} {
		if strings.Contains(played.text, raw) {
			t.Errorf("the transcript shows raw markup %q", raw)
		}
	}
	if t.Failed() {
		t.Logf("transcript:\n%s", played.text)
	}
}

// stampLine matches an entry's simulated time.
var stampLine = regexp.MustCompile(`(?m)^\[(\w{3} \d{1,2} \w{3} \d{2}:\d{2})\] `)

func TestTranscriptIsChronological(t *testing.T) {
	play(t)
	var last time.Time
	n := 0
	for _, m := range stampLine.FindAllStringSubmatch(played.text, -1) {
		at, err := time.ParseInLocation("Mon 2 Jan 15:04 2006", m[1]+" 2026", berlin)
		if err != nil {
			t.Fatalf("entry time %q: %v", m[1], err)
		}
		if at.Before(last) {
			t.Errorf("%s comes after %s", m[1], last.Format("Mon 2 Jan 15:04"))
		}
		last = at
		n++
	}
	if n < 50 {
		t.Fatalf("only %d entries in the transcript", n)
	}
	if want := on(time.December, 7, 9, 30); !last.Equal(want) {
		t.Errorf("the last entry is at %s, want the fortnight to end %s", stamp(last), stamp(want))
	}
}

func TestHTMLShowsTheConversation(t *testing.T) {
	play(t)
	page := played.html
	if page == "" {
		t.Fatal("no HTML page was written")
	}
	for _, want := range []string{
		`<a href="#c-c0wins"># wins`,
		`<section class="conv" id="c-du0rita">`,
		`<span class="btn primary">Yes, booked</span>`,
		`<span class="btn">Not yet</span>`,
		`<span class="btn danger">No — lose it fast</span>`,
		`<span class="mention">@Rita</span> lost <b>Globex</b> the same day. Lightning fast`,
		`<svg class="chart" viewBox=`,
		`<div class="dt"><table><thead><tr><th>Rep</th>`,
		`<div class="card"><div class="top"><span>Second meeting booked</span>`,
		`<div class="box">€25k</div>`,
		`<div class="hdr">Weekly pipeline digest</div>`,
		`<div class="ctx">`,
		`rarely lead to a second`,
		`Rita Rossi clicked <span class="btn">Add details</span>`,
		`I see <b>Acme — follow-up</b> on Thu Nov 26, 10:00 on your calendar`,
		`<span class="btn primary">Yes, that&#39;s it</span>`,
		`<div class="slash">/pipeline log Globex today 11:30 with Hank Scorpio</div>`,
		`Only visible to Rita`,
		`<span class="on">Home</span>`,
		`<i>yes, tue 10am</i>`,
		`Every step did what the script expected.`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}

func TestHTMLIsSelfContainedAndWellFormed(t *testing.T) {
	play(t)
	checkPage(t, played.html)
}

// checkPage checks a page is one self-contained, well-formed document: it
// parses as XML (void elements are closed), every element is closed in
// order, and it loads nothing and runs nothing.
func checkPage(t *testing.T, page string) {
	t.Helper()
	if !strings.HasPrefix(page, "<!DOCTYPE html>") {
		t.Error("the page does not start with <!DOCTYPE html>")
	}
	dec := xml.NewDecoder(strings.NewReader(page))
	dec.Strict = true
	var open []string
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the page is not well-formed: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			name := el.Name.Local
			if root == "" {
				root = name
			} else if len(open) == 0 {
				t.Fatalf("a second root element <%s>", name)
			}
			switch name {
			case "script", "link", "iframe", "img", "object", "embed", "base", "form":
				t.Errorf("the page has a <%s> element", name)
			}
			for _, a := range el.Attr {
				key := strings.ToLower(a.Name.Local)
				if strings.HasPrefix(key, "on") || key == "src" || key == "srcset" || key == "style" {
					t.Errorf("<%s> has the attribute %s=%q", name, key, a.Value)
				}
				if key == "href" && !strings.HasPrefix(a.Value, "#") && !strings.HasPrefix(a.Value, "https://") && !strings.HasPrefix(a.Value, "http://") && !strings.HasPrefix(a.Value, "mailto:") {
					t.Errorf("<%s> links to %q", name, a.Value)
				}
			}
			open = append(open, name)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if len(open) > 0 && open[len(open)-1] == "style" {
				css := strings.ToLower(string(el))
				if strings.Contains(css, "@import") || strings.Contains(css, "url(") {
					t.Error("the style sheet loads something")
				}
			}
		}
	}
	if root != "html" || len(open) != 0 {
		t.Fatalf("root <%s>, %d elements left open", root, len(open))
	}
}

// Text anyone typed is shown as text, never as markup, on both outputs.
func TestHostileTextIsEscaped(t *testing.T) {
	n := names{users: map[string]string{rita: "Rita"}, channels: map[string]string{wins: "wins"}}
	rec := &recorder{names: n}
	hostile := `Acme &lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt; "quoted" & 'single'`
	rec.add(entry{At: start, Kind: kindPost, Conv: wins,
		Blocks: []block{{Type: "section", Text: n.mrkdwn("*" + hostile + "*")}}})
	rec.add(entry{At: start, Kind: kindSay, Who: rita, Conv: "D" + rita, Text: n.typed(`<img src=x onerror=alert(1)> </div>`)})
	rec.add(entry{At: start, Kind: kindSubmit, Who: rita, Conv: wins, Title: `</div><b>form`, Submit: "Go",
		Blocks: fill([]block{{Type: "input", Label: rich{{Text: "Lesson"}}, Input: element{Type: "plain_text_input", ActionID: "lesson"}}},
			map[string]string{"lesson": "</textarea><script>x()</script>"})})
	tr := transcript{rec: rec, steps: []stepResult{{N: 1, Name: `<b>step</b>`}}}

	var page bytes.Buffer
	if err := tr.writeHTML(&page); err != nil {
		t.Fatal(err)
	}
	checkPage(t, page.String())
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;!channel&gt;", "&lt;img src=x onerror=alert(1)&gt;",
		"&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;", "&lt;/div&gt;&lt;b&gt;form", "&lt;b&gt;step&lt;/b&gt;"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the page lacks the escaped %s", want)
		}
	}

	var text bytes.Buffer
	if err := tr.writeText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), `Acme <script>alert(1)</script> <!channel> "quoted" & 'single'`) {
		t.Errorf("the transcript does not show the text as typed:\n%s", text.String())
	}
}

func TestMrkdwn(t *testing.T) {
	n := names{users: map[string]string{mia: "Mia", rita: "Rita"}, channels: map[string]string{wins: "wins"}}
	tests := []struct {
		in, plain string
		bold      []string // texts that must be bold
	}{
		{"*Team of <@U0MIA>:* <@U0RITA>, <@U0LENA|lena>", "Team of @Mia: @Rita, @lena", []string{"Team of ", "@Mia", ":"}},
		{"Post in <#C0WINS> or <#C0OTHER|other-team>", "Post in #wins or #other-team", nil},
		{"&lt;!channel&gt; &amp; <!here> <https://example.com/a?b=1&amp;c=2|the docs>", "<!channel> & @here the docs", nil},
		{"reply _yes, tue 10am_ · `/pipeline log` :zap: :unknown_code:", "reply yes, tue 10am · `/pipeline log` ⚡ :unknown_code:", nil},
		{"snake_case_words and 2*3*4 stay; a * b * c too", "snake_case_words and 2*3*4 stay; a * b * c too", nil},
		{"*bold _and italic_*\n~gone~", "bold and italic\ngone", []string{"bold ", "and italic"}},
		{":white_check_mark: *Acme* is an opportunity", "✅ Acme is an opportunity", []string{"Acme"}},
	}
	for _, tc := range tests {
		r := n.mrkdwn(tc.in)
		if got := r.Plain(); got != tc.plain {
			t.Errorf("mrkdwn(%q) = %q, want %q", tc.in, got, tc.plain)
		}
		for _, b := range tc.bold {
			found := false
			for _, s := range r {
				if s.Bold && s.Text == b {
					found = true
				}
			}
			if !found {
				t.Errorf("mrkdwn(%q): %q is not bold in %+v", tc.in, b, r)
			}
		}
	}
	link := n.mrkdwn("<https://example.com/a?b=1&amp;c=2|the docs>")
	if len(link) != 1 || link[0].Href != "https://example.com/a?b=1&c=2" {
		t.Errorf("link parsed as %+v", link)
	}
}

// A step that does not get what it expects fails the demo, naming itself,
// and the transcript says so.
func TestFailingStepIsNamed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out, "", func(d *director) {
		d.step("Ada asks for the status")
		d.at(on(time.November, 23, 9, 0))
		d.slash(ada, "admin")
		d.reply(ada)
		d.step("Rita expects a miracle")
		d.slash(rita, "log Acme today 10am")
		d.reply(rita, "Acme is already won")
		d.step("Never played")
		d.slash(rita, "help")
	}, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "step 2 (Rita expects a miracle)") || !strings.Contains(err.Error(), "Acme is already won") {
		t.Fatalf("err = %v, want step 2 named with what it expected", err)
	}
	if !strings.Contains(out.String(), "FAILED: demo step 2 (Rita expects a miracle)") {
		t.Errorf("the transcript does not say which step failed:\n%s", out.String())
	}
	if strings.Contains(out.String(), "/pipeline help") {
		t.Error("a step after the failure was played")
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
