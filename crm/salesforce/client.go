// Package salesforce is a small client of Salesforce's REST API for one org:
// opportunities upserted in collections of up to 200 by the External ID
// field Pipeline_Coach_Id__c, users by email, accounts by name or website,
// opportunity stages, and the custom fields Pipeline Coach needs. It signs
// in with a connected app's client credentials flow
// (golang.org/x/oauth2/clientcredentials): the org's My Domain URL serves
// the token, and the token is fetched again when Salesforce ends the session.
//
// Sink adapts it to what coach needs of a CRM; what is written when is
// coach's rule.
package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"pipelinecoach/crm"
)

// APIVersion is the REST API version every call uses: the one place it is
// pinned.
const APIVersion = "v62.0"

// Field names Pipeline Coach writes on Opportunity.
const (
	IDField            = "Pipeline_Coach_Id__c"
	SecondMeetingField = "Pipeline_Coach_Second_Meeting__c"
	LossField          = "Pipeline_Coach_Loss__c"
)

// MaxBatch is the most records one sObject Collections call takes.
const MaxBatch = 200

// Client calls one org's REST API as the connected app's run-as user.
type Client struct {
	base string // the My Domain URL, without a trailing slash
	cc   clientcredentials.Config
	http *http.Client

	mu sync.Mutex
	ts oauth2.TokenSource
}

// New returns a client of the org at myDomain (https://acme.my.salesforce.com).
func New(myDomain, clientID, clientSecret string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(myDomain)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("salesforce URL %q is not an absolute URL", myDomain)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	base := strings.TrimSuffix(myDomain, "/")
	return &Client{base: base, http: hc, cc: clientcredentials.Config{
		ClientID: clientID, ClientSecret: clientSecret, TokenURL: base + "/services/oauth2/token",
		AuthStyle: oauth2.AuthStyleInParams,
	}}, nil
}

// Error is an answer other than success, with Salesforce's error code
// (REQUEST_LIMIT_EXCEEDED, INVALID_FIELD, …).
type Error struct {
	Status  int
	Code    string
	Message string
	Fields  []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("salesforce: %d %s: %s", e.Status, e.Code, e.Message)
}

// Temporary reports whether trying again later may succeed: the org's API
// limit, a locked row, Salesforce's own failure.
func (e *Error) Temporary() bool { return temporaryCode(e.Code) || e.Status >= 500 || e.Status == 429 }

func temporaryCode(code string) bool {
	switch code {
	case "REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW", "QUERY_TIMEOUT":
		return true
	}
	return false
}

// RetryAfter is how long to wait after the org's API limit: Salesforce says
// nothing, and the limit rolls over 24 hours.
func (e *Error) RetryAfter() time.Duration {
	if e.Code == "REQUEST_LIMIT_EXCEEDED" {
		return 5 * time.Minute
	}
	return 0
}

// token returns the session's token and instance URL, signing in when
// there is none.
func (c *Client) token(ctx context.Context) (*oauth2.Token, string, error) {
	c.mu.Lock()
	if c.ts == nil {
		c.ts = oauth2.ReuseTokenSource(nil, c.cc.TokenSource(context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, c.http)))
	}
	ts := c.ts
	c.mu.Unlock()
	tok, err := ts.Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return nil, "", &Error{Status: re.Response.StatusCode, Code: re.ErrorCode, Message: "sign-in refused: " + re.ErrorDescription}
		}
		return nil, "", fmt.Errorf("sign in to Salesforce: %w", err)
	}
	instance, _ := tok.Extra("instance_url").(string)
	if instance == "" {
		instance = c.base
	}
	return tok, strings.TrimSuffix(instance, "/"), nil
}

// forget drops the session, so the next call signs in again.
func (c *Client) forget() {
	c.mu.Lock()
	c.ts = nil
	c.mu.Unlock()
}

// do calls path (under /services/data/<APIVersion>/) and decodes the answer
// into out. An ended session is signed in again once.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	err := c.once(ctx, method, path, query, in, out)
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusUnauthorized {
		c.forget()
		err = c.once(ctx, method, path, query, in, out)
	}
	return err
}

func (c *Client) once(ctx context.Context, method, path string, query url.Values, in, out any) error {
	tok, instance, err := c.token(ctx)
	if err != nil {
		return err
	}
	u := instance + "/services/data/" + APIVersion + "/" + path
	if query != nil {
		u += "?" + query.Encode()
	}
	call := crm.Call{HTTP: c.http, Authorize: tok.SetAuthHeader, Limit: 32 << 20, Refused: refused}
	if err := call.Do(ctx, method, u, in, out); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	return nil
}

// refused is Salesforce's refusal as an *Error.
func refused(r crm.Refusal) error {
	e := &Error{Status: r.Status, Message: http.StatusText(r.Status)}
	var list []apiError
	if json.Unmarshal(r.Body, &list) == nil && len(list) > 0 {
		e.Code, e.Message, e.Fields = list[0].ErrorCode, list[0].Message, list[0].Fields
	}
	return e
}

