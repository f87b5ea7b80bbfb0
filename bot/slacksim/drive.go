package slacksim

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Drivers play a user: each sends one envelope to one connected client, waits for its ack
// and applies what Slack would do with the ack (a slash command's reply message, a
// view_submission's response_action). The bot usually keeps working after the ack; wait on
// Calls, Messages or views for that.

// Slash sends "/pipeline <text>" typed by the user in #general.
func (s *Server) Slash(ctx context.Context, userID, text string) (Ack, error) {
	s.mu.Lock()
	s.seen[userID] = true
	payload := map[string]any{
		"token": "sim-verification", "team_id": s.cfg.teamID, "team_domain": s.cfg.domain,
		"channel_id": generalID, "channel_name": "general",
		"user_id": userID, "user_name": s.userName(userID),
		"command": command, "text": text, "api_app_id": appID, "is_enterprise_install": "false",
		"response_url": s.newResponseURL(responseTarget{channel: generalID, user: userID}),
		"trigger_id":   s.newTrigger(userID),
	}
	env := s.envelope("slash_commands", payload)
	responseID := payload["response_url"].(string)
	s.mu.Unlock()

	ack, err := s.deliver(ctx, env)
	if err != nil || ack.Payload == nil {
		return ack, err
	}
	// The ack's payload is a reply message, shown as a response_url post would be.
	var body map[string]any
	if json.Unmarshal(ack.Payload, &body) != nil {
		ack.Error = "invalid_payload"
		return ack, nil
	}
	s.mu.Lock()
	res := s.respond(strings.TrimPrefix(responseID, s.baseURL+"/response/"), body)
	s.broadcast()
	s.mu.Unlock()
	if okv, _ := res.body["ok"].(bool); !okv {
		ack.Error = str(res.body["error"])
		return ack, nil
	}
	s.answeredInAck(userID, ack.Received)
	return ack, nil
}

// Click clicks the element with actionID in m (a message the bot posted).
func (s *Server) Click(ctx context.Context, userID string, m Message, actionID string) (Ack, error) {
	return s.click(ctx, userID, m, actionID, nil)
}

// click is Click; a non-nil value replaces the element's own (ClickForged).
func (s *Server) click(ctx context.Context, userID string, m Message, actionID string, value *string) (Ack, error) {
	s.mu.Lock()
	s.seen[userID] = true
	msg := &message{Message: m, rawBlocks: generic(m.Blocks)}
	if stored := s.find(m.Channel, m.TS); stored != nil {
		msg = stored // the posted JSON, exactly
	}
	blockID, el := findElement(msg.rawBlocks, actionID)
	if el == nil && value != nil { // a forged click on a button the message lacks
		blockID, el = "forged", map[string]any{"type": "button", "action_id": actionID}
	}
	if el == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slacksim: no element with action_id %q in message %s", actionID, m.TS)
	}
	payload := s.interaction("block_actions", userID)
	payload["container"] = map[string]any{
		"type": "message", "message_ts": msg.TS, "channel_id": msg.Channel, "is_ephemeral": msg.Ephemeral,
	}
	payload["channel"] = map[string]any{"id": msg.Channel, "name": s.channelName(msg.Channel)}
	if !msg.Ephemeral { // Slack does not send ephemeral messages back
		payload["message"] = msg.json()
	}
	payload["state"] = map[string]any{"values": map[string]any{}}
	payload["response_url"] = s.newResponseURL(responseTarget{channel: msg.Channel, user: userID, ts: msg.TS})
	action := s.action(blockID, el)
	if value != nil {
		action["value"] = *value
	}
	payload["actions"] = []any{action}
	env := s.envelope("interactive", payload)
	s.mu.Unlock()
	return s.deliver(ctx, env)
}

