package main

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"
)

// TestManifest decodes manifest.yml strictly into slack-go's Manifest (no
// official schema exists) and checks what the bot depends on.
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("../../manifest.yml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var m slack.Manifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.yml does not decode strictly: %v", err)
	}
	checkLen := func(what, s string, max int) {
		if n := utf8.RuneCountInString(s); n == 0 || n > max {
			t.Errorf("%s is %d characters, want 1..%d", what, n, max)
		}
	}
	checkLen("display name", m.Display.Name, 35)
	checkLen("description", m.Display.Description, 140)
	checkLen("long description", m.Display.LongDescription, 4000)
	checkLen("bot display name", m.Features.BotUser.DisplayName, 80)
	if !regexp.MustCompile(`^[a-z0-9._-]+$`).MatchString(m.Features.BotUser.DisplayName) {
		t.Errorf("bot display name %q has characters Slack refuses", m.Features.BotUser.DisplayName)
	}
	if !m.Settings.SocketModeEnabled || !m.Settings.Interactivity.IsEnabled {
		t.Error("socket mode and interactivity must be on")
	}
	if !m.Features.AppHome.HomeTabEnabled || !m.Features.AppHome.MessagesTabEnabled || m.Features.AppHome.MessagesTabReadOnlyEnabled {
		t.Error("App Home needs the home tab and a writable messages tab, so reps can reply")
	}
	for _, ev := range []string{"app_home_opened", "message.im", "team_join", "user_change"} {
		if !slices.Contains(m.Settings.EventSubscriptions.BotEvents, ev) {
			t.Errorf("bot event %s missing", ev)
		}
	}
	for _, scope := range []string{"chat:write", "commands", "im:history", "im:write", "users:read", "users:read.email"} {
		if !slices.Contains(m.OAuthConfig.Scopes.Bot, scope) {
			t.Errorf("bot scope %s missing", scope)
		}
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/pipeline" || !m.Features.SlashCommands[0].ShouldEscape {
		t.Errorf("want one /pipeline command with should_escape true, got %+v", m.Features.SlashCommands)
	}
}
