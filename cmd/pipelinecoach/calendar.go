package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"time"

	"pipelinecoach/calendar/google"
	"pipelinecoach/calendar/microsoft"
	"pipelinecoach/coach"
)

// CalendarEnv (exported: envconfig fills only exported fields) is the configuration of calendar reading. Both providers are
// optional; with neither, first meetings are logged by hand only.
type CalendarEnv struct {
	GoogleCredentialsFile string   `envconfig:"GOOGLE_CREDENTIALS_FILE"`
	GoogleCalendarAPIURL  string   `envconfig:"GOOGLE_CALENDAR_API_URL" default:"https://www.googleapis.com/calendar/v3/"`
	MSTenantID            string   `envconfig:"MS_TENANT_ID"`
	MSClientID            string   `envconfig:"MS_CLIENT_ID"`
	MSClientSecret        string   `envconfig:"MS_CLIENT_SECRET"`
	MSClientSecretFile    string   `envconfig:"MS_CLIENT_SECRET_FILE"`
	MSGraphURL            string   `envconfig:"MS_GRAPH_URL" default:"https://graph.microsoft.com/v1.0/"`
	MSLoginURL            string   `envconfig:"MS_LOGIN_URL" default:"https://login.microsoftonline.com/"`
	CalendarPoll          string   `envconfig:"CALENDAR_POLL" default:"2m"`
	CalendarLookback      string   `envconfig:"CALENDAR_LOOKBACK" default:"180d"`
	InternalDomains       []string `envconfig:"INTERNAL_DOMAINS"`

	googleKey      []byte
	poll, lookback time.Duration
	googleOn, msOn bool
	msSecret       string
}

// checkCalendar checks the calendar settings and reads the key files.
func (c *config) checkCalendar() error {
	e := &c.CalendarEnv
	var err error
	if e.poll, err = parseSpan(e.CalendarPoll); err != nil || e.poll < time.Second {
		return bad("CALENDAR_POLL", "%q is not a duration of at least 1s (like 2m)", e.CalendarPoll)
	}
	if e.lookback, err = parseSpan(e.CalendarLookback); err != nil || e.lookback < 24*time.Hour {
		return bad("CALENDAR_LOOKBACK", "%q is not a span of at least a day (like 180d or 2160h)", e.CalendarLookback)
	}
	for i, d := range e.InternalDomains {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d == "" || strings.ContainsAny(d, "@/ ") || !strings.Contains(d, ".") {
			return bad("INTERNAL_DOMAINS", "%q is not a mail domain (like ourco.com)", e.InternalDomains[i])
		}
		e.InternalDomains[i] = d
	}
	if e.GoogleCredentialsFile != "" {
		if e.googleKey, err = os.ReadFile(e.GoogleCredentialsFile); err != nil {
			return bad("GOOGLE_CREDENTIALS_FILE", "cannot read %s: %v", e.GoogleCredentialsFile, errors.Unwrap(err))
		}
		if _, err := google.New(e.googleKey, e.GoogleCalendarAPIURL, nil); err != nil {
			return bad("GOOGLE_CREDENTIALS_FILE", "%s is not a service account key (Google Cloud console → IAM → Service accounts → Keys → Add key → JSON): %v",
				e.GoogleCredentialsFile, errors.Unwrap(err))
		}
		e.googleOn = true
	}
	if err := checkURL("GOOGLE_CALENDAR_API_URL", &e.GoogleCalendarAPIURL); err != nil {
		return err
	}
	ms := e.MSTenantID != "" || e.MSClientID != "" || e.MSClientSecret != "" || e.MSClientSecretFile != ""
	if ms {
		switch {
		case e.MSTenantID == "":
			return bad("MS_TENANT_ID", "is not set: the Directory (tenant) ID of the app registration in Entra ID")
		case e.MSClientID == "":
			return bad("MS_CLIENT_ID", "is not set: the Application (client) ID of the app registration in Entra ID")
		}
		if e.msSecret, err = msSecret(e.MSClientSecret, e.MSClientSecretFile); err != nil {
			return err
		}
		e.msOn = true
	}
	if err := checkURL("MS_GRAPH_URL", &e.MSGraphURL); err != nil {
		return err
	}
	return checkURL("MS_LOGIN_URL", &e.MSLoginURL)
}

func msSecret(value, file string) (string, error) {
	if file != "" {
		if value != "" {
			return "", bad("MS_CLIENT_SECRET", "is set both directly and through MS_CLIENT_SECRET_FILE; keep one")
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			return "", bad("MS_CLIENT_SECRET_FILE", "cannot read %s: %v", file, errors.Unwrap(err))
		}
		value = strings.TrimSpace(string(raw))
	}
	if value == "" {
		return "", bad("MS_CLIENT_SECRET", "is not set (or set MS_CLIENT_SECRET_FILE): a client secret of the app registration")
	}
	return value, nil
}

func checkURL(name string, u *string) error {
	if !strings.HasPrefix(*u, "http://") && !strings.HasPrefix(*u, "https://") {
		return bad(name, "%q must be an http(s) URL", *u)
	}
	if !strings.HasSuffix(*u, "/") {
		*u += "/"
	}
	return nil
}

// parseSpan reads a Go duration or whole days ("180d").
func parseSpan(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(strings.TrimSpace(s), "d"); ok {
		d, err := time.ParseDuration(days + "h")
		return d * 24, err
	}
	return time.ParseDuration(s)
}

// calendarSettings wires the configured providers; a zero Source when
// neither is set. where names them for the start line.
func (c config) calendarSettings(now func() time.Time) (s coach.CalendarSettings, where string) {
	e := c.CalendarEnv
	var sources []coach.CalendarSource
	var names []string
	hc := &http.Client{Timeout: 30 * time.Second}
	if e.googleOn {
		g, _ := google.New(e.googleKey, e.GoogleCalendarAPIURL, hc) // checked in checkCalendar
		sources, names = append(sources, g), append(names, "google")
	}
	if e.msOn {
		m := microsoft.New(microsoft.Config{Tenant: e.MSTenantID, ClientID: e.MSClientID, ClientSecret: e.msSecret,
			GraphURL: e.MSGraphURL, LoginURL: e.MSLoginURL}, hc, now)
		sources, names = append(sources, m), append(names, "microsoft")
	}
	if len(sources) == 0 {
		return coach.CalendarSettings{}, "off"
	}
	s = coach.CalendarSettings{Poll: e.poll, Lookback: e.lookback, Internal: e.InternalDomains, Source: sources[0]}
	if len(sources) == 2 {
		s.Source = eitherSource{sources[0], sources[1]}
	}
	return s, strings.Join(names, "+")
}

// eitherSource reads each mailbox from Google Workspace or, when Google
// does not know it, from Microsoft 365 (a company midway between the two).
// The cursor remembers which one answered.
type eitherSource [2]coach.CalendarSource

func (e eitherSource) Changes(ctx context.Context, mailbox, cursor string, since time.Time) (coach.CalendarChanges, error) {
	which, rest, _ := strings.Cut(cursor, ":")
	if cursor != "" && (which == "0" || which == "1") {
		i := int(which[0] - '0')
		ch, err := e[i].Changes(ctx, mailbox, rest, since)
		ch.Cursor = which + ":" + ch.Cursor
		return ch, err
	}
	ch, err := e[0].Changes(ctx, mailbox, "", since)
	if errors.Is(err, coach.ErrMailboxGone) {
		ch, err = e[1].Changes(ctx, mailbox, "", since)
		ch.Cursor = "1:" + ch.Cursor
		return ch, err
	}
	ch.Cursor = "0:" + ch.Cursor
	return ch, err
}
