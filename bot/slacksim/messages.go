package slacksim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// responseTarget is what a response_url is tied to: the channel and user of the envelope
// that carried it, and the message it came from (for a slash command, its first reply).
type responseTarget struct {
	channel, user, ts string
}

// nextTS returns a fresh message timestamp; strictly increasing, like Slack's.
// Callers hold s.mu.
func (s *Server) nextTS() string {
	n := s.nextID()
	return fmt.Sprintf("%d.%06d", 1700000000+n/10000, (n%10000)*100)
}

// resolveChannel maps a chat.* channel argument to a channel id, or a Slack error.
// Callers hold s.mu.
func (s *Server) resolveChannel(ch string) (string, string) {
	switch {
	case strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W"):
		if !s.knownUser(ch) {
			return "", "channel_not_found"
		}
		return s.DMChannel(ch), ""
	case strings.HasPrefix(ch, "D"):
		if !s.knownUser(ch[1:]) {
			return "", "channel_not_found"
		}
		return ch, ""
	}
	c, found := s.channels[ch]
	if !found {
		return "", "channel_not_found"
	}
	if !c.member {
		return "", "not_in_channel"
	}
	return ch, ""
}

// content is a message body as the bot sent it.
type content struct {
	text     string
	blocks   []any
	hasBlock bool // blocks were sent (an empty list clears them on update)
	warning  string
}

// parseContent validates text and blocks; blocks arrive as a JSON string in forms.
// Callers hold s.mu (block ids are filled from the sequence).
func (s *Server) parseContent(text string, blocks any) (content, *apiResult) {
	c := content{text: text}
	switch b := blocks.(type) {
	case nil:
	case string:
		if b != "" {
			c.hasBlock = true
			if err := json.Unmarshal([]byte(b), &c.blocks); err != nil {
				r := fail("invalid_blocks_format")
				return c, &r
			}
		}
	case []any:
		c.hasBlock, c.blocks = true, b
	default:
		r := fail("invalid_blocks_format")
		return c, &r
	}
	if errs := validateMessageBlocks(c.blocks, s.cfg.noData); len(errs) > 0 {
		r := invalidBlocks(errs)
		return c, &r
	}
	if utf8.RuneCountInString(c.text) > maxTextChars {
		c.text = string([]rune(c.text)[:maxTextChars])
		c.warning = "message_truncated"
	}
	s.fillBlockIDs(c.blocks)
	return c, nil
}

// fillBlockIDs gives every block without a block_id one, as Slack does, so interactions
// always carry a block_id.
func (s *Server) fillBlockIDs(blocks []any) {
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok {
			if _, has := m["block_id"]; !has {
				m["block_id"] = fmt.Sprintf("sim%04d", s.nextID())
			}
		}
	}
}

// post stores a new message. Callers hold s.mu.
func (s *Server) post(ch, threadTS string, c content, ephemeralTo string) *message {
	m := &message{Message: Message{
		Channel:   ch,
		TS:        s.nextTS(),
		ThreadTS:  threadTS,
		Text:      c.text,
		Ephemeral: ephemeralTo != "",
		ToUser:    ephemeralTo,
	}, rawBlocks: c.blocks}
	m.changed = s.nextID()
	s.messages = append(s.messages, m)
	s.byTS[ch+"/"+m.TS] = m
	return m
}

// replace overwrites a message's content; Blocks is replaced, never mutated, so snapshots
// handed out earlier stay valid. seq is the change's sequence number. Callers hold s.mu.
func (m *message) replace(c content, keepBlocks bool, seq int64) {
	m.changed = seq
	m.Text = c.text
	if !keepBlocks {
		m.Blocks, m.rawBlocks, m.parsed = slack.Blocks{}, c.blocks, false
	}
	m.Updates++
}

// find returns a stored message. Callers hold s.mu.
func (s *Server) find(ch, ts string) *message {
	return s.byTS[ch+"/"+ts]
}

