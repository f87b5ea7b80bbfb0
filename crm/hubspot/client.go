// Package hubspot is a small client of HubSpot's CRM v3 REST API: the deal
// pipelines and their stages, owners, companies, deals upserted in batches
// by the unique property pipelinecoach_id, and deal-to-company associations.
// HubSpot ships no Go SDK; this is the part of the API Pipeline Coach uses.
//
// Sink adapts it to what coach needs of a CRM. The client holds no rule: what
// is written when is coach's.
package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"pipelinecoach/crm"
)

// DefaultURL is HubSpot's API.
const DefaultURL = "https://api.hubapi.com/"

// IDProperty is the unique deal property Pipeline Coach writes its own id
// to, so every write is an upsert and a retried one never makes a second
// deal.
const IDProperty = "pipelinecoach_id"

// SecondMeetingProperty is the date deal property holding the second meeting.
const SecondMeetingProperty = "pipelinecoach_second_meeting"

// MaxBatch is the most inputs HubSpot takes in one batch call.
const MaxBatch = 100

// Client calls one HubSpot account's API with a private app token.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
	pace  *Pace
}

// New returns a client of the API at baseURL (DefaultURL in production).
func New(baseURL, token string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("hubspot API URL %q is not an absolute URL", baseURL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	if token == "" {
		return nil, errors.New("hubspot: no private app token")
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: u, token: token, http: hc, pace: NewPace(RateLimit, RateWindow)}, nil
}

// Error is an answer other than success. Status is the HTTP status;
// Category is HubSpot's (VALIDATION_ERROR, RATE_LIMITS, OBJECT_NOT_FOUND…).
type Error struct {
	Status   int
	Category string
	Message  string
	// Wait is the Retry-After HubSpot asked for, if any.
	Wait time.Duration
}

func (e *Error) Error() string {
	if e.Category != "" {
		return fmt.Sprintf("hubspot: %d %s: %s", e.Status, e.Category, e.Message)
	}
	return fmt.Sprintf("hubspot: %d: %s", e.Status, e.Message)
}

// RetryAfter is how long HubSpot asked to wait before trying again.
func (e *Error) RetryAfter() time.Duration { return e.Wait }

// Temporary reports whether trying again later may succeed: a rate limit,
// HubSpot's own failure.
func (e *Error) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

type errorBody struct {
	Status    string `json:"status"`
	Message   string `json:"message"`
	Category  string `json:"category"`
	ErrorType string `json:"errorType"`
}

// do sends one request and decodes the answer into out (when not nil). A
// 429 (the account's other apps share its limit) is tried again once after
// the wait HubSpot asks for, if ctx allows it.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	err := c.once(ctx, method, path, query, in, out)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusTooManyRequests {
		wait := max(e.Wait, time.Second)
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		err = c.once(ctx, method, path, query, in, out)
	}
	return err
}

func (c *Client) once(ctx context.Context, method, path string, query url.Values, in, out any) error {
	u := c.base.JoinPath(path)
	if query != nil {
		u.RawQuery = query.Encode()
	}
	if err := c.pace.Wait(ctx); err != nil {
		return fmt.Errorf("%s %s: wait for HubSpot's rate limit: %w", method, path, err)
	}
	call := crm.Call{HTTP: c.http, Limit: 16 << 20, Refused: refused,
		Authorize: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+c.token) }}
	if err := call.Do(ctx, method, u.String(), in, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// refused is HubSpot's refusal as an *Error.
func refused(r crm.Refusal) error {
	e := &Error{Status: r.Status}
	var b errorBody
	if json.Unmarshal(r.Body, &b) == nil {
		e.Message, e.Category = b.Message, b.Category
		if e.Category == "" {
			e.Category = b.ErrorType
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(r.Status)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err == nil {
		e.Wait = time.Duration(s) * time.Second
	}
	return e
}

// Stage is one stage of a deal pipeline.
type Stage struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Metadata struct {
		IsClosed    string `json:"isClosed"`
		Probability string `json:"probability"`
	} `json:"metadata"`
}

// Pipeline is a deal pipeline and its stages.
type Pipeline struct {
	ID     string  `json:"id"`
	Label  string  `json:"label"`
	Stages []Stage `json:"stages"`
}

// Pipelines lists the account's deal pipelines.
func (c *Client) Pipelines(ctx context.Context) ([]Pipeline, error) {
	var out struct {
		Results []Pipeline `json:"results"`
	}
	err := c.do(ctx, http.MethodGet, "crm/v3/pipelines/deals", nil, nil, &out)
	return out.Results, err
}

// Owner is a HubSpot user deals can be assigned to.
type Owner struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// OwnerByEmail returns the owner with the email; found is false when none.
func (c *Client) OwnerByEmail(ctx context.Context, email string) (o Owner, found bool, err error) {
	var out struct {
		Results []Owner `json:"results"`
	}
	q := url.Values{"email": {email}, "limit": {"1"}}
	if err := c.do(ctx, http.MethodGet, "crm/v3/owners", q, nil, &out); err != nil {
		return Owner{}, false, err
	}
	for _, o := range out.Results {
		if strings.EqualFold(o.Email, email) {
			return o, true, nil
		}
	}
	return Owner{}, false, nil
}

// Owners lists every owner, page by page.
func (c *Client) Owners(ctx context.Context) ([]Owner, error) {
	var all []Owner
	after := ""
	for {
		var out struct {
			Results []Owner `json:"results"`
			Paging  paging  `json:"paging"`
		}
		q := url.Values{"limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		if err := c.do(ctx, http.MethodGet, "crm/v3/owners", q, nil, &out); err != nil {
			return all, err
		}
		all = append(all, out.Results...)
		if after = out.Paging.Next.After; after == "" {
			return all, nil
		}
	}
}

type paging struct {
	Next struct {
		After string `json:"after"`
	} `json:"next"`
}

// Object is a CRM record: its id and the properties asked for.
type Object struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
	New        bool              `json:"new,omitempty"`
}

// Filter is one condition of a search.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	Values       []string `json:"values,omitempty"`
}

