// Package googlesim is a local Google Calendar API and its OAuth token
// endpoint, for tests, the demo and the benchmarks. The real client
// (calendar/google, on google.golang.org/api/calendar/v3 and
// golang.org/x/oauth2/google) connects to it over HTTP as it would to
// Google: a service account's key (CredentialsJSON, its token_uri pointing
// here) signs a JWT that impersonates one user, the token endpoint checks
// the signature and the user, and events.list answers with Google's JSON:
// pages (maxResults, pageToken), sync tokens (nextSyncToken, syncToken, 410
// fullSyncRequired once expired), deleted events as status "cancelled",
// recurring series expanded with singleEvents, and faults on demand (429
// with Retry-After, 403 rateLimitExceeded, 5xx, a user removed).
package googlesim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"

	"pipelinecoach/calendar/calendarsim"
)

// Scope is the only scope the token endpoint grants.
const Scope = "https://www.googleapis.com/auth/calendar.readonly"

// Attendee is a guest of an event. Response is Google's responseStatus:
// needsAction, declined, tentative or accepted.
type Attendee struct {
	Email, Name, Response string
	Resource              bool // a room
}

// Event is an event in a user's primary calendar.
type Event struct {
	ID, Summary string
	Start, End  time.Time
	AllDay      bool
	Organizer   string // email; the calendar's user when empty
	Attendees   []Attendee
	// RecurringEventID marks one instance of a recurring series.
	RecurringEventID string
	Cancelled        bool
	// Description is never asked for by the client; it is here so a test
	// can check it is never stored.
	Description string

	calendarsim.Change
}

// Fault makes the next API call fail; see FailNext.
type Fault struct {
	Status     int           // 429, 403, 500, 503, …
	Reason     string        // Google's error reason, e.g. rateLimitExceeded; a default per status when empty
	RetryAfter time.Duration // sent as Retry-After in whole seconds when set
}

// Request is one call the simulator answered; its User is the
// impersonated user.
type Request = calendarsim.Request

// Server is the simulated Google.
type Server struct {
	srv *httptest.Server
	key *rsa.PrivateKey

	*calendarsim.State[Event, *Event, Fault]
	tokens map[string]string // access token → user
}

// New starts a simulator on a loopback port.
func New() *Server {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	s := &Server{State: calendarsim.NewState[Event, *Event, Fault](), key: key, tokens: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("GET /calendar/v3/calendars/{calendar}/events", s.list)
	s.srv = httptest.NewServer(mux)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// APIURL is GOOGLE_CALENDAR_API_URL for this simulator.
func (s *Server) APIURL() string { return s.srv.URL + "/calendar/v3/" }

// TokenURL is the token_uri in CredentialsJSON.
func (s *Server) TokenURL() string { return s.srv.URL + "/token" }

// ClientEmail is the service account's address.
const ClientEmail = "pipelinecoach@sim-project.iam.gserviceaccount.com"

// CredentialsJSON is a service account key file, as the Cloud console
// downloads it, whose token_uri is this simulator.
func (s *Server) CredentialsJSON() []byte {
	der := x509.MarshalPKCS1PrivateKey(s.key)
	raw, _ := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "sim-project",
		"private_key_id": "sim-key-1",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der})),
		"client_email":   ClientEmail,
		"client_id":      "100000000000000000001",
		"auth_uri":       "https://accounts.google.com/o/oauth2/auth",
		"token_uri":      s.TokenURL(),
	})
	return raw
}

// Put adds or changes an event in a user's calendar.
func (s *Server) Put(user string, ev Event) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if ev.Organizer == "" {
		ev.Organizer = user
	}
	if !s.Cals.Put(user, ev.ID, ev) {
		panic("googlesim: no user " + user)
	}
}

// Cancel marks an event cancelled (what Google keeps of a deleted event).
func (s *Server) Cancel(user, id string) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.Cals.Change(user, id, func(ev *Event) { ev.Cancelled = true })
}

// Respond sets the user's own response to an event they were invited to.
func (s *Server) Respond(user, id, response string) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.Cals.Change(user, id, func(ev *Event) {
		for i, a := range ev.Attendees {
			if strings.EqualFold(a.Email, user) {
				ev.Attendees[i].Response = response
			}
		}
	})
}

// ExpireSyncTokens makes every sync token issued so far invalid: the next
// incremental call answers 410 Gone, as Google does after a while.
func (s *Server) ExpireSyncTokens() {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.Cals.ExpireTokens()
}

