// Package graphsim is a local Microsoft Graph (calendarView delta) and its
// Entra ID token endpoint, for tests, the demo and the benchmarks. The real
// client (calendar/microsoft, on golang.org/x/oauth2/clientcredentials)
// connects to it over HTTP as it would to Microsoft: the client
// credentials grant at /{tenant}/oauth2/v2.0/token, then
// /v1.0/users/{id}/calendarView/delta with startDateTime and endDateTime,
// pages of Prefer: odata.maxpagesize with @odata.nextLink, a
// @odata.deltaLink at the end, removed events as "@removed", and faults on
// demand: 410 for a delta token it forgot, 429 with Retry-After, 503, and
// 404 for a mailbox that is gone.
package graphsim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"pipelinecoach/calendar/calendarsim"
)

// Credentials the token endpoint accepts.
const (
	Tenant       = "11111111-2222-3333-4444-555555555555"
	ClientID     = "66666666-7777-8888-9999-000000000000"
	ClientSecret = "sim~secret"
	scope        = "https://graph.microsoft.com/.default"
)

// Attendee is a guest of an event. Response is Graph's: none, organizer,
// tentativelyAccepted, accepted, declined, notResponded.
type Attendee struct {
	Email, Name, Response string
	Resource              bool // a room
}

// Event is an event of a user's default calendar.
type Event struct {
	ID, Subject string
	Start, End  time.Time
	AllDay      bool
	Organizer   string // the user when empty
	Attendees   []Attendee
	// SeriesMasterID marks an occurrence of a recurring series.
	SeriesMasterID string
	Cancelled      bool
	Deleted        bool
	Body           string // never asked for; here to check it is not stored

	calendarsim.Change
}

// Fault makes the next API call fail; see FailNext.
type Fault struct {
	Status     int
	Code       string // Graph's error code; a default per status when empty
	RetryAfter time.Duration
}

// Request is one call the simulator answered; its User is the mailbox in
// the path.
type Request = calendarsim.Request

// Server is the simulated Microsoft 365.
type Server struct {
	srv *httptest.Server

	*calendarsim.State[Event, *Event, Fault]
	tokens map[string]bool
}

// New starts a simulator on a loopback port.
func New() *Server {
	s := &Server{State: calendarsim.NewState[Event, *Event, Fault](), tokens: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	mux.HandleFunc("GET /v1.0/users/{user}/calendarView/delta", s.delta)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// GraphURL is MS_GRAPH_URL for this simulator.
func (s *Server) GraphURL() string { return s.srv.URL + "/v1.0/" }

// LoginURL is MS_LOGIN_URL for this simulator.
func (s *Server) LoginURL() string { return s.srv.URL + "/" }

// Put adds or changes an event.
func (s *Server) Put(user string, ev Event) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if ev.Organizer == "" {
		ev.Organizer = user
	}
	if !s.Cals.Put(user, ev.ID, ev) {
		panic("graphsim: no user " + user)
	}
}

// Cancel cancels an event: Outlook keeps it, marked isCancelled.
func (s *Server) Cancel(user, id string) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.Cals.Change(user, id, func(ev *Event) { ev.Cancelled = true })
}

// Delete removes an event: a delta reports it as "@removed".
func (s *Server) Delete(user, id string) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.Cals.Change(user, id, func(ev *Event) { ev.Deleted = true })
}

// ExpireDeltaTokens forgets every delta token issued so far: the next
// incremental call answers 410 Gone.
func (s *Server) ExpireDeltaTokens() {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.Cals.ExpireTokens()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// token is the client credentials grant of an app registration.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	fail := func(status int, code, desc string) {
		s.Record("", r, status)
		writeJSON(w, status, map[string]any{"error": code, "error_description": desc, "error_codes": []int{7000215}})
	}
	if r.PathValue("tenant") != Tenant {
		fail(400, "invalid_request", "AADSTS90002: Tenant '"+r.PathValue("tenant")+"' not found.")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		fail(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || secret != ClientSecret {
		fail(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
		return
	}
	if r.PostForm.Get("scope") != scope {
		fail(400, "invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
		return
	}
	tok := fmt.Sprintf("eyJ0eXAi.sim-%d", s.Issue())
	s.tokens[tok] = true
	s.Record("", r, 200)
	writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
}

func graphError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": message,
		"innerError": map[string]any{"date": time.Now().UTC().Format(time.RFC3339), "request-id": "sim"}}})
}

