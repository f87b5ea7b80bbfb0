package slacksim

import (
	"fmt"
	"slices"
)

const maxModalStack = 3

// newTrigger issues a trigger_id for the user. Callers hold s.mu.
func (s *Server) newTrigger(user string) string {
	id := fmt.Sprintf("%d.%d.sim", s.nextID(), 1337)
	s.triggers[id] = trigger{user: user, issued: s.cfg.now()}
	return id
}

// useTrigger consumes a trigger_id: it must come from the sim, be fresh on the sim's clock
// and not have been used. Callers hold s.mu.
func (s *Server) useTrigger(id string) (string, string) {
	t, found := s.triggers[id]
	if !found || s.cfg.now().Sub(t.issued) >= triggerTTL {
		return "", "expired_trigger_id"
	}
	if t.user == "" {
		return "", "trigger_exchanged"
	}
	s.triggers[id] = trigger{issued: t.issued} // spent
	return t.user, ""
}

// checkView validates a view request for the given type. Callers hold s.mu.
func (s *Server) checkView(raw map[string]any, typ string) *apiResult {
	if raw == nil {
		r := fail("invalid_arguments")
		return &r
	}
	if str(raw["type"]) != typ {
		r := fail("invalid_arguments")
		r.body["response_metadata"] = map[string]any{"messages": []string{
			fmt.Sprintf("[ERROR] view type must be %s [json-pointer:/view/type]", typ)}}
		return &r
	}
	if errs := validateView(raw, s.cfg.noData); len(errs) > 0 {
		r := invalidBlocks(errs)
		return &r
	}
	return nil
}

// store saves a view's content under v, as Slack returns it: with id, hash, state and the
// block ids it fills in. Callers hold s.mu.
func (s *Server) store(v *view, raw map[string]any) {
	blocks, _ := raw["blocks"].([]any)
	s.fillBlockIDs(blocks)
	out := map[string]any{
		"callback_id": "", "private_metadata": "", "external_id": "",
		"clear_on_close": false, "notify_on_close": false,
	}
	for k, val := range raw {
		out[k] = val
	}
	v.typ = str(raw["type"])
	v.externalID = str(raw["external_id"])
	v.hash = fmt.Sprintf("%d.sim%06d", 1700000000, s.nextID())
	out["id"] = v.id
	out["team_id"] = s.cfg.teamID
	out["app_id"] = appID
	out["bot_id"] = botID
	out["app_installed_team_id"] = s.cfg.teamID
	out["hash"] = v.hash
	out["root_view_id"] = v.id
	out["state"] = map[string]any{"values": map[string]any{}}
	out["blocks"] = blocks
	v.raw = out
}

// newView creates and stores a view for the user. Callers hold s.mu.
func (s *Server) newView(user string, raw map[string]any) *view {
	v := &view{id: fmt.Sprintf("V0SIM%06d", s.nextID()), user: user}
	s.store(v, raw)
	s.views[v.id] = v
	return v
}

func viewResult(v *view) apiResult { return ok(map[string]any{"view": v.raw}) }

// closeStack closes the user's views above (and including) index from. Callers hold s.mu.
func (s *Server) closeStack(user string, from int) {
	stack := s.stacks[user]
	for _, id := range stack[from:] {
		s.views[id].closed = true
	}
	s.stacks[user] = stack[:from]
}

func (s *Server) viewsOpen(req *apiRequest) apiResult {
	raw, _ := req.obj("view")
	if bad := s.checkView(raw, "modal"); bad != nil {
		return *bad
	}
	user, errCode := s.useTrigger(req.str("trigger_id"))
	if errCode != "" {
		return fail(errCode)
	}
	s.closeStack(user, 0) // a new modal replaces whatever the user had open
	v := s.newView(user, raw)
	s.stacks[user] = []string{v.id}
	return viewResult(v)
}

func (s *Server) viewsPush(req *apiRequest) apiResult {
	raw, _ := req.obj("view")
	if bad := s.checkView(raw, "modal"); bad != nil {
		return *bad
	}
	user, errCode := s.useTrigger(req.str("trigger_id"))
	if errCode != "" {
		return fail(errCode)
	}
	if res := s.push(user, raw); res != "" {
		return fail(res)
	}
	stack := s.stacks[user]
	return viewResult(s.views[stack[len(stack)-1]])
}

