package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/crm"
)

// Stages are the pipeline and stage ids deals are written with
// (HUBSPOT_PIPELINE, CRM_STAGE_OPEN, _WON, _LOST).
type Stages struct {
	Pipeline, Open, Won, Lost string
}

// Sink writes coach's deals to HubSpot: upserted by pipelinecoach_id in
// batches of MaxBatch, owned by the HubSpot user with the rep's email,
// associated with the company found by domain or name (created when
// missing).
type Sink struct {
	c      *Client
	stages Stages
	// Now is the clock the owner cache runs on.
	Now func() time.Time

	owners crm.Owners

	mu         sync.Mutex
	companies  map[string]string // company id by lookup key
	associated map[string]bool   // deal ids associated with their company

	ownerList      []Owner // every owner, for pulls
	ownerListUntil time.Time
}

// NewSink returns a sink over the client with the resolved stage ids.
func NewSink(c *Client, st Stages) *Sink {
	return &Sink{c: c, stages: st, Now: time.Now, companies: map[string]string{}, associated: map[string]bool{}}
}

// Name is HubSpot.
func (s *Sink) Name() string { return "HubSpot" }

// SyncDeals writes the deals, MaxBatch at a time, and returns one result
// per deal, in order.
func (s *Sink) SyncDeals(ctx context.Context, deals []coach.Deal) []coach.SyncResult {
	return crm.InBatches(ctx, deals, MaxBatch, s.syncChunk)
}

func (s *Sink) syncChunk(ctx context.Context, deals []coach.Deal, out []coach.SyncResult) {
	var upserts, updates []int
	props := make([]map[string]string, len(deals))
	for i, d := range deals {
		owner, err := s.owner(ctx, d.OwnerEmail)
		if err != nil {
			out[i].Err = err
			continue
		}
		props[i] = s.properties(d, owner)
		if d.ID != "" {
			updates = append(updates, i)
		} else {
			upserts = append(upserts, i)
		}
	}
	s.write(ctx, deals, props, upserts, out, false)
	s.write(ctx, deals, props, updates, out, true)
	s.associate(ctx, deals, out)
}

// owner finds the HubSpot user with the email.
func (s *Sink) owner(ctx context.Context, email string) (string, error) {
	id, known := s.owners.Lookup(email, s.Now())
	if !known {
		o, found, err := s.c.OwnerByEmail(ctx, email)
		if err != nil {
			return "", fmt.Errorf("find the HubSpot user %s: %w", email, err)
		}
		if found {
			id = o.ID
		}
		s.owners.Remember(email, id, s.Now())
	}
	if id == "" {
		return "", &coach.CRMRefusal{Reason: fmt.Sprintf("no HubSpot user has %s", email)}
	}
	return id, nil
}

// properties are the deal's HubSpot properties. Text goes as typed: JSON
// carries it, HubSpot shows it as text.
func (s *Sink) properties(d coach.Deal, owner string) map[string]string {
	p := map[string]string{
		IDProperty:         d.Key,
		"dealname":         d.Name,
		"pipeline":         s.stages.Pipeline,
		"hubspot_owner_id": owner,
	}
	switch d.Stage {
	case coach.DealWon:
		p["dealstage"] = s.stages.Won
	case coach.DealLost:
		p["dealstage"] = s.stages.Lost
		p["closed_lost_reason"] = d.LossText()
	default:
		if d.ID == "" {
			// A deal taken in from HubSpot keeps the stage its team set.
			p["dealstage"] = s.stages.Open
		}
	}
	if d.Amount > 0 {
		p["amount"] = strconv.FormatInt(d.Amount, 10)
	}
	if d.Currency != "" {
		p["deal_currency_code"] = d.Currency
	}
	if t, err := time.Parse("2006-01-02", d.CloseDate); err == nil {
		p["closedate"] = strconv.FormatInt(t.UnixMilli(), 10)
	}
	if t, err := time.Parse("2006-01-02", d.SecondMeeting); err == nil {
		p[SecondMeetingProperty] = strconv.FormatInt(t.UnixMilli(), 10) // a date property: midnight UTC
	}
	step := d.NextStep
	if d.Waiting != "" {
		step = strings.TrimSpace(step + "\nWaiting on " + d.Waiting)
	}
	p["hs_next_step"] = step
	return p
}

// write sends the deals at idx in one call (an upsert by pipelinecoach_id,
// or an update by HubSpot id for deals adopted from HubSpot). When HubSpot
// refuses the batch, each deal is sent alone, so one bad deal holds up no
// other and its refusal is its own.
func (s *Sink) write(ctx context.Context, deals []coach.Deal, props []map[string]string, idx []int, out []coach.SyncResult, update bool) {
	if len(idx) == 0 {
		return
	}
	var got []Object
	var err error
	if update {
		byID := map[string]map[string]string{}
		for _, i := range idx {
			byID[deals[i].ID] = props[i]
		}
		got, err = s.c.UpdateDeals(ctx, byID)
	} else {
		in := make([]DealInput, len(idx))
		for k, i := range idx {
			in[k] = DealInput{ID: deals[i].Key, Properties: props[i]}
		}
		got, err = s.c.UpsertDeals(ctx, in)
	}
	var e *Error
	if errors.As(err, &e) && !e.Temporary() && e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden {
		if len(idx) > 1 {
			for _, i := range idx {
				s.write(ctx, deals, props, []int{i}, out, update)
			}
			return
		}
		out[idx[0]].Err = &coach.CRMRefusal{Reason: "HubSpot refused it: " + plain(e)}
		return
	}
	if err != nil {
		for _, i := range idx {
			out[i].Err = err
		}
		return
	}
	byKey := map[string]string{}
	for _, o := range got {
		byKey[o.Properties[IDProperty]] = o.ID
		byKey["id:"+o.ID] = o.ID
	}
	for _, i := range idx {
		id := byKey[deals[i].Key]
		if update {
			id = byKey["id:"+deals[i].ID]
		}
		if id == "" {
			out[i].Err = fmt.Errorf("HubSpot's answer has no deal %s", deals[i].Key)
			continue
		}
		out[i].ID = id
	}
}

// plain turns HubSpot's validation message into words: the messages of
// the properties it found not valid.
func plain(e *Error) string {
	_, list, ok := strings.Cut(e.Message, "not valid: ")
	if !ok {
		return e.Message
	}
	var bad []struct {
		Message string `json:"message"`
		Name    string `json:"name"`
	}
	if json.Unmarshal([]byte(list), &bad) != nil || len(bad) == 0 {
		return e.Message
	}
	var words []string
	for _, b := range bad {
		words = append(words, b.Name+": "+b.Message)
	}
	return strings.Join(words, "; ")
}

// Mapping says how deals land in HubSpot, for /pipeline admin crm.
func (s *Sink) Mapping() []coach.CRMSetting {
	return []coach.CRMSetting{
		{Name: "HUBSPOT_PIPELINE", Value: s.stages.Pipeline},
		{Name: "CRM_STAGE_OPEN", Value: s.stages.Open},
		{Name: "CRM_STAGE_WON", Value: s.stages.Won},
		{Name: "CRM_STAGE_LOST", Value: s.stages.Lost},
		{Name: "Upserted by", Value: "deal property " + IDProperty},
		{Name: "Second meeting", Value: "deal property " + SecondMeetingProperty},
		{Name: "Loss debrief", Value: "deal property closed_lost_reason"},
	}
}