type apiError struct {
	Message    string   `json:"message"`
	ErrorCode  string   `json:"errorCode"`
	StatusCode string   `json:"statusCode"`
	Fields     []string `json:"fields"`
}

// Record is one row of a query or one record to write: field name → value.
type Record map[string]any

// String returns a field as text ("" when null).
func (r Record) String(field string) string {
	switch v := r[field].(type) {
	case string:
		return v
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", v), "0"), ".")
	case bool:
		return fmt.Sprint(v)
	}
	return ""
}

// Query runs a SOQL query and returns every row, following nextRecordsUrl.
func (c *Client) Query(ctx context.Context, soql string) ([]Record, error) {
	var all []Record
	var out struct {
		Done           bool     `json:"done"`
		NextRecordsURL string   `json:"nextRecordsUrl"`
		Records        []Record `json:"records"`
	}
	if err := c.do(ctx, http.MethodGet, "query", url.Values{"q": {soql}}, nil, &out); err != nil {
		return nil, err
	}
	all = append(all, out.Records...)
	for !out.Done && out.NextRecordsURL != "" {
		next := strings.TrimPrefix(out.NextRecordsURL, "/services/data/"+APIVersion+"/")
		out.Records, out.Done, out.NextRecordsURL = nil, false, ""
		if err := c.do(ctx, http.MethodGet, next, nil, nil, &out); err != nil {
			return all, err
		}
		all = append(all, out.Records...)
	}
	return all, nil
}

// Quote makes a SOQL string literal of s.
func Quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`, `"`, `\"`).Replace(s) + "'"
}

// QuoteList is a SOQL list of string literals: ('a','b').
func QuoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = Quote(v)
	}
	return "(" + strings.Join(q, ",") + ")"
}

// SaveResult is the outcome of one record of a collection write.
type SaveResult struct {
	ID      string     `json:"id"`
	Success bool       `json:"success"`
	Created bool       `json:"created"`
	Errors  []apiError `json:"errors"`
}

// Err is the record's error, nil when it was saved.
func (r SaveResult) Err() error {
	if r.Success {
		return nil
	}
	if len(r.Errors) == 0 {
		return &Error{Status: 200, Code: "UNKNOWN", Message: "not saved, and Salesforce gave no reason"}
	}
	e := r.Errors[0]
	return &Error{Status: 200, Code: e.StatusCode, Message: e.Message, Fields: e.Fields}
}

func withType(object string, records []Record) []Record {
	out := make([]Record, len(records))
	for i, r := range records {
		typed := Record{"attributes": map[string]string{"type": object}}
		for k, v := range r {
			typed[k] = v
		}
		out[i] = typed
	}
	return out
}

// Upsert creates or updates up to MaxBatch records of object by the
// external id field, each on its own (allOrNone false); results are in
// order.
func (c *Client) Upsert(ctx context.Context, object, externalID string, records []Record) ([]SaveResult, error) {
	var out []SaveResult
	err := c.do(ctx, http.MethodPatch, "composite/sobjects/"+object+"/"+externalID, nil,
		map[string]any{"allOrNone": false, "records": withType(object, records)}, &out)
	return out, err
}

// Create creates up to MaxBatch records of object; results are in order.
func (c *Client) Create(ctx context.Context, object string, records []Record) ([]SaveResult, error) {
	var out []SaveResult
	err := c.do(ctx, http.MethodPost, "composite/sobjects", nil, map[string]any{"allOrNone": false, "records": withType(object, records)}, &out)
	return out, err
}

// Update updates up to MaxBatch records of object by their Id; results are
// in order.
func (c *Client) Update(ctx context.Context, object string, records []Record) ([]SaveResult, error) {
	var out []SaveResult
	err := c.do(ctx, http.MethodPatch, "composite/sobjects", nil, map[string]any{"allOrNone": false, "records": withType(object, records)}, &out)
	return out, err
}

// Fields lists the field names of object.
func (c *Client) Fields(ctx context.Context, object string) ([]string, error) {
	var out struct {
		Fields []struct {
			Name string `json:"name"`
		} `json:"fields"`
	}
	if err := c.do(ctx, http.MethodGet, "sobjects/"+object+"/describe", nil, nil, &out); err != nil {
		return nil, err
	}
	names := make([]string, len(out.Fields))
	for i, f := range out.Fields {
		names[i] = f.Name
	}
	return names, nil
}

// CustomField is a custom field to create through the Tooling API.
type CustomField struct {
	FullName string         `json:"FullName"` // Opportunity.Name__c
	Metadata map[string]any `json:"Metadata"`
}

// CreateField creates a custom field.
func (c *Client) CreateField(ctx context.Context, f CustomField) error {
	return c.do(ctx, http.MethodPost, "tooling/sobjects/CustomField", nil, f, nil)
}
