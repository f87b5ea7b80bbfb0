package demo

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// transcript is a played scenario: the conversation and how each step went.
type transcript struct {
	rec   *recorder
	steps []stepResult
	err   error
}

// stamp is a moment as the transcript shows it: "Mon 23 Nov 09:30", Berlin time.
func stamp(t time.Time) string { return t.In(berlin).Format("Mon 2 Jan 15:04") }

const indent = "    "

// writeText writes the conversation for a terminal: one entry per line
// (more lines indented), buttons as [Yes, booked], forms as labels and
// values, a line for each new day.
func (t transcript) writeText(out io.Writer) error {
	w := bufio.NewWriter(out)
	fmt.Fprintln(w, "Pipeline Coach demo: a fortnight of a small sales team, played against the real bot")
	fmt.Fprintln(w, "on a simulated Slack and the embedded store. Times are Berlin time.")
	for _, p := range cast {
		fmt.Fprintf(w, "  %-5s %s, %s\n", p.Name, p.Full, p.Role)
	}
	day := ""
	for _, e := range t.rec.entries {
		if d := e.At.In(berlin).Format("Monday 2 January"); d != day {
			day = d
			fmt.Fprintf(w, "\n──── %s ────\n", d)
		}
		t.writeEntry(w, e)
	}
	fmt.Fprintln(w)
	if t.err != nil {
		fmt.Fprintf(w, "FAILED: %v\n", t.err)
	} else {
		fmt.Fprintf(w, "All %d steps did what the script expected.\n", len(t.steps))
	}
	return w.Flush()
}

func (t transcript) writeEntry(w io.Writer, e entry) {
	n := t.rec.names
	who := n.user(e.Who, "")
	head := "[" + stamp(e.At) + "] "
	var lines []string
	switch e.Kind {
	case kindSlash:
		fmt.Fprintf(w, "%s%s → %s\n", head, who, e.Text.Plain())
		return
	case kindSay:
		fmt.Fprintf(w, "%s%s → Pipeline Coach (DM): %s\n", head, who, e.Text.Plain())
		return
	case kindClick:
		fmt.Fprintf(w, "%s%s clicks [%s]\n", head, who, e.Button)
		return
	case kindSubmit:
		fmt.Fprintf(w, "%s%s fills in the form “%s” and clicks [%s]:\n", head, who, e.Title, e.Submit)
		lines = blockLines(e.Blocks)
		for _, msg := range e.Errors {
			lines = append(lines, "⚠ "+msg)
		}
		writeIndented(w, lines)
		return
	case kindHome:
		fmt.Fprintf(w, "%s%s opens the Pipeline Coach app, Home tab:\n", head, who)
		writeIndented(w, blockLines(e.Blocks))
		return
	case kindDelete:
		fmt.Fprintf(w, "%sPipeline Coach deletes its message of %s in %s\n", head, stamp(e.Orig), t.where(e))
		return
	}
	verb := "→ " + t.where(e)
	if e.Kind == kindEdit {
		verb = "edits its message of " + shortStamp(e.Orig, e.At) + " to " + t.where(e)
	}
	lines = blockLines(e.Blocks)
	if len(lines) == 0 {
		lines = []string{""}
	}
	fmt.Fprintf(w, "%sPipeline Coach %s: %s\n", head, verb, lines[0])
	writeIndented(w, lines[1:])
}

// where says where a bot message is: a channel, a DM, or a reply only one
// person sees.
func (t transcript) where(e entry) string {
	n := t.rec.names
	switch {
	case e.To != "":
		return n.user(e.To, "") + " (only " + n.user(e.To, "") + " sees it)"
	case strings.HasPrefix(e.Conv, "D"):
		return n.user(e.Conv[1:], "") + " (DM)"
	}
	return "#" + n.channel(e.Conv, "")
}

// shortStamp is the time of orig, with its day when that is not now's day.
func shortStamp(orig, now time.Time) string {
	if orig.IsZero() {
		return "earlier"
	}
	if orig.In(berlin).YearDay() == now.In(berlin).YearDay() {
		return orig.In(berlin).Format("15:04")
	}
	return stamp(orig)
}

func writeIndented(w io.Writer, lines []string) {
	for _, l := range lines {
		if l == "" {
			continue
		}
		fmt.Fprintln(w, indent+l)
	}
}

// blockLines is blocks as plain lines of text.
func blockLines(blocks []block) []string {
	var out []string
	add := func(s string) { out = append(out, strings.Split(s, "\n")...) }
	for _, b := range blocks {
		switch b.Type {
		case "section":
			if len(b.Text) > 0 {
				add(b.Text.Plain())
			}
			for _, f := range b.Fields {
				add(f.Plain())
			}
			if els := elementsLine(b.Elements); els != "" {
				out = append(out, els)
			}
		case "header":
			out = append(out, "== "+b.Text.Plain()+" ==")
		case "context":
			var parts []string
			for _, c := range b.Context {
				parts = append(parts, c.Plain())
			}
			add(strings.Join(parts, " · "))
		case "divider":
			out = append(out, "――――")
		case "actions":
			out = append(out, elementsLine(b.Elements))
		case "input":
			out = append(out, inputLine(b))
		case "data_table":
			out = append(out, b.Table.lines()...)
		case "data_visualization":
			out = append(out, b.Chart.lines()...)
		default:
			if len(b.Text) > 0 {
				add(b.Text.Plain())
			}
		}
	}
	return out
}

// elementsLine is buttons as [Label] and other elements as [Label ▾].
func elementsLine(els []element) string {
	var parts []string
	for _, e := range els {
		if e.Type == "button" {
			parts = append(parts, "["+e.Text+"]")
		} else {
			parts = append(parts, "["+e.Label()+" ▾]")
		}
	}
	return strings.Join(parts, " ")
}

// inputLine is one input of a form: "Label: value".
func inputLine(b block) string {
	label := b.Label.Plain()
	if !b.Filled {
		return label + ": [" + b.Input.Label() + "]"
	}
	switch b.Input.Type {
	case "checkboxes":
		var opts []string
		for _, o := range b.Input.Options {
			mark := "☐"
			if b.Checked[o.Value] {
				mark = "☑"
			}
			opts = append(opts, mark+" "+o.Text)
		}
		return label + ": " + strings.Join(opts, "  ")
	}
	v := strings.ReplaceAll(strings.TrimSpace(b.Value), "\n", " / ")
	if v == "" {
		v = "—"
	}
	return label + ": " + v
}
