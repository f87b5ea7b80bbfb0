// Package hubspotsim is a local HubSpot: the CRM v3 endpoints Pipeline Coach
// calls (deal pipelines, owners, deal properties, companies, deals with
// batch upsert by a unique property, search, deal-to-company associations),
// answering in HubSpot's shapes, with its rolling limit of 100 requests per
// 10 seconds (429, errorType RATE_LIMIT), its validation errors (400,
// VALIDATION_ERROR) and an outage switch. Tests, the demo and benchmarks
// point the real client at it and look at the deals it holds.
package hubspotsim

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Token is the private app token the simulator accepts unless told otherwise.
const Token = "pat-sim-0000"

// Server is a running simulated HubSpot account. Its methods are safe for
// concurrent use.
type Server struct {
	srv   *http.Server
	ln    net.Listener
	token string

	mu        sync.Mutex
	limit     int
	window    time.Duration
	recent    []time.Time // start times of the requests in the window
	requests  map[string]int
	limited   int
	down      bool
	required  []string
	nextID    int
	owners    []owner
	pipelines []pipeline
	props     map[string]property
	deals     map[string]*record
	companies map[string]*record
	assoc     map[string]string // deal id → company id
	writes    int               // deal writes, created or updated
}

type owner struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	UserID    int    `json:"userId"`
	Archived  bool   `json:"archived"`
}

type stage struct {
	ID           string            `json:"id"`
	Label        string            `json:"label"`
	DisplayOrder int               `json:"displayOrder"`
	Metadata     map[string]string `json:"metadata"`
	Archived     bool              `json:"archived"`
}

type pipeline struct {
	ID           string  `json:"id"`
	Label        string  `json:"label"`
	DisplayOrder int     `json:"displayOrder"`
	Stages       []stage `json:"stages"`
	Archived     bool    `json:"archived"`
}

type property struct {
	Name           string `json:"name"`
	Label          string `json:"label"`
	Type           string `json:"type"`
	FieldType      string `json:"fieldType"`
	GroupName      string `json:"groupName"`
	HasUniqueValue bool   `json:"hasUniqueValue"`
	Description    string `json:"description,omitempty"`
}