// token is the JWT bearer grant of a service account with domain-wide
// delegation: the assertion names the user to act as in "sub".
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	fail := func(status int, code, desc string) {
		s.Record("", r, status)
		writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
	}
	if err := r.ParseForm(); err != nil {
		fail(400, "invalid_request", "unreadable form")
		return
	}
	if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		fail(400, "unsupported_grant_type", "Invalid grant_type: "+r.PostForm.Get("grant_type"))
		return
	}
	claims, problem := s.verify(r.PostForm.Get("assertion"))
	if problem != "" {
		fail(400, "invalid_grant", problem)
		return
	}
	if claims.Iss != ClientEmail || claims.Aud != s.TokenURL() {
		fail(400, "invalid_grant", "Invalid JWT: iss or aud")
		return
	}
	if claims.Scope != Scope {
		fail(400, "unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.")
		return
	}
	user := strings.ToLower(claims.Sub)
	if _, ok := s.Cals.Calendar(user); !ok {
		fail(400, "invalid_grant", "Invalid email or User ID")
		return
	}
	tok := fmt.Sprintf("ya29.sim-%d", s.Issue())
	s.tokens[tok] = user
	s.Record("", r, 200)
	writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3599})
}

type jwtClaims struct {
	Iss, Scope, Aud, Sub string
	Exp, Iat             int64
}

// verify checks a JWT assertion's signature and lifetime; problem is
// Google's error_description when it fails, "" when it holds.
func (s *Server) verify(assertion string) (c jwtClaims, problem string) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return c, "Invalid JWT"
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return c, "Invalid JWT signature encoding"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&s.key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return c, "Invalid JWT Signature."
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, "Invalid JWT payload"
	}
	if c.Exp < time.Now().Unix() {
		return c, "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
	}
	return c, ""
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// apiError answers in Google's error format.
func apiError(w http.ResponseWriter, status int, domain, reason, message string) {
	writeJSON(w, status, map[string]any{"error": map[string]any{
		"code": status, "message": message,
		"errors": []map[string]string{{"domain": domain, "reason": reason, "message": message}},
	}})
}

func faultReason(f Fault) (domain, reason, message string) {
	switch f.Status {
	case 429:
		return "usageLimits", orDefault(f.Reason, "rateLimitExceeded"), "Rate Limit Exceeded"
	case 403:
		return "usageLimits", orDefault(f.Reason, "userRateLimitExceeded"), "User Rate Limit Exceeded"
	case 503:
		return "global", orDefault(f.Reason, "backendError"), "Backend Error"
	}
	return "global", orDefault(f.Reason, "internalError"), "Internal Error"
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// maxResults is Google's default page size and the most it returns.
const (
	defaultMaxResults = 250
	maxMaxResults     = 2500
)

// list is events.list on one calendar.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	user, ok := s.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	if !ok {
		s.Record("", r, 401)
		apiError(w, 401, "global", "authError", "Request had invalid authentication credentials.")
		return
	}
	status := 200
	defer func() { s.Record(user, r, status) }()
	if f, ok := s.TakeFault(); ok {
		status = f.Status
		writeFault(w, f)
		return
	}
	cal, ok := s.Cals.Calendar(user)
	if id := r.PathValue("calendar"); !ok || (id != "primary" && !strings.EqualFold(id, user)) {
		status = 404
		apiError(w, status, "global", "notFound", "Not Found")
		return
	}
	lq, bad := parseListQuery(r.URL.Query(), s.Cals.Seq(), s.Cals.Expired)
	if bad != nil {
		status = bad.status
		apiError(w, status, bad.domain, bad.reason, bad.message)
		return
	}
	matching := lq.matching(cal)
	writeJSON(w, 200, listJSON(user, lq, lq.page(matching), matching))
}

// writeFault answers with a fault asked for, in Google's words for it.
func writeFault(w http.ResponseWriter, f Fault) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(max(f.RetryAfter.Round(time.Second)/time.Second, 1))))
	}
	domain, reason, msg := faultReason(f)
	apiError(w, f.Status, domain, reason, msg)
}

// apiProblem is a request the API refuses, as apiError answers it.
type apiProblem struct {
	status                  int
	domain, reason, message string
}

func invalid(message string) *apiProblem {
	return &apiProblem{400, "global", "invalid", message}
}

// listQuery is what an events.list asks for: a page of size events after
// seq after, of the snapshot at seq snapshot; incremental, the changes
// since seq since; or else the events not over before timeMin.
type listQuery struct {
	size                   int
	after, since, snapshot int64
	timeMin                time.Time
	incremental            bool
	showDeleted            bool
}

// parseListQuery reads events.list's parameters; seq is the number of the
// last change, expired tells whether a sync token is gone.
func parseListQuery(q url.Values, seq int64, expired func(since int64) bool) (listQuery, *apiProblem) {
	lq := listQuery{size: defaultMaxResults, showDeleted: q.Get("showDeleted") == "true"}
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return lq, invalid("Invalid value for maxResults")
		}
		lq.size = min(n, maxMaxResults)
	}
	if q.Get("syncToken") != "" && (q.Get("timeMin") != "" || q.Get("timeMax") != "" || q.Get("orderBy") != "") {
		return lq, invalid("Sync token cannot be used with timeMin, timeMax or orderBy")
	}
	// A page token carries where the listing is and the sequence number
	// it is a snapshot of, so the sync token at the end covers every page.
	if pt := q.Get("pageToken"); pt != "" {
		var err error
		if lq.after, lq.since, lq.snapshot, lq.timeMin, lq.incremental, err = parsePageToken(pt); err != nil {
			return lq, invalid("Invalid page token value.")
		}
		return lq, nil
	}
	lq.snapshot = seq
	if st := q.Get("syncToken"); st != "" {
		n, err := parseSyncToken(st)
		if err != nil {
			return lq, invalid("Invalid sync token value.")
		}
		if expired(n) {
			return lq, &apiProblem{410, "calendar", "fullSyncRequired", "Sync token is no longer valid, a full sync is required."}
		}
		lq.since, lq.incremental = n, true
	} else if v := q.Get("timeMin"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return lq, invalid("Bad Request")
		}
		lq.timeMin = t
	}
	return lq, nil
}

