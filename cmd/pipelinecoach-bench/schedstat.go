package main

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cpuWait is what the kernel's scheduler counted for a thread: time on a
// CPU, and time runnable but waiting for one. A bot's slow answers can
// come from its own work or from waiting for the CPU, behind another
// process or behind another thread of its own; the answer's time cannot
// tell which, the waiting can.
//
// A Go program on one P still has several threads: the one running Go
// code, one blocked in the network poller when there is nothing to run,
// and the runtime's monitor (sysmon), which wakes every 20 µs to 10 ms.
// On one CPU the monitor, woken while Go code runs, waits for it; it runs
// little and waits much, and its waiting delays no answer by itself. So
// the waits are kept per thread, not summed.
type cpuWait struct {
	ran, waited time.Duration
}

func (w cpuWait) sub(o cpuWait) cpuWait {
	return cpuWait{ran: w.ran - o.ran, waited: w.waited - o.waited}
}

func (w cpuWait) add(o cpuWait) cpuWait {
	return cpuWait{ran: w.ran + o.ran, waited: w.waited + o.waited}
}

// threadWaits is a cpuWait for each thread of a process, by thread id.
type threadWaits map[int]cpuWait

// processWait reads /proc/<pid>/task/<tid>/schedstat for every thread of
// pid. A thread that exits between two readings takes its counts with it;
// a Go program's threads rarely exit.
func processWait(pid int) (threadWaits, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil {
		return nil, err
	}
	if len(tasks) == 0 {
		return nil, fmt.Errorf("/proc/%d/task: no threads with a schedstat", pid)
	}
	out := threadWaits{}
	for _, path := range tasks {
		tid, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			continue // the thread has exited
		}
		w, err := parseSchedstat(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out[tid] = w
	}
	return out, nil
}

// since is what each thread did between before and t; a thread born since
// counts from zero.
func (t threadWaits) since(before threadWaits) threadWaits {
	out := threadWaits{}
	for tid, w := range t {
		out[tid] = w.sub(before[tid])
	}
	return out
}

// add adds o's threads to t's.
func (t threadWaits) add(o threadWaits) {
	for tid, w := range o {
		t[tid] = t[tid].add(w)
	}
}

// parseSchedstat reads a schedstat line: nanoseconds on a CPU, nanoseconds
// waiting on a run queue, time slices run.
func parseSchedstat(raw []byte) (cpuWait, error) {
	f := bytes.Fields(raw)
	if len(f) < 2 {
		return cpuWait{}, fmt.Errorf("schedstat %q: want at least 2 fields", raw)
	}
	ran, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return cpuWait{}, fmt.Errorf("schedstat time on a CPU: %w", err)
	}
	waited, err := strconv.ParseInt(string(f[1]), 10, 64)
	if err != nil {
		return cpuWait{}, fmt.Errorf("schedstat time waiting: %w", err)
	}
	return cpuWait{ran: time.Duration(ran), waited: time.Duration(waited)}, nil
}

// perEnvelope says how long the threads ran and waited for each of n
// envelopes, in all and thread by thread (those that ran most first,
// leaving out threads that did neither), or why it cannot.
func (t threadWaits) perEnvelope(n int, err error) string {
	switch {
	case err != nil:
		return fmt.Sprintf("not measured (%v)", err)
	case n == 0:
		return "no envelopes"
	}
	us := func(d time.Duration) float64 { return math.Round(float64(d) / float64(n) / float64(time.Microsecond)) }
	var all cpuWait
	var threads []cpuWait
	for _, w := range t {
		all = all.add(w)
		if us(w.ran) > 0 || us(w.waited) > 0 {
			threads = append(threads, w)
		}
	}
	slices.SortFunc(threads, func(a, b cpuWait) int {
		return cmp.Or(cmp.Compare(b.ran, a.ran), cmp.Compare(b.waited, a.waited))
	})
	ran, waited := make([]string, len(threads)), make([]string, len(threads))
	for i, w := range threads {
		ran[i], waited[i] = fmt.Sprintf("%.0f", us(w.ran)), fmt.Sprintf("%.0f", us(w.waited))
	}
	return fmt.Sprintf("on a CPU %.0f µs (%s), waiting for one %.0f µs (%s)",
		us(all.ran), strings.Join(ran, " + "), us(all.waited), strings.Join(waited, " + "))
}
