//go:build linux

package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Slack is another machine in production; here the simulators and the load
// generator stand in for it on the bots' own machine. Left to share every
// CPU, they take a CPU from under a bot when both have work, and more often
// from under ours, which has a Redis as a third busy process beside it and
// runs on one P: on this benchmark's 2-CPU VM, with no CPU halting
// (awake.go), ours' p99 was still 1.65–2.28× the bare bot's until the
// benchmark and the bots ran apart (BENCHMARKS.md, test 9). A cpuSplit
// gives the benchmark process the first half of the CPUs and the bots with
// their Redis servers the rest, so a bot's time to answer is its own
// machine's. The benchmark's busy share of its CPUs is logged for each
// bot's turns: near one, Slack's stand-in would be what the bots wait on.

// childCPUs, when set, is the CPUs a child runs on, as a comma-separated
// list of CPU numbers: it pins itself as it starts, before its runtime
// grows threads that would not inherit the mask.
const childCPUs = "PIPELINECOACH_BENCH_CPUS"

// cpuSplit is this process pinned apart from its bots.
type cpuSplit struct {
	before unix.CPUSet // this process's CPUs before the split
	bench  unix.CPUSet
	bots   unix.CPUSet
}

// splitCPUs pins this process to the first half of its CPUs (at least one)
// and keeps the rest for the bots. On one CPU there is nothing to split: it
// returns nil, and a nil split pins nothing.
func splitCPUs() (*cpuSplit, error) {
	s := &cpuSplit{}
	if err := unix.SchedGetaffinity(0, &s.before); err != nil {
		return nil, fmt.Errorf("read this process's CPUs: %w", err)
	}
	cpus := cpuList(s.before)
	if len(cpus) < 2 {
		return nil, nil
	}
	half := len(cpus) / 2
	for _, c := range cpus[:half] {
		s.bench.Set(c)
	}
	for _, c := range cpus[half:] {
		s.bots.Set(c)
	}
	if err := pinProcess(os.Getpid(), &s.bench); err != nil {
		return nil, fmt.Errorf("pin the benchmark to CPUs %s: %w", formatCPUs(s.bench), err)
	}
	return s, nil
}

// restore lets this process run on every CPU it had again.
func (s *cpuSplit) restore() error {
	if s == nil {
		return nil
	}
	return pinProcess(os.Getpid(), &s.before)
}

// childEnv is what a child needs to pin itself to the bots' CPUs.
func (s *cpuSplit) childEnv() []string {
	if s == nil {
		return nil
	}
	return []string{childCPUs + "=" + formatCPUs(s.bots)}
}

// pinBots moves a process already running (a Redis server) to the bots'
// CPUs.
func (s *cpuSplit) pinBots(pid int) error {
	if s == nil {
		return nil
	}
	return pinProcess(pid, &s.bots)
}

// benchCPUs is how many CPUs the benchmark process runs on.
func (s *cpuSplit) benchCPUs() int {
	if s == nil {
		return runtime.NumCPU()
	}
	return len(cpuList(s.bench))
}

// botCPUs is the CPUs the bots run on: with no split, every CPU this
// process may use.
func (s *cpuSplit) botCPUs() []int {
	if s == nil {
		var set unix.CPUSet
		if err := unix.SchedGetaffinity(0, &set); err != nil {
			return nil
		}
		return cpuList(set)
	}
	return cpuList(s.bots)
}

// String says where each ran, for the run's log.
func (s *cpuSplit) String() string {
	if s == nil {
		return "the benchmark and the bots share every CPU"
	}
	return fmt.Sprintf("the benchmark on CPU %s, the bots and their Redis on CPU %s", formatCPUs(s.bench), formatCPUs(s.bots))
}

// pinChild pins this process, a child, to the CPUs its parent named, if
// any.
func pinChild() error {
	v := os.Getenv(childCPUs)
	if v == "" {
		return nil
	}
	var set unix.CPUSet
	for f := range strings.SplitSeq(v, ",") {
		c, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("%s=%q: %w", childCPUs, v, err)
		}
		set.Set(c)
	}
	return pinProcess(os.Getpid(), &set)
}

// pinProcess sets the CPUs of every thread of pid.
func pinProcess(pid int, set *unix.CPUSet) error {
	return everyThread(pid, func(tid int) (bool, error) {
		var got unix.CPUSet
		if err := unix.SchedGetaffinity(tid, &got); err != nil || got == *set {
			return false, nil // the thread has exited, or is pinned
		}
		return true, unix.SchedSetaffinity(tid, set)
	})
}

// everyThread calls set on every thread of pid, until it changes none. A
// thread inherits its CPUs and scheduling policy from the thread that made
// it, so once every thread has them, every later one does too; a thread
// made while the list was walked, by one not yet set, is caught by the
// next walk.
func everyThread(pid int, set func(tid int) (changed bool, err error)) error {
	for range 10 {
		tids, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		if err != nil {
			return err
		}
		changed := false
		for _, t := range tids {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			c, err := set(tid)
			if err != nil {
				return fmt.Errorf("thread %d: %w", tid, err)
			}
			changed = changed || c
		}
		if !changed {
			return nil
		}
	}
	return fmt.Errorf("process %d kept making threads", pid)
}

// cpuList is the CPU numbers in set, in order.
func cpuList(set unix.CPUSet) []int {
	var out []int
	for c := range len(set) * 64 {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out
}

func formatCPUs(set unix.CPUSet) string {
	var out []string
	for _, c := range cpuList(set) {
		out = append(out, strconv.Itoa(c))
	}
	return strings.Join(out, ",")
}
