package demo

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a person sees of a Block Kit payload: blocks of rich text, buttons
// and inputs. Both the terminal transcript and the HTML page are written
// from this model, so they show the same thing.

// span is a run of text with one formatting.
type span struct {
	Text                       string
	Bold, Italic, Strike, Code bool
	Mention                    bool   // a user or channel mention: @Rita, #wins
	Href                       string // a link
}

// rich is formatted text: what a mrkdwn or plain_text object shows.
type rich []span

// Plain is the text without formatting, code kept in backticks.
func (r rich) Plain() string {
	var b strings.Builder
	for _, s := range r {
		if s.Code {
			b.WriteString("`" + s.Text + "`")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// option is one choice of a select, radio group or checkbox group.
type option struct {
	Value, Text string
}

// element is an interactive element: a button, a select, a picker, a text
// input.
type element struct {
	Type, ActionID, Text, Style string
	Placeholder                 string
	Initial                     string
	Multiline                   bool
	Options                     []option
}

// Label is how the element shows when it is not filled in.
func (e element) Label() string {
	switch e.Type {
	case "button":
		return e.Text
	case "datepicker":
		return orDefault(e.Initial, "Select a date")
	case "timepicker":
		return orDefault(e.Initial, "Select time")
	case "overflow":
		return "⋯"
	}
	return orDefault(e.Placeholder, "Select")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// block is one Block Kit block.
type block struct {
	Type    string // section, header, context, divider, actions, input, image, rich_text
	Text    rich
	Fields  []rich
	Context []rich
	// Elements are an actions block's elements, or a section's accessory.
	Elements []element
	// Input blocks (modals): the label, the hint, the element and, once the
	// form is submitted, what was entered (Value) or chosen (Checked).
	Label, Hint rich
	Optional    bool
	Input       element
	Filled      bool
	Value       string
	Checked     map[string]bool
	// Table and Chart: a data_table or data_visualization block.
	Table *table
	Chart *chart
}

// Buttons is the block's buttons, for the transcript.
func (b block) Buttons() []element {
	var out []element
	for _, e := range b.Elements {
		if e.Type == "button" {
			out = append(out, e)
		}
	}
	return out
}

// names resolves Slack ids to what people see.
type names struct {
	users    map[string]string // user id → display name
	channels map[string]string // channel id → name, without #
}

func (n names) user(id, label string) string {
	if name, ok := n.users[id]; ok {
		return name
	}
	if label != "" {
		return label
	}
	return id
}

func (n names) channel(id, label string) string {
	if name, ok := n.channels[id]; ok {
		return name
	}
	if label != "" {
		return label
	}
	return id
}

// parseBlocks reads blocks from their JSON (a message's or a view's).
func (n names) parseBlocks(raw json.RawMessage) []block {
	var generic []map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &generic) != nil {
		return nil
	}
	var out []block
	for _, g := range generic {
		out = append(out, n.parseBlock(g))
	}
	return out
}

func (n names) parseBlock(g map[string]any) block {
	b := block{Type: str(g["type"])}
	switch b.Type {
	case "section":
		b.Text = n.textObject(g["text"])
		for _, f := range list(g["fields"]) {
			b.Fields = append(b.Fields, n.textObject(f))
		}
		if acc, ok := g["accessory"].(map[string]any); ok {
			b.Elements = append(b.Elements, n.element(acc))
		}
	case "header":
		b.Text = n.textObject(g["text"])
	case "context":
		for _, e := range list(g["elements"]) {
			em, _ := e.(map[string]any)
			if t := str(em["type"]); t == "mrkdwn" || t == "plain_text" {
				b.Context = append(b.Context, n.textObject(em))
			} else if t == "image" {
				b.Context = append(b.Context, rich{{Text: "[" + orDefault(str(em["alt_text"]), "image") + "]"}})
			}
		}
	case "actions":
		for _, e := range list(g["elements"]) {
			em, _ := e.(map[string]any)
			b.Elements = append(b.Elements, n.element(em))
		}
	case "input":
		b.Label = n.textObject(g["label"])
		b.Hint = n.textObject(g["hint"])
		b.Optional, _ = g["optional"].(bool)
		em, _ := g["element"].(map[string]any)
		b.Input = n.element(em)
	case "data_table":
		b.Table = n.parseTable(g)
	case "data_visualization":
		b.Chart = parseChart(g)
	case "image":
		b.Text = rich{{Text: "[image: " + orDefault(str(g["alt_text"]), "picture") + "]"}}
	case "rich_text":
		var texts []string
		collectRichText(g["elements"], &texts)
		b.Text = rich{{Text: strings.Join(texts, "")}}
	}
	return b
}

// collectRichText gathers the text of rich_text elements in order.
func collectRichText(v any, out *[]string) {
	for _, e := range list(v) {
		em, _ := e.(map[string]any)
		if t, ok := em["text"].(string); ok {
			*out = append(*out, t)
		}
		collectRichText(em["elements"], out)
	}
}

func (n names) element(g map[string]any) element {
	e := element{Type: str(g["type"]), ActionID: str(g["action_id"]), Style: str(g["style"])}
	e.Text = n.textObject(g["text"]).Plain()
	e.Placeholder = n.textObject(g["placeholder"]).Plain()
	e.Multiline, _ = g["multiline"].(bool)
	opts := list(g["options"])
	for _, grp := range list(g["option_groups"]) {
		gm, _ := grp.(map[string]any)
		opts = append(opts, list(gm["options"])...)
	}
	for _, o := range opts {
		om, _ := o.(map[string]any)
		e.Options = append(e.Options, option{Value: str(om["value"]), Text: n.textObject(om["text"]).Plain()})
	}
	switch e.Type {
	case "plain_text_input":
		e.Initial = str(g["initial_value"])
	case "datepicker":
		e.Initial = str(g["initial_date"])
	case "timepicker":
		e.Initial = str(g["initial_time"])
	case "static_select", "radio_buttons":
		if io, ok := g["initial_option"].(map[string]any); ok {
			e.Initial = n.textObject(io["text"]).Plain()
		}
	}
	return e
}

// textObject reads a text object: mrkdwn is parsed, plain_text is literal.
func (n names) textObject(v any) rich {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	text := str(m["text"])
	if str(m["type"]) == "plain_text" {
		return rich{{Text: emoji(text)}}
	}
	return n.mrkdwn(text)
}

// mrkdwn parses Slack's mrkdwn: <@U…> and <#C…> become names, <!channel>
// @channel, <url|label> a link; *bold*, _italic_, ~strike~ and `code`
// become formatting; &amp; &lt; &gt; are undone; :emoji: codes we know become
// the emoji.
func (n names) mrkdwn(s string) rich {
	// Tokens become placeholder runes, so formatting may span them
	// ("*Team of <@U1>:*"), and come back as spans once it is parsed.
	s = strings.Map(func(r rune) rune {
		if r >= placeholder && r < placeholderEnd {
			return unicode.ReplacementChar
		}
		return r
	}, s)
	var b strings.Builder
	var tokens []span
	for s != "" {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 || rune(len(tokens)) == placeholderEnd-placeholder {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		b.WriteRune(placeholder + rune(len(tokens)))
		tokens = append(tokens, n.token(s[i+1:i+j]))
		s = s[i+j+1:]
	}
	return merge(formatted(b.String(), span{}, tokens))
}

// Placeholder runes (Unicode private use) stand for <…> tokens while
// formatting is parsed.
const (
	placeholder    = rune(0xE000)
	placeholderEnd = rune(0xF800)
)

// token is one <…> of mrkdwn.
func (n names) token(t string) span {
	body, label, _ := strings.Cut(t, "|")
	label = unescape(label)
	switch {
	case strings.HasPrefix(body, "@"):
		return span{Text: "@" + n.user(body[1:], label), Mention: true}
	case strings.HasPrefix(body, "#"):
		return span{Text: "#" + n.channel(body[1:], label), Mention: true}
	case strings.HasPrefix(body, "!subteam^"):
		return span{Text: orDefault(label, "@group"), Mention: true}
	case strings.HasPrefix(body, "!date^"):
		return span{Text: label}
	case strings.HasPrefix(body, "!"):
		return span{Text: "@" + body[1:], Mention: true}
	}
	url := unescape(body)
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "mailto:") {
		return span{Text: "<" + unescape(t) + ">"} // not a link: show it as it is
	}
	return span{Text: orDefault(label, url), Href: url}
}

// formatted parses *bold*, _italic_, ~strike~ and `code` in s, each with
// base's formatting too; placeholder runes in s stand for tokens.
func formatted(s string, base span, tokens []span) rich {
	var out rich
	plainFrom := 0
	for i := 0; i < len(s); {
		c := s[i]
		if !strings.ContainsRune("*_~`", rune(c)) || !boundaryBefore(s, i) {
			i++
			continue
		}
		end := closing(s, i)
		if end < 0 {
			i++
			continue
		}
		out = append(out, plainText(s[plainFrom:i], base, tokens)...)
		inner := s[i+1 : end]
		sp := base
		switch c {
		case '`':
			out = append(out, codeSpan(inner, base))
		case '*':
			sp.Bold = true
			out = append(out, formatted(inner, sp, tokens)...)
		case '_':
			sp.Italic = true
			out = append(out, formatted(inner, sp, tokens)...)
		case '~':
			sp.Strike = true
			out = append(out, formatted(inner, sp, tokens)...)
		}
		i = end + 1
		plainFrom = i
	}
	return append(out, plainText(s[plainFrom:], base, tokens)...)
}

// plainText is text without formatting markers, in sp's formatting; its
// placeholder runes become their tokens, in that formatting too.
func plainText(t string, sp span, tokens []span) rich {
	var out rich
	from := 0
	for i, r := range t {
		if r < placeholder || r >= placeholderEnd {
			continue
		}
		if i > from {
			part := sp
			part.Text = emoji(unescape(t[from:i]))
			out = append(out, part)
		}
		tok := tokens[r-placeholder]
		tok.Bold, tok.Italic, tok.Strike = sp.Bold, sp.Italic, sp.Strike
		out = append(out, tok)
		from = i + utf8.RuneLen(r)
	}
	if from < len(t) {
		part := sp
		part.Text = emoji(unescape(t[from:]))
		out = append(out, part)
	}
	return out
}

// codeSpan is `inner` as code, in base's formatting; tokens inside are dropped.
func codeSpan(inner string, base span) span {
	sp := base
	sp.Code = true
	sp.Text = unescape(strings.Map(func(r rune) rune {
		if r >= placeholder && r < placeholderEnd {
			return -1
		}
		return r
	}, inner))
	return sp
}

// closing finds the marker that closes the one at i on the same line: not
// right after a space, and followed by no letter or digit.
func closing(s string, i int) int {
	c := s[i]
	if i+1 >= len(s) || s[i+1] == ' ' || s[i+1] == c {
		return -1
	}
	for j := i + 2; j < len(s); j++ {
		switch s[j] {
		case '\n':
			return -1
		case c:
			if s[j-1] != ' ' && boundaryAfter(s, j+1) {
				return j
			}
		}
	}
	return -1
}

func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func boundaryAfter(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// merge joins neighbouring spans of the same formatting.
func merge(r rich) rich {
	var out rich
	for _, s := range r {
		if s.Text == "" {
			continue
		}
		if k := len(out) - 1; k >= 0 && !s.Mention && !out[k].Mention && sameFormat(out[k], s) {
			out[k].Text += s.Text
			continue
		}
		out = append(out, s)
	}
	return out
}

func sameFormat(a, b span) bool {
	a.Text, b.Text = "", ""
	return a == b
}

var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// unescape undoes Slack's escaping of &, < and >.
func unescape(s string) string { return unescaper.Replace(s) }

// emojis are the codes the bot uses, as the emoji Slack shows.
var emojis = map[string]string{
	"white_check_mark": "✅", "memo": "📝", "wave": "👋", "zap": "⚡", "tada": "🎉", "warning": "⚠️",
	"hourglass_flowing_sand": "⏳", "hourglass": "⌛", "trophy": "🏆", "mag": "🔍", "snail": "🐌",
	"balloon": "🎈", "clipboard": "📋", "broom": "🧹", "clap": "👏", "sparkles": "✨", "pencil2": "✏️",
	"calendar": "📅", "bar_chart": "📊", "chart_with_upwards_trend": "📈", "bulb": "💡", "mega": "📣",
	"raised_hands": "🙌", "muscle": "💪", "seedling": "🌱", "dart": "🎯", "eyes": "👀", "x": "❌",
	"heavy_check_mark": "✔️", "speech_balloon": "💬", "bell": "🔔", "rocket": "🚀", "star": "⭐",
	"spiral_calendar_pad": "🗓️", "zzz": "💤", "palm_tree": "🌴", "thinking_face": "🤔", "question": "❓",
	"ok_hand": "👌", "speech_balloon_left": "🗨️", "information_source": "ℹ️", "no_entry": "⛔", "lock": "🔒",
	"hourglass_done": "⌛", "thumbsup": "👍", "+1": "👍", "raising_hand": "🙋", "pushpin": "📌", "busts_in_silhouette": "👥",
	"link": "🔗", "envelope": "✉️", "gear": "⚙️", "stopwatch": "⏱️", "red_circle": "🔴", "large_green_circle": "🟢",
}

// emoji replaces the :codes: we know.
func emoji(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], ':')
		if j < 0 {
			break
		}
		if e, ok := emojis[s[i+1:i+1+j]]; ok {
			b.WriteString(s[:i] + e)
			s = s[i+j+2:]
			continue
		}
		b.WriteString(s[:i+1])
		s = s[i+1:]
	}
	b.WriteString(s)
	return b.String()
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// typed is text a person typed: mentions as Slack escapes them become
// names; no formatting.
func (n names) typed(s string) rich {
	var out rich
	for s != "" {
		i := strings.IndexByte(s, '<')
		j := strings.IndexByte(s[max(i, 0):], '>')
		if i < 0 || j < 0 {
			out = append(out, span{Text: unescape(s)})
			break
		}
		out = append(out, span{Text: unescape(s[:i])}, n.token(s[i+1:i+j]))
		s = s[i+j+1:]
	}
	return merge(out)
}
