package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pipelinecoach/calendar/google"
	"pipelinecoach/calendar/googlesim"
	"pipelinecoach/calendar/graphsim"
	"pipelinecoach/calendar/microsoft"
	"pipelinecoach/coach"
)

func TestCalendarConfig(t *testing.T) {
	setEnv(t, minimal)
	c, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if s, where := c.calendarSettings(time.Now); s.Source != nil || where != "off" {
		t.Fatalf("no calendar set: %v %q, want off", s.Source, where)
	}
	if c.poll != 2*time.Minute || c.lookback != 180*24*time.Hour {
		t.Fatalf("defaults: poll %v, lookback %v", c.poll, c.lookback)
	}

	sim := googlesim.New()
	defer sim.Close()
	key := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(key, sim.CredentialsJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	setEnv(t, with(map[string]string{"GOOGLE_CREDENTIALS_FILE": key, "MS_TENANT_ID": "t", "MS_CLIENT_ID": "c", "MS_CLIENT_SECRET_FILE": secret,
		"CALENDAR_POLL": "30s", "CALENDAR_LOOKBACK": "90d", "INTERNAL_DOMAINS": "OurCo.com, @ourco.de"}))
	c, err = loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	s, where := c.calendarSettings(time.Now)
	if where != "google+microsoft" || s.Poll != 30*time.Second || s.Lookback != 90*24*time.Hour ||
		strings.Join(s.Internal, ",") != "ourco.com,ourco.de" || c.msSecret != "s3cret" {
		t.Fatalf("settings: %+v %q", s, where)
	}
}

func TestCalendarConfigErrors(t *testing.T) {
	notKey := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(notKey, []byte(`{"type":"authorized_user"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CALENDAR_POLL": "0s"}, "CALENDAR_POLL"},
		{map[string]string{"CALENDAR_POLL": "often"}, "CALENDAR_POLL"},
		{map[string]string{"CALENDAR_LOOKBACK": "2h"}, "CALENDAR_LOOKBACK"},
		{map[string]string{"INTERNAL_DOMAINS": "jane@ourco.com"}, "INTERNAL_DOMAINS"},
		{map[string]string{"GOOGLE_CREDENTIALS_FILE": "/nonexistent/key.json"}, "GOOGLE_CREDENTIALS_FILE: cannot read"},
		{map[string]string{"GOOGLE_CREDENTIALS_FILE": notKey}, "is not a service account key"},
		{map[string]string{"GOOGLE_CALENDAR_API_URL": "www.googleapis.com"}, "GOOGLE_CALENDAR_API_URL"},
		{map[string]string{"MS_CLIENT_ID": "c", "MS_CLIENT_SECRET": "s"}, "MS_TENANT_ID"},
		{map[string]string{"MS_TENANT_ID": "t", "MS_CLIENT_SECRET": "s"}, "MS_CLIENT_ID"},
		{map[string]string{"MS_TENANT_ID": "t", "MS_CLIENT_ID": "c"}, "MS_CLIENT_SECRET: is not set"},
		{map[string]string{"MS_TENANT_ID": "t", "MS_CLIENT_ID": "c", "MS_CLIENT_SECRET": "s", "MS_CLIENT_SECRET_FILE": "/x"}, "both"},
	} {
		setEnv(t, with(c.env))
		_, err := loadConfig()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error naming %q", c.env, err, c.want)
		}
	}
}

// With both providers, a mailbox Google does not know is read from
// Microsoft 365, and stays there.
func TestEitherSource(t *testing.T) {
	gsim := googlesim.New()
	defer gsim.Close()
	msim := graphsim.New()
	defer msim.Close()
	gsim.AddUser("g@ourco.com")
	msim.AddUser("m@ourco.com")
	g, err := google.New(gsim.CredentialsJSON(), gsim.APIURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := microsoft.New(microsoft.Config{Tenant: graphsim.Tenant, ClientID: graphsim.ClientID, ClientSecret: graphsim.ClientSecret,
		GraphURL: msim.GraphURL(), LoginURL: msim.LoginURL()}, nil, time.Now)
	either := eitherSource{g, m}
	ctx := context.Background()
	since := time.Now().AddDate(0, -1, 0)
	for mailbox, prefix := range map[string]string{"g@ourco.com": "0:", "m@ourco.com": "1:"} {
		first, err := either.Changes(ctx, mailbox, "", since)
		if err != nil || !strings.HasPrefix(first.Cursor, prefix) {
			t.Fatalf("%s: cursor %q, %v", mailbox, first.Cursor, err)
		}
		msBefore := len(msim.Requests())
		gBefore := len(gsim.Requests())
		next, err := either.Changes(ctx, mailbox, first.Cursor, since)
		if err != nil || !strings.HasPrefix(next.Cursor, prefix) {
			t.Fatalf("%s: incremental cursor %q, %v", mailbox, next.Cursor, err)
		}
		if prefix == "1:" && len(gsim.Requests()) != gBefore {
			t.Errorf("an incremental read of a Microsoft mailbox asked Google")
		}
		if prefix == "0:" && len(msim.Requests()) != msBefore {
			t.Errorf("an incremental read of a Google mailbox asked Microsoft")
		}
	}
	if _, err := either.Changes(ctx, "nobody@ourco.com", "", since); !errors.Is(err, coach.ErrMailboxGone) {
		t.Fatalf("a mailbox neither knows: %v", err)
	}
}
