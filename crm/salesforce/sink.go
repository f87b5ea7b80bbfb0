package salesforce

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"pipelinecoach/coach"
	"pipelinecoach/crm"
)

// Stages are the opportunity stage API names deals are written with
// (CRM_STAGE_OPEN, _WON, _LOST).
type Stages struct{ Open, Won, Lost string }

// Sink writes coach's deals to Salesforce as opportunities: upserted by
// Pipeline_Coach_Id__c in collections of MaxBatch, owned by the active user
// with the rep's email, with the account found by website or name (created
// when missing).
type Sink struct {
	c      *Client
	stages Stages
	// MultiCurrency is whether the org has CurrencyIsoCode on records.
	MultiCurrency bool
	// Now is the clock the owner cache runs on.
	Now func() time.Time

	owners crm.Owners

	mu       sync.Mutex
	accounts map[string]string // account id by lookup key
}

// maxNextStep is NextStep's length on Opportunity.
const maxNextStep = 255

// NewSink returns a sink over the client with the resolved stages.
func NewSink(c *Client, st Stages) *Sink {
	return &Sink{c: c, stages: st, Now: time.Now, accounts: map[string]string{}}
}

// Name is Salesforce.
func (s *Sink) Name() string { return "Salesforce" }

// SyncDeals writes the deals, MaxBatch at a time, one result per deal in order.
func (s *Sink) SyncDeals(ctx context.Context, deals []coach.Deal) []coach.SyncResult {
	return crm.InBatches(ctx, deals, MaxBatch, s.syncChunk)
}

func (s *Sink) syncChunk(ctx context.Context, deals []coach.Deal, out []coach.SyncResult) {
	owners, err := s.ownerIDs(ctx, deals)
	if err != nil {
		for i := range out {
			out[i].Err = err
		}
		return
	}
	accounts, err := s.accountIDs(ctx, deals)
	if err != nil {
		for i := range out {
			out[i].Err = err
		}
		return
	}
	var upserts, updates []int
	records := make([]Record, len(deals))
	for i, d := range deals {
		owner := owners[strings.ToLower(d.OwnerEmail)]
		if owner == "" {
			out[i].Err = &coach.CRMRefusal{Reason: fmt.Sprintf("no active Salesforce user has %s", d.OwnerEmail)}
			continue
		}
		records[i] = s.record(d, owner, accounts[accountOf(d.Account).key()])
		if d.ID != "" {
			records[i]["Id"] = d.ID
			updates = append(updates, i)
		} else {
			upserts = append(upserts, i)
		}
	}
	s.write(ctx, records, upserts, out, false)
	s.write(ctx, records, updates, out, true)
}

func (s *Sink) write(ctx context.Context, records []Record, idx []int, out []coach.SyncResult, update bool) {
	if len(idx) == 0 {
		return
	}
	batch := make([]Record, len(idx))
	for k, i := range idx {
		batch[k] = records[i]
	}
	var results []SaveResult
	var err error
	if update {
		results, err = s.c.Update(ctx, "Opportunity", batch)
	} else {
		results, err = s.c.Upsert(ctx, "Opportunity", IDField, batch)
	}
	for k, i := range idx {
		switch {
		case err != nil:
			out[i].Err = err
		case k >= len(results):
			out[i].Err = errors.New("the answer from Salesforce is missing records")
		default:
			out[i] = s.result(results[k])
		}
	}
}

// result is one record's outcome: a validation rule, a required field or
// a bad value is Salesforce's final word; a locked row or the API limit is
// not.
func (s *Sink) result(r SaveResult) coach.SyncResult {
	err := r.Err()
	if err == nil {
		return coach.SyncResult{ID: r.ID}
	}
	var e *Error
	if errors.As(err, &e) && !e.Temporary() {
		words := e.Message
		if len(e.Fields) > 0 {
			words = strings.Join(e.Fields, ", ") + ": " + words
		}
		return coach.SyncResult{Err: &coach.CRMRefusal{Reason: "Salesforce refused it: " + words}}
	}
	return coach.SyncResult{Err: err}
}

// record is the deal as an Opportunity. Text goes as typed; NextStep is cut
// to the 255 characters Salesforce keeps.
func (s *Sink) record(d coach.Deal, owner, account string) Record {
	r := Record{
		IDField:     d.Key,
		"Name":      d.Name,
		"OwnerId":   owner,
		"CloseDate": d.CloseDate,
		"NextStep":  nil,
	}
	if account != "" {
		r["AccountId"] = account
	}
	switch d.Stage {
	case coach.DealWon:
		r["StageName"] = s.stages.Won
	case coach.DealLost:
		r["StageName"] = s.stages.Lost
		r[LossField] = d.LossText()
	default:
		if d.ID == "" {
			// An opportunity taken in from Salesforce keeps its stage.
			r["StageName"] = s.stages.Open
		}
	}
	if d.Amount > 0 {
		r["Amount"] = d.Amount
	}
	if s.MultiCurrency && d.Currency != "" {
		r["CurrencyIsoCode"] = d.Currency
	}
	if d.SecondMeeting != "" {
		r[SecondMeetingField] = d.SecondMeeting
	}
	step := d.NextStep
	if d.Waiting != "" {
		step = strings.TrimSpace(step + "\nWaiting on " + d.Waiting)
	}
	if step != "" {
		if utf8.RuneCountInString(step) > maxNextStep {
			step = string([]rune(step)[:maxNextStep-1]) + "…"
		}
		r["NextStep"] = step
	}
	return r
}

