package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"pipelinecoach/crm"
)

// ResolveStages checks the configured stages against the org's active
// opportunity stages and returns their API names. Each may be given by API
// name or label. A *crm.StageError names the first that does not exist.
func (c *Client) ResolveStages(ctx context.Context, want Stages) (Stages, error) {
	rows, err := c.Query(ctx, "SELECT ApiName, MasterLabel, IsClosed, IsWon FROM OpportunityStage WHERE IsActive = true ORDER BY SortOrder")
	if err != nil {
		return Stages{}, fmt.Errorf("read Salesforce's opportunity stages: %w", err)
	}
	var ids, labels, known []string
	for _, r := range rows {
		ids, labels = append(ids, r.String("ApiName")), append(labels, r.String("MasterLabel"))
		known = append(known, r.String("MasterLabel"))
	}
	var got Stages
	for _, v := range []struct {
		name, value string
		into        *string
	}{{"CRM_STAGE_OPEN", want.Open, &got.Open}, {"CRM_STAGE_WON", want.Won, &got.Won}, {"CRM_STAGE_LOST", want.Lost, &got.Lost}} {
		id, ok := crm.Match(v.value, ids, labels)
		if !ok {
			return Stages{}, &crm.StageError{Variable: v.name, Value: v.value, Where: "Salesforce's active opportunity stages", Known: known}
		}
		*v.into = id
	}
	return got, nil
}

// MultiCurrency reports whether the org keeps a currency per record.
func (c *Client) MultiCurrency(ctx context.Context) (bool, error) {
	_, err := c.Query(ctx, "SELECT IsoCode FROM CurrencyType WHERE IsActive = true")
	var e *Error
	if errors.As(err, &e) && e.Code == "INVALID_TYPE" {
		return false, nil
	}
	return err == nil, err
}

// Fields Pipeline Coach needs on Opportunity, as the Tooling API creates them.
var Fields = []CustomField{
	{FullName: "Opportunity." + IDField, Metadata: map[string]any{"label": "Pipeline Coach Id", "type": "Text", "length": 80,
		"externalId": true, "unique": true, "caseSensitive": true,
		"description": "Set by Pipeline Coach: the deal's id there. Every write is an upsert by it, so no opportunity is made twice."}},
	{FullName: "Opportunity." + SecondMeetingField, Metadata: map[string]any{"label": "Second meeting", "type": "Date",
		"description": "Set by Pipeline Coach: the confirmed second meeting that made this opportunity pipeline."}},
	{FullName: "Opportunity." + LossField, Metadata: map[string]any{"label": "Loss debrief", "type": "LongTextArea", "length": 32768, "visibleLines": 4,
		"description": "Set by Pipeline Coach: why it was lost, a competitor kept apart from no decision."}},
}

// SetupStep is one field looked at: there already, created, or to be
// created by an admin (Refused says why not).
type SetupStep struct {
	Field   CustomField
	Created bool
	Existed bool
	Refused error
}

// Setup creates the Opportunity fields Pipeline Coach needs where the
// run-as user may (Customize Application, Modify Metadata), and reports each.
func (c *Client) Setup(ctx context.Context) ([]SetupStep, error) {
	have, err := c.Fields(ctx, "Opportunity")
	if err != nil {
		return nil, fmt.Errorf("describe Opportunity: %w", err)
	}
	var steps []SetupStep
	for _, f := range Fields {
		name := f.FullName[len("Opportunity."):]
		if slices.Contains(have, name) {
			steps = append(steps, SetupStep{Field: f, Existed: true})
			continue
		}
		err := c.CreateField(ctx, f)
		var e *Error
		switch {
		case err == nil:
			steps = append(steps, SetupStep{Field: f, Created: true})
		case errors.As(err, &e) && (e.Status == http.StatusForbidden || e.Code == "INSUFFICIENT_ACCESS" || e.Code == "INSUFFICIENT_ACCESS_OR_READONLY"):
			steps = append(steps, SetupStep{Field: f, Refused: err})
		default:
			return steps, fmt.Errorf("create field %s: %w", f.FullName, err)
		}
	}
	return steps, nil
}
