// Package microsoft reads reps' Microsoft 365 calendars for coach: a
// coach.CalendarSource on Microsoft Graph's calendarView delta.
//
// Graph's Go SDK is far heavier than the one call needed, so this is a
// small REST client: an Entra ID app's client credentials
// (golang.org/x/oauth2/clientcredentials, application permission
// Calendars.Read) and GET /users/{mailbox}/calendarView/delta, following
// @odata.nextLink pages to the @odata.deltaLink, which is the cursor. It
// turns Graph's answers into coach's error classes: 410 is
// coach.ErrCursorExpired, 403/404 coach.ErrMailboxGone, 429 and 5xx a
// *coach.RetryLaterError with Graph's Retry-After.
package microsoft

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"pipelinecoach/coach"
)

// Default endpoints.
const (
	DefaultGraphURL = "https://graph.microsoft.com/v1.0/"
	DefaultLoginURL = "https://login.microsoftonline.com/"
)

// DefaultPageSize is how many events a page holds (Prefer: odata.maxpagesize).
const DefaultPageSize = 200

// Horizon is how far ahead of now a full read's window reaches. Graph's
// calendarView delta reads a fixed window, so coach reads everything again
// now and then (coach.CalendarFullEvery) to move it.
const Horizon = 365 * 24 * time.Hour

// Config is an app registration's credentials and Graph's endpoints.
type Config struct {
	Tenant, ClientID, ClientSecret string
	GraphURL, LoginURL             string // the defaults when empty; each ends with "/"
}

// Client reads calendars through Graph as an app.
type Client struct {
	graph    string
	http     *http.Client
	now      func() time.Time
	PageSize int
}

// New returns a client; base carries the requests (http.DefaultClient when
// nil). now is the clock a full read's window is computed from.
func New(c Config, base *http.Client, now func() time.Time) *Client {
	if c.GraphURL == "" {
		c.GraphURL = DefaultGraphURL
	}
	if c.LoginURL == "" {
		c.LoginURL = DefaultLoginURL
	}
	if base == nil {
		base = http.DefaultClient
	}
	cc := clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		TokenURL:  strings.TrimSuffix(c.LoginURL, "/") + "/" + url.PathEscape(c.Tenant) + "/oauth2/v2.0/token",
		Scopes:    []string{"https://graph.microsoft.com/.default"},
		AuthStyle: oauth2.AuthStyleInParams}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, base)
	hc := &http.Client{Transport: &oauth2.Transport{Source: cc.TokenSource(ctx), Base: base.Transport}}
	return &Client{graph: c.GraphURL, http: hc, now: now, PageSize: DefaultPageSize}
}

// event is the part of Graph's event resource the product reads.
type event struct {
	ID      string `json:"id"`
	Subject string `json:"subject"`
	Start   *struct {
		DateTime string `json:"dateTime"`
		TimeZone string `json:"timeZone"`
	} `json:"start"`
	End *struct {
		DateTime string `json:"dateTime"`
		TimeZone string `json:"timeZone"`
	} `json:"end"`
	IsAllDay       bool   `json:"isAllDay"`
	IsCancelled    bool   `json:"isCancelled"`
	IsOrganizer    bool   `json:"isOrganizer"`
	Type           string `json:"type"`
	SeriesMasterID string `json:"seriesMasterId"`
	ResponseStatus struct {
		Response string `json:"response"`
	} `json:"responseStatus"`
	Attendees []struct {
		Type         string `json:"type"`
		EmailAddress struct {
			Name    string `json:"name"`
			Address string `json:"address"`
		} `json:"emailAddress"`
	} `json:"attendees"`
	Removed *struct {
		Reason string `json:"reason"`
	} `json:"@removed"`
}

type page struct {
	Value     []event `json:"value"`
	NextLink  string  `json:"@odata.nextLink"`
	DeltaLink string  `json:"@odata.deltaLink"`
}