// deltaState is what a skip or delta token stands for.
type deltaState struct {
	After    int64     `json:"a"` // events listed up to this seq (pages)
	Since    int64     `json:"s"` // changes after this seq (incremental)
	Snapshot int64     `json:"n"`
	From     time.Time `json:"f"`
	To       time.Time `json:"t"`
	Delta    bool      `json:"d"`
}

func encodeState(st deltaState) string {
	raw, _ := json.Marshal(st)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeState(tok string) (deltaState, error) {
	var st deltaState
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal(raw, &st)
}

const maxPageSize = 1000

// delta is GET /users/{id}/calendarView/delta.
func (s *Server) delta(w http.ResponseWriter, r *http.Request) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	user := strings.ToLower(r.PathValue("user"))
	if !s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] {
		s.Record(user, r, 401)
		graphError(w, 401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
		return
	}
	status := 200
	defer func() { s.Record(user, r, status) }()
	if fault, ok := s.TakeFault(); ok {
		status = fault.Status
		writeFault(w, fault)
		return
	}
	cal, ok := s.Cals.Calendar(user)
	if !ok {
		status = 404
		graphError(w, status, "ErrorInvalidUser", "The requested user '"+r.PathValue("user")+"' is invalid.")
		return
	}
	st, bad := parseDeltaState(r.URL.Query(), s.Cals.Seq(), s.Cals.Expired)
	if bad != nil {
		status = bad.status
		graphError(w, status, bad.code, bad.message)
		return
	}
	matching := st.matching(cal)
	page := st.page(matching, pageSize(r.Header.Get("Prefer")))
	base := s.GraphURL() + "users/" + url.PathEscape(r.PathValue("user")) + "/calendarView/delta?"
	writeJSON(w, 200, s.deltaJSON(user, base, st, page, matching))
}

// writeFault answers with a fault asked for, in Graph's words for it.
func writeFault(w http.ResponseWriter, fault Fault) {
	if fault.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(max(fault.RetryAfter.Round(time.Second)/time.Second, 1))))
	}
	code := fault.Code
	if code == "" {
		code = map[int]string{429: "TooManyRequests", 503: "ServiceNotAvailable", 404: "ErrorItemNotFound"}[fault.Status]
	}
	graphError(w, fault.Status, orDefault(code, "generalException"), "Simulated fault.")
}

// graphProblem is a request Graph refuses, as graphError answers it.
type graphProblem struct {
	status        int
	code, message string
}

// parseDeltaState reads where a delta request is: a skip token's page, a
// delta token's changes since (seq is the number of the last change,
// expired tells whether a delta token is gone), or a new time window.
func parseDeltaState(q url.Values, seq int64, expired func(since int64) bool) (deltaState, *graphProblem) {
	if q.Get("$skiptoken") == "" && q.Get("$deltatoken") == "" {
		from, err1 := time.Parse(time.RFC3339, q.Get("startDateTime"))
		to, err2 := time.Parse(time.RFC3339, q.Get("endDateTime"))
		if err1 != nil || err2 != nil {
			return deltaState{}, &graphProblem{400, "ErrorInvalidParameter", "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime."}
		}
		return deltaState{From: from, To: to, Snapshot: seq}, nil
	}
	st, err := decodeState(q.Get("$skiptoken") + q.Get("$deltatoken"))
	if err != nil {
		return st, &graphProblem{400, "BadRequest", "Invalid token."}
	}
	if q.Get("$deltatoken") != "" {
		if expired(st.Since) {
			return st, &graphProblem{410, "SyncStateNotFound", "The sync state generation is not found. Please re-sync."}
		}
		st.After, st.Snapshot = 0, seq
	}
	return st, nil
}

