package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
)

// minimal is the least environment the bot starts with.
var minimal = map[string]string{
	"SLACK_APP_TOKEN": "xapp-1-A1-secret",
	"SLACK_BOT_TOKEN": "xoxb-1-secret",
	"REDIS_URL":       "redis://127.0.0.1:6379/0",
}

func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	for _, k := range []string{"SLACK_APP_TOKEN", "SLACK_APP_TOKEN_FILE", "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN_FILE",
		"SLACK_API_URL", "REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_CLUSTER", "REDIS_MIN_REPLICAS", "REDIS_WAIT_TIMEOUT", "LOG_LEVEL", "LOG_FORMAT", "PROMPT_DELAY", "MEETING_DURATION",
		"WORKING_HOURS", "WORKING_DAYS", "DEFAULT_TIMEZONE", "REMINDER_AFTER", "MAX_REMINDERS", "ADMIN_USER_IDS",
		"HTTP_ADDR", "WORKERS", "CELEBRATION_CHANNEL", "DATA_DIR", "JOB_LEASE", "HOLIDAYS", "QUALIFICATION_FRAMEWORK", "MAX_NUDGES_PER_DAY",
		"GOOGLE_CREDENTIALS_FILE", "GOOGLE_CALENDAR_API_URL", "MS_TENANT_ID", "MS_CLIENT_ID", "MS_CLIENT_SECRET", "MS_CLIENT_SECRET_FILE",
		"MS_GRAPH_URL", "MS_LOGIN_URL", "CALENDAR_POLL", "CALENDAR_LOOKBACK", "INTERNAL_DOMAINS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

func with(overrides map[string]string) map[string]string {
	env := map[string]string{}
	for k, v := range minimal {
		env[k] = v
	}
	for k, v := range overrides {
		if v == "-" {
			delete(env, k)
			continue
		}
		env[k] = v
	}
	return env
}

func TestConfigDefaults(t *testing.T) {
	setEnv(t, minimal)
	c, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if c.SlackAPIURL != "https://slack.com/api/" || c.RedisKeyPrefix != "pipelinecoach" || c.LogFormat != "json" || c.HTTPAddr != "127.0.0.1:8080" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.timing.PromptDelay != 30*time.Minute || c.timing.MeetingDuration != 45*time.Minute ||
		c.timing.ReminderAfter != (coach.Wait{WorkingDays: 2}) || c.timing.MaxReminders != 2 ||
		c.timing.WorkingHours != coach.DefaultWorkingHours {
		t.Fatalf("timing defaults: %+v", c.timing)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{with(map[string]string{"SLACK_APP_TOKEN": "-"}), "SLACK_APP_TOKEN: is not set"},
		{with(map[string]string{"SLACK_APP_TOKEN": "xoxb-wrong"}), "SLACK_APP_TOKEN: must be an app-level token"},
		{with(map[string]string{"SLACK_BOT_TOKEN": "-"}), "SLACK_BOT_TOKEN: is not set"},
		{with(map[string]string{"REDIS_URL": "-", "DATA_DIR": ""}), "DATA_DIR: is empty"},
		{with(map[string]string{"PROMPT_DELAY": "soon"}), `PROMPT_DELAY: "soon" is not a valid duration`},
		{with(map[string]string{"MAX_REMINDERS": "two"}), `MAX_REMINDERS: "two" is not a valid whole number`},
		{with(map[string]string{"WORKING_HOURS": "9-5"}), "WORKING_HOURS:"},
		{with(map[string]string{"WORKING_DAYS": "Funday"}), "WORKING_DAYS:"},
		{with(map[string]string{"DEFAULT_TIMEZONE": "Mars/Olympus"}), "DEFAULT_TIMEZONE:"},
		{with(map[string]string{"REMINDER_AFTER": "whenever"}), "REMINDER_AFTER:"},
		{with(map[string]string{"LOG_LEVEL": "loud"}), "LOG_LEVEL:"},
		{with(map[string]string{"LOG_FORMAT": "xml"}), "LOG_FORMAT:"},
		{with(map[string]string{"SLACK_API_URL": "slack.com"}), "SLACK_API_URL:"},
		{with(map[string]string{"CELEBRATION_CHANNEL": "#wins"}), "CELEBRATION_CHANNEL:"},
		{with(map[string]string{"ADMIN_USER_IDS": "U123ABC,bob"}), "ADMIN_USER_IDS:"},
		{with(map[string]string{"HOLIDAYS": "2026-12-24,Christmas"}), "HOLIDAYS:"},
		{with(map[string]string{"QUALIFICATION_FRAMEWORK": "vibes"}), "QUALIFICATION_FRAMEWORK:"},
		{with(map[string]string{"MAX_NUDGES_PER_DAY": "-1"}), "MAX_NUDGES_PER_DAY:"},
		{with(map[string]string{"DEFAULT_CURRENCY": "euro"}), "DEFAULT_CURRENCY:"},
		{with(map[string]string{"NUMBER_STYLE": "roman"}), "NUMBER_STYLE:"},
		{with(map[string]string{"SLACK_BOT_TOKEN_FILE": "/nonexistent/token"}), "SLACK_BOT_TOKEN: is set both"},
		{with(map[string]string{"REDIS_CLUSTER": "yes please"}), `REDIS_CLUSTER: "yes please" is not a valid boolean`},
		{with(map[string]string{"REDIS_URL": "-", "REDIS_CLUSTER": "true"}), "REDIS_CLUSTER: is true but REDIS_URL is not set"},
		{with(map[string]string{"REDIS_MIN_REPLICAS": "-1"}), "REDIS_MIN_REPLICAS: cannot be negative"},
		{with(map[string]string{"REDIS_URL": "-", "REDIS_MIN_REPLICAS": "1"}), "REDIS_MIN_REPLICAS: is set but REDIS_URL is not"},
		{with(map[string]string{"REDIS_WAIT_TIMEOUT": "5s"}), "REDIS_WAIT_TIMEOUT: 5s must be between 1ms and 2s"},
		{with(map[string]string{"SLACK_BOT_TOKEN": "-", "SLACK_BOT_TOKEN_FILE": "/nonexistent/token"}), "SLACK_BOT_TOKEN_FILE: cannot read"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			setEnv(t, tc.env)
			_, err := loadConfig()
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to start with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error %q shows a token", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is more than one line", err)
			}
		})
	}
}

