package command

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones for the tests, whatever the machine has
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		name Name
		args string
	}{
		{"", Mine, ""},
		{"   ", Mine, ""},
		{"\n\t", Mine, ""},
		{"mine", Mine, ""},
		{"MINE", Mine, ""},
		{"list", Mine, ""},
		{"pipeline", Mine, ""},
		{"help", Help, ""},
		{"?", Help, ""},
		{"Help me", Help, "me"},
		{"log Acme Corp tomorrow 10am with Jane Doe", Log, "Acme Corp tomorrow 10am with Jane Doe"},
		{"  LOG   Acme  Corp  ", Log, "Acme  Corp"},
		{"log\tAcme", Log, "Acme"},
		{"log\nAcme\nCorp", Log, "Acme\nCorp"},
		{"won Acme", Won, "Acme"},
		{"lost Acme", Lost, "Acme"},
		{"update Acme", Update, "Acme"},
		{"cleanup", Cleanup, ""},
		{"lessons pricing early", Lessons, "pricing early"},
		{"team", Team, ""},
		{"quota <@U123|jane> $250k", Quota, "<@U123|jane> $250k"},
		{"digest", Digest, ""},
		{"settings", Settings, ""},
		{"admin set-manager <@U1> <@U2>", Admin, "set-manager <@U1> <@U2>"},
		{"Won AT&amp;T", Won, "AT&amp;T"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if want := (Command{tt.name, tt.args}); got != want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, want)
		}
	}
}

func TestParseUnknown(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"foo", `unknown subcommand "foo"`},
		{"Foo bar", `unknown subcommand "Foo"`},
		{"logs Acme", `unknown subcommand "logs"`},
		{"mine?", `unknown subcommand "mine?"`},
		{"??", `unknown subcommand "??"`},
		{strings.Repeat("x", 100), `unknown subcommand "` + strings.Repeat("x", 40) + `…"`},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", tt.in, got)
			continue
		}
		if !errors.Is(err, ErrUnknown) {
			t.Errorf("Parse(%q): %v does not wrap ErrUnknown", tt.in, err)
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q): %q, want %q", tt.in, err, tt.want)
		}
	}
}

