package hubspot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/crm"
)

// dealProperties are read back by a pull.
var dealProperties = []string{IDProperty, "dealname", "amount", "deal_currency_code", "closedate", "dealstage", "pipeline", "hubspot_owner_id", "createdate"}

// PullDeals returns the open deals in the pipeline owned by the HubSpot
// users with these emails, and the deals with these ids, open or not.
func (s *Sink) PullDeals(ctx context.Context, ownerEmails, ids []string) ([]coach.PulledDeal, error) {
	owners, err := s.allOwners(ctx)
	if err != nil {
		return nil, err
	}
	emailOf := map[string]string{}
	want := map[string]bool{}
	for _, e := range ownerEmails {
		want[strings.ToLower(e)] = true
	}
	var ownerIDs []string
	for _, o := range owners {
		emailOf[o.ID] = o.Email
		if want[strings.ToLower(o.Email)] {
			ownerIDs = append(ownerIDs, o.ID)
		}
	}
	seen := map[string]bool{}
	var out []coach.PulledDeal
	add := func(objs []Object) {
		for _, o := range objs {
			if seen[o.ID] {
				continue
			}
			seen[o.ID] = true
			out = append(out, s.pulled(o, emailOf))
		}
	}
	for start := 0; start < len(ownerIDs); start += MaxBatch {
		chunk := ownerIDs[start:min(start+MaxBatch, len(ownerIDs))]
		objs, err := s.c.Search(ctx, "deals", []FilterGroup{{Filters: []Filter{
			{PropertyName: "pipeline", Operator: "EQ", Value: s.stages.Pipeline},
			{PropertyName: "hubspot_owner_id", Operator: "IN", Values: chunk},
			{PropertyName: "dealstage", Operator: "NOT_IN", Values: []string{s.stages.Won, s.stages.Lost}},
		}}}, dealProperties)
		if err != nil {
			return nil, fmt.Errorf("search open deals: %w", err)
		}
		add(objs)
	}
	for start := 0; start < len(ids); start += MaxBatch {
		chunk := ids[start:min(start+MaxBatch, len(ids))]
		objs, err := s.c.Search(ctx, "deals", []FilterGroup{{Filters: []Filter{{PropertyName: "hs_object_id", Operator: "IN", Values: chunk}}}}, dealProperties)
		if err != nil {
			return nil, fmt.Errorf("read linked deals: %w", err)
		}
		add(objs)
	}
	return out, nil
}

func (s *Sink) pulled(o Object, emailOf map[string]string) coach.PulledDeal {
	p := o.Properties
	d := coach.PulledDeal{ID: o.ID, Key: p[IDProperty], Name: p["dealname"], Currency: p["deal_currency_code"],
		OwnerEmail: emailOf[p["hubspot_owner_id"]], Stage: coach.DealOpen}
	if f, err := strconv.ParseFloat(p["amount"], 64); err == nil {
		d.Amount = int64(f)
	}
	d.CloseDate = parseTime(p["closedate"])
	d.CreatedAt = parseTime(p["createdate"])
	switch p["dealstage"] {
	case s.stages.Won:
		d.Stage = coach.DealWon
	case s.stages.Lost:
		d.Stage = coach.DealLost
	}
	return d
}

// parseTime reads HubSpot's dates: milliseconds, RFC 3339 or a bare date.
func parseTime(v string) time.Time {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC()
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t
	}
	t, _ := time.Parse("2006-01-02", v)
	return t
}

// allOwners lists the account's owners, remembered for crm.OwnerFor: every
// team's pull needs them, and they change when an admin adds a user.
func (s *Sink) allOwners(ctx context.Context) ([]Owner, error) {
	s.mu.Lock()
	list, until := s.ownerList, s.ownerListUntil
	s.mu.Unlock()
	if list != nil && s.Now().Before(until) {
		return list, nil
	}
	list, err := s.c.Owners(ctx)
	if err != nil {
		return nil, fmt.Errorf("list HubSpot owners: %w", err)
	}
	s.mu.Lock()
	s.ownerList, s.ownerListUntil = list, s.Now().Add(crm.OwnerFor)
	s.mu.Unlock()
	return list, nil
}
