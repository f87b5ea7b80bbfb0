//go:build !linux

package main

import (
	"os/exec"
	"runtime"
)

// Elsewhere than Linux the benchmark cannot pin processes to CPUs: the
// benchmark and its bots share them all (cpus.go says what that costs).

type cpuSplit struct{}

func splitCPUs() (*cpuSplit, error)  { return nil, nil }
func (*cpuSplit) restore() error     { return nil }
func (*cpuSplit) childEnv() []string { return nil }
func (*cpuSplit) pinBots(int) error  { return nil }
func (*cpuSplit) String() string     { return "the benchmark and the bots share every CPU" }
func (*cpuSplit) benchCPUs() int     { return runtime.NumCPU() }
func (*cpuSplit) botCPUs() []int     { return nil }
func pinChild() error                { return nil }

// spinners would keep CPUs from halting (awake.go); elsewhere than Linux
// there are none.
type spinners []struct{}

func keepAwake() (spinners, error) { return nil, nil }
func (spinners) stop()             {}
func (spinners) String() string    { return "CPUs left to halt when idle" }
func spin() int                    { return 2 }

// endWithParent cannot ask the kernel for it elsewhere than Linux.
func endWithParent(*exec.Cmd) {}