type record struct {
	id        string
	props     map[string]string
	createdAt time.Time
	updatedAt time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithRateLimit sets the rolling limit: n requests per window (HubSpot's
// 100 per 10 seconds by default; n ≤ 0 turns it off).
func WithRateLimit(n int, window time.Duration) Option {
	return func(s *Server) { s.limit, s.window = n, window }
}

// WithToken sets the private app token the simulator accepts.
func WithToken(t string) Option { return func(s *Server) { s.token = t } }

// WithoutIDProperty starts the account without the pipelinecoach_id and
// second-meeting deal properties, as a new account is before setup.
func WithoutIDProperty() Option {
	return func(s *Server) {
		delete(s.props, "pipelinecoach_id")
		delete(s.props, "pipelinecoach_second_meeting")
	}
}

// Start serves a simulated account on a loopback port: the default "Sales
// Pipeline" and its stages, the standard deal properties and Pipeline
// Coach's own.
func Start(opts ...Option) (*Server, error) {
	s := &Server{
		token: Token, limit: 100, window: 10 * time.Second,
		requests: map[string]int{}, props: map[string]property{},
		deals: map[string]*record{}, companies: map[string]*record{}, assoc: map[string]string{},
		nextID: 1000,
	}
	s.pipelines = []pipeline{{ID: "default", Label: "Sales Pipeline", Stages: []stage{
		s.stage("appointmentscheduled", "Appointment Scheduled", 0, "0.2", false),
		s.stage("qualifiedtobuy", "Qualified To Buy", 1, "0.4", false),
		s.stage("presentationscheduled", "Presentation Scheduled", 2, "0.6", false),
		s.stage("decisionmakerboughtin", "Decision Maker Bought-In", 3, "0.8", false),
		s.stage("contractsent", "Contract Sent", 4, "0.9", false),
		s.stage("closedwon", "Closed Won", 5, "1.0", true),
		s.stage("closedlost", "Closed Lost", 6, "0.0", true),
	}}}
	for _, name := range []string{"dealname", "dealstage", "pipeline", "amount", "deal_currency_code", "closedate",
		"hubspot_owner_id", "hs_next_step", "closed_lost_reason", "closed_won_reason", "description",
		"hs_is_closed", "hs_lastmodifieddate", "createdate"} {
		s.props[name] = property{Name: name, Label: name, Type: "string", FieldType: "text", GroupName: "dealinformation"}
	}
	s.props["pipelinecoach_id"] = property{Name: "pipelinecoach_id", Label: "Pipeline Coach ID", Type: "string", FieldType: "text", GroupName: "dealinformation", HasUniqueValue: true}
	s.props["pipelinecoach_second_meeting"] = property{Name: "pipelinecoach_second_meeting", Label: "Second meeting", Type: "date", FieldType: "date", GroupName: "dealinformation"}
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hubspotsim: listen: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *Server) stage(id, label string, order int, probability string, closed bool) stage {
	return stage{ID: id, Label: label, DisplayOrder: order, Metadata: map[string]string{"isClosed": strconv.FormatBool(closed), "probability": probability}}
}

// URL is the simulator's base URL, as HUBSPOT_API_URL takes it.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/" }

// Close stops serving.
func (s *Server) Close() error { return s.srv.Close() }

func (s *Server) newID() string {
	s.nextID++
	return strconv.Itoa(s.nextID)
}

// AddOwner adds a HubSpot user deals can be owned by and returns its id.
func (s *Server) AddOwner(email, first, last string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID()
	s.owners = append(s.owners, owner{ID: id, Email: email, FirstName: first, LastName: last, UserID: s.nextID * 7})
	return id
}

// AddDeal creates a deal as someone working in HubSpot would, and returns
// its id.
func (s *Server) AddDeal(props map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC()
	r := &record{id: s.newID(), props: maps.Clone(props), createdAt: now, updatedAt: now}
	if r.props["pipeline"] == "" {
		r.props["pipeline"] = "default"
	}
	s.deals[r.id] = r
	return r.id
}

// SetDealProperty changes a deal as someone working in HubSpot would.
func (s *Server) SetDealProperty(id, name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.deals[id]; ok {
		r.props[name] = value
		r.updatedAt = time.Now().UTC()
	}
}

// SetDown makes every call answer 503, as during an outage.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Require makes a deal property required on create, as an account's
// validation rules can.
func (s *Server) Require(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.required = append(s.required, name)
}

// Deal is a deal as the simulator holds it.
type Deal struct {
	ID         string
	Properties map[string]string
	CompanyID  string
	Company    map[string]string
}

// Deals returns every deal, ordered by id.
func (s *Server) Deals() []Deal {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Deal
	for _, r := range s.deals {
		d := Deal{ID: r.id, Properties: maps.Clone(r.props), CompanyID: s.assoc[r.id]}
		if c, ok := s.companies[d.CompanyID]; ok {
			d.Company = maps.Clone(c.props)
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b Deal) int { return cmp.Compare(len(a.ID), len(b.ID))*2 + cmp.Compare(a.ID, b.ID) })
	return out
}

// Companies returns every company's properties.
func (s *Server) Companies() []map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]string
	for _, r := range s.companies {
		out = append(out, maps.Clone(r.props))
	}
	return out
}

// Requests counts the requests answered, by "METHOD path" (429s included).
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.requests)
}

// Limited counts the requests answered 429.
func (s *Server) Limited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// DealWrites counts deal creations and updates made through the API.
func (s *Server) DealWrites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// HasProperty reports whether the account has the deal property.
func (s *Server) HasProperty(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.props[name]
	return ok
}

