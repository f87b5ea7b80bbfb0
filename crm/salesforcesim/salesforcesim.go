// Package salesforcesim is a local Salesforce org: the OAuth 2.0 client
// credentials token endpoint of a My Domain, and the REST API calls Pipeline
// Coach makes (SOQL queries over User, Account, Opportunity,
// OpportunityStage and CurrencyType; sObject Collections create, update and
// upsert by an External ID; Opportunity describe; custom fields through the
// Tooling API), answering in Salesforce's shapes with its errors:
// REQUEST_LIMIT_EXCEEDED when the org's API limit is spent, INVALID_SESSION_ID
// for an ended session, required fields, restricted picklists, validation
// rules. Tests, the demo and benchmarks point the real client at it.
package salesforcesim

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
	"unicode/utf8"
)

// The connected app's credentials the simulator accepts.
const (
	ClientID     = "3MVG9sim.consumer.key"
	ClientSecret = "sim-consumer-secret"
)

// APIVersion is the REST API version the simulator serves.
const APIVersion = "v62.0"

// Server is a running simulated org. Its methods are safe for concurrent use.
type Server struct {
	srv *http.Server
	ln  net.Listener

	mu         sync.Mutex
	nextID     int
	tokens     map[string]bool
	limit      int // API requests allowed; 0 for no limit
	used       int
	down       bool
	multi      bool
	rules      map[string]string // Opportunity field → message when empty
	users      []map[string]any
	stages     []map[string]any
	records    map[string]map[string]map[string]any // object → id → fields
	fields     map[string][]string                  // object → field names
	requests   map[string]int
	oppWrites  int
	tokenCalls int
}

// Option configures a Server.
type Option func(*Server)

// WithoutCustomFields starts the org without Pipeline Coach's Opportunity
// fields, as before setup.
func WithoutCustomFields() Option {
	return func(s *Server) {
		s.fields["Opportunity"] = slices.DeleteFunc(s.fields["Opportunity"], func(f string) bool { return strings.HasPrefix(f, "Pipeline_Coach_") })
	}
}

// WithMultiCurrency makes the org keep a currency per record.
func WithMultiCurrency() Option {
	return func(s *Server) {
		s.multi = true
		s.fields["Opportunity"] = append(s.fields["Opportunity"], "CurrencyIsoCode")
	}
}

