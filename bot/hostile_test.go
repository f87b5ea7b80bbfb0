package bot_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestHostileNamesNeverPingOrLink: what a rep types as an account name is
// escaped wherever the bot echoes it, so a broadcast, a mention or a link
// typed as a name stays text.
func TestHostileNamesNeverPingOrLink(t *testing.T) {
	h := newHarness(t)
	name := "<!channel> & <@U0OMAR> <https://evil.example|Acme>"
	h.slash(rep, "log "+name+" today 10:00")
	m := h.reply(rep, "Logged a first meeting with")
	h.at(berlinAt(25, 11, 15))
	q := h.waitFor(h.sim.DMChannel(rep), "Did you book a second meeting")
	h.slash(rep, "won "+name)
	n := h.reply(rep, "isn't an opportunity yet")
	for _, msg := range []string{m.AllText(), q.AllText(), n.AllText()} {
		for _, raw := range []string{"<!channel>", "<@U0OMAR>", "<https://"} {
			if strings.Contains(msg, raw) {
				t.Errorf("%q reached Slack unescaped in:\n%s", raw, msg)
			}
		}
	}
	if !strings.Contains(m.AllText(), "&lt;!channel&gt; &amp; &lt;@U0OMAR&gt;") {
		t.Errorf("the name is not shown escaped:\n%s", m.AllText())
	}
}

// TestBrokenEnvelopesAreAckedAndIgnored: unknown envelope types and
// payloads slack-go cannot read are acked (so Slack does not send them
// again), logged, and never stop the bot.
func TestBrokenEnvelopesAreAckedAndIgnored(t *testing.T) {
	h := newHarness(t)
	cases := []struct{ typ, payload string }{
		{"brand_new_type", `{"anything":true}`},
		{"slash_commands", `[1,2,3]`},
		{"interactive", `{"type":"block_actions","actions":"not a list","user":7}`},
		{"interactive", `{"type":"view_submission","view":{"state":{"values":"nope"}}}`},
		{"events_api", `{"type":"event_callback","event":42}`},
		{"events_api", `{"type":"event_callback","event":{"type":"made_up_event"}}`},
		{"events_api", `{"type":"event_callback","event_id":"Ev0BAD","event":{"type":"message","channel_type":"im","user":"U0RITA","text":null}}`},
		{"slash_commands", `{"command":"/pipeline","text":"help"}`}, // no user, team or response_url
		{"interactive", `null`},
	}
	for _, c := range cases {
		if _, err := h.send(c.typ, json.RawMessage(c.payload), 0); err != nil {
			t.Errorf("%s %s was not acked: %v", c.typ, c.payload, err)
		}
	}
	h.slash(rep, "frobnicate")
	h.reply(rep, "I don't know `/pipeline frobnicate`")
	if strings.Contains(h.logs.String(), "handler panicked") {
		t.Errorf("a broken envelope made a handler panic:\n%s", h.logs.String())
	}
}
