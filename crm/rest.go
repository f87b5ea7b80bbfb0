package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Refusal is a CRM's REST API answering other than 2xx: its status, header
// and body. What it means is each CRM's own to say.
type Refusal struct {
	Status int
	Header http.Header
	Body   []byte
}

// Call is one JSON call of a CRM's REST API, as both clients make it:
// in (nil for none) sent as JSON, authorize setting the request's
// credentials, the answer read up to Limit bytes, a success decoded into
// out (nil, or an empty body, for nothing), a refusal turned into the
// CRM's own error by Refused.
type Call struct {
	HTTP      *http.Client
	Authorize func(*http.Request)
	Limit     int64
	Refused   func(Refusal) error
}

// Do makes the call.
func (c Call) Do(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	c.Authorize(req)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.Limit))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return c.Refused(Refusal{Status: resp.StatusCode, Header: resp.Header, Body: raw})
	}
	if out == nil || len(raw) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
