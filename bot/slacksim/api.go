package slacksim

import (
	"encoding/json"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiRequest is one Web API call, form-encoded or JSON, as slack-go sends them: chat.*,
// users.*, conversations.* and auth.test as forms with the token in a `token` field;
// views.* and apps.connections.open as JSON with Authorization: Bearer.
type apiRequest struct {
	method string
	form   url.Values
	json   map[string]any
}

// str returns a parameter from either encoding.
func (r *apiRequest) str(key string) string {
	if v, ok := r.json[key]; ok {
		return str(v)
	}
	return r.form.Get(key)
}

// has reports whether a parameter was sent at all.
func (r *apiRequest) has(key string) bool {
	if _, ok := r.json[key]; ok {
		return true
	}
	return r.form.Has(key)
}

// obj returns a JSON object parameter; forms carry it as a JSON string (views.open accepts both).
func (r *apiRequest) obj(key string) (map[string]any, bool) {
	if v, ok := r.json[key].(map[string]any); ok {
		return v, true
	}
	var m map[string]any
	if s := r.form.Get(key); s != "" && json.Unmarshal([]byte(s), &m) == nil {
		return m, true
	}
	return nil, false
}

// apiResult is the reply to a call.
type apiResult struct {
	status     int
	retryAfter time.Duration
	body       map[string]any
}

func ok(fields map[string]any) apiResult {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["ok"] = true
	return apiResult{status: http.StatusOK, body: fields}
}

func fail(code string) apiResult {
	return apiResult{status: http.StatusOK, body: map[string]any{"ok": false, "error": code}}
}

func invalidBlocks(errs []string) apiResult {
	r := fail("invalid_blocks")
	r.body["errors"] = errs
	r.body["response_metadata"] = map[string]any{"messages": errs}
	return r
}

func ratelimited(wait time.Duration) apiResult {
	r := fail("ratelimited")
	r.status = http.StatusTooManyRequests
	r.retryAfter = wait
	return r
}

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	req := &apiRequest{method: r.PathValue("method")}
	call := Call{Method: req.method, At: s.cfg.now()}
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		call.Body = body
		_ = json.Unmarshal(body, &req.json)
	} else {
		_ = r.ParseForm()
		req.form = r.Form
		if t := r.Form.Get("token"); t != "" {
			token = t
		}
		call.Params = maps.Clone(r.Form)
		call.Params.Del("token") // recorded calls are read in test logs; keep tokens out
	}
	call.in = arrival(r)
	res := s.serveAPI(r, req, token, &call)
	s.reply(w, &call, res)
}

// serveAPI runs a call through faults, auth and rate limits to its method.
// A call that reaches its method is recorded with what it changed, under
// the same lock, so whoever sees its message also sees the call.
func (s *Server) serveAPI(r *http.Request, req *apiRequest, token string, call *Call) apiResult {
	if res, failed := s.applyFault(r, req.method); failed {
		return res
	}
	m, known := s.method(req.method)
	if !known {
		return fail("unknown_method")
	}
	want := s.BotToken()
	if req.method == "apps.connections.open" {
		want = s.AppToken()
	}
	if token != want {
		return fail("invalid_auth")
	}
	if limiter := s.limiter.Load(); limiter != nil {
		ch := req.str("channel")
		if strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
			ch = s.DMChannel(ch) // posting to a user id posts to the DM: same bucket
		}
		if wait, allowed := limiter.allow(req.method, ch); !allowed {
			return ratelimited(wait)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res := m(req)
	s.recordLocked(call, res)
	s.broadcast()
	return res
}

// applyFault consumes a queued fault for the method, if any. A fault with only a Delay slows
// the call down and lets it proceed.
func (s *Server) applyFault(r *http.Request, method string) (apiResult, bool) {
	f, ok := s.takeFault(method)
	if !ok {
		return apiResult{}, false
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		case <-s.ctx.Done():
			t.Stop()
		}
	}
	switch {
	case f.Status == http.StatusTooManyRequests:
		res := ratelimited(f.RetryAfter)
		if f.Error != "" {
			res.body["error"] = f.Error
		}
		return res, true
	case f.Status != 0 && f.Status != http.StatusOK:
		res := fail(f.Error)
		if f.Error == "" {
			res.body["error"] = "internal_error"
		}
		res.status = f.Status
		return res, true
	case f.Error != "":
		return fail(f.Error), true
	}
	return apiResult{}, false
}

