package slacksim

import (
	"fmt"
	"unicode/utf8"
)

// Block Kit validation works on generic JSON (maps and slices), not slack-go's types, so that
// whatever the bot's encoder produced is judged the way Slack judges it. Errors read like
// Slack's: "<problem> [json-pointer:/blocks/0/text/text]".

const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
)

type validator struct {
	errs   []string
	noData bool // the workspace refuses tables and charts
	charts int  // data_visualization blocks seen so far
}

func (v *validator) fail(ptr, format string, args ...any) {
	v.errs = append(v.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

// maxLen checks a string field if present.
func (v *validator) maxLen(ptr string, s any, limit int) {
	if str, ok := s.(string); ok && utf8.RuneCountInString(str) > limit {
		v.fail(ptr, "must be less than %d characters", limit+1)
	}
}

// text checks a text object's length; min 1 means it must not be empty.
func (v *validator) text(ptr string, obj any, minimum, limit int) {
	t, ok := obj.(map[string]any)
	if !ok {
		v.fail(ptr, "must be a text object")
		return
	}
	n := utf8.RuneCountInString(str(t["text"]))
	if n < minimum {
		v.fail(ptr+"/text", "must be more than %d characters", minimum-1)
	}
	if n > limit {
		v.fail(ptr+"/text", "must be less than %d characters", limit+1)
	}
}

// optionalText checks a text object only when present.
func (v *validator) optionalText(ptr string, obj any, limit int) {
	if obj != nil {
		v.text(ptr, obj, 0, limit)
	}
}

func validateMessageBlocks(blocks []any, noData bool) []string {
	v := validator{noData: noData}
	v.blocks("/blocks", blocks, maxMessageBlocks)
	return v.errs
}

func validateView(view map[string]any, noData bool) []string {
	v := validator{noData: noData}
	typ := str(view["type"])
	switch typ {
	case "modal":
		if view["title"] == nil {
			v.fail("/view/title", "missing required field: title")
		} else {
			v.text("/view/title", view["title"], 1, 24)
		}
		v.optionalText("/view/submit", view["submit"], 24)
		v.optionalText("/view/close", view["close"], 24)
	case "home":
	default:
		v.fail("/view/type", "must be modal or home")
	}
	v.maxLen("/view/private_metadata", view["private_metadata"], 3000)
	v.maxLen("/view/callback_id", view["callback_id"], 255)
	v.maxLen("/view/external_id", view["external_id"], 255)
	blocks, _ := view["blocks"].([]any)
	v.blocks("/view/blocks", blocks, maxViewBlocks)
	if typ == "modal" && view["submit"] == nil {
		for i, b := range blocks {
			if m, ok := b.(map[string]any); ok && m["type"] == "input" {
				v.fail(fmt.Sprintf("/view/blocks/%d", i), "input blocks need a submit button on the view")
				break
			}
		}
	}
	return v.errs
}

func (v *validator) blocks(ptr string, blocks []any, limit int) {
	if len(blocks) > limit {
		v.fail(ptr, "no more than %d items allowed", limit)
	}
	ids := map[string]bool{}
	for i, b := range blocks {
		p := fmt.Sprintf("%s/%d", ptr, i)
		m, ok := b.(map[string]any)
		if !ok {
			v.fail(p, "must be an object")
			continue
		}
		if id, ok := m["block_id"].(string); ok {
			v.maxLen(p+"/block_id", id, 255)
			if ids[id] {
				v.fail(p+"/block_id", "duplicate block_id %q", id)
			}
			ids[id] = true
		}
		v.block(p, m)
	}
}

func (v *validator) block(p string, b map[string]any) {
	switch b["type"] {
	case "section":
		fields, _ := b["fields"].([]any)
		if b["text"] != nil {
			v.text(p+"/text", b["text"], 1, 3000)
		} else if len(fields) == 0 {
			v.fail(p, "must provide text or fields")
		}
		if len(fields) > 10 {
			v.fail(p+"/fields", "no more than 10 items allowed")
		}
		for i, f := range fields {
			v.text(fmt.Sprintf("%s/fields/%d", p, i), f, 1, 2000)
		}
		if acc, ok := b["accessory"].(map[string]any); ok {
			v.element(p+"/accessory", acc)
		}
	case "header":
		if t, _ := b["text"].(map[string]any); t == nil || t["type"] != "plain_text" {
			v.fail(p+"/text", "must be a plain_text object")
		}
		v.text(p+"/text", b["text"], 1, 150)
	case "actions":
		v.elements(p, b["elements"], 25)
	case "context":
		elems, _ := b["elements"].([]any)
		if len(elems) == 0 || len(elems) > 10 {
			v.fail(p+"/elements", "must have 1 to 10 items")
		}
	case "input":
		if b["label"] == nil {
			v.fail(p+"/label", "missing required field: label")
		} else {
			v.text(p+"/label", b["label"], 1, 2000)
		}
		v.optionalText(p+"/hint", b["hint"], 2000)
		if el, ok := b["element"].(map[string]any); ok {
			v.element(p+"/element", el)
		} else {
			v.fail(p+"/element", "missing required field: element")
		}
	case "data_table":
		v.dataTable(p, b)
	case "data_visualization":
		v.dataVisualization(p, b)
	case "divider", "image", "rich_text", "file", "video", "markdown", "context_actions", "table":
	default:
		v.fail(p+"/type", "unknown block type %q", b["type"])
	}
}

func (v *validator) elements(p string, list any, limit int) {
	elems, _ := list.([]any)
	if len(elems) == 0 || len(elems) > limit {
		v.fail(p+"/elements", "must have 1 to %d items", limit)
	}
	actionIDs := map[string]bool{}
	for i, e := range elems {
		ep := fmt.Sprintf("%s/elements/%d", p, i)
		m, ok := e.(map[string]any)
		if !ok {
			v.fail(ep, "must be an object")
			continue
		}
		if id, ok := m["action_id"].(string); ok {
			if actionIDs[id] {
				v.fail(ep+"/action_id", "duplicate action_id %q", id)
			}
			actionIDs[id] = true
		}
		v.element(ep, m)
	}
}

// optionLimit is how many options a selection element takes.
func optionLimit(typ string) (int, bool) {
	switch typ {
	case "static_select", "multi_static_select":
		return 100, true
	case "overflow":
		return 5, true
	case "radio_buttons", "checkboxes":
		return 10, true
	}
	return 0, false
}

func (v *validator) element(p string, e map[string]any) {
	v.maxLen(p+"/action_id", e["action_id"], 255)
	v.optionalText(p+"/placeholder", e["placeholder"], 150)
	if c, ok := e["confirm"].(map[string]any); ok {
		v.optionalText(p+"/confirm/title", c["title"], 100)
		v.optionalText(p+"/confirm/text", c["text"], 300)
		v.optionalText(p+"/confirm/confirm", c["confirm"], 30)
		v.optionalText(p+"/confirm/deny", c["deny"], 30)
	}
	typ := str(e["type"])
	if typ == "button" {
		v.text(p+"/text", e["text"], 1, 75)
		v.maxLen(p+"/value", e["value"], 2000)
		v.maxLen(p+"/url", e["url"], 3000)
	}
	if limit, ok := optionLimit(typ); ok {
		opts, _ := e["options"].([]any)
		if len(opts) > limit {
			v.fail(p+"/options", "no more than %d items allowed", limit)
		}
		v.options(p+"/options", opts)
		groups, _ := e["option_groups"].([]any)
		if len(groups) > 100 {
			v.fail(p+"/option_groups", "no more than 100 items allowed")
		}
		for i, g := range groups {
			gm, _ := g.(map[string]any)
			gopts, _ := gm["options"].([]any)
			v.options(fmt.Sprintf("%s/option_groups/%d/options", p, i), gopts)
		}
	}
}

func (v *validator) options(p string, opts []any) {
	for i, o := range opts {
		op := fmt.Sprintf("%s/%d", p, i)
		m, _ := o.(map[string]any)
		v.text(op+"/text", m["text"], 1, 75)
		v.maxLen(op+"/value", m["value"], 150)
	}
}
