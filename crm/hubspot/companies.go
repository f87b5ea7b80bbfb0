package hubspot

import (
	"context"
	"fmt"
	"strings"

	"pipelinecoach/coach"
	"pipelinecoach/crm"
)

// company is how an account is looked up: by domain when the rep typed one
// ("acme.com"), by name otherwise.
type company struct {
	domain, name string
}

func companyOf(account string) company {
	return company{domain: crm.Domain(account), name: strings.TrimSpace(account)}
}

func (c company) key() string {
	if c.domain != "" {
		return "domain:" + c.domain
	}
	return "name:" + strings.ToLower(c.name)
}

// associate links each newly written deal to its account's company, found
// by domain or name or created. A deal whose association failed gets the
// error, so its job is tried again (the upsert then changes nothing).
func (s *Sink) associate(ctx context.Context, deals []coach.Deal, out []coach.SyncResult) {
	var todo []int
	for i, d := range deals {
		s.mu.Lock()
		done := s.associated[out[i].ID]
		s.mu.Unlock()
		if out[i].Err == nil && out[i].ID != "" && !done && d.ID == "" {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return
	}
	fail := func(err error) {
		for _, i := range todo {
			out[i].Err = fmt.Errorf("associate deal %s with its company: %w", out[i].ID, err)
		}
	}
	wanted := map[string]company{}
	for _, i := range todo {
		c := companyOf(deals[i].Account)
		wanted[c.key()] = c
	}
	ids, err := s.companyIDs(ctx, wanted)
	if err != nil {
		fail(err)
		return
	}
	pairs := map[string]string{}
	for _, i := range todo {
		pairs[out[i].ID] = ids[companyOf(deals[i].Account).key()]
	}
	if err := s.c.AssociateDealsCompanies(ctx, pairs); err != nil {
		fail(err)
		return
	}
	s.mu.Lock()
	for deal := range pairs {
		s.associated[deal] = true
	}
	s.mu.Unlock()
}

// companyIDs finds (or creates) the company of each key: one search for
// those not remembered, one batch create for those HubSpot does not have.
func (s *Sink) companyIDs(ctx context.Context, wanted map[string]company) (map[string]string, error) {
	ids := map[string]string{}
	var domains, names []string
	s.mu.Lock()
	for k, c := range wanted {
		if id, ok := s.companies[k]; ok {
			ids[k] = id
		} else if c.domain != "" {
			domains = append(domains, c.domain)
		} else {
			names = append(names, c.name)
		}
	}
	s.mu.Unlock()
	if len(domains)+len(names) == 0 {
		return ids, nil
	}
	var groups []FilterGroup
	if len(domains) > 0 {
		groups = append(groups, FilterGroup{Filters: []Filter{{PropertyName: "domain", Operator: "IN", Values: domains}}})
	}
	if len(names) > 0 {
		groups = append(groups, FilterGroup{Filters: []Filter{{PropertyName: "name", Operator: "IN", Values: names}}})
	}
	found, err := s.c.Search(ctx, "companies", groups, []string{"name", "domain"})
	if err != nil {
		return nil, fmt.Errorf("find companies: %w", err)
	}
	for _, o := range found {
		for _, k := range []string{"domain:" + strings.ToLower(o.Properties["domain"]), "name:" + strings.ToLower(o.Properties["name"])} {
			if _, want := wanted[k]; want && ids[k] == "" {
				ids[k] = o.ID
			}
		}
	}
	var create []map[string]string
	var keys []string
	for k, c := range wanted {
		if ids[k] != "" {
			continue
		}
		props := map[string]string{"name": c.name}
		if c.domain != "" {
			props["domain"] = c.domain
		}
		create = append(create, props)
		keys = append(keys, k)
	}
	if len(create) > 0 {
		made, err := s.c.CreateCompanies(ctx, create)
		if err != nil {
			return nil, fmt.Errorf("create companies: %w", err)
		}
		for _, o := range made {
			k := companyOf(o.Properties["name"]).key()
			if d := o.Properties["domain"]; d != "" {
				k = "domain:" + strings.ToLower(d)
			}
			ids[k] = o.ID
		}
		for _, k := range keys {
			if ids[k] == "" {
				return nil, fmt.Errorf("HubSpot created no company for %s", k)
			}
		}
	}
	s.mu.Lock()
	for k, id := range ids {
		s.companies[k] = id
	}
	s.mu.Unlock()
	return ids, nil
}
