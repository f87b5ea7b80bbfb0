package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// On a virtual machine the host may run something else on the physical CPU
// while one of ours has work: the guest's clock goes on, its threads do not
// run, and every bot on that CPU answers late. Test 9's misses came in runs
// where every bot's tail rose, so each run reports how much of the bots'
// CPU time the host took (the kernel's "steal" count, in /proc/stat) during
// each bot's turns. A miss with steal beside it is the host's; one without
// it may still be (a CPU slowed by a neighbour on its core shows no steal),
// but then it is ours to explain first.

// hostSteal is how long the host has held the given CPUs from this
// machine since it booted.
func hostSteal(cpus []int) (time.Duration, error) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, fmt.Errorf("read the host's steal: %w", err)
	}
	return parseSteal(raw, cpus)
}

// parseSteal sums the steal column of /proc/stat's lines for cpus. The
// kernel counts it in ticks of 1/100 s (USER_HZ), the eighth number on a
// CPU's line.
func parseSteal(stat []byte, cpus []int) (time.Duration, error) {
	want := map[string]bool{}
	for _, c := range cpus {
		want["cpu"+strconv.Itoa(c)] = true
	}
	var ticks int64
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(stat))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !want[f[0]] {
			continue
		}
		if len(f) < 9 {
			return 0, fmt.Errorf("/proc/stat: %s has no steal column", f[0])
		}
		n, err := strconv.ParseInt(f[8], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %s steal: %w", f[0], err)
		}
		ticks += n
		found++
	}
	if found != len(want) {
		return 0, fmt.Errorf("/proc/stat: %d of CPUs %v found", found, cpus)
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// stealShare says how much of cpus CPUs' time over wall the host took.
func stealShare(steal, wall time.Duration, cpus int) string {
	if wall <= 0 || cpus <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f ms a second", float64(steal)/float64(wall)/float64(cpus)*1000)
}