// ClickView clicks the element with actionID in a view (a modal or the Home tab).
func (s *Server) ClickView(ctx context.Context, userID string, v View, actionID string) (Ack, error) {
	s.mu.Lock()
	s.seen[userID] = true
	raw := s.viewRaw(v)
	blocks, _ := raw["blocks"].([]any)
	blockID, el := findElement(blocks, actionID)
	if el == nil {
		s.mu.Unlock()
		return Ack{}, fmt.Errorf("slacksim: no element with action_id %q in view %s", actionID, v.ID)
	}
	payload := s.interaction("block_actions", userID)
	payload["container"] = map[string]any{"type": "view", "view_id": v.ID}
	payload["view"] = raw
	payload["actions"] = []any{s.action(blockID, el)}
	env := s.envelope("interactive", payload)
	s.mu.Unlock()
	return s.deliver(ctx, env)
}

// Submit submits a modal with inputs keyed by action_id; see stateValue for how each
// element's input string is read. Inputs left out are sent empty.
func (s *Server) Submit(ctx context.Context, userID string, v View, inputs map[string]string) (Ack, error) {
	return s.submit(ctx, userID, v, inputs, nil)
}

// submit is Submit; a non-nil metadata replaces the view's private_metadata
// (SubmitForged).
func (s *Server) submit(ctx context.Context, userID string, v View, inputs map[string]string, metadata *string) (Ack, error) {
	s.mu.Lock()
	s.seen[userID] = true
	raw := s.viewRaw(v)
	values, err := stateValues(raw, inputs)
	if err != nil {
		s.mu.Unlock()
		return Ack{}, err
	}
	sent := map[string]any{}
	for k, val := range raw {
		sent[k] = val
	}
	if metadata != nil {
		sent["private_metadata"] = *metadata
	}
	sent["state"] = map[string]any{"values": values}
	payload := s.interaction("view_submission", userID)
	payload["view"] = sent
	payload["response_urls"] = []any{}
	env := s.envelope("interactive", payload)
	s.mu.Unlock()

	ack, err := s.deliver(ctx, env)
	if err != nil {
		return ack, err
	}
	var body map[string]any
	if ack.Payload != nil && json.Unmarshal(ack.Payload, &body) != nil {
		ack.Error = "invalid_payload"
		return ack, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if stored := s.views[v.ID]; stored != nil {
		ack.Error = s.applySubmissionAck(stored, body)
		s.broadcast()
	}
	return ack, nil
}

// DM sends a direct message from the user to the bot (a message.im event).
func (s *Server) DM(ctx context.Context, userID, text string) (Ack, error) {
	s.mu.Lock()
	s.seen[userID] = true
	ts := s.nextTS()
	env := s.event(map[string]any{
		"type": "message", "channel_type": "im", "channel": s.DMChannel(userID),
		"user": userID, "text": text, "ts": ts, "event_ts": ts,
		"client_msg_id": fmt.Sprintf("sim-%06d", s.nextID()),
	})
	s.mu.Unlock()
	return s.deliver(ctx, env)
}

// OpenHome opens the app's Home tab for the user (an app_home_opened event).
func (s *Server) OpenHome(ctx context.Context, userID string) (Ack, error) {
	s.mu.Lock()
	s.seen[userID] = true
	ev := map[string]any{
		"type": "app_home_opened", "user": userID, "channel": s.DMChannel(userID),
		"tab": "home", "event_ts": s.nextTS(),
	}
	if id, ok := s.homes[userID]; ok {
		ev["view"] = s.views[id].raw
	}
	env := s.event(ev)
	s.mu.Unlock()
	return s.deliver(ctx, env)
}

// Send delivers a raw envelope, for fault tests (malformed or unknown payloads).
func (s *Server) Send(ctx context.Context, envelopeType string, payload json.RawMessage, retryAttempt int) (Ack, error) {
	s.mu.Lock()
	env := envelope{
		EnvelopeID:             s.envelopeID(),
		Type:                   envelopeType,
		Payload:                payload,
		AcceptsResponsePayload: envelopeType == "slash_commands",
		RetryAttempt:           retryAttempt,
	}
	if retryAttempt > 0 {
		env.RetryReason = "timeout"
	}
	s.mu.Unlock()
	return s.deliver(ctx, env)
}

// Callers of the helpers below hold s.mu.

func (s *Server) envelopeID() string {
	return fmt.Sprintf("sim-env-%08d", s.nextID())
}

func (s *Server) envelope(typ string, payload map[string]any) envelope {
	b, _ := json.Marshal(payload)
	return envelope{
		EnvelopeID:             s.envelopeID(),
		Type:                   typ,
		Payload:                b,
		AcceptsResponsePayload: typ == "slash_commands" || payload["type"] == "view_submission",
	}
}

func (s *Server) event(ev map[string]any) envelope {
	return s.envelope("events_api", map[string]any{
		"token": "sim-verification", "team_id": s.cfg.teamID, "api_app_id": appID,
		"event": ev, "type": "event_callback",
		"event_id":   fmt.Sprintf("Ev0SIM%06d", s.nextID()),
		"event_time": s.cfg.now().Unix(),
		"authorizations": []any{map[string]any{
			"team_id": s.cfg.teamID, "user_id": botUserID, "is_bot": true,
		}},
		"is_ext_shared_channel": false,
	})
}

// interaction is the common part of an interactive payload.
func (s *Server) interaction(typ, userID string) map[string]any {
	return map[string]any{
		"type":  typ,
		"token": "sim-verification",
		"user": map[string]any{
			"id": userID, "username": s.userName(userID), "name": s.userName(userID), "team_id": s.cfg.teamID,
		},
		"team":                  map[string]any{"id": s.cfg.teamID, "domain": s.cfg.domain},
		"api_app_id":            appID,
		"trigger_id":            s.newTrigger(userID),
		"is_enterprise_install": false,
	}
}

func (s *Server) userName(id string) string {
	if u, ok := s.users[id]; ok && u.Name != "" {
		return u.Name
	}
	return strings.ToLower(id)
}

func (s *Server) channelName(id string) string {
	if c, ok := s.channels[id]; ok {
		return c.name
	}
	return "directmessage"
}

// viewRaw is the current stored version of v, or v as given when the sim does not know it.
func (s *Server) viewRaw(v View) map[string]any {
	if stored := s.views[v.ID]; stored != nil {
		return stored.raw
	}
	var raw map[string]any
	if json.Unmarshal(v.Raw, &raw) != nil || raw == nil {
		raw = map[string]any{"id": v.ID, "type": v.Type, "callback_id": v.CallbackID,
			"private_metadata": v.PrivateMetadata, "hash": v.Hash, "blocks": generic(v.Blocks)}
	}
	return raw
}

// action is the actions[] entry for clicking el, with the value the element carries.
func (s *Server) action(blockID string, el map[string]any) map[string]any {
	a := map[string]any{
		"type": el["type"], "action_id": el["action_id"], "block_id": blockID, "action_ts": s.nextTS(),
	}
	for _, k := range []string{"text", "value", "style"} {
		if v, ok := el[k]; ok {
			a[k] = v
		}
	}
	// A select clicked without choosing sends its initial option, or the first one.
	if opt, ok := el["initial_option"]; ok {
		a["selected_option"] = opt
	} else if opts, _ := el["options"].([]any); len(opts) > 0 {
		a["selected_option"] = opts[0]
	}
	return a
}

// findElement finds the interactive element with actionID in blocks and its block's id.
func findElement(blocks []any, actionID string) (string, map[string]any) {
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		var candidates []any
		if els, ok := bm["elements"].([]any); ok {
			candidates = append(candidates, els...)
		}
		for _, k := range []string{"accessory", "element"} {
			if el, ok := bm[k]; ok {
				candidates = append(candidates, el)
			}
		}
		for _, c := range candidates {
			if el, _ := c.(map[string]any); el != nil && el["action_id"] == actionID {
				return str(bm["block_id"]), el
			}
		}
	}
	return "", nil
}