// push adds a modal on top of the user's stack. Callers hold s.mu.
func (s *Server) push(user string, raw map[string]any) string {
	stack := s.stacks[user]
	if len(stack) == 0 {
		return "view_not_found"
	}
	if len(stack) >= maxModalStack {
		return "push_limit_reached"
	}
	v := s.newView(user, raw)
	v.raw["root_view_id"] = stack[0]
	v.raw["previous_view_id"] = stack[len(stack)-1]
	s.stacks[user] = append(stack, v.id)
	return ""
}

func (s *Server) viewsUpdate(req *apiRequest) apiResult {
	var v *view
	if id := req.str("view_id"); id != "" {
		v = s.views[id]
	} else if ext := req.str("external_id"); ext != "" {
		for _, cand := range s.views {
			if cand.externalID == ext && !cand.closed {
				v = cand
			}
		}
	}
	if v == nil || v.closed {
		return fail("not_found")
	}
	if h := req.str("hash"); h != "" && h != v.hash {
		return fail("hash_conflict")
	}
	raw, _ := req.obj("view")
	if bad := s.checkView(raw, v.typ); bad != nil {
		return *bad
	}
	s.replaceView(v, raw)
	return viewResult(v)
}

// replaceView swaps a view's content, keeping its id and place in the stack. Callers hold s.mu.
func (s *Server) replaceView(v *view, raw map[string]any) {
	root, prev := v.raw["root_view_id"], v.raw["previous_view_id"]
	s.store(v, raw)
	v.raw["root_view_id"] = root
	if prev != nil {
		v.raw["previous_view_id"] = prev
	}
}

func (s *Server) viewsPublish(req *apiRequest) apiResult {
	user := req.str("user_id")
	if !s.knownUser(user) {
		return fail("user_not_found")
	}
	raw, _ := req.obj("view")
	if bad := s.checkView(raw, "home"); bad != nil {
		return *bad
	}
	if id, ok := s.homes[user]; ok {
		v := s.views[id]
		if h := req.str("hash"); h != "" && h != v.hash {
			return fail("hash_conflict")
		}
		s.replaceView(v, raw)
		return viewResult(v)
	}
	v := s.newView(user, raw)
	s.homes[user] = v.id
	return viewResult(v)
}

// applySubmissionAck does to the user's modal stack what Slack does with a view_submission
// ack and returns Slack's verdict ("" when accepted). Callers hold s.mu.
func (s *Server) applySubmissionAck(v *view, payload map[string]any) string {
	stack := s.stacks[v.user]
	at := slices.Index(stack, v.id)
	if at < 0 {
		return "view_not_found"
	}
	if payload == nil {
		s.closeStack(v.user, at) // an empty ack closes the submitted view
		return ""
	}
	switch action := str(payload["response_action"]); action {
	case "clear":
		s.closeStack(v.user, 0)
	case "errors":
		errs, _ := payload["errors"].(map[string]any)
		inputs := inputBlockIDs(v.raw)
		for blockID := range errs {
			if !inputs[blockID] {
				// Slack ignores the keys and shows the user a generic error instead.
				return "errors_not_input_blocks"
			}
		}
	case "update":
		raw, _ := payload["view"].(map[string]any)
		if bad := s.checkView(raw, "modal"); bad != nil {
			return str(bad.body["error"])
		}
		s.replaceView(v, raw)
	case "push":
		raw, _ := payload["view"].(map[string]any)
		if bad := s.checkView(raw, "modal"); bad != nil {
			return str(bad.body["error"])
		}
		return s.push(v.user, raw)
	case "":
		s.closeStack(v.user, at)
	default:
		return "invalid_response_action"
	}
	return ""
}

func inputBlockIDs(raw map[string]any) map[string]bool {
	out := map[string]bool{}
	blocks, _ := raw["blocks"].([]any)
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok && m["type"] == "input" {
			out[str(m["block_id"])] = true
		}
	}
	return out
}