// pageSize is the page size a Prefer header asks for, at most maxPageSize.
func pageSize(prefer string) int {
	size := maxPageSize
	if v, ok := strings.CutPrefix(prefer, "odata.maxpagesize="); ok {
		if n, err := strconv.Atoi(strings.SplitN(v, ",", 2)[0]); err == nil && n > 0 {
			size = min(n, maxPageSize)
		}
	}
	return size
}

// matching is the calendar's events the state covers, by change: those in
// the window, and in a delta those deleted too.
func (st deltaState) matching(cal map[string]*Event) []*Event {
	return calendarsim.Listing(cal, st.Snapshot, st.Since, st.Delta, func(ev *Event) bool {
		inView := ev.End.After(st.From) && ev.Start.Before(st.To)
		if st.Delta {
			return inView || ev.Deleted
		}
		return inView && !ev.Deleted
	})
}

// page is the next page of the matching events.
func (st deltaState) page(matching []*Event, size int) []*Event {
	return calendarsim.Page(matching, st.After, size)
}

// deltaJSON is a page as Graph answers it: with the link to the next page,
// or after the last page the delta link for the changes since the
// snapshot; base is the request's URL without its query.
func (s *Server) deltaJSON(user, base string, st deltaState, page, matching []*Event) map[string]any {
	values := make([]map[string]any, 0, len(page))
	for _, ev := range page {
		values = append(values, eventJSON(user, ev))
	}
	out := map[string]any{"@odata.context": s.GraphURL() + "$metadata#Collection(event)", "value": values}
	if calendarsim.More(page, matching) {
		next := st
		next.After = page[len(page)-1].Seq()
		out["@odata.nextLink"] = base + "$skiptoken=" + encodeState(next)
	} else {
		next := st
		next.Since, next.Delta, next.After = st.Snapshot, true, 0
		out["@odata.deltaLink"] = base + "$deltatoken=" + encodeState(next)
	}
	return out
}

// graphTime is how Graph writes a dateTimeTimeZone in UTC.
const graphTime = "2006-01-02T15:04:05.0000000"

func eventJSON(user string, ev *Event) map[string]any {
	if ev.Deleted {
		return map[string]any{"@odata.type": "#microsoft.graph.event", "id": ev.ID, "@removed": map[string]string{"reason": "deleted"}}
	}
	when := func(t time.Time) map[string]string {
		return map[string]string{"dateTime": t.UTC().Format(graphTime), "timeZone": "UTC"}
	}
	typ, organizer := "singleInstance", strings.EqualFold(ev.Organizer, user)
	if ev.SeriesMasterID != "" {
		typ = "occurrence"
	}
	response := "organizer"
	if !organizer {
		response = "none"
	}
	var attendees []map[string]any
	for _, a := range ev.Attendees {
		typ := "required"
		if a.Resource {
			typ = "resource"
		}
		if strings.EqualFold(a.Email, user) {
			response = orDefault(a.Response, "none")
		}
		attendees = append(attendees, map[string]any{"type": typ,
			"status":       map[string]string{"response": orDefault(a.Response, "none"), "time": "0001-01-01T00:00:00Z"},
			"emailAddress": map[string]string{"name": a.Name, "address": a.Email}})
	}
	out := map[string]any{
		"@odata.type": "#microsoft.graph.event", "@odata.etag": fmt.Sprintf("W/\"%d\"", ev.Seq()),
		"id": ev.ID, "subject": ev.Subject, "start": when(ev.Start), "end": when(ev.End),
		"isAllDay": ev.AllDay, "isCancelled": ev.Cancelled, "isOrganizer": organizer, "type": typ,
		"seriesMasterId": nil, "body": map[string]string{"contentType": "html", "content": ev.Body},
		"responseStatus": map[string]string{"response": response, "time": "0001-01-01T00:00:00Z"},
		"organizer":      map[string]any{"emailAddress": map[string]string{"name": "", "address": ev.Organizer}},
		"attendees":      attendees,
	}
	if ev.SeriesMasterID != "" {
		out["seriesMasterId"] = ev.SeriesMasterID
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
