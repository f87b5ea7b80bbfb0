package render

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// Tables and charts: Slack's data_table and data_visualization blocks, for
// what people would rather look at than read. Slack's limits: at most
// maxChartsPerMessage charts in a message, labels and series names of at
// most maxChartLabel characters, 1 to maxChartPoints categories, a table of
// 1 to maxTableRows rows under its header and at most maxTableColumns
// columns. A workspace that does not take them answers invalid_blocks; every
// message that holds them carries Fallback, the same message with each
// table or chart said in text, to send instead.
const (
	maxChartsPerMessage = 2
	maxChartLabel       = 20
	maxChartTitle       = 50
	maxChartPoints      = 20
	maxTableRows        = 100
	maxTableColumns     = 20
)

// IsDataBlock reports whether b is a table or a chart.
func IsDataBlock(b slack.Block) bool {
	t := b.BlockType()
	return t == slack.MBTDataTable || t == slack.MBTDataVisualization
}

// dataBlocks is a table or chart and the text that says the same.
type dataBlocks struct {
	rich  []slack.Block
	plain []slack.Block
}

// withFallback assembles blocks where some parts come as rich and plain
// alternatives: the rich message, and its text-only fallback when any part
// differs.
func withFallback(parts ...any) (rich, plain []slack.Block) {
	differs := false
	for _, p := range parts {
		switch v := p.(type) {
		case slack.Block:
			rich, plain = append(rich, v), append(plain, v)
		case []slack.Block:
			rich, plain = append(rich, v...), append(plain, v...)
		case dataBlocks:
			rich, plain = append(rich, v.rich...), append(plain, v.plain...)
			differs = differs || len(v.rich) > 0
		}
	}
	if !differs {
		plain = nil
	}
	return rich, plain
}

// repTable is the team's reps as a table, and as lines of text.
func repTable(id string, rows []coach.DigestRow, numbers phrase.Convention) dataBlocks {
	if len(rows) == 0 {
		return dataBlocks{}
	}
	header := []string{"Rep", "First meetings", "New opportunities", "Won", "Lost", "Conversion, 90 days", "Median days to lose", "Open amount", "Coverage"}
	t := slack.NewDataTableBlock("Reps: this week's meetings and results; conversion and median days to lose over 90 days; open pipeline now, and its coverage of what is left of the quarter's quota",
		slack.DataTableBlockOptionBlockID(id)).WithPageSize(min(len(rows), 10))
	var cells []slack.DataTableCell
	for _, h := range header {
		cells = append(cells, slack.NewDataTableRawTextCell(h))
	}
	t.AddRow(cells...)
	var lines, beyond []string
	for i, r := range rows {
		if i >= maxTableRows {
			// Past what a table holds: the rest as lines under it.
			beyond = append(beyond, "• "+digestRow(r, numbers))
			lines = append(lines, "• "+digestRow(r, numbers))
			continue
		}
		user := slack.NewRichTextSectionUserElement(r.Rep, nil)
		median := slack.NewDataTableRawTextCell("—")
		if r.HasMedian {
			median = nil
		}
		row := []slack.DataTableCell{
			slack.NewDataTableRichTextCell(slack.NewRichTextSection(user)),
			slack.NewDataTableRawNumberCell(float64(r.FirstMeetings)),
			slack.NewDataTableRawNumberCell(float64(r.NewOpportunities)),
			slack.NewDataTableRawNumberCell(float64(r.Won)),
			slack.NewDataTableRawNumberCell(float64(r.Lost)),
			rateCell(r.Conversion),
		}
		if median != nil {
			row = append(row, median)
		} else {
			row = append(row, slack.NewDataTableRawNumberCell(math.Round(r.MedianDaysToLose)))
		}
		row = append(row, amountCell(r, numbers), coverageCell(r))
		t.AddRow(row...)
		lines = append(lines, "• "+digestRow(r, numbers))
	}
	rich := []slack.Block{t}
	if len(beyond) > 0 {
		rich = append(rich, packLines(id+"_beyond", beyond, 10)...)
	}
	plain := append([]slack.Block{section(id+"_title", "*Reps* — this week's first meetings → new opportunities, won, lost · first→second conversion (90 days) · median days to lose · open amount · coverage")},
		packLines(id+"_text", lines, 10)...)
	return dataBlocks{rich: rich, plain: plain}
}

func rateCell(r coach.Rate) slack.DataTableCell {
	if r.Den == 0 {
		return slack.NewDataTableRawTextCell("—")
	}
	return slack.NewDataTableRawNumberCell(math.Round(100 * r.Value())).WithText(fmt.Sprintf("%s (%d of %d)", pct(r.Value()), r.Num, r.Den))
}

// amountCell keeps the open amount a number, for sorting, and shows it as
// the team writes it.
func amountCell(r coach.DigestRow, numbers phrase.Convention) slack.DataTableCell {
	if r.OpenAmount <= 0 {
		return slack.NewDataTableRawTextCell("—")
	}
	return slack.NewDataTableRawNumberCell(float64(r.OpenAmount)).WithText(Money(r.OpenAmount, r.Currency, numbers))
}

func coverageCell(r coach.DigestRow) slack.DataTableCell {
	if !r.HasCoverage {
		return slack.NewDataTableRawTextCell("no quota")
	}
	return slack.NewDataTableRawNumberCell(math.Round(10*r.Coverage) / 10).WithText(fmt.Sprintf("%.1f×", r.Coverage))
}

