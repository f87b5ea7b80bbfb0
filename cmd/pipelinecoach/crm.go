package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/crm"
	"pipelinecoach/crm/hubspot"
)

// CRMConfig is the CRM's settings (CRM unset: no CRM).
type CRMConfig struct {
	CRM                        string        `envconfig:"CRM"`
	HubSpotToken               string        `envconfig:"HUBSPOT_TOKEN"`
	HubSpotTokenFile           string        `envconfig:"HUBSPOT_TOKEN_FILE"`
	HubSpotAPIURL              string        `envconfig:"HUBSPOT_API_URL" default:"https://api.hubapi.com/"`
	HubSpotPipeline            string        `envconfig:"HUBSPOT_PIPELINE"`
	SalesforceURL              string        `envconfig:"SALESFORCE_URL"`
	SalesforceClientID         string        `envconfig:"SALESFORCE_CLIENT_ID"`
	SalesforceClientSecret     string        `envconfig:"SALESFORCE_CLIENT_SECRET"`
	SalesforceClientSecretFile string        `envconfig:"SALESFORCE_CLIENT_SECRET_FILE"`
	StageOpen                  string        `envconfig:"CRM_STAGE_OPEN"`
	StageWon                   string        `envconfig:"CRM_STAGE_WON"`
	StageLost                  string        `envconfig:"CRM_STAGE_LOST"`
	Pull                       time.Duration `envconfig:"CRM_PULL" default:"1h"`
}

// loadCRMConfig reads only the CRM's settings (for `pipelinecoach crm`).
func loadCRMConfig() (CRMConfig, error) {
	var c CRMConfig
	if err := readEnv(&c); err != nil {
		return c, err
	}
	return c, c.check()
}

// check checks the CRM settings and fills the stage defaults of the CRM.
func (c *CRMConfig) check() error {
	var err error
	switch strings.ToLower(c.CRM) {
	case "":
		return nil
	case "hubspot":
		c.CRM = "hubspot"
		if c.HubSpotToken, err = secret("HUBSPOT_TOKEN", c.HubSpotToken, c.HubSpotTokenFile); err != nil {
			return err
		}
		if !strings.HasPrefix(c.HubSpotAPIURL, "http://") && !strings.HasPrefix(c.HubSpotAPIURL, "https://") {
			return bad("HUBSPOT_API_URL", "%q must be an http(s) URL", c.HubSpotAPIURL)
		}
		c.HubSpotPipeline = or(c.HubSpotPipeline, hubspot.DefaultPipeline)
		c.StageOpen = or(c.StageOpen, hubspot.DefaultStageOpen)
		c.StageWon = or(c.StageWon, hubspot.DefaultStageWon)
		c.StageLost = or(c.StageLost, hubspot.DefaultStageLost)
	case "salesforce":
		c.CRM = "salesforce"
		if !strings.HasPrefix(c.SalesforceURL, "https://") && !strings.HasPrefix(c.SalesforceURL, "http://") {
			return bad("SALESFORCE_URL", "%q must be your org's My Domain URL, like https://acme.my.salesforce.com", c.SalesforceURL)
		}
		if c.SalesforceClientID == "" {
			return bad("SALESFORCE_CLIENT_ID", "is not set: the connected app's consumer key")
		}
		if c.SalesforceClientSecret, err = secret("SALESFORCE_CLIENT_SECRET", c.SalesforceClientSecret, c.SalesforceClientSecretFile); err != nil {
			return err
		}
		c.StageOpen = or(c.StageOpen, "Qualification")
		c.StageWon = or(c.StageWon, "Closed Won")
		c.StageLost = or(c.StageLost, "Closed Lost")
	default:
		return bad("CRM", "%q is not hubspot or salesforce (leave it unset for no CRM)", c.CRM)
	}
	if c.Pull < time.Minute {
		return bad("CRM_PULL", "%v is too short: pull the CRM at most once a minute", c.Pull)
	}
	return nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// crmHTTP is the HTTP client of every CRM call.
var crmHTTP = &http.Client{Timeout: 30 * time.Second}

// openCRM connects to the configured CRM and checks its stages; nil when
// none is configured. A *crm.StageError is bad configuration (exit 2).
func openCRM(ctx context.Context, c CRMConfig) (coach.CRM, error) {
	switch c.CRM {
	case "hubspot":
		client, err := hubspot.New(c.HubSpotAPIURL, c.HubSpotToken, crmHTTP)
		if err != nil {
			return nil, bad("HUBSPOT_API_URL", "%v", err)
		}
		st, err := client.ResolveStages(ctx, hubspot.Stages{Pipeline: c.HubSpotPipeline, Open: c.StageOpen, Won: c.StageWon, Lost: c.StageLost})
		if err != nil {
			return nil, err
		}
		return hubspot.NewSink(client, st), nil
	case "salesforce":
		return openSalesforce(ctx, c)
	}
	return nil, nil
}

// crmExit is the exit status of a failure to open the CRM: 2 when the
// configuration is wrong, 1 when the CRM could not be reached.
func crmExit(err error) int {
	var se *crm.StageError
	var ce configError
	if errors.As(err, &se) || errors.As(err, &ce) {
		return 2
	}
	return 1
}

// runCRMCommand runs `pipelinecoach crm setup`: it creates the fields
// Pipeline Coach needs where the credentials may, prints what an admin
// must create otherwise, and checks the stages.
func runCRMCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "setup" {
		fmt.Fprintf(stderr, "pipelinecoach crm: want `crm setup`\n%s", usage)
		return 2
	}
	c, err := loadCRMConfig()
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach: configuration:", err)
		return 2
	}
	switch c.CRM {
	case "":
		fmt.Fprintln(stderr, "pipelinecoach: configuration: CRM: is not set: set it to hubspot or salesforce")
		return 2
	case "hubspot":
		return setupHubSpot(ctx, c, stdout, stderr)
	}
	return setupSalesforce(ctx, c, stdout, stderr)
}

func setupHubSpot(ctx context.Context, c CRMConfig, stdout, stderr io.Writer) int {
	client, err := hubspot.New(c.HubSpotAPIURL, c.HubSpotToken, crmHTTP)
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach: configuration: HUBSPOT_API_URL:", err)
		return 2
	}
	steps, err := client.Setup(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach crm setup:", err)
		return 1
	}
	missing := false
	for _, s := range steps {
		p := s.Property
		switch {
		case s.Existed:
			fmt.Fprintf(stdout, "ok       deal property %s (%s) is there\n", p.Name, p.Label)
		case s.Created:
			fmt.Fprintf(stdout, "created  deal property %s (%s)\n", p.Name, p.Label)
		default:
			missing = true
			unique := ""
			if p.HasUniqueValue {
				unique = `, "Require unique values" on`
			}
			fmt.Fprintf(stdout, "missing  deal property %s: the token may not create it (scope crm.schemas.deals.write). In HubSpot: Settings → Properties → Deal properties → Create property: label %q, internal name %s, field type %s%s.\n",
				p.Name, p.Label, p.Name, p.FieldType, unique)
		}
	}
	if _, err := client.ResolveStages(ctx, hubspot.Stages{Pipeline: c.HubSpotPipeline, Open: c.StageOpen, Won: c.StageWon, Lost: c.StageLost}); err != nil {
		fmt.Fprintln(stdout, "stages  ", err)
		return crmExit(err)
	}
	fmt.Fprintf(stdout, "ok       stages: open %q, won %q, lost %q in pipeline %q\n", c.StageOpen, c.StageWon, c.StageLost, c.HubSpotPipeline)
	if missing {
		return 1
	}
	return 0
}
