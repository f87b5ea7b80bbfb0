package bot_test

import (
	"encoding/json"
	"strings"
	"testing"

	"pipelinecoach/coach"
)

// hostileTyped is what a person types to make the bot ping or link: raw, and
// as Slack escapes it in a slash command's text.
var hostileTyped = []string{"<!here>", "<!channel>", "<@UHOSTILE>", "<https://evil.example|Acme>"}

const hostileWords = "<!here> <!channel> <@UHOSTILE> <https://evil.example|Acme>"

// TestTypedTextNeverReachesSlackRaw types hostile text into every command,
// every argument and a DM, and scans every payload the bot sent Slack —
// replies, messages, forms, fallback texts — for it raw where Slack parses
// mrkdwn.
func TestTypedTextNeverReachesSlackRaw(t *testing.T) {
	h := newHarness(t)
	h.addManagers()
	h.slash(admin, "admin manager "+mention(mia))
	h.reply(admin, "can now manage a team")
	h.slashAnswered(mia, "team add "+mention(rep), "Added")
	// A shared lesson in the hostile words, so /pipeline lessons finds it.
	h.storeChange(h.plant(h.sim.TeamID(), other, "Lessonco", coach.Awaiting), func(p *coach.Prospect) {
		p.State, p.Loss = coach.Lost, &coach.Loss{Reason: coach.ReasonCompetitor, Lesson: hostileWords, Shared: true, Celebrated: true}
	})
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(hostileWords)
	for _, words := range []string{hostileWords, escaped} {
		for _, c := range []struct{ user, text, want string }{
			{rep, "lessons " + words, "Lessons from the team"},
			{rep, "log " + words + " today 10:00 with " + words, "Logged a first meeting"},
			{rep, "log Acme on " + words, ""},
			{rep, "won " + words, ""},
			{rep, "lost " + words + " nothing", ""},
			{rep, "update " + words + " nothing", ""},
			{rep, words, "I don't know"},
			{mia, "team timezone " + words, "is not one I know"},
			{mia, "team framework " + words, "is not a framework I know"},
			{mia, "quota " + mention(rep) + " " + words, ""},
			{mia, "quota " + mention(rep) + " 100k " + words, ""},
		} {
			if c.want == "" {
				h.slash(c.user, c.text)
				continue
			}
			h.slashAnswered(c.user, c.text, c.want)
		}
		dmSay(t, h, words)
	}
	h.slashAnswered(rep, "lessons done", "No shared lesson") // every earlier reply is in
	h.slashAnswered(mia, "team framework none", "is not a framework I know")

	for _, call := range h.sim.Calls() {
		var texts []string
		if len(call.Body) > 0 {
			var doc any
			_ = json.Unmarshal(call.Body, &doc)
			texts = parsedTexts(doc)
		}
		texts = append(texts, call.Params.Get("text"))
		for _, param := range []string{"blocks", "view"} {
			var doc any
			if json.Unmarshal([]byte(call.Params.Get(param)), &doc) == nil {
				texts = append(texts, parsedTexts(doc)...)
			}
		}
		for _, text := range texts {
			for _, bad := range hostileTyped {
				if strings.Contains(text, bad) {
					t.Errorf("%s sent typed %s raw: %q", call.Method, bad, text)
				}
			}
		}
	}
}

// parsedTexts returns every string of a payload Slack parses as mrkdwn: the
// text of mrkdwn text objects and a message's fallback text.
func parsedTexts(doc any) []string {
	var out []string
	var walk func(v any, top bool)
	walk = func(v any, top bool) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["text"].(string); ok && (top || v["type"] == "mrkdwn") {
				out = append(out, s)
			}
			for _, x := range v {
				walk(x, false)
			}
		case []any:
			for _, x := range v {
				walk(x, false)
			}
		}
	}
	walk(doc, true)
	return out
}
