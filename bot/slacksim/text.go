package slacksim

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/slack-go/slack"
)

// Buttons returns every button in the message's blocks, in order.
func (m Message) Buttons() []Button {
	var out []Button
	add := func(blockID string, b *slack.ButtonBlockElement) {
		btn := Button{ActionID: b.ActionID, BlockID: blockID, Value: b.Value, Style: string(b.Style)}
		if b.Text != nil {
			btn.Text = b.Text.Text
		}
		out = append(out, btn)
	}
	for _, blk := range m.Blocks.BlockSet {
		switch b := blk.(type) {
		case *slack.ActionBlock:
			if b.Elements == nil {
				continue
			}
			for _, el := range b.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					add(b.BlockID, btn)
				}
			}
		case *slack.SectionBlock:
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				add(b.BlockID, b.Accessory.ButtonElement)
			}
		}
	}
	return out
}

// AllText is the message text and every text in its blocks, one per line, for assertions.
func (m Message) AllText() string {
	return joinTexts(m.Text, m.Blocks)
}

// AllText is the view's title and every text in its blocks, one per line.
func (v View) AllText() string {
	return joinTexts(v.Title, v.Blocks)
}

func joinTexts(first string, blocks slack.Blocks) string {
	var texts []string
	if first != "" {
		texts = append(texts, first)
	}
	if b, err := json.Marshal(blocks); err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		collectTexts(dec, "", &texts)
	}
	return strings.Join(texts, "\n")
}

// collectTexts walks one JSON value in document order and collects every string held by a
// "text" key (text objects, rich_text elements, table cells), a table's caption, a chart's
// title, and a rich_text user element as its mention. A decoder is used instead of
// maps so the order is the order on screen.
func collectTexts(dec *json.Decoder, key string, out *[]string) {
	tok, err := dec.Token()
	if err != nil {
		return
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return
				}
				ks, _ := k.(string)
				collectTexts(dec, ks, out)
			}
			_, _ = dec.Token()
		case '[':
			for dec.More() {
				collectTexts(dec, "", out)
			}
			_, _ = dec.Token()
		}
	case string:
		switch {
		case t == "":
		case key == "text", key == "caption", key == "title":
			*out = append(*out, t)
		case key == "user_id": // a rich_text user element, as in a table's rep column
			*out = append(*out, "<@"+t+">")
		}
	}
}
