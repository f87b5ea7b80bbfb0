// Command pipelinecoach-bench measures Pipeline Coach against the targets of
// BENCHMARKS.md: it drives the real bot (bot.Assemble, or the built binary
// for memory) through bot/slacksim with a real redis-server per measurement,
// and prints a table.
//
//	go run ./cmd/pipelinecoach-bench                 # everything, about 11 minutes
//	go run ./cmd/pipelinecoach-bench -short          # a smoke run of a few seconds
//	go run ./cmd/pipelinecoach-bench -only ack,scheduler
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"
)

func main() {
	if role := os.Getenv(childRole); role != "" {
		os.Exit(runChild(role))
	}
	var opts options
	only := flag.String("only", "", "comma-separated measurements to run: "+strings.Join(names(), ", ")+" (or their numbers)")
	flag.DurationVar(&opts.duration, "duration", 30*time.Second, "how long test 1 (and the memory test's load) runs")
	flag.DurationVar(&opts.answerDuration, "answer-duration", 90*time.Second, "how long each bot takes test 9's warm load, in turns of 2 s")
	flag.IntVar(&opts.rate, "rate", 200, "envelopes a second in the load of tests 1, 6 and 9")
	flag.BoolVar(&opts.short, "short", false, "a smoke run: a few seconds in all, small sizes")
	flag.BoolVar(&opts.idleCPUs, "idle-cpus", false, "let the CPUs halt when idle during tests 1 and 9 (by default an idle-priority spinner keeps each awake, as a halted CPU of a virtual machine wakes late)")
	flag.BoolVar(&opts.shareCPUs, "share-cpus", false, "run test 9's bots on the benchmark's own CPUs (by default they get half the CPUs, the simulators the rest, as Slack is another machine)")
	flag.StringVar(&opts.answersFile, "answers", "", "write every envelope of test 9 to this CSV file: the bot, phase, kind, when it was sent and how long its answer took")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file (the bots, in processes of their own, write theirs to FILE.<role>, and what they allocated to FILE.<role>.allocs)")
	flag.StringVar(&childTraces, "trace", "", "have each bot write its Go execution trace to FILE.<role> (read it with go tool trace -pprof=sched: where goroutines waited to run); tracing slows a bot, so its times are not the product's")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "pipelinecoach-bench: -cpuprofile:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
		childProfiles = *cpuProfile
	}
	if opts.short && !isSet("duration") {
		opts.duration = time.Second
	}
	if opts.short && !isSet("answer-duration") {
		opts.answerDuration = time.Second
	}
	opts.progress = os.Stderr

	selected, err := selectMeasurements(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pipelinecoach-bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Printf("pipelinecoach-bench %s · %s · %d CPUs · %s\n\n", time.Now().Format("2006-01-02 15:04 MST"),
		runtime.Version(), runtime.NumCPU(), memTotal())
	rows := runSuite(ctx, opts, selected)
	printTable(os.Stdout, rows)
	for _, r := range rows {
		if r.verdict == verdictError {
			pprof.StopCPUProfile()
			os.Exit(1)
		}
	}
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// options are the suite's settings.
type options struct {
	short    bool
	duration time.Duration // test 1 and the memory test's load
	// answerDuration is each bot's warm load in test 9. Its p99 rests on
	// the slowest hundredth of what that load sends, and the slowest
	// answers come in bursts after the host stalls: at 30 s a bot, 20
	// answers of a kind in 2,000, one stall in one of ours' turns could
	// decide a run (BENCHMARKS.md, test 9, 12-05 08:26).
	answerDuration time.Duration
	// answersFile, when set, is where test 9 writes every envelope's time
	// to answer (writeAnswers).
	answersFile string
	rate        int       // envelopes a second in the load of tests 1, 6 and 9
	progress    io.Writer // where progress lines go; nil for none
	// shareCPUs runs test 9's bots on every CPU, beside the simulators,
	// instead of apart from them (cpus.go).
	shareCPUs bool
	// idleCPUs lets the CPUs halt when idle during tests 1 and 9 instead
	// of keeping them awake (awake.go).
	idleCPUs bool
}

func (o options) logf(format string, args ...any) {
	if o.progress != nil {
		fmt.Fprintf(o.progress, "… "+format+"\n", args...)
	}
}

// Verdicts.
const (
	verdictPass  = "PASS"
	verdictFail  = "FAIL"
	verdictInfo  = "info"
	verdictSkip  = "skipped"
	verdictError = "ERROR"
)

// row is one line of the table.
type row struct {
	name, measured, target, verdict, ratio string
}

func pass(ok bool) string {
	if ok {
		return verdictPass
	}
	return verdictFail
}

// measurement is one numbered target of BENCHMARKS.md.
type measurement struct {
	n    int
	name string
	run  func(ctx context.Context, o options) ([]row, error)
}

func measurements() []measurement {
	return []measurement{
		{1, "ack", measureAck},
		{2, "roundtrips", measureRoundTrips},
		{3, "scheduler", measureScheduler},
		{4, "delivery", measureDelivery},
		{5, "digest", measureDigest},
		{6, "memory", measureMemory},
		{7, "ceiling", measureCeiling},
		{8, "replicas", measureReplicas},
		{9, "answer", measureAnswer},
		{10, "crm", measureCRM},
		{11, "calendar", measureCalendar},
		{12, "history", measureHistory},
	}
}

func names() []string {
	var out []string
	for _, m := range measurements() {
		out = append(out, m.name)
	}
	return out
}

func selectMeasurements(only string) ([]measurement, error) {
	all := measurements()
	if strings.TrimSpace(only) == "" {
		return all, nil
	}
	var out []measurement
	for _, want := range strings.Split(only, ",") {
		want = strings.TrimSpace(want)
		found := false
		for _, m := range all {
			if want == m.name || want == fmt.Sprint(m.n) {
				out = append(out, m)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("-only: no measurement %q (have %s)", want, strings.Join(names(), ", "))
		}
	}
	return out, nil
}

// runSuite runs each measurement in turn; a failed one becomes an ERROR row
// and the others still run.
func runSuite(ctx context.Context, o options, ms []measurement) []row {
	var rows []row
	for _, m := range ms {
		if ctx.Err() != nil {
			break
		}
		o.logf("%d %s", m.n, m.name)
		start := time.Now()
		got, err := m.run(ctx, o)
		for i := range got {
			got[i].name = fmt.Sprintf("%d %s", m.n, got[i].name)
		}
		rows = append(rows, got...)
		if err != nil {
			rows = append(rows, row{name: fmt.Sprintf("%d %s", m.n, m.name), measured: err.Error(), verdict: verdictError})
		}
		o.logf("%d %s done in %s", m.n, m.name, time.Since(start).Round(time.Millisecond))
	}
	return rows
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\tmeasured\ttarget\tverdict\tratio")
	fmt.Fprintln(tw, "----\t--------\t------\t-------\t-----")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.name, r.measured, r.target, r.verdict, r.ratio)
	}
	_ = tw.Flush()
}

// memTotal is the machine's memory, from /proc/meminfo.
func memTotal() string {
	raw, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "memory unknown"
	}
	var kb int64
	v, ok := field(string(raw), "MemTotal")
	if _, err := fmt.Sscanf(v, "%d", &kb); !ok || err != nil {
		return "memory unknown"
	}
	return fmt.Sprintf("%.1f GiB RAM", float64(kb)/(1<<20))
}

func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", a/b)
}
