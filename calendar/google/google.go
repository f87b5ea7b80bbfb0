// Package google reads reps' Google Workspace calendars for coach: a
// coach.CalendarSource on the Calendar API (google.golang.org/api/calendar/v3).
//
// It signs in as a service account with domain-wide delegation, acting as
// each rep in turn (the JWT's subject), with the read-only calendar scope.
// It asks only for the fields the product keeps or decides on, and turns
// Google's answers into coach's error classes: 410 fullSyncRequired is
// coach.ErrCursorExpired, a user Google does not know (invalid_grant) or a
// calendar it will not show (403/404) is coach.ErrMailboxGone, and 429,
// 403 rate limits and 5xx are a *coach.RetryLaterError with Google's
// Retry-After.
package google

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	googleoauth "golang.org/x/oauth2/google"
	"golang.org/x/oauth2/jwt"
	calendar "google.golang.org/api/calendar/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"pipelinecoach/coach"
)

// DefaultAPIURL is the Calendar API's endpoint.
const DefaultAPIURL = "https://www.googleapis.com/calendar/v3/"

// DefaultPageSize is Google's largest page, so a full read of 180 days
// takes one or two requests.
const DefaultPageSize = 2500

// fields is the partial response asked for: nothing of an event the
// product does not use (no description, no location, no conference data).
const fields = "nextPageToken,nextSyncToken,items(id,status,summary,start,end,organizer(self),recurringEventId,attendees(email,displayName,self,responseStatus,resource))"

// Client reads calendars as a service account with domain-wide delegation.
type Client struct {
	conf     *jwt.Config
	endpoint string
	base     *http.Client
	// PageSize is how many events one request asks for (maxResults).
	PageSize int64

	mu       sync.Mutex
	services map[string]*calendar.Service // by mailbox: each has its own token
}

// New reads a service account key (the JSON file the Cloud console gives)
// and returns a client for the Calendar API at apiURL (DefaultAPIURL when
// empty). The key's token_uri is where tokens are asked for. base carries
// the requests (http.DefaultClient when nil).
func New(keyJSON []byte, apiURL string, base *http.Client) (*Client, error) {
	conf, err := googleoauth.JWTConfigFromJSON(keyJSON, calendar.CalendarReadonlyScope)
	if err != nil {
		return nil, fmt.Errorf("read the service account key: %w", err)
	}
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	if base == nil {
		base = http.DefaultClient
	}
	return &Client{conf: conf, endpoint: apiURL, base: base, PageSize: DefaultPageSize, services: map[string]*calendar.Service{}}, nil
}

// ServiceAccount is the key's client email, for the setup instructions.
func (c *Client) ServiceAccount() string { return c.conf.Email }

// service is the Calendar API acting as mailbox; its token is cached and
// renewed by oauth2 before it expires.
func (c *Client) service(mailbox string) (*calendar.Service, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if svc, ok := c.services[mailbox]; ok {
		return svc, nil
	}
	conf := *c.conf
	conf.Subject = mailbox
	// The token source outlives any one request: it gets a context of its
	// own carrying the HTTP client to use.
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, c.base)
	hc := &http.Client{Transport: &oauth2.Transport{Source: conf.TokenSource(tokenCtx), Base: c.base.Transport}}
	svc, err := calendar.NewService(context.Background(), option.WithHTTPClient(hc), option.WithEndpoint(c.endpoint))
	if err != nil {
		return nil, fmt.Errorf("calendar client for %s: %w", mailbox, err)
	}
	c.services[mailbox] = svc
	return svc, nil
}

