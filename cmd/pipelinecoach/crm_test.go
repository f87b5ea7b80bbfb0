package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"pipelinecoach/crm/hubspotsim"
)

func crmEnv(t *testing.T, sim *hubspotsim.Server, overrides map[string]string) {
	t.Helper()
	env := with(map[string]string{"REDIS_URL": "-", "DATA_DIR": t.TempDir(), "HTTP_ADDR": "127.0.0.1:0",
		"CRM": "hubspot", "HUBSPOT_TOKEN": hubspotsim.Token, "HUBSPOT_API_URL": sim.URL()})
	for k, v := range overrides {
		env[k] = v
	}
	setEnv(t, env)
	for _, k := range []string{"HUBSPOT_TOKEN_FILE", "HUBSPOT_PIPELINE", "CRM_STAGE_OPEN", "CRM_STAGE_WON", "CRM_STAGE_LOST", "CRM_PULL",
		"SALESFORCE_URL", "SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET", "SALESFORCE_CLIENT_SECRET_FILE"} {
		if _, set := env[k]; !set {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func TestUnknownStageStopsTheBotNamingTheVariable(t *testing.T) {
	sim, err := hubspotsim.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	crmEnv(t, sim, map[string]string{"CRM_STAGE_WON": "Signed"})
	var stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if code := run(ctx, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr.String())
	}
	out := strings.TrimSpace(stderr.String())
	if strings.Count(out, "\n") != 0 || !strings.Contains(out, `CRM_STAGE_WON="Signed"`) || !strings.Contains(out, "Closed Won (closedwon)") {
		t.Errorf("stderr %q: want one line naming CRM_STAGE_WON and the stages there are", out)
	}
}

func TestCRMConfig(t *testing.T) {
	sim, err := hubspotsim.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CRM": "pipedrive"}, "CRM: \"pipedrive\" is not hubspot or salesforce"},
		{map[string]string{"HUBSPOT_TOKEN": ""}, "HUBSPOT_TOKEN: is not set"},
		{map[string]string{"CRM_PULL": "10s"}, "CRM_PULL: 10s is too short"},
		{map[string]string{"CRM": "salesforce", "SALESFORCE_URL": "acme.my.salesforce.com"}, "SALESFORCE_URL:"},
	} {
		crmEnv(t, sim, tc.env)
		_, err := loadConfig()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v, want %q", tc.env, err, tc.want)
		}
	}
}

func TestCRMSetupCreatesTheProperties(t *testing.T) {
	sim, err := hubspotsim.Start(hubspotsim.WithoutIDProperty())
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	crmEnv(t, sim, nil)
	var stdout, stderr bytes.Buffer
	code, _ := subcommand(context.Background(), []string{"crm", "setup"}, &stdout, &stderr)
	if code != 0 || !sim.HasProperty("pipelinecoach_id") || !sim.HasProperty("pipelinecoach_second_meeting") {
		t.Fatalf("exit %d, properties there: %v; stdout:\n%s\nstderr:\n%s", code, sim.HasProperty("pipelinecoach_id"), stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "created  deal property pipelinecoach_id") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
}
