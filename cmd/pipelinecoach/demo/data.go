package demo

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Tables and charts (Slack's data_table and data_visualization blocks) as
// the demo shows them: a table as rows of cells, a chart as its series
// over its categories, drawn as inline SVG on the page and as lines of
// numbers in the transcript.

// table is a data_table block.
type table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// chart is a data_visualization block (bar, line or area).
type chart struct {
	Title, Kind, YLabel string
	Categories          []string
	Series              []series
}

type series struct {
	Name   string
	Values []float64
}

func (n names) parseTable(g map[string]any) *table {
	t := &table{Caption: str(g["caption"])}
	for i, r := range list(g["rows"]) {
		var cells []string
		for _, c := range list(r) {
			cells = append(cells, n.cellText(c))
		}
		if i == 0 {
			t.Header = cells
		} else {
			t.Rows = append(t.Rows, cells)
		}
	}
	return t
}

func (n names) cellText(c any) string {
	m, _ := c.(map[string]any)
	switch str(m["type"]) {
	case "raw_text":
		return str(m["text"])
	case "raw_number":
		if t := str(m["text"]); t != "" {
			return t
		}
		v, _ := m["value"].(float64)
		return strconv.FormatFloat(v, 'f', -1, 64)
	case "rich_text":
		var parts []string
		var walk func(v any)
		walk = func(v any) {
			for _, e := range list(v) {
				em, _ := e.(map[string]any)
				switch {
				case str(em["type"]) == "user":
					parts = append(parts, "@"+n.user(str(em["user_id"]), ""))
				case em["text"] != nil:
					parts = append(parts, str(em["text"]))
				}
				walk(em["elements"])
			}
		}
		walk(m["elements"])
		return strings.Join(parts, "")
	}
	return ""
}

func parseChart(g map[string]any) *chart {
	c := &chart{Title: str(g["title"])}
	cm, _ := g["chart"].(map[string]any)
	c.Kind = str(cm["type"])
	axis, _ := cm["axis_config"].(map[string]any)
	c.YLabel = str(axis["y_label"])
	for _, cat := range list(axis["categories"]) {
		c.Categories = append(c.Categories, str(cat))
	}
	for _, s := range list(cm["series"]) {
		sm, _ := s.(map[string]any)
		ser := series{Name: str(sm["name"]), Values: make([]float64, len(c.Categories))}
		for _, p := range list(sm["data"]) {
			pm, _ := p.(map[string]any)
			for i, cat := range c.Categories {
				if cat == str(pm["label"]) {
					ser.Values[i], _ = pm["value"].(float64)
				}
			}
		}
		c.Series = append(c.Series, ser)
	}
	return c
}

// lines is the table as text: a line per row, each cell named by its
// column.
func (t *table) lines() []string {
	out := []string{"[table] " + t.Caption}
	for _, r := range t.Rows {
		var parts []string
		for i, c := range r {
			if i == 0 || i >= len(t.Header) {
				parts = append(parts, c)
				continue
			}
			parts = append(parts, t.Header[i]+" "+c)
		}
		out = append(out, "  "+strings.Join(parts, " · "))
	}
	return out
}

// lines is the chart as text: each series' values by category.
func (c *chart) lines() []string {
	out := []string{fmt.Sprintf("[%s chart] %s", c.Kind, c.Title)}
	for _, s := range c.Series {
		var parts []string
		for i, v := range s.Values {
			parts = append(parts, fmt.Sprintf("%s %s", strings.TrimPrefix(c.Categories[i], "week to "), strconv.FormatFloat(v, 'f', -1, 64)))
		}
		out = append(out, "  "+s.Name+": "+strings.Join(parts, " · "))
	}
	return out
}

// The chart's drawing area, in SVG units; the SVG scales to its box.
const (
	svgW, svgH    = 600.0, 240.0
	padL, padR    = 40.0, 10.0
	padT, padB    = 10.0, 40.0
	plotW, plotH  = svgW - padL - padR, svgH - padT - padB
	seriesColours = "#1264a3 #e01e5a #2eb67d #ecb22e #36c5f0 #616061"
	gridLines     = 4
)

// SVG draws the chart: grid and y labels, bars grouped by category or one
// line per series, category labels, and a legend. No script, no asset.
func (c *chart) SVG() template.HTML {
	top := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			top = math.Max(top, v)
		}
	}
	top = niceCeil(top)
	y := func(v float64) float64 { return padT + plotH - v/top*plotH }
	colours := strings.Fields(seriesColours)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, svgW, svgH, template.HTMLEscapeString(c.Title))
	for i := 0; i <= gridLines; i++ {
		v := top * float64(i) / gridLines
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#e8e8e8"/>`, padL, svgW-padR, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="end" fill="#616061">%s</text>`, padL-4, y(v)+4, strconv.FormatFloat(v, 'f', -1, 64))
	}
	n := len(c.Categories)
	slot := plotW / float64(max(n, 1))
	for i, cat := range c.Categories {
		x := padL + slot*(float64(i)+0.5)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle" fill="#616061">%s</text>`, x, svgH-padB+16,
			template.HTMLEscapeString(strings.TrimPrefix(cat, "week to ")))
	}
	for si, s := range c.Series {
		colour := colours[si%len(colours)]
		if c.Kind == "bar" {
			bw := slot * 0.8 / float64(len(c.Series))
			for i, v := range s.Values {
				x := padL + slot*float64(i) + slot*0.1 + bw*float64(si)
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s, %s: %s</title></rect>`,
					x, y(v), bw, padT+plotH-y(v), colour, template.HTMLEscapeString(s.Name), template.HTMLEscapeString(c.Categories[i]), strconv.FormatFloat(v, 'f', -1, 64))
			}
			continue
		}
		var pts []string
		for i, v := range s.Values {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", padL+slot*(float64(i)+0.5), y(v)))
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"/>`, strings.Join(pts, " "), colour)
		for i, v := range s.Values {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s: %s</title></circle>`, padL+slot*(float64(i)+0.5), y(v), colour,
				template.HTMLEscapeString(c.Categories[i]), strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	x := padL
	for si, s := range c.Series {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/><text x="%.1f" y="%.1f" font-size="13" fill="#1d1c1d">%s</text>`,
			x, svgH-14, colours[si%len(colours)], x+14, svgH-5, template.HTMLEscapeString(s.Name))
		x += 24 + 7.5*float64(len(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