// generic turns any JSON-marshalable value into maps and slices.
func generic[T any](v T) []any {
	var out []any
	if b, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(b, &out)
	}
	return out
}

// stateValues builds view.state.values the way Slack fills it for each element type.
// Every input block is present; other stateful elements only when given an input.
func stateValues(raw map[string]any, inputs map[string]string) (map[string]any, error) {
	values := map[string]any{}
	used := map[string]bool{}
	blocks, _ := raw["blocks"].([]any)
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		var els []any
		if el, ok := bm["element"]; ok && bm["type"] == "input" {
			els = append(els, el)
		}
		if acc, ok := bm["accessory"]; ok {
			els = append(els, acc)
		}
		if list, ok := bm["elements"].([]any); ok && bm["type"] == "actions" {
			els = append(els, list...)
		}
		for _, e := range els {
			el, _ := e.(map[string]any)
			id := str(el["action_id"])
			in, given := inputs[id]
			if !given && bm["type"] != "input" {
				continue
			}
			v, err := stateValue(el, in, given)
			if err != nil {
				return nil, fmt.Errorf("slacksim: input %q: %w", id, err)
			}
			if v == nil {
				continue // not a stateful element
			}
			used[id] = true
			blockID := str(bm["block_id"])
			if values[blockID] == nil {
				values[blockID] = map[string]any{}
			}
			values[blockID].(map[string]any)[id] = v
		}
	}
	for id := range inputs {
		if !used[id] {
			return nil, fmt.Errorf("slacksim: no input element with action_id %q in view", id)
		}
	}
	return values, nil
}

