package demo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The page is read on phones as well as laptops: rendered in headless
// Chromium at 420 and 1280 CSS pixels, nothing may stick out sideways
// (tables scroll inside their own box), and every message keeps most of the
// screen's width for its text. Chromium's window is never narrower than 500
// pixels, so each width is an iframe of a page at that width; a probe the
// test adds to its copy of the page (the page itself runs no script) reports
// what it measured.
func TestPageReadsOnAPhone(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		// CI installs it (.ci/run); elsewhere the page is checked where it can be.
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium to render the page with (apt-get install -y chromium)")
		}
		t.Skip("no Chromium to render the page with (apt-get install -y chromium)")
	}
	play(t)
	dir := t.TempDir()
	probe := `<script>
var vw = window.innerWidth, out = document.documentElement.scrollWidth - document.documentElement.clientWidth, narrowest = vw;
document.querySelectorAll(".msg .body").forEach(function (e) { narrowest = Math.min(narrowest, e.getBoundingClientRect().width); });
document.body.setAttribute("data-probe", "width=" + vw + " overflow=" + out + " narrowest=" + Math.round(narrowest));
</script></body>`
	page := strings.Replace(played.html, "</body>", probe, 1)
	if err := os.WriteFile(filepath.Join(dir, "page.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	outer := `<!DOCTYPE html><html><body>
<iframe id="w420" src="page.html" width="420" height="900"></iframe>
<iframe id="w1280" src="page.html" width="1280" height="900"></iframe>
<script>
["w420", "w1280"].forEach(function (id) {
  document.getElementById(id).addEventListener("load", function () {
    var d = this.contentDocument;
    document.body.setAttribute("data-" + id, d ? d.body.getAttribute("data-probe") : "blocked");
  });
});
</script></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "outer.html"), []byte(outer), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--user-data-dir="+t.TempDir(),
		"--allow-file-access-from-files", "--window-size=1400,1000", "--virtual-time-budget=5000",
		"--dump-dom", "file://"+filepath.Join(dir, "outer.html"))
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	for _, w := range []int{420, 1280} {
		m := regexp.MustCompile(fmt.Sprintf(`data-w%d="width=(\d+) overflow=(-?\d+) narrowest=(\d+)"`, w)).FindSubmatch(dom)
		if m == nil {
			t.Fatalf("no measurement at %d px in:\n%s", w, tail(string(dom), 400))
		}
		width, _ := strconv.Atoi(string(m[1]))
		overflow, _ := strconv.Atoi(string(m[2]))
		narrowest, _ := strconv.Atoi(string(m[3]))
		t.Logf("%d px: viewport %d, horizontal overflow %d px, narrowest message %d px", w, width, overflow, narrowest)
		if overflow > 0 {
			t.Errorf("at %d px the page is %d px wider than the screen", w, overflow)
		}
		if narrowest < width*3/5 {
			t.Errorf("at %d px a message is %d px wide: text this narrow breaks word by word", w, narrowest)
		}
	}
}

// emojiCode is a Slack emoji code as the bot writes it.
var emojiCode = regexp.MustCompile(`:([a-z][a-z0-9_+]*):`)

// Every emoji code the bot's messages use (as the golden files pin them)
// shows as the emoji, not as ":ok_hand:" text; and none is left in what the
// demo showed.
func TestEmojiCodesShowAsEmoji(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "bot", "render", "testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files to read: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range emojiCode.FindAllStringSubmatch(string(raw), -1) {
			if _, ok := emojis[m[1]]; !ok {
				t.Errorf("%s uses :%s:, which the demo would show as text", filepath.Base(f), m[1])
			}
		}
	}
	play(t)
	for _, out := range []string{played.text, played.html} {
		for _, m := range emojiCode.FindAllString(out, -1) {
			if m != ":unknown_code:" {
				t.Errorf("the demo shows %s as text", m)
			}
		}
	}
}
