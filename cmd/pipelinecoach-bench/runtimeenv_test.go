package main

import (
	"slices"
	"strconv"
	"testing"
)

func TestBotRuntimeEnv(t *testing.T) {
	shipped := []string{"GOMAXPROCS=" + strconv.Itoa(botProcs), "GOGC=" + strconv.Itoa(botGCPercent)}
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set: as the binary runs", nil, shipped},
		{"set for every bot: inherited", map[string]string{"GOMAXPROCS": "3", "GOGC": "200"}, nil},
		{"set for ours alone", map[string]string{botGOMAXPROCS: "2", botGOGC: "1600"}, []string{"GOMAXPROCS=2", "GOGC=1600"}},
		{"ours alone wins over every bot", map[string]string{"GOMAXPROCS": "3", botGOMAXPROCS: "2"}, []string{"GOMAXPROCS=2", "GOGC=" + strconv.Itoa(botGCPercent)}},
	}
	for _, tc := range cases {
		got := botRuntimeEnv(func(k string) string { return tc.env[k] })
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