// ownerIDs finds the active users with the deals' emails: one query for
// those not remembered.
func (s *Sink) ownerIDs(ctx context.Context, deals []coach.Deal) (map[string]string, error) {
	ids := map[string]string{}
	var ask []string
	now := s.Now()
	for _, d := range deals {
		key := strings.ToLower(d.OwnerEmail)
		if id, known := s.owners.Lookup(key, now); known {
			ids[key] = id
		} else if _, asked := ids[key]; !asked {
			ids[key] = ""
			ask = append(ask, d.OwnerEmail)
		}
	}
	if len(ask) == 0 {
		return ids, nil
	}
	rows, err := s.c.Query(ctx, "SELECT Id, Email FROM User WHERE IsActive = true AND Email IN "+QuoteList(ask))
	if err != nil {
		return nil, fmt.Errorf("find Salesforce users: %w", err)
	}
	for _, r := range rows {
		ids[strings.ToLower(r.String("Email"))] = r.String("Id")
	}
	for _, email := range ask {
		s.owners.Remember(email, ids[strings.ToLower(email)], now)
	}
	return ids, nil
}

// account is how an account is looked up: by website when the rep typed a
// domain, by name otherwise.
type account struct{ website, name string }

func accountOf(name string) account {
	d := crm.Domain(name)
	return account{website: d, name: strings.TrimSpace(name)}
}

func (a account) key() string {
	if a.website != "" {
		return "website:" + a.website
	}
	return "name:" + strings.ToLower(a.name)
}

// accountIDs finds (or creates) each deal's account: one query for those
// not remembered, one collection create for those Salesforce lacks.
func (s *Sink) accountIDs(ctx context.Context, deals []coach.Deal) (map[string]string, error) {
	ids := map[string]string{}
	wanted := map[string]account{}
	var names, sites []string
	s.mu.Lock()
	for _, d := range deals {
		a := accountOf(d.Account)
		if _, seen := wanted[a.key()]; seen || d.ID != "" {
			continue
		}
		wanted[a.key()] = a
		if id, ok := s.accounts[a.key()]; ok {
			ids[a.key()] = id
		} else if a.website != "" {
			sites = append(sites, a.website, "www."+a.website, "https://"+a.website, "https://www."+a.website, "http://"+a.website)
		} else {
			names = append(names, a.name)
		}
	}
	s.mu.Unlock()
	if len(names)+len(sites) == 0 {
		return ids, nil
	}
	var where []string
	if len(names) > 0 {
		where = append(where, "Name IN "+QuoteList(names))
	}
	if len(sites) > 0 {
		where = append(where, "Website IN "+QuoteList(sites))
	}
	rows, err := s.c.Query(ctx, "SELECT Id, Name, Website FROM Account WHERE "+strings.Join(where, " OR "))
	if err != nil {
		return nil, fmt.Errorf("find Salesforce accounts: %w", err)
	}
	for _, r := range rows {
		for _, k := range []string{"website:" + crm.Domain(r.String("Website")), "name:" + strings.ToLower(r.String("Name"))} {
			if _, want := wanted[k]; want && ids[k] == "" {
				ids[k] = r.String("Id")
			}
		}
	}
	var create []Record
	var keys []string
	for k, a := range wanted {
		if ids[k] != "" {
			continue
		}
		r := Record{"Name": a.name}
		if a.website != "" {
			r["Website"] = a.website
		}
		create, keys = append(create, r), append(keys, k)
	}
	if len(create) > 0 {
		res, err := s.c.Create(ctx, "Account", create)
		if err != nil {
			return nil, fmt.Errorf("create Salesforce accounts: %w", err)
		}
		for i, r := range res {
			if i < len(keys) && r.Success {
				ids[keys[i]] = r.ID
			}
		}
		// An account Salesforce refused (a validation rule on Account)
		// leaves the opportunity without one rather than unwritten.
	}
	s.mu.Lock()
	for k, id := range ids {
		s.accounts[k] = id
	}
	s.mu.Unlock()
	return ids, nil
}

// Mapping says how deals land in Salesforce, for /pipeline admin crm.
func (s *Sink) Mapping() []coach.CRMSetting {
	currency := "the org's (single currency)"
	if s.MultiCurrency {
		currency = "CurrencyIsoCode per opportunity"
	}
	return []coach.CRMSetting{
		{Name: "CRM_STAGE_OPEN", Value: s.stages.Open},
		{Name: "CRM_STAGE_WON", Value: s.stages.Won},
		{Name: "CRM_STAGE_LOST", Value: s.stages.Lost},
		{Name: "Upserted by", Value: "External ID Opportunity." + IDField},
		{Name: "Second meeting", Value: "Opportunity." + SecondMeetingField},
		{Name: "Loss debrief", Value: "Opportunity." + LossField},
		{Name: "Currency", Value: currency},
		{Name: "REST API", Value: APIVersion},
	}
}