type apiError struct {
	Status        string            `json:"status"`
	Message       string            `json:"message"`
	CorrelationID string            `json:"correlationId"`
	Category      string            `json:"category,omitempty"`
	ErrorType     string            `json:"errorType,omitempty"`
	PolicyName    string            `json:"policyName,omitempty"`
	Context       map[string]any    `json:"context,omitempty"`
	Links         map[string]string `json:"links,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) fail(w http.ResponseWriter, status int, category, format string, args ...any) {
	writeJSON(w, status, apiError{Status: "error", Message: fmt.Sprintf(format, args...), CorrelationID: s.correlation(), Category: category})
}

func (s *Server) correlation() string {
	return fmt.Sprintf("sim-%08d", s.nextID)
}

// admit applies the outage switch and the rolling rate limit; the lock is
// held.
func (s *Server) admit(w http.ResponseWriter, now time.Time) bool {
	if s.down {
		s.fail(w, http.StatusServiceUnavailable, "", "The service is temporarily unavailable.")
		return false
	}
	if s.limit <= 0 {
		return true
	}
	cut := 0
	for cut < len(s.recent) && now.Sub(s.recent[cut]) >= s.window {
		cut++
	}
	s.recent = s.recent[cut:]
	w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(s.window.Milliseconds(), 10))
	w.Header().Set("X-HubSpot-RateLimit-Max", strconv.Itoa(s.limit))
	if len(s.recent) >= s.limit {
		s.limited++
		w.Header().Set("X-HubSpot-RateLimit-Remaining", "0")
		wait := s.window - now.Sub(s.recent[0])
		w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		writeJSON(w, http.StatusTooManyRequests, apiError{Status: "error", Message: "You have reached your ten_secondly_rolling limit.",
			ErrorType: "RATE_LIMIT", CorrelationID: s.correlation(), PolicyName: "TEN_SECONDLY_ROLLING"})
		return false
	}
	s.recent = append(s.recent, now)
	w.Header().Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(s.limit-len(s.recent)))
	return true
}

// ServeHTTP answers one API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimSuffix(r.URL.Path, "/")
	s.requests[r.Method+" "+path]++
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		s.fail(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
		return
	}
	if !s.admit(w, time.Now()) {
		return
	}
	var body map[string]json.RawMessage
	if r.Method == http.MethodPost {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: %v", err)
			return
		}
	}
	switch {
	case r.Method == http.MethodGet && path == "/crm/v3/pipelines/deals":
		writeJSON(w, http.StatusOK, map[string]any{"results": s.pipelines})
	case r.Method == http.MethodGet && path == "/crm/v3/owners":
		s.listOwners(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/crm/v3/properties/deals/"):
		name := strings.TrimPrefix(path, "/crm/v3/properties/deals/")
		p, ok := s.props[name]
		if !ok {
			s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Unable to find property %s for object type 0-3", name)
			return
		}
		writeJSON(w, http.StatusOK, p)
	case r.Method == http.MethodPost && path == "/crm/v3/properties/deals":
		s.createProperty(w, body)
	case r.Method == http.MethodPost && path == "/crm/v3/objects/deals/batch/upsert":
		s.upsertDeals(w, r, body)
	case r.Method == http.MethodPost && path == "/crm/v3/objects/deals/batch/update":
		s.updateDeals(w, body)
	case r.Method == http.MethodPost && path == "/crm/v3/objects/companies/batch/create":
		s.createCompanies(w, body)
	case r.Method == http.MethodPost && path == "/crm/v3/objects/deals/search":
		s.search(w, s.deals, body)
	case r.Method == http.MethodPost && path == "/crm/v3/objects/companies/search":
		s.search(w, s.companies, body)
	case r.Method == http.MethodPost && path == "/crm/v4/associations/deals/companies/batch/associate/default":
		s.associate(w, body)
	default:
		s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Unable to route %s %s", r.Method, path)
	}
}

func (s *Server) listOwners(w http.ResponseWriter, r *http.Request) {
	email := r.URL.Query().Get("email")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	after, _ := strconv.Atoi(r.URL.Query().Get("after"))
	var matched []owner
	for _, o := range s.owners {
		if email == "" || strings.EqualFold(o.Email, email) {
			matched = append(matched, o)
		}
	}
	out := map[string]any{}
	end := min(after+limit, len(matched))
	if after > len(matched) {
		after = len(matched)
	}
	out["results"] = matched[after:end]
	if end < len(matched) {
		out["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createProperty(w http.ResponseWriter, body map[string]json.RawMessage) {
	raw, _ := json.Marshal(body)
	var p property
	if err := json.Unmarshal(raw, &p); err != nil || p.Name == "" || p.Type == "" || p.FieldType == "" || p.GroupName == "" {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property definition requires name, label, type, fieldType and groupName")
		return
	}
	if _, ok := s.props[p.Name]; ok {
		s.fail(w, http.StatusConflict, "OBJECT_ALREADY_EXISTS", "Property named '%s' already exists.", p.Name)
		return
	}
	s.props[p.Name] = p
	writeJSON(w, http.StatusCreated, p)
}

type input struct {
	ID         string            `json:"id"`
	IDProperty string            `json:"idProperty"`
	Properties map[string]string `json:"properties"`
}

func (s *Server) inputs(w http.ResponseWriter, body map[string]json.RawMessage) ([]input, bool) {
	var in []input
	if err := json.Unmarshal(body["inputs"], &in); err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: inputs: %v", err)
		return nil, false
	}
	if len(in) > 100 {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Batch input size must be less than or equal to 100; got %d", len(in))
		return nil, false
	}
	return in, true
}

type invalidProp struct {
	IsValid bool   `json:"isValid"`
	Message string `json:"message"`
	Error   string `json:"error"`
	Name    string `json:"name"`
}

// validate checks a deal's properties as HubSpot does; creating asks for
// the required ones too.
func (s *Server) validate(props map[string]string, creating bool) []invalidProp {
	var bad []invalidProp
	for name, v := range props {
		def, ok := s.props[name]
		if !ok {
			bad = append(bad, invalidProp{Message: fmt.Sprintf("Property \"%s\" does not exist", name), Error: "PROPERTY_DOESNT_EXIST", Name: name})
			continue
		}
		switch {
		case name == "amount" && v != "":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				bad = append(bad, invalidProp{Message: fmt.Sprintf("%s was not a valid number.", v), Error: "INVALID_FLOAT", Name: name})
			}
		case name == "hubspot_owner_id" && v != "":
			if !slices.ContainsFunc(s.owners, func(o owner) bool { return o.ID == v }) {
				bad = append(bad, invalidProp{Message: fmt.Sprintf("%s is not a valid owner id", v), Error: "INVALID_OWNER_ID", Name: name})
			}
		case name == "closedate" && v != "":
			if !validDate(v, false) {
				bad = append(bad, invalidProp{Message: fmt.Sprintf("%s is not a valid datetime", v), Error: "INVALID_DATE", Name: name})
			}
		case def.Type == "date" && v != "":
			if !validDate(v, true) {
				bad = append(bad, invalidProp{Message: fmt.Sprintf("%s is at not midnight UTC: a date property takes a date", v), Error: "INVALID_DATE", Name: name})
			}
		}
	}
	if st, ok := props["dealstage"]; ok {
		pl := cmp.Or(props["pipeline"], "default")
		if !s.hasStage(pl, st) {
			bad = append(bad, invalidProp{Message: fmt.Sprintf("%s was not one of the allowed options: pipeline %s's stages", st, pl), Error: "INVALID_OPTION", Name: "dealstage"})
		}
	}
	if creating {
		for _, name := range s.required {
			if props[name] == "" {
				bad = append(bad, invalidProp{Message: fmt.Sprintf("Property \"%s\" is required", name), Error: "REQUIRED_FIELD", Name: name})
			}
		}
	}
	return bad
}

func validDate(v string, dateOnly bool) bool {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return !dateOnly || ms%(24*3600*1000) == 0
	}
	if _, err := time.Parse("2006-01-02", v); err == nil {
		return true
	}
	t, err := time.Parse(time.RFC3339, v)
	return err == nil && (!dateOnly || t.Equal(t.Truncate(24*time.Hour)))
}

func (s *Server) hasStage(pipelineID, stageID string) bool {
	for _, p := range s.pipelines {
		if p.ID == pipelineID {
			return slices.ContainsFunc(p.Stages, func(st stage) bool { return st.ID == stageID })
		}
	}
	return false
}

func (s *Server) refuse(w http.ResponseWriter, bad []invalidProp) {
	raw, _ := json.Marshal(bad)
	s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid: %s", raw)
}

func (s *Server) upsertDeals(w http.ResponseWriter, r *http.Request, body map[string]json.RawMessage) {
	in, ok := s.inputs(w, body)
	if !ok {
		return
	}
	byUnique := map[string]*record{}
	for _, d := range s.deals {
		if v := d.props["pipelinecoach_id"]; v != "" {
			byUnique[v] = d
		}
	}
	seen := map[string]bool{}
	for _, d := range in {
		def, ok := s.props[d.IDProperty]
		if !ok || !def.HasUniqueValue {
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "idProperty %q is not a unique value property of deals", d.IDProperty)
			return
		}
		if d.ID == "" || seen[d.ID] {
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Duplicate or empty id %q in batch upsert", d.ID)
			return
		}
		seen[d.ID] = true
		props := maps.Clone(d.Properties)
		if props == nil {
			props = map[string]string{}
		}
		props[d.IDProperty] = d.ID
		if bad := s.validate(props, byUnique[d.ID] == nil); len(bad) > 0 {
			s.refuse(w, bad)
			return
		}
	}
	now := time.Now().UTC()
	var results []map[string]any
	for _, d := range in {
		rec, existed := byUnique[d.ID]
		if !existed {
			rec = &record{id: s.newID(), props: map[string]string{"pipeline": "default"}, createdAt: now}
			s.deals[rec.id] = rec
		}
		maps.Copy(rec.props, d.Properties)
		rec.props[d.IDProperty] = d.ID
		rec.updatedAt = now
		s.writes++
		results = append(results, s.object(rec, !existed))
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "results": results,
		"startedAt": now.Format(time.RFC3339Nano), "completedAt": time.Now().UTC().Format(time.RFC3339Nano)})
}

func (s *Server) updateDeals(w http.ResponseWriter, body map[string]json.RawMessage) {
	in, ok := s.inputs(w, body)
	if !ok {
		return
	}
	for _, d := range in {
		if _, ok := s.deals[d.ID]; !ok {
			s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Could not get some DEAL objects, they may be deleted or not exist. Check that ids are valid. (%s)", d.ID)
			return
		}
		if bad := s.validate(d.Properties, false); len(bad) > 0 {
			s.refuse(w, bad)
			return
		}
	}
	now := time.Now().UTC()
	var results []map[string]any
	for _, d := range in {
		rec := s.deals[d.ID]
		maps.Copy(rec.props, d.Properties)
		rec.updatedAt = now
		s.writes++
		results = append(results, s.object(rec, false))
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "results": results})
}

func (s *Server) object(r *record, isNew bool) map[string]any {
	props := maps.Clone(r.props)
	props["hs_object_id"] = r.id
	props["createdate"] = r.createdAt.Format(time.RFC3339Nano)
	props["hs_lastmodifieddate"] = r.updatedAt.Format(time.RFC3339Nano)
	return map[string]any{"id": r.id, "properties": props, "createdAt": r.createdAt.Format(time.RFC3339Nano),
		"updatedAt": r.updatedAt.Format(time.RFC3339Nano), "archived": false, "new": isNew}
}

func (s *Server) createCompanies(w http.ResponseWriter, body map[string]json.RawMessage) {
	in, ok := s.inputs(w, body)
	if !ok {
		return
	}
	for _, c := range in {
		if c.Properties["name"] == "" && c.Properties["domain"] == "" {
			s.refuse(w, []invalidProp{{Message: "A company needs a name or a domain", Error: "REQUIRED_FIELD", Name: "name"}})
			return
		}
	}
	now := time.Now().UTC()
	var results []map[string]any
	for _, c := range in {
		rec := &record{id: s.newID(), props: maps.Clone(c.Properties), createdAt: now, updatedAt: now}
		s.companies[rec.id] = rec
		results = append(results, s.object(rec, true))
	}
	writeJSON(w, http.StatusCreated, map[string]any{"status": "COMPLETE", "results": results})
}

type filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value"`
	Values       []string `json:"values"`
}