// Changes reads mailbox's default calendar: the window from since to
// Horizon ahead when cursor is "", else what changed since the delta link
// cursor.
func (c *Client) Changes(ctx context.Context, mailbox, cursor string, since time.Time) (coach.CalendarChanges, error) {
	out := coach.CalendarChanges{Full: cursor == ""}
	link := cursor
	if link == "" {
		q := url.Values{"startDateTime": {since.UTC().Format(time.RFC3339)}, "endDateTime": {c.now().Add(Horizon).UTC().Format(time.RFC3339)}}
		link = c.graph + "users/" + url.PathEscape(mailbox) + "/calendarView/delta?" + q.Encode()
	} else if !strings.HasPrefix(link, c.graph) {
		// A link elsewhere would carry our token there.
		return out, fmt.Errorf("read the calendar of %s: cursor is not a Graph link: %w", mailbox, coach.ErrCursorExpired)
	}
	for {
		out.Requests++
		p, err := c.get(ctx, mailbox, link)
		if err != nil {
			return out, err
		}
		for _, ev := range p.Value {
			out.Events = append(out.Events, eventOf(mailbox, ev))
		}
		switch {
		case p.NextLink != "":
			if !strings.HasPrefix(p.NextLink, c.graph) {
				return out, fmt.Errorf("read the calendar of %s: next page %q is not on Graph", mailbox, p.NextLink)
			}
			link = p.NextLink
		case p.DeltaLink != "":
			out.Cursor = p.DeltaLink
			return out, nil
		default:
			return out, fmt.Errorf("read the calendar of %s: a page with neither next nor delta link", mailbox)
		}
	}
}

func (c *Client) get(ctx context.Context, mailbox, link string) (page, error) {
	what := "read the calendar of " + mailbox
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return page{}, fmt.Errorf("%s: %w", what, err)
	}
	req.Header.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(c.PageSize)+`, outlook.timezone="UTC"`)
	res, err := c.http.Do(req)
	if err != nil {
		var rerr *oauth2.RetrieveError
		switch {
		case errors.As(err, &rerr) && rerr.Response != nil && retryable(rerr.Response.StatusCode):
			return page{}, &coach.RetryLaterError{After: retryAfter(rerr.Response.Header), Err: fmt.Errorf("%s: token: %w", what, err)}
		case errors.As(err, &rerr):
			return page{}, fmt.Errorf("%s: sign in to Entra ID: %s %s", what, rerr.ErrorCode, rerr.ErrorDescription)
		case ctx.Err() != nil:
			return page{}, fmt.Errorf("%s: %w", what, err)
		}
		return page{}, &coach.RetryLaterError{Err: fmt.Errorf("%s: %w", what, err)}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return page{}, &coach.RetryLaterError{Err: fmt.Errorf("%s: read the answer: %w", what, err)}
	}
	if res.StatusCode != http.StatusOK {
		return page{}, statusError(what, res, body)
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		return page{}, fmt.Errorf("%s: decode: %w", what, err)
	}
	return p, nil
}

func statusError(what string, res *http.Response, body []byte) error {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	code := e.Error.Code
	switch {
	case res.StatusCode == http.StatusGone:
		return fmt.Errorf("%s: %s: %w", what, code, coach.ErrCursorExpired)
	case retryable(res.StatusCode):
		return &coach.RetryLaterError{After: retryAfter(res.Header), Err: fmt.Errorf("%s: %d %s", what, res.StatusCode, code)}
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%s: %d %s: %w", what, res.StatusCode, code, coach.ErrMailboxGone)
	}
	return fmt.Errorf("%s: %d %s", what, res.StatusCode, code)
}

func eventOf(mailbox string, ev event) coach.CalendarEvent {
	out := coach.CalendarEvent{ID: ev.ID, Title: ev.Subject, AllDay: ev.IsAllDay,
		Cancelled: ev.IsCancelled || ev.Removed != nil,
		Recurring: ev.SeriesMasterID != "" || ev.Type == "occurrence" || ev.Type == "exception" || ev.Type == "seriesMaster",
		Organizer: ev.IsOrganizer, Declined: ev.ResponseStatus.Response == "declined"}
	if ev.Start != nil {
		out.Start = graphTime(ev.Start.DateTime, ev.Start.TimeZone)
	}
	if ev.End != nil {
		out.End = graphTime(ev.End.DateTime, ev.End.TimeZone)
	}
	for _, a := range ev.Attendees {
		if a.Type == "resource" || strings.EqualFold(a.EmailAddress.Address, mailbox) {
			continue
		}
		out.Attendees = append(out.Attendees, coach.Attendee{Email: a.EmailAddress.Address, Name: a.EmailAddress.Name})
	}
	return out
}

// graphTime reads a dateTimeTimeZone: a local time without offset in the
// named zone (UTC, as asked with Prefer: outlook.timezone).
func graphTime(v, zone string) time.Time {
	loc := time.UTC
	if zone != "" && zone != "UTC" {
		if l, err := time.LoadLocation(zone); err == nil {
			loc = l
		}
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.9999999", v, loc)
	if err != nil {
		return time.Time{}
	}
	return t
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}