// stateValue is one element's entry in view.state.values; nil for non-input elements.
// Multi-value inputs (checkboxes, multi selects) take comma-separated values.
func stateValue(el map[string]any, in string, given bool) (map[string]any, error) {
	typ := str(el["type"])
	v := map[string]any{"type": typ}
	orNil := func() any {
		if in == "" {
			return nil
		}
		return in
	}
	switch typ {
	case "plain_text_input", "number_input", "email_text_input", "url_text_input":
		v["value"] = orNil()
	case "datepicker":
		v["selected_date"] = orNil()
	case "timepicker":
		v["selected_time"] = orNil()
	case "datetimepicker":
		if in == "" {
			v["selected_date_time"] = nil
		} else {
			n, err := strconv.ParseInt(in, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("datetimepicker wants unix seconds: %w", err)
			}
			v["selected_date_time"] = n
		}
	case "users_select":
		v["selected_user"] = orNil()
	case "conversations_select":
		v["selected_conversation"] = orNil()
	case "channels_select":
		v["selected_channel"] = orNil()
	case "static_select", "radio_buttons", "external_select":
		v["selected_option"] = nil
		if in != "" {
			opt, err := option(el, in, typ == "external_select")
			if err != nil {
				return nil, err
			}
			v["selected_option"] = opt
		}
	case "checkboxes", "multi_static_select", "multi_external_select":
		opts := []any{}
		for _, val := range strings.Split(in, ",") {
			if val = strings.TrimSpace(val); val == "" {
				continue
			}
			opt, err := option(el, val, typ == "multi_external_select")
			if err != nil {
				return nil, err
			}
			opts = append(opts, opt)
		}
		v["selected_options"] = opts
	default:
		if !given {
			return nil, nil
		}
		return nil, fmt.Errorf("element type %q takes no input", typ)
	}
	return v, nil
}

// option finds the option with value among el's options (and option groups). External
// selects load options from the app, so any value goes, with itself as the text.
func option(el map[string]any, value string, external bool) (any, error) {
	if external {
		return map[string]any{"text": map[string]any{"type": "plain_text", "text": value}, "value": value}, nil
	}
	opts, _ := el["options"].([]any)
	groups, _ := el["option_groups"].([]any)
	for _, g := range groups {
		gm, _ := g.(map[string]any)
		more, _ := gm["options"].([]any)
		opts = append(opts, more...)
	}
	for _, o := range opts {
		if om, _ := o.(map[string]any); om != nil && om["value"] == value {
			return om, nil
		}
	}
	return nil, fmt.Errorf("no option with value %q", value)
}
