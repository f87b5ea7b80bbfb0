package demo

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"pipelinecoach/bot/slacksim"
)

// entryKind is what happened in one entry of the conversation.
type entryKind int

const (
	kindSlash  entryKind = iota // a person typed /pipeline …
	kindSay                     // a person wrote to the bot in their DM
	kindClick                   // a person clicked a button
	kindSubmit                  // a person filled in and submitted a modal
	kindHome                    // a person opened the bot's App Home
	kindPost                    // the bot posted a message
	kindEdit                    // the bot changed one of its messages
	kindDelete                  // the bot deleted one of its messages
)

// entry is one moment of the conversation, on the simulated clock.
type entry struct {
	At   time.Time
	Kind entryKind
	// Who acted: a user id; "" for the bot.
	Who string
	// Conv is the conversation (channel id) it shows in.
	Conv string
	// To is the one person who sees it (an ephemeral reply), or "".
	To string
	// Text is what a person typed (slash, say) or the fallback text of a
	// message without blocks.
	Text rich
	// Blocks are a message's blocks, a submitted modal's form (filled in)
	// or the Home tab.
	Blocks []block
	// Title and Submit are a modal's title and submit button.
	Title, Submit string
	// Button is the label of the button clicked.
	Button string
	// Errors are what the bot said about a submitted form's inputs, by label.
	Errors []string
	// Orig is when an edited or deleted message was first posted.
	Orig time.Time
}

// recorder keeps the conversation: the people's actions as the script
// makes them, and what the bot did, read from the simulator after each step.
type recorder struct {
	sim     *slacksim.Server
	names   names
	convs   []string             // channel ids to read
	seen    map[string]int       // channel/ts → updates already recorded
	posted  map[string]time.Time // channel/ts → when first recorded
	gone    map[string]bool      // deleted messages recorded
	entries []entry
}

func newRecorder(sim *slacksim.Server, n names, convs []string) *recorder {
	return &recorder{sim: sim, names: n, convs: convs, seen: map[string]int{}, posted: map[string]time.Time{}, gone: map[string]bool{}}
}

func (r *recorder) add(e entry) { r.entries = append(r.entries, e) }

// sync records what the bot posted, changed or deleted since the last sync,
// at the simulated time at. Changes come first (they answer what was just
// done), then new messages in the order Slack received them.
func (r *recorder) sync(at time.Time) {
	type found struct {
		m    slacksim.Message
		key  string
		kind entryKind
	}
	var changes, posts []found
	for _, ch := range r.convs {
		for _, m := range r.sim.Messages(ch) {
			key := m.Channel + "/" + m.TS
			updates, known := r.seen[key]
			switch {
			case !known:
				posts = append(posts, found{m, key, kindPost})
			case m.Deleted && !r.gone[key]:
				changes = append(changes, found{m, key, kindDelete})
			case !m.Deleted && m.Updates > updates:
				changes = append(changes, found{m, key, kindEdit})
			}
		}
	}
	slices.SortStableFunc(posts, func(a, b found) int { return compareTS(a.m.TS, b.m.TS) })
	for _, f := range append(changes, posts...) {
		e := entry{At: at, Kind: f.kind, Conv: f.m.Channel, To: f.m.ToUser, Orig: r.posted[f.key]}
		if f.kind != kindDelete {
			e.Blocks = r.messageBlocks(f.m)
		}
		r.add(e)
		r.seen[f.key] = f.m.Updates
		if f.kind == kindPost {
			r.posted[f.key] = at
		}
		if f.m.Deleted {
			r.gone[f.key] = true
		}
	}
}

// messageBlocks is what a message shows: its blocks, or its text.
func (r *recorder) messageBlocks(m slacksim.Message) []block {
	if len(m.Blocks.BlockSet) > 0 {
		raw, err := json.Marshal(m.Blocks)
		if err == nil {
			if bs := r.names.parseBlocks(raw); len(bs) > 0 {
				return bs
			}
		}
	}
	return []block{{Type: "section", Text: r.names.mrkdwn(m.Text)}}
}

// viewBlocks reads a view (modal or Home tab) as Slack holds it: its
// title, submit label and blocks.
func (r *recorder) viewBlocks(v slacksim.View) (title, submit string, blocks []block) {
	var raw struct {
		Title  json.RawMessage `json:"title"`
		Submit json.RawMessage `json:"submit"`
		Blocks json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(v.Raw, &raw)
	text := func(b json.RawMessage) string {
		var obj map[string]any
		if json.Unmarshal(b, &obj) != nil {
			return ""
		}
		return r.names.textObject(obj).Plain()
	}
	return text(raw.Title), text(raw.Submit), r.names.parseBlocks(raw.Blocks)
}

// fill puts the inputs a person entered (by action id, as slacksim.Submit
// takes them) into a form's input blocks.
func fill(blocks []block, inputs map[string]string) []block {
	out := slices.Clone(blocks)
	for i, b := range out {
		if b.Type != "input" {
			continue
		}
		in := inputs[b.Input.ActionID]
		b.Filled = true
		switch b.Input.Type {
		case "checkboxes", "multi_static_select":
			b.Checked = map[string]bool{}
			for v := range strings.SplitSeq(in, ",") {
				if v = strings.TrimSpace(v); v != "" {
					b.Checked[v] = true
				}
			}
			var chosen []string
			for _, o := range b.Input.Options {
				if b.Checked[o.Value] {
					chosen = append(chosen, o.Text)
				}
			}
			b.Value = strings.Join(chosen, ", ")
		case "static_select", "radio_buttons":
			b.Value = in
			for _, o := range b.Input.Options {
				if o.Value == in {
					b.Value = o.Text
				}
			}
		default:
			b.Value = in
		}
		out[i] = b
	}
	return out
}

// compareTS orders Slack timestamps ("1700000000.000100").
func compareTS(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	x, _ := strconv.ParseInt(ai, 10, 64)
	y, _ := strconv.ParseInt(bi, 10, 64)
	if x != y {
		return cmp.Compare(x, y)
	}
	x, _ = strconv.ParseInt(af, 10, 64)
	y, _ = strconv.ParseInt(bf, 10, 64)
	return cmp.Compare(x, y)
}