// trendCharts are the team's trend as two charts (conversion; pipeline
// integrity), and as text; nothing before two weeks of history.
func trendCharts(id string, trend []coach.TrendPoint, loc *time.Location) dataBlocks {
	if len(trend) > maxChartPoints {
		trend = trend[len(trend)-maxChartPoints:]
	}
	if len(trend) < 2 {
		return dataBlocks{}
	}
	var cats []string
	var conv, opps, notYet []slack.DataVisualizationDataPoint
	var lines []string
	for _, pt := range trend {
		label := Truncate("week to "+pt.End.In(loc).Format("Jan 2"), maxChartLabel)
		cats = append(cats, label)
		conv = append(conv, slack.NewDataVisualizationDataPoint(label, math.Round(100*pt.Conversion.Value())))
		opps = append(opps, slack.NewDataVisualizationDataPoint(label, float64(pt.Opportunities)))
		notYet = append(notYet, slack.NewDataVisualizationDataPoint(label, float64(pt.NotYet)))
		lines = append(lines, fmt.Sprintf("• %s: conversion %s · %s, %s not yet", label, rateWords(pt.Conversion),
			plural(pt.Opportunities, "opportunity", "opportunities"), plural(pt.NotYet, "prospect", "prospects")))
	}
	axis := slack.NewDataVisualizationAxisConfig(cats...)
	conversion := slack.NewDataVisualizationBlock("First→second conversion, % (4 weeks to each)",
		slack.NewDataVisualizationLineChart(axis.WithYLabel("% of first meetings"), slack.NewDataVisualizationDataSeries("Conversion %", conv...)),
		slack.DataVisualizationBlockOptionBlockID(id+"_conversion"))
	integrity := slack.NewDataVisualizationBlock("Pipeline integrity: real pipeline vs not yet",
		slack.NewDataVisualizationBarChart(axis.WithYLabel("deals open at the week's end"),
			slack.NewDataVisualizationDataSeries("Opportunities", opps...),
			slack.NewDataVisualizationDataSeries("Not yet pipeline", notYet...)),
		slack.DataVisualizationBlockOptionBlockID(id+"_integrity"))
	plain := section(id+"_text", Truncate("*The last weeks* — conversion over the four weeks to each; pipeline at each week's end\n"+strings.Join(lines, "\n"), maxSectionText))
	return dataBlocks{rich: []slack.Block{conversion, integrity}, plain: []slack.Block{plain}}
}

// WithoutData replaces each table and chart among blocks with a section
// saying the same in text, for a surface (App Home) whose workspace answers
// invalid_blocks to them.
func WithoutData(blocks []slack.Block) []slack.Block {
	out := make([]slack.Block, 0, len(blocks))
	for _, b := range blocks {
		switch v := b.(type) {
		case *slack.DataTableBlock:
			out = append(out, section(v.BlockID, Truncate(tableText(v), maxSectionText)))
		case *slack.DataVisualizationBlock:
			out = append(out, section(v.BlockID, Truncate(chartText(v), maxSectionText)))
		default:
			out = append(out, b)
		}
	}
	return out
}

func tableText(t *slack.DataTableBlock) string {
	if len(t.Rows) == 0 {
		return t.Caption
	}
	head := make([]string, len(t.Rows[0]))
	for i, c := range t.Rows[0] {
		head[i] = cellText(c)
	}
	lines := []string{"*" + Escape(t.Caption) + "*"}
	for _, row := range t.Rows[1:] {
		var parts []string
		for i, c := range row {
			if i == 0 {
				parts = append(parts, cellText(c))
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %s", strings.ToLower(head[i]), cellText(c)))
		}
		lines = append(lines, "• "+strings.Join(parts, " · "))
	}
	return strings.Join(lines, "\n")
}

func cellText(c slack.DataTableCell) string {
	switch v := c.(type) {
	case *slack.DataTableRawTextCell:
		return v.Text
	case *slack.DataTableRawNumberCell:
		if v.Text != "" {
			return v.Text
		}
		return fmt.Sprintf("%g", v.Value)
	case *slack.DataTableRichTextCell:
		var parts []string
		for _, e := range v.Elements {
			if s, ok := e.(*slack.RichTextSection); ok {
				for _, el := range s.Elements {
					switch x := el.(type) {
					case *slack.RichTextSectionUserElement:
						parts = append(parts, "<@"+x.UserID+">")
					case *slack.RichTextSectionTextElement:
						parts = append(parts, Escape(x.Text))
					}
				}
			}
		}
		return strings.Join(parts, "")
	}
	return ""
}

func chartText(v *slack.DataVisualizationBlock) string {
	var series []slack.DataVisualizationDataSeries
	switch c := v.Chart.(type) {
	case *slack.DataVisualizationLineChart:
		series = c.Series
	case *slack.DataVisualizationBarChart:
		series = c.Series
	case *slack.DataVisualizationAreaChart:
		series = c.Series
	}
	lines := []string{"*" + Escape(v.Title) + "*"}
	for _, s := range series {
		var pts []string
		for _, p := range s.Data {
			pts = append(pts, fmt.Sprintf("%s: %g", p.Label, p.Value))
		}
		lines = append(lines, fmt.Sprintf("• %s — %s", Escape(s.Name), strings.Join(pts, " · ")))
	}
	return strings.Join(lines, "\n")
}
