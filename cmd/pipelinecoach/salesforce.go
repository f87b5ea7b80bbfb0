package main

import (
	"context"
	"fmt"
	"io"

	"pipelinecoach/coach"
)

func openSalesforce(ctx context.Context, c CRMConfig) (coach.CRM, error) {
	return nil, bad("CRM", "salesforce is not available in this build yet")
}

func setupSalesforce(ctx context.Context, c CRMConfig, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "pipelinecoach: configuration: CRM: salesforce is not available in this build yet")
	return 2
}
