package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"pipelinecoach/crm"
)

// Defaults of the stage variables: HubSpot's default pipeline.
const (
	DefaultPipeline  = "default"
	DefaultStageOpen = "appointmentscheduled"
	DefaultStageWon  = "closedwon"
	DefaultStageLost = "closedlost"
)

// ResolveStages checks the configured pipeline and stages against the
// account's and returns their ids. Each may be given by id or label. A
// *crm.StageError names the first that does not exist.
func (c *Client) ResolveStages(ctx context.Context, want Stages) (Stages, error) {
	pipelines, err := c.Pipelines(ctx)
	if err != nil {
		return Stages{}, fmt.Errorf("read HubSpot's deal pipelines: %w", err)
	}
	var ids, labels []string
	for _, p := range pipelines {
		ids, labels = append(ids, p.ID), append(labels, p.Label)
	}
	pid, ok := crm.Match(want.Pipeline, ids, labels)
	if !ok {
		known := make([]string, len(ids))
		for i := range ids {
			known[i] = fmt.Sprintf("%s (%s)", labels[i], ids[i])
		}
		return Stages{}, &crm.StageError{Variable: "HUBSPOT_PIPELINE", Value: want.Pipeline, Where: "HubSpot's deal pipelines", Known: known}
	}
	var p Pipeline
	for _, each := range pipelines {
		if each.ID == pid {
			p = each
		}
	}
	ids, labels = nil, nil
	var known []string
	for _, st := range p.Stages {
		ids, labels = append(ids, st.ID), append(labels, st.Label)
		known = append(known, fmt.Sprintf("%s (%s)", st.Label, st.ID))
	}
	got := Stages{Pipeline: pid}
	for _, v := range []struct {
		name, value string
		into        *string
	}{{"CRM_STAGE_OPEN", want.Open, &got.Open}, {"CRM_STAGE_WON", want.Won, &got.Won}, {"CRM_STAGE_LOST", want.Lost, &got.Lost}} {
		id, ok := crm.Match(v.value, ids, labels)
		if !ok {
			return Stages{}, &crm.StageError{Variable: v.name, Value: v.value, Where: fmt.Sprintf("HubSpot pipeline %q", p.Label), Known: known}
		}
		*v.into = id
	}
	return got, nil
}

// Properties Pipeline Coach needs on deals.
var Properties = []Property{
	{Name: IDProperty, Label: "Pipeline Coach ID", Type: "string", FieldType: "text", GroupName: "dealinformation", HasUniqueValue: true,
		Description: "Set by Pipeline Coach: the deal's id there. Every write is an upsert by it, so no deal is made twice."},
	{Name: SecondMeetingProperty, Label: "Second meeting", Type: "date", FieldType: "date", GroupName: "dealinformation",
		Description: "Set by Pipeline Coach: the confirmed second meeting that made this deal pipeline."},
}

// SetupStep is one property setup looked at: there already, created, or
// to be created by an admin (Refused says why not).
type SetupStep struct {
	Property Property
	Created  bool
	Existed  bool
	Refused  error
}

// Setup creates the deal properties Pipeline Coach needs where the token
// may (scope crm.schemas.deals.write), and reports each.
func (c *Client) Setup(ctx context.Context) ([]SetupStep, error) {
	var steps []SetupStep
	for _, p := range Properties {
		_, found, err := c.DealProperty(ctx, p.Name)
		if err != nil {
			return steps, fmt.Errorf("read deal property %s: %w", p.Name, err)
		}
		if found {
			steps = append(steps, SetupStep{Property: p, Existed: true})
			continue
		}
		err = c.CreateDealProperty(ctx, p)
		var e *Error
		switch {
		case err == nil:
			steps = append(steps, SetupStep{Property: p, Created: true})
		case errors.As(err, &e) && (e.Status == http.StatusForbidden || e.Status == http.StatusUnauthorized):
			steps = append(steps, SetupStep{Property: p, Refused: err})
		default:
			return steps, fmt.Errorf("create deal property %s: %w", p.Name, err)
		}
	}
	return steps, nil
}