// reply writes the result and records the call, unless it already is.
func (s *Server) reply(w http.ResponseWriter, call *Call, res apiResult) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if res.status == http.StatusTooManyRequests {
		secs := max(1, int(math.Ceil(res.retryAfter.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	w.WriteHeader(res.status)
	_ = json.NewEncoder(w).Encode(res.body)

	if !call.recorded {
		s.mu.Lock()
		s.recordLocked(call, res)
		s.broadcast()
		s.mu.Unlock()
	}
	s.answered(call)
}

// recordLocked adds call, answered with res, to the calls made. Callers
// hold s.mu.
func (s *Server) recordLocked(call *Call, res apiResult) {
	call.Status = res.status
	if okv, _ := res.body["ok"].(bool); !okv {
		call.Error = str(res.body["error"])
	}
	call.recorded = true
	s.calls = append(s.calls, *call)
}

// method returns the handler for a Web API method. Handlers run with s.mu held.
func (s *Server) method(name string) (func(*apiRequest) apiResult, bool) {
	switch name {
	case "apps.connections.open":
		return s.connectionsOpen, true
	case "auth.test":
		return s.authTest, true
	case "users.list":
		return s.usersList, true
	case "users.info":
		return s.usersInfo, true
	case "conversations.open":
		return s.conversationsOpen, true
	case "chat.postMessage":
		return s.chatPostMessage, true
	case "chat.postEphemeral":
		return s.chatPostEphemeral, true
	case "chat.update":
		return s.chatUpdate, true
	case "chat.delete":
		return s.chatDelete, true
	case "views.open":
		return s.viewsOpen, true
	case "views.push":
		return s.viewsPush, true
	case "views.update":
		return s.viewsUpdate, true
	case "views.publish":
		return s.viewsPublish, true
	case "dnd.info":
		return s.dndInfo, true
	}
	return nil, false
}

func (s *Server) connectionsOpen(*apiRequest) apiResult {
	ticket := "sim-" + strconv.FormatInt(s.nextID(), 10)
	s.tickets[ticket] = true
	wsURL := "ws" + strings.TrimPrefix(s.baseURL, "http") + "/link/?ticket=" + ticket + "&app_id=" + appID
	return ok(map[string]any{"url": wsURL})
}

func (s *Server) authTest(*apiRequest) apiResult {
	return ok(map[string]any{
		"url":     "https://" + s.cfg.domain + ".slack.com/",
		"team":    s.cfg.domain,
		"user":    botName,
		"team_id": s.cfg.teamID,
		"user_id": botUserID,
		"bot_id":  botID,
	})
}

func (s *Server) usersInfo(req *apiRequest) apiResult {
	id := req.str("user")
	if id == botUserID {
		return ok(map[string]any{"user": map[string]any{
			"id": botUserID, "team_id": s.cfg.teamID, "name": botName, "real_name": "Pipeline Coach",
			"is_bot": true, "tz": "UTC", "tz_label": "UTC", "tz_offset": 0,
			"profile": map[string]any{"real_name": "Pipeline Coach", "bot_id": botID},
		}})
	}
	u, found := s.users[id]
	if !found {
		return fail("user_not_found")
	}
	return ok(map[string]any{"user": s.userJSON(u)})
}

func (s *Server) conversationsOpen(req *apiRequest) apiResult {
	users := strings.Split(req.str("users"), ",")
	if len(users) != 1 || users[0] == "" {
		if ch := req.str("channel"); ch != "" {
			return ok(map[string]any{"channel": map[string]any{"id": ch}, "already_open": true})
		}
		return fail("users_list_not_supplied")
	}
	if !s.knownUser(users[0]) {
		return fail("user_not_found")
	}
	return ok(map[string]any{
		"channel":      map[string]any{"id": s.DMChannel(users[0]), "is_im": true, "user": users[0]},
		"already_open": true,
	})
}

// knownUser reports whether the user exists: added with AddUser or seen acting through a driver.
// Callers hold s.mu.
func (s *Server) knownUser(id string) bool {
	_, ok := s.users[id]
	return ok || s.seen[id]
}

// dndInfo answers dnd.info: a user snoozed with SetDND until a time is in
// Do Not Disturb until then.
func (s *Server) dndInfo(req *apiRequest) apiResult {
	id := req.str("user")
	if !s.knownUser(id) {
		return fail("user_not_found")
	}
	until := s.dnd[id]
	snoozed := until.After(s.cfg.now())
	res := map[string]any{"dnd_enabled": snoozed, "next_dnd_start_ts": 1, "next_dnd_end_ts": 1, "snooze_enabled": snoozed}
	if snoozed {
		res["snooze_endtime"] = until.Unix()
		res["snooze_remaining"] = int(until.Sub(s.cfg.now()).Seconds())
		res["next_dnd_end_ts"] = until.Unix()
	}
	return ok(res)
}