// FilterGroup holds filters that must all match; groups are alternatives.
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// Search returns every record of the object type ("deals", "companies")
// matching any filter group, with the properties named, page by page.
func (c *Client) Search(ctx context.Context, objectType string, groups []FilterGroup, properties []string) ([]Object, error) {
	var all []Object
	after := ""
	for {
		in := map[string]any{"filterGroups": groups, "properties": properties, "limit": 200}
		if after != "" {
			in["after"] = after
		}
		var out struct {
			Results []Object `json:"results"`
			Paging  paging   `json:"paging"`
		}
		if err := c.do(ctx, http.MethodPost, "crm/v3/objects/"+objectType+"/search", nil, in, &out); err != nil {
			return all, err
		}
		all = append(all, out.Results...)
		if after = out.Paging.Next.After; after == "" {
			return all, nil
		}
	}
}

type batchOut struct {
	Status  string   `json:"status"`
	Results []Object `json:"results"`
}

// CreateCompanies creates companies, at most MaxBatch, and returns them in
// no particular order.
func (c *Client) CreateCompanies(ctx context.Context, props []map[string]string) ([]Object, error) {
	inputs := make([]map[string]any, len(props))
	for i, p := range props {
		inputs[i] = map[string]any{"properties": p}
	}
	var out batchOut
	err := c.do(ctx, http.MethodPost, "crm/v3/objects/companies/batch/create", nil, map[string]any{"inputs": inputs}, &out)
	return out.Results, err
}

// DealInput is one deal of a batch upsert: its pipelinecoach_id and the
// properties to write.
type DealInput struct {
	ID         string
	Properties map[string]string
}

// UpsertDeals creates or updates deals by pipelinecoach_id, at most
// MaxBatch, and returns them (with that property) in no particular order.
func (c *Client) UpsertDeals(ctx context.Context, deals []DealInput) ([]Object, error) {
	inputs := make([]map[string]any, len(deals))
	for i, d := range deals {
		inputs[i] = map[string]any{"idProperty": IDProperty, "id": d.ID, "properties": d.Properties}
	}
	var out batchOut
	err := c.do(ctx, http.MethodPost, "crm/v3/objects/deals/batch/upsert", nil, map[string]any{"inputs": inputs}, &out)
	return out.Results, err
}

// UpdateDeals updates deals by their HubSpot id, at most MaxBatch.
func (c *Client) UpdateDeals(ctx context.Context, byID map[string]map[string]string) ([]Object, error) {
	inputs := make([]map[string]any, 0, len(byID))
	for id, p := range byID {
		inputs = append(inputs, map[string]any{"id": id, "properties": p})
	}
	var out batchOut
	err := c.do(ctx, http.MethodPost, "crm/v3/objects/deals/batch/update", nil, map[string]any{"inputs": inputs}, &out)
	return out.Results, err
}

// AssociateDealsCompanies links each deal (key) to its company (value)
// with the default association, at most MaxBatch pairs.
func (c *Client) AssociateDealsCompanies(ctx context.Context, pairs map[string]string) error {
	inputs := make([]map[string]any, 0, len(pairs))
	for deal, company := range pairs {
		inputs = append(inputs, map[string]any{"from": map[string]string{"id": deal}, "to": map[string]string{"id": company}})
	}
	return c.do(ctx, http.MethodPost, "crm/v4/associations/deals/companies/batch/associate/default", nil, map[string]any{"inputs": inputs}, nil)
}

// Property is a deal property definition.
type Property struct {
	Name           string `json:"name"`
	Label          string `json:"label"`
	Type           string `json:"type"`
	FieldType      string `json:"fieldType"`
	GroupName      string `json:"groupName"`
	HasUniqueValue bool   `json:"hasUniqueValue,omitempty"`
	Description    string `json:"description,omitempty"`
}

// DealProperty returns a deal property's definition; found is false when
// there is none.
func (c *Client) DealProperty(ctx context.Context, name string) (p Property, found bool, err error) {
	err = c.do(ctx, http.MethodGet, "crm/v3/properties/deals/"+url.PathEscape(name), nil, nil, &p)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return Property{}, false, nil
	}
	return p, err == nil, err
}

// CreateDealProperty creates a deal property.
func (c *Client) CreateDealProperty(ctx context.Context, p Property) error {
	return c.do(ctx, http.MethodPost, "crm/v3/properties/deals", nil, p, nil)
}
