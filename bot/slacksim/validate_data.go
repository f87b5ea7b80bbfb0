package slacksim

import (
	"fmt"
	"unicode/utf8"
)

// Tables and charts (data_table, data_visualization), judged as Slack
// documents them: a table has a caption, a header row of raw_text cells
// and 1 to 100 rows under it, every row as long as the header (1 to 20
// columns), page_size 1 to 100; a chart has a title of at most 50
// characters and is a pie (1 to 6 segments of positive value) or a bar,
// area or line chart of 1 to 6 series, each with one point per category
// (1 to 20 categories, labels and names of at most 20 characters, unique);
// a message holds at most two charts. A workspace made WithoutDataBlocks
// refuses both, as one whose clients do not show them does.

const (
	maxChartsPerMessage = 2
	maxTableRows        = 100
	maxTableColumns     = 20
	maxChartLabel       = 20
	maxChartCategories  = 20
	maxChartSeries      = 6
)

// WithoutDataBlocks makes the workspace refuse tables and charts with
// invalid_blocks.
func WithoutDataBlocks() Option { return func(c *config) { c.noData = true } }

func (v *validator) dataTable(p string, b map[string]any) {
	if v.noData {
		v.fail(p+"/type", "unsupported block type %q in this workspace", b["type"])
		return
	}
	if str(b["caption"]) == "" {
		v.fail(p+"/caption", "missing required field: caption")
	}
	if ps, ok := b["page_size"].(float64); ok && (ps < 1 || ps > 100) {
		v.fail(p+"/page_size", "must be between 1 and 100")
	}
	rows, _ := b["rows"].([]any)
	if len(rows) < 2 || len(rows) > maxTableRows+1 {
		v.fail(p+"/rows", "must have a header and 1 to %d rows", maxTableRows)
		return
	}
	header, _ := rows[0].([]any)
	if len(header) == 0 || len(header) > maxTableColumns {
		v.fail(p+"/rows/0", "must have 1 to %d columns", maxTableColumns)
	}
	for i, r := range rows {
		row, _ := r.([]any)
		rp := fmt.Sprintf("%s/rows/%d", p, i)
		if len(row) != len(header) {
			v.fail(rp, "must have as many cells as the header (%d)", len(header))
		}
		for j, c := range row {
			cell, _ := c.(map[string]any)
			cp := fmt.Sprintf("%s/%d", rp, j)
			switch t := str(cell["type"]); {
			case i == 0 && t != "raw_text":
				v.fail(cp+"/type", "header cells must be raw_text")
			case t == "raw_text":
				if _, ok := cell["text"].(string); !ok {
					v.fail(cp+"/text", "missing required field: text")
				}
			case t == "raw_number":
				if _, ok := cell["value"].(float64); !ok {
					v.fail(cp+"/value", "must be a number")
				}
			case t == "rich_text", t == "action_cell":
			default:
				v.fail(cp+"/type", "unknown cell type %q", t)
			}
		}
	}
}

func (v *validator) dataVisualization(p string, b map[string]any) {
	if v.noData {
		v.fail(p+"/type", "unsupported block type %q in this workspace", b["type"])
		return
	}
	v.charts++
	if v.charts == maxChartsPerMessage+1 {
		v.fail(p, "no more than %d data_visualization blocks allowed in a message", maxChartsPerMessage)
	}
	title := str(b["title"])
	if title == "" || utf8.RuneCountInString(title) > 50 {
		v.fail(p+"/title", "must be 1 to 50 characters")
	}
	chart, _ := b["chart"].(map[string]any)
	cp := p + "/chart"
	switch str(chart["type"]) {
	case "pie":
		segs, _ := chart["segments"].([]any)
		if len(segs) < 1 || len(segs) > 6 {
			v.fail(cp+"/segments", "must have 1 to 6 items")
		}
		for i, s := range segs {
			m, _ := s.(map[string]any)
			v.label(fmt.Sprintf("%s/segments/%d/label", cp, i), m["label"])
			if val, _ := m["value"].(float64); val <= 0 {
				v.fail(fmt.Sprintf("%s/segments/%d/value", cp, i), "must be greater than 0")
			}
		}
	case "bar", "area", "line":
		axis, _ := chart["axis_config"].(map[string]any)
		cats, _ := axis["categories"].([]any)
		if len(cats) < 1 || len(cats) > maxChartCategories {
			v.fail(cp+"/axis_config/categories", "must have 1 to %d items", maxChartCategories)
		}
		known := map[string]bool{}
		for i, c := range cats {
			v.label(fmt.Sprintf("%s/axis_config/categories/%d", cp, i), c)
			if known[str(c)] {
				v.fail(fmt.Sprintf("%s/axis_config/categories/%d", cp, i), "duplicate category %q", str(c))
			}
			known[str(c)] = true
		}
		v.maxLen(cp+"/axis_config/x_label", axis["x_label"], 50)
		v.maxLen(cp+"/axis_config/y_label", axis["y_label"], 50)
		series, _ := chart["series"].([]any)
		if len(series) < 1 || len(series) > maxChartSeries {
			v.fail(cp+"/series", "must have 1 to %d items", maxChartSeries)
		}
		names := map[string]bool{}
		for i, s := range series {
			sp := fmt.Sprintf("%s/series/%d", cp, i)
			m, _ := s.(map[string]any)
			v.label(sp+"/name", m["name"])
			if names[str(m["name"])] {
				v.fail(sp+"/name", "series names must be unique")
			}
			names[str(m["name"])] = true
			data, _ := m["data"].([]any)
			if len(data) != len(cats) {
				v.fail(sp+"/data", "must have exactly one point per category")
			}
			for j, d := range data {
				pt, _ := d.(map[string]any)
				if !known[str(pt["label"])] {
					v.fail(fmt.Sprintf("%s/data/%d/label", sp, j), "must match axis_config.categories")
				}
				if _, ok := pt["value"].(float64); !ok {
					v.fail(fmt.Sprintf("%s/data/%d/value", sp, j), "must be a number")
				}
			}
		}
	default:
		v.fail(cp+"/type", "must be pie, bar, area or line")
	}
}

// label checks a chart label or series name: 1 to 20 characters.
func (v *validator) label(p string, s any) {
	if n := utf8.RuneCountInString(str(s)); n < 1 || n > maxChartLabel {
		v.fail(p, "must be 1 to %d characters", maxChartLabel)
	}
}
