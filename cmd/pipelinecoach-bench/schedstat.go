package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// cpuWait is what the kernel's scheduler counted for the threads of a
// process: time on a CPU, and time runnable but waiting for one. A bot's
// slow answers can come from its own work or from waiting for the CPU,
// behind another process or behind another thread of its own (a Go
// program on one P still has several threads: the one running Go code,
// the one woken by the network poller, the runtime's monitor). The
// answer's time cannot tell which; the waiting can.
type cpuWait struct {
	ran, waited time.Duration
}

func (w cpuWait) sub(o cpuWait) cpuWait {
	return cpuWait{ran: w.ran - o.ran, waited: w.waited - o.waited}
}

func (w cpuWait) add(o cpuWait) cpuWait {
	return cpuWait{ran: w.ran + o.ran, waited: w.waited + o.waited}
}

// processWait sums /proc/<pid>/task/<tid>/schedstat over the threads of
// pid. A thread that exits between two readings takes its counts with it,
// so a difference undercounts; a Go program's threads rarely exit.
func processWait(pid int) (cpuWait, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil {
		return cpuWait{}, err
	}
	if len(tasks) == 0 {
		return cpuWait{}, fmt.Errorf("/proc/%d/task: no threads with a schedstat", pid)
	}
	var sum cpuWait
	for _, path := range tasks {
		raw, err := os.ReadFile(path)
		if err != nil {
			continue // the thread has exited
		}
		w, err := parseSchedstat(raw)
		if err != nil {
			return cpuWait{}, fmt.Errorf("%s: %w", path, err)
		}
		sum = sum.add(w)
	}
	return sum, nil
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
// envelopes, or why it cannot.
func (w cpuWait) perEnvelope(n int, err error) string {
	switch {
	case err != nil:
		return fmt.Sprintf("not measured (%v)", err)
	case n == 0:
		return "no envelopes"
	}
	us := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(n)/float64(time.Microsecond), 'f', 0, 64) + " µs"
	}
	return fmt.Sprintf("on a CPU %s, waiting for one %s", us(w.ran), us(w.waited))
}
