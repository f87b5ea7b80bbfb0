package slacksim

import (
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestDataBlocks(t *testing.T) {
	line := func(cats []string, points ...slack.DataVisualizationDataPoint) slack.Block {
		return slack.NewDataVisualizationBlock("Conversion",
			slack.NewDataVisualizationLineChart(slack.NewDataVisualizationAxisConfig(cats...), slack.NewDataVisualizationDataSeries("Team", points...)))
	}
	pt := slack.NewDataVisualizationDataPoint
	good := line([]string{"Nov 23", "Nov 30"}, pt("Nov 23", 40), pt("Nov 30", 45))
	table := func(rows int) slack.Block {
		t := slack.NewDataTableBlock("Reps").AddRow(slack.NewDataTableRawTextCell("Rep"), slack.NewDataTableRawTextCell("Won"))
		for range rows {
			t.AddRow(slack.NewDataTableRichTextCell(slack.NewRichTextSection(slack.NewRichTextSectionUserElement("U1", nil))), slack.NewDataTableRawNumberCell(3))
		}
		return t
	}
	var twentyOne []string
	var points []slack.DataVisualizationDataPoint
	for i := range 21 {
		c := strings.Repeat("x", i+1)[:min(i+1, 20)] + string(rune('a'+i))
		twentyOne = append(twentyOne, c[max(0, len(c)-20):])
		points = append(points, pt(twentyOne[i], 1))
	}
	for _, tc := range []struct {
		name   string
		blocks []slack.Block
		noData bool
		want   string // "" accepted, else a part of the error
	}{
		{"a chart", []slack.Block{good}, false, ""},
		{"a table", []slack.Block{table(3)}, false, ""},
		{"a table of 100 rows", []slack.Block{table(100)}, false, ""},
		{"a table of 101 rows", []slack.Block{table(101)}, false, "1 to 100 rows"},
		{"a table without rows", []slack.Block{table(0)}, false, "1 to 100 rows"},
		{"a label of 21 characters", []slack.Block{line([]string{strings.Repeat("l", 21)}, pt(strings.Repeat("l", 21), 1))}, false, "1 to 20 characters"},
		{"21 categories", []slack.Block{line(twentyOne, points...)}, false, "1 to 20 items"},
		{"a point off the axis", []slack.Block{line([]string{"a", "b"}, pt("a", 1), pt("c", 2))}, false, "must match axis_config.categories"},
		{"a missing point", []slack.Block{line([]string{"a", "b"}, pt("a", 1))}, false, "one point per category"},
		{"a workspace without data blocks: table", []slack.Block{table(3)}, true, "unsupported block type"},
		{"a workspace without data blocks: chart", []slack.Block{good}, true, "unsupported block type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.noData {
				opts = append(opts, WithoutDataBlocks())
			}
			sim := New(opts...)
			defer sim.Close()
			sim.AddUser(User{ID: "U1"})
			api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
			_, _, err := api.PostMessage("U1", slack.MsgOptionText("fallback", false), slack.MsgOptionBlocks(tc.blocks...))
			var se slack.SlackErrorResponse
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && !errors.As(err, &se):
				t.Fatalf("err = %v, want invalid_blocks saying %q", err, tc.want)
			case tc.want != "" && (se.Err != "invalid_blocks" || !strings.Contains(strings.Join(se.ResponseMetadata.Messages, " "), tc.want)):
				t.Errorf("error %s %v, want one saying %q", se.Err, se.ResponseMetadata.Messages, tc.want)
			}
		})
	}
}

func TestThreeChartsInAMessage(t *testing.T) {
	sim := New()
	defer sim.Close()
	sim.AddUser(User{ID: "U1"})
	api := slack.New(sim.BotToken(), slack.OptionAPIURL(sim.APIURL()))
	var charts []slack.Block
	for _, id := range []string{"a", "b", "c"} {
		charts = append(charts, slack.NewDataVisualizationBlock("Chart "+id,
			slack.NewDataVisualizationBarChart(slack.NewDataVisualizationAxisConfig("x"), slack.NewDataVisualizationDataSeries("s", slack.NewDataVisualizationDataPoint("x", 1))),
			slack.DataVisualizationBlockOptionBlockID(id)))
	}
	if _, _, err := api.PostMessage("U1", slack.MsgOptionText("t", false), slack.MsgOptionBlocks(charts[:2]...)); err != nil {
		t.Fatalf("two charts refused: %v", err)
	}
	_, _, err := api.PostMessage("U1", slack.MsgOptionText("t", false), slack.MsgOptionBlocks(charts...))
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || !strings.Contains(strings.Join(se.ResponseMetadata.Messages, " "), "no more than 2 data_visualization") {
		t.Errorf("three charts: %v", err)
	}
}