// Start serves a simulated org on a loopback port with the standard
// opportunity stages.
func Start(opts ...Option) (*Server, error) {
	s := &Server{tokens: map[string]bool{}, rules: map[string]string{}, requests: map[string]int{},
		records: map[string]map[string]map[string]any{"Account": {}, "Opportunity": {}}}
	s.fields = map[string][]string{
		"Opportunity": {"Id", "Name", "StageName", "CloseDate", "Amount", "NextStep", "OwnerId", "AccountId", "Description",
			"IsClosed", "IsWon", "CreatedDate", "LastModifiedDate", "Pipeline_Coach_Id__c", "Pipeline_Coach_Second_Meeting__c", "Pipeline_Coach_Loss__c"},
		"Account":          {"Id", "Name", "Website", "CreatedDate"},
		"User":             {"Id", "Email", "Name", "IsActive"},
		"OpportunityStage": {"Id", "ApiName", "MasterLabel", "IsActive", "IsClosed", "IsWon", "SortOrder"},
	}
	for i, st := range []struct {
		name        string
		closed, won bool
	}{{"Prospecting", false, false}, {"Qualification", false, false}, {"Needs Analysis", false, false}, {"Value Proposition", false, false},
		{"Id. Decision Makers", false, false}, {"Perception Analysis", false, false}, {"Proposal/Price Quote", false, false},
		{"Negotiation/Review", false, false}, {"Closed Won", true, true}, {"Closed Lost", true, false}} {
		s.stages = append(s.stages, map[string]any{"Id": s.id("01J"), "ApiName": st.name, "MasterLabel": st.name, "IsActive": true,
			"IsClosed": st.closed, "IsWon": st.won, "SortOrder": float64(i + 1)})
	}
	for _, o := range opts {
		o(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("salesforcesim: listen: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the org's My Domain URL, as SALESFORCE_URL takes it.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops serving.
func (s *Server) Close() error { return s.srv.Close() }

// id makes an 18-character Salesforce id with the object's key prefix.
func (s *Server) id(prefix string) string {
	s.nextID++
	return fmt.Sprintf("%s%012dAAA", prefix, s.nextID)
}

// AddUser adds an active user and returns its id.
func (s *Server) AddUser(email, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id("005")
	s.users = append(s.users, map[string]any{"Id": id, "Email": email, "Name": name, "IsActive": true})
	return id
}

// AddOpportunity creates an opportunity as someone working in Salesforce
// would, and returns its id.
func (s *Server) AddOpportunity(fields map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id("006")
	rec := maps.Clone(fields)
	rec["Id"] = id
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000+0000")
	rec["CreatedDate"], rec["LastModifiedDate"] = now, now
	s.records["Opportunity"][id] = rec
	return id
}

// SetField changes a record as someone working in Salesforce would.
func (s *Server) SetField(object, id, field string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.records[object][id]; ok {
		r[field] = value
		r["LastModifiedDate"] = time.Now().UTC().Format("2006-01-02T15:04:05.000+0000")
	}
}

// SetDown makes every call answer 503, as during an outage.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// SetRequestLimit allows n more API requests before REQUEST_LIMIT_EXCEEDED
// (0: no limit).
func (s *Server) SetRequestLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit, s.used = n, 0
}

// AddValidationRule refuses an opportunity without a value in field, with
// message, as an org's validation rule does.
func (s *Server) AddValidationRule(field, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules[field] = message
}

// EndSessions ends every session: the next call with an old token is
// answered 401 INVALID_SESSION_ID.
func (s *Server) EndSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]bool{}
}

// Opportunities returns every opportunity's fields, ordered by id.
func (s *Server) Opportunities() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sorted("Opportunity")
}

// Accounts returns every account's fields, ordered by id.
func (s *Server) Accounts() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sorted("Account")
}

func (s *Server) sorted(object string) []map[string]any {
	var out []map[string]any
	for _, r := range s.records[object] {
		out = append(out, s.view(object, r))
	}
	slices.SortFunc(out, func(a, b map[string]any) int { return cmp.Compare(a["Id"].(string), b["Id"].(string)) })
	return out
}

// OpportunityWrites counts opportunities created or updated through the API.
func (s *Server) OpportunityWrites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.oppWrites
}

// Requests counts the API requests answered, by "METHOD path".
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.requests)
}

// HasField reports whether Opportunity has the field.
func (s *Server) HasField(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Contains(s.fields["Opportunity"], name)
}

type sfError struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, []sfError{{Message: fmt.Sprintf(format, args...), ErrorCode: code}})
}

// ServeHTTP answers one call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path == "/services/oauth2/token" {
		s.token(w, r)
		return
	}
	s.requests[r.Method+" "+path]++
	if s.down {
		fail(w, http.StatusServiceUnavailable, "SERVER_UNAVAILABLE", "Salesforce is down for maintenance.")
		return
	}
	auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !s.tokens[auth] {
		fail(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	if s.limit > 0 {
		if s.used >= s.limit {
			fail(w, http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
			return
		}
		s.used++
	}
	prefix := "/services/data/" + APIVersion + "/"
	if !strings.HasPrefix(path, prefix) {
		fail(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	rest := strings.TrimPrefix(path, prefix)
	var body map[string]json.RawMessage
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			fail(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "Unexpected character: %v", err)
			return
		}
	}
	switch {
	case r.Method == http.MethodGet && rest == "query":
		s.query(w, r.URL.Query().Get("q"))
	case r.Method == http.MethodGet && strings.HasPrefix(rest, "sobjects/") && strings.HasSuffix(rest, "/describe"):
		s.describe(w, strings.TrimSuffix(strings.TrimPrefix(rest, "sobjects/"), "/describe"))
	case r.Method == http.MethodPost && rest == "tooling/sobjects/CustomField":
		s.customField(w, body)
	case r.Method == http.MethodPost && rest == "composite/sobjects":
		s.collection(w, body, "", false)
	case r.Method == http.MethodPatch && rest == "composite/sobjects":
		s.collection(w, body, "", true)
	case r.Method == http.MethodPatch && strings.HasPrefix(rest, "composite/sobjects/"):
		parts := strings.Split(strings.TrimPrefix(rest, "composite/sobjects/"), "/")
		if len(parts) != 2 {
			fail(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
			return
		}
		s.upsert(w, body, parts[0], parts[1])
	default:
		fail(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokenCalls++
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "must use HTTP POST"})
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant type not supported"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	if id != ClientID || secret != ClientSecret {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client", "error_description": "invalid client credentials"})
		return
	}
	tok := fmt.Sprintf("00Dsim!%d.%d", s.tokenCalls, time.Now().UnixNano())
	s.tokens[tok] = true
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": tok, "instance_url": s.URL(), "id": s.URL() + "/id/00Dsim000000001AAA/005sim000000001AAA",
		"token_type": "Bearer", "issued_at": strconv.FormatInt(time.Now().UnixMilli(), 10), "signature": "c2ltdWxhdGVk",
	})
}

