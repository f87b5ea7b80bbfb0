package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// -answers writes each bot's envelopes in the order sent, ours' cold
// start apart from its warm turns, and an unanswered envelope with no time.
func TestWriteAnswers(t *testing.T) {
	coldEnd := time.Unix(100, 0)
	ours := &answerTimer{taken: []timedEnvelope{
		{kind: kindButton, at: coldEnd.Add(time.Second), took: 2500 * time.Microsecond, answered: true},
		{kind: kindSlash, at: coldEnd.Add(-time.Second), took: time.Millisecond, answered: true},
		{kind: kindSubmit, at: coldEnd.Add(2 * time.Second)},
	}}
	bare := &answerTimer{taken: []timedEnvelope{{kind: kindSlash, at: coldEnd.Add(-time.Second), took: 250 * time.Microsecond, answered: true}}}
	path := filepath.Join(t.TempDir(), "answers.csv")
	if err := writeAnswers(path, map[string]*answerTimer{"ours": ours, "bare": bare}, coldEnd); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"bot,phase,kind,sent_unix_ns,answer_ms",
		"bare,warm,/pipeline,99000000000,0.250",
		"ours,cold,/pipeline,99000000000,1.000",
		"ours,warm,button,101000000000,2.500",
		"ours,warm,modal submit,102000000000,",
	}, "\n") + "\n"
	if string(got) != want {
		t.Errorf("answers file:\n%s\nwant:\n%s", got, want)
	}
}
