package command

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzParse: the slash-command parser and the mention readers of `/pipeline
// team` never panic, stay fast on any text, and keep their contracts: a
// known first word gives its subcommand with the rest trimmed, anything
// else ErrUnknown quoting at most 40 characters of it; mentions are valid
// ids found in the text, each once.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "help", "LOG Acme tomorrow 10am", "  won   acme corp  ", "team add <@U0RITA|rita> <@U0OMAR>",
		"team channel <#C0SALES|sales>", "quota 100k", "<!channel>", "frobnicate" + strings.Repeat("x", 100),
		"lessons &lt;b&gt;", "team add <@U0RITA <@> <@u0bad|x> <@U0RITA>", "\u00a0help\u2003x", "log \xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		start := time.Now()
		c, err := Parse(text)
		users, channels := UserIDs(text), ChannelIDs(text)
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Fatalf("Parse and mentions of %d bytes took %s", len(text), d)
		}
		if err != nil {
			if !errors.Is(err, ErrUnknown) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrUnknown", text, err)
			}
			if c != (Command{}) {
				t.Fatalf("Parse(%q) = %+v with an error", text, c)
			}
			// 40 runes and an ellipsis, each at most 10 bytes once quoted.
			if q := strings.TrimPrefix(err.Error(), ErrUnknown.Error()+" "); len(q) > 2+10*41 {
				t.Fatalf("Parse(%q) error quotes too much: %q", text, q)
			}
		} else {
			if c.Name == "" {
				t.Fatalf("Parse(%q) gave no subcommand", text)
			}
			if c.Args != strings.TrimSpace(c.Args) || !strings.Contains(text, c.Args) {
				t.Fatalf("Parse(%q).Args = %q: not the trimmed rest", text, c.Args)
			}
		}
		for _, ids := range [][]string{users, channels} {
			seen := map[string]bool{}
			for _, id := range ids {
				if !validID(id) || !strings.Contains(text, id) || seen[id] {
					t.Fatalf("mentions of %q: bad or repeated id %q in %q", text, id, ids)
				}
				seen[id] = true
			}
			if slices.Contains(ids, "") {
				t.Fatalf("mentions of %q: empty id", text)
			}
		}
	})
}
