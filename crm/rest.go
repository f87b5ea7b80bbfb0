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

// Call is how both clients call their CRM's REST API with JSON.
type Call struct {
	HTTP      *http.Client
	Authorize func(*http.Request) // sets the request's credentials
	Limit     int64               // the most of an answer read, in bytes
	Refused   func(Refusal) error // the CRM's own error for an answer other than 2xx
}

// Do makes one call: in (nil for none) sent as JSON, a success decoded
// into out (nil, or an empty body, for nothing).
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