// Changes reads mailbox's primary calendar: every event from since on when
// cursor is "", else what changed since the sync token cursor. Recurring
// series come expanded into their instances.
func (c *Client) Changes(ctx context.Context, mailbox, cursor string, since time.Time) (coach.CalendarChanges, error) {
	svc, err := c.service(mailbox)
	if err != nil {
		return coach.CalendarChanges{}, err
	}
	out := coach.CalendarChanges{Full: cursor == ""}
	page := ""
	for {
		call := svc.Events.List("primary").Context(ctx).SingleEvents(true).MaxResults(c.PageSize).Fields(fields)
		if cursor != "" {
			call.SyncToken(cursor)
		} else {
			call.TimeMin(since.UTC().Format(time.RFC3339))
		}
		if page != "" {
			call.PageToken(page)
		}
		out.Requests++
		res, err := call.Do()
		if err != nil {
			return out, classify(mailbox, err)
		}
		for _, ev := range res.Items {
			out.Events = append(out.Events, eventOf(ev))
		}
		if res.NextPageToken == "" {
			out.Cursor = res.NextSyncToken
			return out, nil
		}
		page = res.NextPageToken
	}
}

func eventOf(ev *calendar.Event) coach.CalendarEvent {
	out := coach.CalendarEvent{ID: ev.Id, Title: ev.Summary, Cancelled: ev.Status == "cancelled", Recurring: ev.RecurringEventId != ""}
	if ev.Organizer != nil {
		out.Organizer = ev.Organizer.Self
	}
	if ev.Start != nil {
		out.Start, out.AllDay = when(ev.Start)
	}
	if ev.End != nil {
		out.End, _ = when(ev.End)
	}
	for _, a := range ev.Attendees {
		switch {
		case a.Self:
			out.Declined = a.ResponseStatus == "declined"
		case a.Resource: // a room
		default:
			out.Attendees = append(out.Attendees, coach.Attendee{Email: a.Email, Name: a.DisplayName})
		}
	}
	return out
}

func when(d *calendar.EventDateTime) (time.Time, bool) {
	if d.DateTime != "" {
		t, _ := time.Parse(time.RFC3339, d.DateTime)
		return t, false
	}
	t, _ := time.Parse("2006-01-02", d.Date)
	return t, d.Date != ""
}

// classify turns a failed call into coach's error classes.
func classify(mailbox string, err error) error {
	what := "read the calendar of " + mailbox
	var rerr *oauth2.RetrieveError
	if errors.As(err, &rerr) {
		code, desc := tokenError(rerr)
		switch {
		case code == "invalid_grant":
			return fmt.Errorf("%s: Google does not know this user (%s): %w", what, desc, coach.ErrMailboxGone)
		case code == "unauthorized_client":
			return fmt.Errorf("%s: domain-wide delegation is not granted to the service account for %s", what, calendar.CalendarReadonlyScope)
		case rerr.Response != nil && retryable(rerr.Response.StatusCode):
			return &coach.RetryLaterError{After: retryAfter(rerr.Response.Header), Err: fmt.Errorf("%s: token: %w", what, err)}
		}
		return fmt.Errorf("%s: token: %w", what, err)
	}
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		var uerr *url.Error
		if errors.As(err, &uerr) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			return &coach.RetryLaterError{Err: fmt.Errorf("%s: %w", what, err)}
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	reason := ""
	if len(gerr.Errors) > 0 {
		reason = gerr.Errors[0].Reason
	}
	switch {
	case gerr.Code == http.StatusGone:
		return fmt.Errorf("%s: %w", what, coach.ErrCursorExpired)
	case retryable(gerr.Code) || (gerr.Code == http.StatusForbidden && strings.Contains(reason, "RateLimitExceeded")) ||
		(gerr.Code == http.StatusForbidden && reason == "rateLimitExceeded"):
		return &coach.RetryLaterError{After: retryAfter(gerr.Header), Err: fmt.Errorf("%s: %d %s", what, gerr.Code, reason)}
	case gerr.Code == http.StatusNotFound || gerr.Code == http.StatusForbidden:
		return fmt.Errorf("%s: %d %s: %w", what, gerr.Code, reason, coach.ErrMailboxGone)
	}
	return fmt.Errorf("%s: %d %s", what, gerr.Code, reason)
}

// tokenError reads RFC 6749's error and error_description: the JWT flow
// of x/oauth2 leaves them in the body.
func tokenError(e *oauth2.RetrieveError) (code, desc string) {
	if e.ErrorCode != "" {
		return e.ErrorCode, e.ErrorDescription
	}
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(e.Body, &body)
	return body.Error, body.Description
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// retryAfter reads Retry-After: seconds, or an HTTP date.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
