package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// config is every setting, read from the environment only here.
type config struct {
	SlackAppToken     string        `envconfig:"SLACK_APP_TOKEN"`
	SlackAppTokenFile string        `envconfig:"SLACK_APP_TOKEN_FILE"`
	SlackBotToken     string        `envconfig:"SLACK_BOT_TOKEN"`
	SlackBotTokenFile string        `envconfig:"SLACK_BOT_TOKEN_FILE"`
	SlackAPIURL       string        `envconfig:"SLACK_API_URL" default:"https://slack.com/api/"`
	RedisURL          string        `envconfig:"REDIS_URL"`
	DataDir           string        `envconfig:"DATA_DIR" default:"./data"`
	RedisKeyPrefix    string        `envconfig:"REDIS_KEY_PREFIX" default:"pipelinecoach"`
	RedisCluster      bool          `envconfig:"REDIS_CLUSTER"`
	RedisMinReplicas  int           `envconfig:"REDIS_MIN_REPLICAS" default:"0"`
	RedisWaitTimeout  time.Duration `envconfig:"REDIS_WAIT_TIMEOUT" default:"500ms"`
	LogLevel          string        `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat         string        `envconfig:"LOG_FORMAT" default:"json"`
	PromptDelay       time.Duration `envconfig:"PROMPT_DELAY" default:"30m"`
	MeetingDuration   time.Duration `envconfig:"MEETING_DURATION" default:"45m"`
	WorkingHours      string        `envconfig:"WORKING_HOURS" default:"09:00-18:00"`
	WorkingDays       string        `envconfig:"WORKING_DAYS" default:"Mon-Fri"`
	DefaultTimezone   string        `envconfig:"DEFAULT_TIMEZONE" default:"UTC"`
	ReminderAfter     string        `envconfig:"REMINDER_AFTER" default:"2d"`
	MaxReminders      int           `envconfig:"MAX_REMINDERS" default:"2"`
	AdminUserIDs      []string      `envconfig:"ADMIN_USER_IDS"`
	CelebrationChan   string        `envconfig:"CELEBRATION_CHANNEL"`
	Holidays          string        `envconfig:"HOLIDAYS"`
	Framework         string        `envconfig:"QUALIFICATION_FRAMEWORK" default:"bant"`
	DefaultCurrency   string        `envconfig:"DEFAULT_CURRENCY"`
	NumberStyle       string        `envconfig:"NUMBER_STYLE"`
	MaxNudgesPerDay   int           `envconfig:"MAX_NUDGES_PER_DAY" default:"3"`
	HTTPAddr          string        `envconfig:"HTTP_ADDR" default:"127.0.0.1:8080"`
	Workers           int           `envconfig:"WORKERS" default:"16"`
	JobLease          time.Duration `envconfig:"JOB_LEASE" default:"1m"`
	CRMConfig
	CalendarEnv

	timing   coach.Timing
	holidays []string
}

// configError is one line naming the variable and what is wrong with it.
type configError struct{ msg string }

func (e configError) Error() string { return e.msg }

func bad(variable, format string, args ...any) error {
	return configError{variable + ": " + fmt.Sprintf(format, args...)}
}

// loadConfig reads and checks the environment.
func loadConfig() (config, error) {
	var c config
	if err := readEnv(&c); err != nil {
		return c, err
	}
	return c, c.check()
}

// readEnv fills spec from the environment; a value that does not fit its
// variable is named with the variable.
func readEnv(spec any) error {
	err := envconfig.Process("", spec)
	var perr *envconfig.ParseError
	if errors.As(err, &perr) {
		return bad(perr.KeyName, "%q is not a valid %s", perr.Value, kindOf(perr.TypeName))
	}
	if err != nil {
		return configError{err.Error()}
	}
	return nil
}

func kindOf(typeName string) string {
	switch typeName {
	case "Duration", "time.Duration":
		return "duration (like 30m or 1h30m)"
	case "int":
		return "whole number"
	case "bool":
		return "boolean (true or false)"
	}
	return typeName
}

// check reads the settings group by group, in the order the variables are
// documented, and stops at the first that is wrong: the operator fixes one
// line and starts again.
func (c *config) check() error {
	if err := c.checkSlack(); err != nil {
		return err
	}
	if err := c.checkStore(); err != nil {
		return err
	}
	if err := c.checkLog(); err != nil {
		return err
	}
	timing, err := c.checkTiming()
	if err != nil {
		return err
	}
	for _, check := range []func() error{c.checkTeam, c.checkNumbers, c.checkWork, c.CRMConfig.check, c.checkCalendar} {
		if err := check(); err != nil {
			return err
		}
	}
	c.timing = timing
	return nil
}

// checkSlack reads both tokens (directly or from their _FILE) and the Web
// API's address.
func (c *config) checkSlack() error {
	var err error
	if c.SlackAppToken, err = secret("SLACK_APP_TOKEN", c.SlackAppToken, c.SlackAppTokenFile); err != nil {
		return err
	}
	if c.SlackBotToken, err = secret("SLACK_BOT_TOKEN", c.SlackBotToken, c.SlackBotTokenFile); err != nil {
		return err
	}
	if !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		return bad("SLACK_APP_TOKEN", "must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)")
	}
	if !strings.HasPrefix(c.SlackBotToken, "xoxb-") {
		return bad("SLACK_BOT_TOKEN", "must be a bot token starting with xoxb- (OAuth & Permissions → Bot User OAuth Token)")
	}
	if !strings.HasPrefix(c.SlackAPIURL, "http://") && !strings.HasPrefix(c.SlackAPIURL, "https://") {
		return bad("SLACK_API_URL", "%q must be an http(s) URL", c.SlackAPIURL)
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/" // slack-go appends method names to it
	}
	return nil
}

// checkStore checks where the state is kept: the embedded store's
// directory, or Redis.
func (c *config) checkStore() error {
	if c.RedisURL == "" && c.DataDir == "" {
		return bad("DATA_DIR", "is empty: set it to a directory for the embedded store, or set REDIS_URL")
	}
	if c.RedisKeyPrefix == "" || strings.ContainsAny(c.RedisKeyPrefix, "{} ") {
		return bad("REDIS_KEY_PREFIX", "%q must be non-empty, without spaces or braces", c.RedisKeyPrefix)
	}
	return c.checkRedis()
}

func (c *config) checkLog() error {
	switch c.LogLevel {
	case "trace", "debug", "info", "warn", "error":
	default:
		return bad("LOG_LEVEL", "%q is not one of trace, debug, info, warn, error", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "console" {
		return bad("LOG_FORMAT", "%q is not json or console", c.LogFormat)
	}
	return nil
}

// checkTiming checks when prompts and reminders go out, and returns the
// timing they make (kept only once every setting is right).
func (c *config) checkTiming() (coach.Timing, error) {
	if c.PromptDelay < 0 {
		return coach.Timing{}, bad("PROMPT_DELAY", "cannot be negative")
	}
	if c.MeetingDuration <= 0 {
		return coach.Timing{}, bad("MEETING_DURATION", "must be positive")
	}
	wh, err := coach.ParseWorkingHours(c.WorkingHours, c.WorkingDays)
	if err != nil {
		name := "WORKING_HOURS"
		if strings.Contains(err.Error(), "working days") {
			name = "WORKING_DAYS"
		}
		return coach.Timing{}, bad(name, "%v", err)
	}
	if !coach.ValidZone(c.DefaultTimezone) {
		return coach.Timing{}, bad("DEFAULT_TIMEZONE", "%q is not a time zone (like Europe/Berlin or America/New_York)", c.DefaultTimezone)
	}
	wait, err := coach.ParseWait(c.ReminderAfter)
	if err != nil {
		return coach.Timing{}, bad("REMINDER_AFTER", "%v", err)
	}
	if c.MaxReminders < 0 {
		return coach.Timing{}, bad("MAX_REMINDERS", "cannot be negative")
	}
	return coach.Timing{PromptDelay: c.PromptDelay, MeetingDuration: c.MeetingDuration,
		WorkingHours: wh, ReminderAfter: wait, MaxReminders: c.MaxReminders}, nil
}

// checkTeam checks the workspace's people and days: the celebration
// channel, the admins, the holidays.
func (c *config) checkTeam() error {
	if c.CelebrationChan != "" && !validChannelID(c.CelebrationChan) {
		return bad("CELEBRATION_CHANNEL", "%q is not a channel id (like C0123ABCD: open the channel's details, the id is at the bottom)", c.CelebrationChan)
	}
	for _, id := range c.AdminUserIDs {
		if !strings.HasPrefix(id, "U") && !strings.HasPrefix(id, "W") {
			return bad("ADMIN_USER_IDS", "%q is not a Slack user id (like U0123ABCD)", id)
		}
	}
	var err error
	if c.holidays, err = coach.ParseHolidays(c.Holidays); err != nil {
		return bad("HOLIDAYS", "%v", err)
	}
	return nil
}

// checkNumbers checks the team defaults for deals: the qualification
// framework, the currency and how numbers are written, each normalised.
func (c *config) checkNumbers() error {
	if fw, ok := coach.FrameworkNamed(c.Framework); ok {
		c.Framework = fw.Name
	} else {
		return bad("QUALIFICATION_FRAMEWORK", "%q is not bant, meddicc or spiced", c.Framework)
	}
	if c.DefaultCurrency != "" {
		var err error
		if c.DefaultCurrency, err = coach.ParseCurrency(c.DefaultCurrency); err != nil {
			return bad("DEFAULT_CURRENCY", "%v", err)
		}
	}
	if c.NumberStyle != "" {
		style, ok := phrase.ParseStyle(c.NumberStyle)
		if !ok {
			return bad("NUMBER_STYLE", "%q is not a number style: write 1,234.56 or 1.234,56", c.NumberStyle)
		}
		c.NumberStyle = string(style)
	}
	return nil
}

// checkWork checks how much the bot sends and how it shares out its jobs.
func (c *config) checkWork() error {
	if c.MaxNudgesPerDay < 0 {
		return bad("MAX_NUDGES_PER_DAY", "cannot be negative")
	}
	if c.JobLease < time.Second {
		return bad("JOB_LEASE", "%v is too short: a claimed job needs at least 1s to be sent", c.JobLease)
	}
	if c.Workers < 1 {
		return bad("WORKERS", "must be at least 1")
	}
	return nil
}

// secret takes a token from its variable or from the file named by
// <VAR>_FILE (container secrets), never both.
func secret(name, value, file string) (string, error) {
	if file != "" {
		if value != "" {
			return "", bad(name, "is set both directly and through %s_FILE; keep one", name)
		}
		if looksLikeToken(file) {
			// Not echoed: a token put in the _FILE variable by mistake
			// must not land in the log.
			return "", bad(name+"_FILE", "holds a token, not the path of a file holding one: set %s instead, or write the token to a file", name)
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			return "", bad(name+"_FILE", "cannot read %s: %v", file, errors.Unwrap(err))
		}
		value = strings.TrimSpace(string(raw))
	}
	if value == "" {
		return "", bad(name, "is not set (or set %s_FILE to a file holding it)", name)
	}
	return value, nil
}

// looksLikeToken reports whether s starts like a Slack token (xoxb-,
// xoxp-, xapp-, …) rather than a path.
func looksLikeToken(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "xox") || strings.HasPrefix(s, "xapp-")
}

func validChannelID(id string) bool {
	if len(id) < 9 || (id[0] != 'C' && id[0] != 'G') {
		return false
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// maxRedisWait keeps a change's wait for replicas inside Slack's 3 s for
// acknowledging a modal, whose save it waits for.
const maxRedisWait = 2 * time.Second

func (c *config) checkRedis() error {
	if c.RedisURL == "" {
		switch {
		case c.RedisCluster:
			return bad("REDIS_CLUSTER", "is true but REDIS_URL is not set: set REDIS_URL to a node of the cluster")
		case c.RedisMinReplicas > 0:
			return bad("REDIS_MIN_REPLICAS", "is set but REDIS_URL is not: the embedded store has no replicas")
		}
	}
	if c.RedisMinReplicas < 0 {
		return bad("REDIS_MIN_REPLICAS", "cannot be negative")
	}
	if c.RedisWaitTimeout < time.Millisecond || c.RedisWaitTimeout > maxRedisWait {
		return bad("REDIS_WAIT_TIMEOUT", "%v must be between 1ms and %v: a form's save waits for it, and Slack gives a form 3s", c.RedisWaitTimeout, maxRedisWait)
	}
	return nil
}