func TestTokensFromFiles(t *testing.T) {
	dir := t.TempDir()
	app, botTok := filepath.Join(dir, "app"), filepath.Join(dir, "bot")
	os.WriteFile(app, []byte("xapp-from-file\n"), 0o600)
	os.WriteFile(botTok, []byte("xoxb-from-file\n"), 0o600)
	setEnv(t, with(map[string]string{"SLACK_APP_TOKEN": "-", "SLACK_BOT_TOKEN": "-", "SLACK_APP_TOKEN_FILE": app, "SLACK_BOT_TOKEN_FILE": botTok,
		"SLACK_API_URL": "http://127.0.0.1:1/api"}))
	c, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if c.SlackAppToken != "xapp-from-file" || c.SlackBotToken != "xoxb-from-file" {
		t.Fatalf("tokens from files: %q %q", c.SlackAppToken, c.SlackBotToken)
	}
	if c.SlackAPIURL != "http://127.0.0.1:1/api/" {
		t.Fatalf("SLACK_API_URL not normalised to end in /: %q", c.SlackAPIURL)
	}
}

func TestBadConfigExitsTwoWithOneLine(t *testing.T) {
	setEnv(t, with(map[string]string{"WORKING_DAYS": "Funday"}))
	var stderr bytes.Buffer
	if code := run(context.Background(), &stderr); code != 2 {
		t.Fatalf("exit status %d, want 2", code)
	}
	if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n"); lines != 0 || !strings.Contains(stderr.String(), "WORKING_DAYS") {
		t.Fatalf("stderr %q, want one line naming WORKING_DAYS", stderr.String())
	}
}