// view is a record as queries see it: Opportunity's IsClosed and IsWon
// follow its stage.
func (s *Server) view(object string, r map[string]any) map[string]any {
	out := maps.Clone(r)
	if object == "Opportunity" {
		out["IsClosed"], out["IsWon"] = false, false
		for _, st := range s.stages {
			if st["ApiName"] == r["StageName"] {
				out["IsClosed"], out["IsWon"] = st["IsClosed"], st["IsWon"]
			}
		}
	}
	return out
}

func (s *Server) query(w http.ResponseWriter, soql string) {
	q, err := parseSOQL(soql)
	if err != nil {
		fail(w, http.StatusBadRequest, "MALFORMED_QUERY", "%v", err)
		return
	}
	var rows []map[string]any
	switch q.object {
	case "User":
		rows = s.users
	case "OpportunityStage":
		rows = s.stages
	case "Account", "Opportunity":
		for _, r := range s.records[q.object] {
			rows = append(rows, s.view(q.object, r))
		}
	case "CurrencyType":
		if !s.multi {
			fail(w, http.StatusBadRequest, "INVALID_TYPE", "sObject type 'CurrencyType' is not supported.")
			return
		}
		rows = []map[string]any{{"IsoCode": "USD", "IsActive": true}, {"IsoCode": "EUR", "IsActive": true}}
		s.fields["CurrencyType"] = []string{"IsoCode", "IsActive"}
	default:
		fail(w, http.StatusBadRequest, "INVALID_TYPE", "sObject type '%s' is not supported.", q.object)
		return
	}
	for _, f := range q.fields {
		if !slices.Contains(s.fields[q.object], f) {
			fail(w, http.StatusBadRequest, "INVALID_FIELD", "No such column '%s' on entity '%s'.", f, q.object)
			return
		}
	}
	var matched []map[string]any
	for _, r := range rows {
		if q.where == nil || q.where(r) {
			matched = append(matched, r)
		}
	}
	key := cmp.Or(q.orderBy, "Id")
	slices.SortStableFunc(matched, func(a, b map[string]any) int {
		if x, ok := a[key].(float64); ok {
			y, _ := b[key].(float64)
			return cmp.Compare(x, y)
		}
		return cmp.Compare(fmt.Sprint(a[key]), fmt.Sprint(b[key]))
	})
	var out []map[string]any
	for _, r := range matched {
		rec := map[string]any{"attributes": map[string]string{"type": q.object, "url": "/services/data/" + APIVersion + "/sobjects/" + q.object + "/" + fmt.Sprint(r["Id"])}}
		for _, f := range q.fields {
			rec[f] = r[f]
		}
		out = append(out, rec)
	}
	if q.limit > 0 && len(out) > q.limit {
		out = out[:q.limit]
	}
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalSize": len(out), "done": true, "records": out})
}

