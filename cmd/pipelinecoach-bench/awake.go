//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// A virtual machine's idle CPU halts and goes back to the hypervisor; work
// woken on it waits until the hypervisor runs that CPU again, which on a
// busy host takes milliseconds now and then. Every hop between processes
// may land on a halted CPU, so the bot with more hops draws more of those
// waits: ours answers after a round trip to Redis, two wakeups more than
// the bare bot's answer. On this benchmark's 2-CPU VM that put ours' p99 at
// up to 3.8× the bare bot's in runs where its median stayed within 0.7 ms
// of it; with every CPU kept from halting and the bots on CPUs of their
// own (cpus.go), the same tree was 1.06–1.16× in that evening's run
// (BENCHMARKS.md, test 9, 20:31). Keeping CPUs out of deep idle is what latency
// benchmarks do anyway (idle=poll, cpupower idle-set); a spinner at
// SCHED_IDLE on each CPU does it without root: it runs only when nothing
// else would, and anything woken on its CPU takes the CPU from it at once.
// Both bots, and the baselines, run with it alike.

// spinners are the children keeping CPUs awake.
type spinners []*exec.Cmd

// keepAwake starts a spinner on each CPU this process may run on.
func keepAwake() (spinners, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("read this process's CPUs: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("keep the CPUs awake: %w", err)
	}
	var s spinners
	for _, c := range cpuList(set) {
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), childRole+"="+roleAwake, childCPUs+"="+strconv.Itoa(c))
		cmd.Stderr = os.Stderr
		endWithParent(cmd)
		if err := cmd.Start(); err != nil {
			s.stop()
			return nil, fmt.Errorf("keep CPU %d awake: %w", c, err)
		}
		s = append(s, cmd)
	}
	return s, nil
}

// stop ends the spinners.
func (s spinners) stop() {
	for _, cmd := range s {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}

func (s spinners) String() string {
	if len(s) == 0 {
		return "CPUs left to halt when idle"
	}
	return fmt.Sprintf("%d CPUs kept awake by idle-priority spinners", len(s))
}

// spin is a spinner's whole life: it puts its every thread at SCHED_IDLE
// and busies one until killed.
func spin() int {
	idle := unix.SchedAttr{Size: unix.SizeofSchedAttr, Policy: unix.SCHED_IDLE}
	err := everyThread(os.Getpid(), func(tid int) (bool, error) {
		got, err := unix.SchedGetAttr(tid, 0)
		if err != nil || got.Policy == unix.SCHED_IDLE {
			return false, nil // the thread has exited, or is idle
		}
		return true, unix.SchedSetAttr(tid, &idle, 0)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "spinner: SCHED_IDLE:", err)
		return 2
	}
	var spins atomic.Uint64
	for {
		spins.Add(1)
	}
}

// endWithParent has the kernel kill cmd's process when this one ends, even
// killed outright: a spinner outliving the benchmark would burn its CPU for
// good, and a bot would keep dialling a simulator that is gone. The kernel
// watches the thread that started the child, not the process; Go ends a
// thread early only when a goroutine locked to it exits, and nothing here
// locks one.
func endWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
