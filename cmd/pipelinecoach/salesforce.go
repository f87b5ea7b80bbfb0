package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"pipelinecoach/coach"
	"pipelinecoach/crm/salesforce"
)

// openSalesforce signs in to the org, checks the stages and whether the org
// keeps a currency per record.
func openSalesforce(ctx context.Context, c CRMConfig) (coach.CRM, error) {
	client, err := salesforce.New(c.SalesforceURL, c.SalesforceClientID, c.SalesforceClientSecret, crmHTTP)
	if err != nil {
		return nil, bad("SALESFORCE_URL", "%v", err)
	}
	st, err := client.ResolveStages(ctx, salesforce.Stages{Open: c.StageOpen, Won: c.StageWon, Lost: c.StageLost})
	if err != nil {
		return nil, err
	}
	sink := salesforce.NewSink(client, st)
	if sink.MultiCurrency, err = client.MultiCurrency(ctx); err != nil {
		return nil, fmt.Errorf("check the org's currencies: %w", err)
	}
	return sink, nil
}

func setupSalesforce(ctx context.Context, c CRMConfig, stdout, stderr io.Writer) int {
	client, err := salesforce.New(c.SalesforceURL, c.SalesforceClientID, c.SalesforceClientSecret, crmHTTP)
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach: configuration: SALESFORCE_URL:", err)
		return 2
	}
	steps, err := client.Setup(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "pipelinecoach crm setup:", err)
		return 1
	}
	missing := false
	for _, s := range steps {
		f := s.Field
		name := strings.TrimPrefix(f.FullName, "Opportunity.")
		switch {
		case s.Existed:
			fmt.Fprintf(stdout, "ok       Opportunity field %s is there\n", name)
		case s.Created:
			fmt.Fprintf(stdout, "created  Opportunity field %s (give the run-as user edit access to it: Field-Level Security)\n", name)
		default:
			missing = true
			extra := ""
			if f.Metadata["externalId"] == true {
				extra = `, with "External ID" and "Unique" ticked`
			}
			fmt.Fprintf(stdout, "missing  Opportunity field %s: the run-as user may not create it. In Setup: Object Manager → Opportunity → Fields & Relationships → New: type %v, label %q, field name %s%s.\n",
				name, f.Metadata["type"], f.Metadata["label"], strings.TrimSuffix(name, "__c"), extra)
		}
	}
	if _, err := client.ResolveStages(ctx, salesforce.Stages{Open: c.StageOpen, Won: c.StageWon, Lost: c.StageLost}); err != nil {
		fmt.Fprintln(stdout, "stages  ", err)
		return crmExit(err)
	}
	fmt.Fprintf(stdout, "ok       stages: open %q, won %q, lost %q\n", c.StageOpen, c.StageWon, c.StageLost)
	if missing {
		return 1
	}
	return 0
}