func (s *Server) describe(w http.ResponseWriter, object string) {
	names, ok := s.fields[object]
	if !ok {
		fail(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	var fields []map[string]any
	for _, n := range names {
		fields = append(fields, map[string]any{"name": n, "label": n, "custom": strings.HasSuffix(n, "__c"), "externalId": n == "Pipeline_Coach_Id__c"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": object, "fields": fields})
}

func (s *Server) customField(w http.ResponseWriter, body map[string]json.RawMessage) {
	var full string
	_ = json.Unmarshal(body["FullName"], &full)
	object, name, ok := strings.Cut(full, ".")
	if !ok || !strings.HasSuffix(name, "__c") {
		fail(w, http.StatusBadRequest, "INVALID_FIELD", "FullName %q must be Object.Name__c", full)
		return
	}
	if slices.Contains(s.fields[object], name) {
		fail(w, http.StatusBadRequest, "DUPLICATE_DEVELOPER_NAME", "There is already a field named %s on %s.", name, object)
		return
	}
	s.fields[object] = append(s.fields[object], name)
	writeJSON(w, http.StatusCreated, map[string]any{"id": s.id("00N"), "success": true, "errors": []any{}})
}

type saveResult struct {
	ID      string    `json:"id,omitempty"`
	Success bool      `json:"success"`
	Created *bool     `json:"created,omitempty"`
	Errors  []sfError `json:"errors"`
}

func recordError(code, msg string, fields ...string) saveResult {
	return saveResult{Errors: []sfError{{ErrorCode: code, Message: msg, Fields: fields}}}
}

// decodeRecords decodes a collection body, checking the shape Salesforce checks
// for the whole request.
func (s *Server) decodeRecords(w http.ResponseWriter, body map[string]json.RawMessage, object string) (string, []map[string]any, bool) {
	var recs []map[string]any
	if err := json.Unmarshal(body["records"], &recs); err != nil {
		fail(w, http.StatusBadRequest, "JSON_PARSER_ERROR", "records: %v", err)
		return "", nil, false
	}
	if len(recs) > 200 {
		fail(w, http.StatusBadRequest, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more than 200 records into this call")
		return "", nil, false
	}
	for _, r := range recs {
		attrs, _ := r["attributes"].(map[string]any)
		t, _ := attrs["type"].(string)
		if t == "" {
			fail(w, http.StatusBadRequest, "INVALID_TYPE", "Must send a concrete entity type.")
			return "", nil, false
		}
		if object == "" {
			object = t
		}
		if t != object {
			fail(w, http.StatusBadRequest, "INVALID_TYPE", "All records must be of the type in the request (%s).", object)
			return "", nil, false
		}
		delete(r, "attributes")
		if _, ok := s.records[object]; !ok {
			fail(w, http.StatusBadRequest, "INVALID_TYPE", "sObject type '%s' is not supported.", object)
			return "", nil, false
		}
		for f := range r {
			if !slices.Contains(s.fields[object], f) {
				fail(w, http.StatusBadRequest, "INVALID_FIELD", "No such column '%s' on sobject of type %s", f, object)
				return "", nil, false
			}
		}
	}
	return object, recs, true
}

func (s *Server) collection(w http.ResponseWriter, body map[string]json.RawMessage, object string, update bool) {
	object, recs, ok := s.decodeRecords(w, body, object)
	if !ok {
		return
	}
	results := make([]saveResult, len(recs))
	for i, r := range recs {
		if update {
			id, _ := r["Id"].(string)
			old, found := s.records[object][id]
			if !found {
				results[i] = recordError("ENTITY_IS_DELETED", "entity is deleted", "Id")
				continue
			}
			merged := maps.Clone(old)
			maps.Copy(merged, r)
			if bad := s.check(object, merged); bad != nil {
				results[i] = *bad
				continue
			}
			s.save(object, id, merged)
			results[i] = saveResult{ID: id, Success: true, Errors: []sfError{}}
			continue
		}
		if _, has := r["Id"]; has {
			results[i] = recordError("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", "Id")
			continue
		}
		if bad := s.check(object, r); bad != nil {
			results[i] = *bad
			continue
		}
		id := s.id(map[string]string{"Account": "001", "Opportunity": "006"}[object])
		r["CreatedDate"] = time.Now().UTC().Format("2006-01-02T15:04:05.000+0000")
		s.save(object, id, r)
		results[i] = saveResult{ID: id, Success: true, Errors: []sfError{}}
	}
	writeJSON(w, http.StatusOK, results)
}

func (s *Server) upsert(w http.ResponseWriter, body map[string]json.RawMessage, object, external string) {
	if !slices.Contains(s.fields[object], external) {
		fail(w, http.StatusNotFound, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: %s", external)
		return
	}
	object, recs, ok := s.decodeRecords(w, body, object)
	if !ok {
		return
	}
	results := make([]saveResult, len(recs))
	for i, r := range recs {
		key, _ := r[external].(string)
		if key == "" {
			results[i] = recordError("MISSING_ARGUMENT", external+" not specified", external)
			continue
		}
		var id string
		for rid, rec := range s.records[object] {
			if rec[external] == key {
				id = rid
			}
		}
		merged := map[string]any{}
		if id != "" {
			merged = maps.Clone(s.records[object][id])
		}
		maps.Copy(merged, r)
		if bad := s.check(object, merged); bad != nil {
			results[i] = *bad
			continue
		}
		created := id == ""
		if created {
			id = s.id("006")
			merged["CreatedDate"] = time.Now().UTC().Format("2006-01-02T15:04:05.000+0000")
		}
		s.save(object, id, merged)
		results[i] = saveResult{ID: id, Success: true, Created: &created, Errors: []sfError{}}
	}
	writeJSON(w, http.StatusOK, results)
}

func (s *Server) save(object, id string, r map[string]any) {
	r["Id"] = id
	r["LastModifiedDate"] = time.Now().UTC().Format("2006-01-02T15:04:05.000+0000")
	s.records[object][id] = r
	if object == "Opportunity" {
		s.oppWrites++
	}
}

// check applies the org's rules to a record as it would be saved.
func (s *Server) check(object string, r map[string]any) *saveResult {
	if object == "Account" {
		if str(r["Name"]) == "" {
			bad := recordError("REQUIRED_FIELD_MISSING", "Required fields are missing: [Name]", "Name")
			return &bad
		}
		return nil
	}
	var missing []string
	for _, f := range []string{"Name", "StageName", "CloseDate"} {
		if str(r[f]) == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		bad := recordError("REQUIRED_FIELD_MISSING", "Required fields are missing: ["+strings.Join(missing, ", ")+"]", missing...)
		return &bad
	}
	if !slices.ContainsFunc(s.stages, func(st map[string]any) bool { return st["ApiName"] == r["StageName"] }) {
		bad := recordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Stage: bad value for restricted picklist field: "+str(r["StageName"]), "StageName")
		return &bad
	}
	if _, err := time.Parse("2006-01-02", str(r["CloseDate"])); err != nil {
		bad := recordError("INVALID_TYPE_ON_FIELD_IN_RECORD", "Close Date: value not of required type: "+str(r["CloseDate"]), "CloseDate")
		return &bad
	}
	if owner := str(r["OwnerId"]); owner != "" && !slices.ContainsFunc(s.users, func(u map[string]any) bool { return u["Id"] == owner && u["IsActive"] == true }) {
		bad := recordError("INVALID_CROSS_REFERENCE_KEY", "Owner ID: owner cannot be inactive or unknown", "OwnerId")
		return &bad
	}
	if acct := str(r["AccountId"]); acct != "" && s.records["Account"][acct] == nil {
		bad := recordError("INVALID_CROSS_REFERENCE_KEY", "Account ID: id value of incorrect type: "+acct, "AccountId")
		return &bad
	}
	if utf8.RuneCountInString(str(r["NextStep"])) > 255 {
		bad := recordError("STRING_TOO_LONG", "Next Step: data value too large", "NextStep")
		return &bad
	}
	if v, ok := r["Amount"]; ok && v != nil {
		if _, isNum := v.(float64); !isNum {
			bad := recordError("INVALID_TYPE_ON_FIELD_IN_RECORD", "Amount: value not of required type", "Amount")
			return &bad
		}
	}
	for field, msg := range s.rules {
		if str(r[field]) == "" {
			bad := recordError("FIELD_CUSTOM_VALIDATION_EXCEPTION", msg)
			return &bad
		}
	}
	return nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