func (m *message) json() map[string]any {
	out := map[string]any{
		"type": "message", "user": botUserID, "bot_id": botID,
		"text": m.Text, "ts": m.TS, "blocks": m.rawBlocks,
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	return out
}

func withWarning(r apiResult, warning string) apiResult {
	if warning != "" {
		r.body["warning"] = warning
		r.body["response_metadata"] = map[string]any{"warnings": []string{warning}}
	}
	return r
}

func (s *Server) chatPostMessage(req *apiRequest) apiResult {
	ch, errCode := s.resolveChannel(req.str("channel"))
	if errCode != "" {
		return fail(errCode)
	}
	c, bad := s.parseContent(req.str("text"), blockParam(req))
	if bad != nil {
		return *bad
	}
	if c.text == "" && len(c.blocks) == 0 && req.str("attachments") == "" {
		return fail("no_text")
	}
	m := s.post(ch, req.str("thread_ts"), c, "")
	return withWarning(ok(map[string]any{"channel": ch, "ts": m.TS, "message": m.json()}), c.warning)
}

func (s *Server) chatPostEphemeral(req *apiRequest) apiResult {
	ch, errCode := s.resolveChannel(req.str("channel"))
	if errCode != "" {
		return fail(errCode)
	}
	user := req.str("user")
	if !s.knownUser(user) {
		return fail("user_not_found")
	}
	c, bad := s.parseContent(req.str("text"), blockParam(req))
	if bad != nil {
		return *bad
	}
	if c.text == "" && len(c.blocks) == 0 {
		return fail("no_text")
	}
	m := s.post(ch, req.str("thread_ts"), c, user)
	return withWarning(ok(map[string]any{"message_ts": m.TS}), c.warning)
}

// chat.update and chat.delete need a channel id (not a user id) and cannot touch ephemerals.
func (s *Server) updatable(req *apiRequest) (*message, string) {
	ch := req.str("channel")
	if strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
		return nil, "channel_not_found"
	}
	m := s.find(ch, req.str("ts"))
	if m == nil || m.Ephemeral || m.Deleted {
		return nil, "message_not_found"
	}
	return m, ""
}

func (s *Server) chatUpdate(req *apiRequest) apiResult {
	m, errCode := s.updatable(req)
	if errCode != "" {
		return fail(errCode)
	}
	c, bad := s.parseContent(req.str("text"), blockParam(req))
	if bad != nil {
		return *bad
	}
	if !req.has("text") {
		c.text = m.Text
	}
	m.replace(c, !c.hasBlock, s.nextID()) // Slack keeps the blocks when none are sent
	return withWarning(ok(map[string]any{
		"channel": m.Channel, "ts": m.TS, "text": m.Text, "message": m.json(),
	}), c.warning)
}

func (s *Server) chatDelete(req *apiRequest) apiResult {
	m, errCode := s.updatable(req)
	if errCode != "" {
		return fail(errCode)
	}
	m.Deleted, m.changed = true, s.nextID()
	return ok(map[string]any{"channel": m.Channel, "ts": m.TS})
}

func blockParam(req *apiRequest) any {
	if v, ok := req.json["blocks"]; ok {
		return v
	}
	if req.form.Has("blocks") {
		return req.form.Get("blocks")
	}
	return nil
}

// handleResponseURL takes posts to a response_url: a reply tied to the original envelope's
// channel, user and message.
func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	call := Call{Method: "response_url", At: s.cfg.now()}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	call.in = arrival(r)
	var body map[string]any
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil {
		s.reply(w, &call, fail("invalid_payload"))
		return
	}
	call.Body, _ = json.Marshal(body)
	if res, failed := s.applyFault(r, "response_url"); failed {
		s.reply(w, &call, res)
		return
	}
	s.mu.Lock()
	call.to = s.responses[r.PathValue("id")].user
	res := s.respond(r.PathValue("id"), body)
	s.recordLocked(&call, res) // with the message it posted: whoever sees one sees both
	s.broadcast()
	s.mu.Unlock()
	s.reply(w, &call, res)
}

// respond applies a response_url payload (also a slash command's ack payload).
// Callers hold s.mu.
func (s *Server) respond(id string, body map[string]any) apiResult {
	t, found := s.responses[id]
	if !found {
		return fail("expired_url")
	}
	orig := s.find(t.channel, t.ts)
	if b, _ := body["delete_original"].(bool); b {
		if orig == nil {
			return fail("message_not_found")
		}
		orig.Deleted, orig.changed = true, s.nextID()
		return ok(nil)
	}
	c, bad := s.parseContent(str(body["text"]), body["blocks"])
	if bad != nil {
		return *bad
	}
	if b, _ := body["replace_original"].(bool); b {
		if orig == nil || orig.Deleted {
			return fail("message_not_found")
		}
		orig.replace(c, false, s.nextID()) // a replacement is a whole new message body
		return withWarning(ok(nil), c.warning)
	}
	if c.text == "" && len(c.blocks) == 0 {
		return fail("no_text")
	}
	to := t.user
	if str(body["response_type"]) == "in_channel" {
		to = ""
	}
	m := s.post(t.channel, str(body["thread_ts"]), c, to)
	if t.ts == "" {
		// A slash command has no original message until its first reply: later
		// replace_original / delete_original posts act on that reply, as in Slack.
		t.ts = m.TS
		s.responses[id] = t
	}
	return withWarning(ok(nil), c.warning)
}

// newResponseURL issues a response_url tied to t. Callers hold s.mu.
func (s *Server) newResponseURL(t responseTarget) string {
	id := fmt.Sprintf("sim%06d", s.nextID())
	s.responses[id] = t
	return s.baseURL + "/response/" + id
}