func (f filter) match(props map[string]string) bool {
	v, has := props[f.PropertyName]
	switch f.Operator {
	case "EQ":
		return has && strings.EqualFold(v, f.Value)
	case "NEQ":
		return !strings.EqualFold(v, f.Value)
	case "IN":
		return has && slices.ContainsFunc(f.Values, func(x string) bool { return strings.EqualFold(x, v) })
	case "NOT_IN":
		return !slices.ContainsFunc(f.Values, func(x string) bool { return strings.EqualFold(x, v) })
	case "HAS_PROPERTY":
		return has && v != ""
	case "NOT_HAS_PROPERTY":
		return !has || v == ""
	}
	return false
}

func (s *Server) search(w http.ResponseWriter, records map[string]*record, body map[string]json.RawMessage) {
	var q struct {
		FilterGroups []struct {
			Filters []filter `json:"filters"`
		} `json:"filterGroups"`
		Properties []string `json:"properties"`
		Limit      int      `json:"limit"`
		After      string   `json:"after"`
	}
	raw, _ := json.Marshal(body)
	if err := json.Unmarshal(raw, &q); err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid search: %v", err)
		return
	}
	if len(q.FilterGroups) > 5 {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Too many filter groups (%d); the limit is 5", len(q.FilterGroups))
		return
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 10
	}
	var ids []string
	full := map[string]map[string]string{}
	for id, r := range records {
		props := maps.Clone(r.props)
		props["hs_object_id"] = id
		props["createdate"] = r.createdAt.Format(time.RFC3339Nano)
		props["hs_lastmodifieddate"] = r.updatedAt.Format(time.RFC3339Nano)
		full[id] = props
		match := len(q.FilterGroups) == 0
		for _, g := range q.FilterGroups {
			all := true
			for _, f := range g.Filters {
				if len(f.Values) > 100 {
					s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Filter %s has %d values; the limit is 100", f.PropertyName, len(f.Values))
					return
				}
				all = all && f.match(props)
			}
			match = match || all
		}
		if match {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return cmp.Compare(len(a), len(b))*2 + cmp.Compare(a, b) })
	after, _ := strconv.Atoi(q.After)
	after = min(after, len(ids))
	end := min(after+q.Limit, len(ids))
	results := []map[string]any{}
	for _, id := range ids[after:end] {
		r := records[id]
		props := map[string]string{"hs_object_id": id}
		for _, name := range q.Properties {
			if v, ok := full[id][name]; ok {
				props[name] = v
			}
		}
		results = append(results, map[string]any{"id": id, "properties": props, "archived": false,
			"createdAt": r.createdAt.Format(time.RFC3339Nano), "updatedAt": r.updatedAt.Format(time.RFC3339Nano)})
	}
	out := map[string]any{"total": len(ids), "results": results}
	if end < len(ids) {
		out["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) associate(w http.ResponseWriter, body map[string]json.RawMessage) {
	var in []struct {
		From struct{ ID string } `json:"from"`
		To   struct{ ID string } `json:"to"`
	}
	if err := json.Unmarshal(body["inputs"], &in); err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: inputs: %v", err)
		return
	}
	for _, a := range in {
		if s.deals[a.From.ID] == nil || s.companies[a.To.ID] == nil {
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "No deal %s or no company %s to associate", a.From.ID, a.To.ID)
			return
		}
	}
	var results []map[string]any
	for _, a := range in {
		s.assoc[a.From.ID] = a.To.ID
		results = append(results, map[string]any{"fromObjectTypeId": "0-3", "fromObjectId": a.From.ID, "toObjectTypeId": "0-2", "toObjectId": a.To.ID,
			"labels": []string{}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "results": results})
}