// matching is the calendar's events the listing covers, by change: all
// changes when incremental, or else the events not cancelled (unless
// showDeleted) and not over before timeMin.
func (lq listQuery) matching(cal map[string]*Event) []*Event {
	return calendarsim.Listing(cal, lq.snapshot, lq.since, lq.incremental, func(ev *Event) bool {
		return lq.incremental ||
			(!ev.Cancelled || lq.showDeleted) && (lq.timeMin.IsZero() || !ev.End.Before(lq.timeMin))
	})
}

// page is the page of the matching events asked for.
func (lq listQuery) page(matching []*Event) []*Event {
	return calendarsim.Page(matching, lq.after, lq.size)
}

// listJSON is a page of events as Google answers it: with the next page's
// token, or after the last page the sync token of the snapshot.
func listJSON(user string, lq listQuery, page, matching []*Event) map[string]any {
	out := map[string]any{"kind": "calendar#events", "summary": user, "timeZone": "UTC", "updated": time.Now().UTC().Format(time.RFC3339Nano)}
	items := make([]map[string]any, 0, len(page))
	for _, ev := range page {
		items = append(items, eventJSON(user, ev))
	}
	out["items"] = items
	if calendarsim.More(page, matching) {
		out["nextPageToken"] = pageToken(page[len(page)-1].Seq(), lq.since, lq.snapshot, lq.timeMin, lq.incremental)
	} else {
		out["nextSyncToken"] = syncToken(lq.snapshot)
	}
	return out
}

func eventJSON(user string, ev *Event) map[string]any {
	if ev.Cancelled {
		return map[string]any{"kind": "calendar#event", "id": ev.ID, "status": "cancelled"}
	}
	when := func(t time.Time) map[string]any {
		if ev.AllDay {
			return map[string]any{"date": t.Format("2006-01-02")}
		}
		return map[string]any{"dateTime": t.Format(time.RFC3339), "timeZone": t.Location().String()}
	}
	out := map[string]any{
		"kind": "calendar#event", "id": ev.ID, "status": "confirmed", "summary": ev.Summary,
		"description": ev.Description,
		"htmlLink":    "https://www.google.com/calendar/event?eid=" + ev.ID,
		"start":       when(ev.Start), "end": when(ev.End),
		"organizer": map[string]any{"email": ev.Organizer, "self": strings.EqualFold(ev.Organizer, user)},
		"creator":   map[string]any{"email": ev.Organizer},
		"etag":      fmt.Sprintf("%q", strconv.FormatInt(ev.Seq(), 10)),
		"updated":   time.Now().UTC().Format(time.RFC3339Nano),
	}
	if ev.RecurringEventID != "" {
		out["recurringEventId"] = ev.RecurringEventID
		out["originalStartTime"] = when(ev.Start)
	}
	if len(ev.Attendees) > 0 {
		var as []map[string]any
		for _, a := range ev.Attendees {
			m := map[string]any{"email": a.Email, "responseStatus": orDefault(a.Response, "needsAction")}
			if a.Name != "" {
				m["displayName"] = a.Name
			}
			if a.Resource {
				m["resource"] = true
			}
			if strings.EqualFold(a.Email, user) {
				m["self"] = true
			}
			if strings.EqualFold(a.Email, ev.Organizer) {
				m["organizer"] = true
			}
			as = append(as, m)
		}
		out["attendees"] = as
	}
	return out
}

func syncToken(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sync:" + strconv.FormatInt(seq, 10)))
}

func parseSyncToken(tok string) (int64, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(raw), "sync:") {
		return 0, fmt.Errorf("bad sync token")
	}
	return strconv.ParseInt(strings.TrimPrefix(string(raw), "sync:"), 10, 64)
}

func pageToken(after, since, snapshot int64, timeMin time.Time, incremental bool) string {
	s := fmt.Sprintf("page:%d:%d:%d:%d:%t", after, since, snapshot, timeMin.Unix(), incremental)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parsePageToken(tok string) (after, since, snapshot int64, timeMin time.Time, incremental bool, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return
	}
	var unix int64
	if _, err = fmt.Sscanf(string(raw), "page:%d:%d:%d:%d:%t", &after, &since, &snapshot, &unix, &incremental); err != nil {
		return
	}
	if unix > 0 {
		timeMin = time.Unix(unix, 0)
	}
	return
}
