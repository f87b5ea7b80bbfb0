package main

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"pipelinecoach/storage/redisstore/redistest"
)

// TestMain lets test 1 re-execute the test binary as the bot it measures
// (see childRole), as it re-executes the benchmark command.
func TestMain(m *testing.M) {
	if role := os.Getenv(childRole); role != "" {
		os.Exit(runChild(role))
	}
	os.Exit(m.Run())
}

// TestSmoke is the CI smoke run: the whole suite with -short sizes, in
// about 80 s with -race on two CPUs (test 9's cold start and turns are most
// of it). It proves every measurement still runs end to end (the digest's
// with 30 reps and 50/500 deals); it does not judge the numbers (a FAIL
// verdict passes; an ERROR or a skipped measurement does not). Its budget
// only stops a run that hangs: at 2 minutes, test runs beside it on the
// same CPUs were enough to cut its last measurement short.
func TestSmoke(t *testing.T) {
	redistest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	o := options{short: true, duration: time.Second, answerDuration: time.Second, rate: 30}
	if testing.Verbose() {
		o.progress = testWriter{t}
	}
	rows := runSuite(ctx, o, measurements())
	if len(rows) == 0 {
		t.Fatal("the suite produced no rows")
	}
	for _, r := range rows {
		t.Logf("%s | %s | %s | %s | %s", r.name, r.measured, r.target, r.verdict, r.ratio)
		if r.verdict == verdictError || r.verdict == verdictSkip {
			t.Errorf("%s: %s %s", r.name, r.verdict, r.measured)
		}
	}
	for _, m := range measurements() {
		found := false
		for _, r := range rows {
			found = found || strings.HasPrefix(r.name, strconv.Itoa(m.n)+" ") // 1 is not 10
		}
		if !found {
			t.Errorf("measurement %d %s produced no row", m.n, m.name)
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// TestChildRunsAsTheBinary keeps test 1's bot on the binary's runtime
// defaults: they are constants of another main package, which this one
// cannot import, so they are read from its source.
func TestChildRunsAsTheBinary(t *testing.T) {
	file, err := parser.ParseFile(token.NewFileSet(), "../pipelinecoach/main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"defaultProcs": botProcs, "defaultGCPercent": botGCPercent}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				w, ok := want[name.Name]
				if !ok || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Value != strconv.Itoa(w) {
					t.Errorf("cmd/pipelinecoach's %s is not %d, which test 1's bot runs with", name.Name, w)
				}
				delete(want, name.Name)
			}
		}
	}
	for name := range want {
		t.Errorf("cmd/pipelinecoach/main.go declares no constant %s", name)
	}
}