func TestParseLog(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, berlin) // a Wednesday
	const layout = "2006-01-02 15:04 -0700"
	tests := []struct {
		in               string
		account, contact string
		when             string // layout; "" for none
	}{
		{"Acme Corp tomorrow 10am with Jane Doe", "Acme Corp", "Jane Doe", "2026-11-26 10:00 +0100"},
		{"Acme", "Acme", "", ""},
		{"with Jane", "", "Jane", ""},
		{"With Jane", "", "Jane", ""},
		{"", "", "", ""},
		{"   ", "", "", ""},
		{"Acme  Corp", "Acme Corp", "", ""},
		{"Acme tomorrow 10am", "Acme", "", "2026-11-26 10:00 +0100"},
		{"Acme Corp with Jane Doe", "Acme Corp", "Jane Doe", ""},
		{"tomorrow 10am", "", "", "2026-11-26 10:00 +0100"},
		{"tomorrow 10am with Jane", "", "Jane", "2026-11-26 10:00 +0100"},
		{"Monday.com", "Monday.com", "", ""},
		{"Monday.com mon 9am", "Monday.com", "", "2026-11-30 09:00 +0100"},
		{"Next Inc", "Next Inc", "", ""},
		{"Next Inc next tue 10am", "Next Inc", "", "2026-12-01 10:00 +0100"},
		{"Next Inc tue 10am", "Next Inc", "", "2026-12-01 10:00 +0100"},
		{"Acme next", "Acme next", "", ""},
		{"Acme 2026", "Acme 2026", "", ""},
		{"Acme 25:00", "Acme 25:00", "", ""},
		{"Acme yesterday 3pm", "Acme", "", "2026-11-24 15:00 +0100"},
		{"Acme 2026-12-01 14:30 with Jane", "Acme", "Jane", "2026-12-01 14:30 +0100"},
		{"Acme on dec 1st at 2pm", "Acme", "", "2026-12-01 14:00 +0100"},
		{"Acme at noon", "Acme", "", "2026-11-25 12:00 +0100"},
		{"Acme today", "Acme", "", "2026-11-25 09:00 +0100"},
		{"Acme in 3 days", "Acme", "", "2026-11-28 10:00 +0100"},
		{"Bank with Heart with Jane", "Bank with Heart", "Jane", ""},
		{"Smith Withers", "Smith Withers", "", ""},
		{"Acme WITH jane doe", "Acme", "jane doe", ""},
		{"Acme with", "Acme", "", ""},
		{"Acme with Jane tomorrow 10am", "Acme", "Jane", "2026-11-26 10:00 +0100"},
		{"Acme with tomorrow", "Acme", "tomorrow", ""},
		{"AT&amp;T tomorrow 2pm with Ann &lt;CEO&gt;", "AT&T", "Ann <CEO>", "2026-11-26 14:00 +0100"},
		{"Acme 12/01 14:30", "Acme 12/01", "", "2026-11-25 14:30 +0100"},
	}
	strays := map[string]string{"Acme 12/01 14:30": "12/01", "Acme 3pm tomorrow 10am": "3pm", "Acme thu tomorrow 10am": "thu"}
	for in, stray := range strays {
		if got := ParseLog(in, now, berlin); got.Stray != stray {
			t.Errorf("ParseLog(%q).Stray = %q, want %q", in, got.Stray, stray)
		}
	}
	for _, tt := range tests {
		got := ParseLog(tt.in, now, berlin)
		if _, ok := strays[tt.in]; !ok && got.Stray != "" {
			t.Errorf("ParseLog(%q).Stray = %q, want none", tt.in, got.Stray)
		}
		if got.Account != tt.account || got.Contact != tt.contact {
			t.Errorf("ParseLog(%q) = account %q, contact %q; want %q, %q", tt.in, got.Account, got.Contact, tt.account, tt.contact)
		}
		switch {
		case tt.when == "" && got.HasWhen:
			t.Errorf("ParseLog(%q).When = %s, want none", tt.in, got.When.Format(layout))
		case tt.when != "" && !got.HasWhen:
			t.Errorf("ParseLog(%q) has no When, want %s", tt.in, tt.when)
		case tt.when != "" && got.When.Format(layout) != tt.when:
			t.Errorf("ParseLog(%q).When = %s, want %s", tt.in, got.When.Format(layout), tt.when)
		}
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		in             string
		users, channel []string
	}{
		{"", nil, nil},
		{"no mentions here", nil, nil},
		{"<@U123|jane>", []string{"U123"}, nil},
		{"<@U123>", []string{"U123"}, nil},
		{"<#C123|sales>", nil, []string{"C123"}},
		{"<#C123>", nil, []string{"C123"}},
		{"<#C123|>", nil, []string{"C123"}},
		{"quota <@U123|jane> $250k", []string{"U123"}, nil},
		{"<@U1|a> and <@W2|b> and <@U1>", []string{"U1", "W2"}, nil},
		{"post to <#C1|sales> and <#G2|private>, cc <@U9>", []string{"U9"}, []string{"C1", "G2"}},
		{"<@u123>", nil, nil},
		{"<@123>", nil, nil},
		{"<@U>", nil, nil},
		{"<@U123", nil, nil},
		{"<@U123|jane", nil, nil},
		{"<@U1 2>", nil, nil},
		{"<@<@U5>", []string{"U5"}, nil},
		{"<@U1|<@U2>", []string{"U2"}, nil},
		{"&lt;@U123&gt;", nil, nil}, // typed, not a mention
		{"<!here> <!subteam^S1|team>", nil, nil},
		{"<https://x.test|<@U1>>", []string{"U1"}, nil},
		{"@jane #sales", nil, nil},
	}
	for _, tt := range tests {
		if got := UserIDs(tt.in); !reflect.DeepEqual(got, tt.users) {
			t.Errorf("UserIDs(%q) = %q, want %q", tt.in, got, tt.users)
		}
		if got := ChannelIDs(tt.in); !reflect.DeepEqual(got, tt.channel) {
			t.Errorf("ChannelIDs(%q) = %q, want %q", tt.in, got, tt.channel)
		}
	}
}

func TestUnescape(t *testing.T) {
	for in, want := range map[string]string{
		"AT&amp;T":       "AT&T",
		"a &lt;b&gt; c":  "a <b> c",
		"&amp;lt;":       "&lt;",
		"plain":          "plain",
		"&amp;&amp;&gt;": "&&>",
	} {
		if got := Unescape(in); got != want {
			t.Errorf("Unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
