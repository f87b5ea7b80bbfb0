package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// buildBinary builds cmd/pipelinecoach into dir and returns its path.
func buildBinary(ctx context.Context, dir string) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module: %w", err)
	}
	bin := filepath.Join(dir, "pipelinecoach")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/pipelinecoach")
	cmd.Dir = strings.TrimSpace(string(root))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/pipelinecoach: %w: %s", err, out)
	}
	return bin, nil
}

// procStatus reads a field of /proc/<pid>/status in bytes (VmRSS, VmHWM).
func procStatus(pid int, name string) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	var kb int64
	v, ok := field(string(raw), name)
	if _, err := fmt.Sscanf(v, "%d", &kb); !ok || err != nil {
		return 0, fmt.Errorf("no %s in /proc/%d/status", name, pid)
	}
	return kb << 10, nil
}

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }

// measureMemory is test 6: the resident set of the built binary
// (go build ./cmd/pipelinecoach, run as a child process pointed at the
// simulator through SLACK_API_URL) with 10,000 reps and 100,000 deals in
// Redis, idle and under test 1's load.
func measureMemory(ctx context.Context, o options) ([]row, error) {
	reps, deals := 10_000, 100_000
	if o.short {
		reps, deals = 200, 2_000
	}
	dir, err := os.MkdirTemp("", "pipelinecoach-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	o.logf("go build ./cmd/pipelinecoach")
	bin, err := buildBinary(ctx, dir)
	if err != nil {
		return nil, err
	}
	env, err := startRedis()
	if err != nil {
		return nil, err
	}
	defer env.Close()
	sim := slacksim.New()
	defer sim.Close()

	o.logf("saving %d deals of %d reps", deals, reps)
	ps := memoryDeals(sim.TeamID(), reps, deals, time.Now())
	if err := saveAll(ctx, env.store, ps, 32); err != nil {
		return nil, err
	}
	redisUsed, err := redisUsedMemory(ctx, env)
	if err != nil {
		return nil, err
	}

	b, err := startBinary(bin, sim, env)
	if err != nil {
		return nil, err
	}
	defer b.stop(o)
	idle, err := b.idleRSS(o)
	if err != nil {
		return nil, err
	}
	m, err := memoryMix(sim, ps, reps)
	if err != nil {
		return nil, err
	}
	o.logf("binary under %d envelopes/s for %s", o.rate, o.duration)
	peak, lat, err := b.peakRSS(ctx, newLoad(sim, m, o.rate), o.duration)
	if err != nil {
		return nil, err
	}
	return memoryRows(fmt.Sprintf("%d reps, %d deals", reps, deals), deals, idle, peak, redisUsed, lat), nil
}

// memoryDeals are deals awaiting an answer, a third of them opportunities
// (which have no follow-up job), spread over reps.
func memoryDeals(team string, reps, deals int, now time.Time) []coach.Prospect {
	ps := make([]coach.Prospect, deals)
	for i := range ps {
		owner := fmt.Sprintf("UM%05d", i%reps)
		ps[i] = awaiting(team, fmt.Sprintf("m%06d", i), owner, now)
		if i%3 == 0 {
			ps[i].State, ps[i].FollowUpAt, ps[i].SecondMeeting = coach.Opportunity, time.Time{}, now.Add(48*time.Hour)
			ps[i].Amount, ps[i].Currency, ps[i].NextStep = 25000, "USD", "Demo for the ops team"
		}
	}
	return ps
}

// binaryProc is the built binary running as a child process.
type binaryProc struct {
	cmd    *exec.Cmd
	out    *bytes.Buffer // its stderr; read only once it has exited or failed to connect
	exited chan struct{}
}

// startBinary runs bin against sim and env's Redis and waits until it has
// connected.
func startBinary(bin string, sim *slacksim.Server, env *redisEnv) (*binaryProc, error) {
	b := &binaryProc{cmd: exec.Command(bin), out: &bytes.Buffer{}, exited: make(chan struct{})}
	b.cmd.Env = append(os.Environ(),
		"SLACK_APP_TOKEN="+sim.AppToken(), "SLACK_BOT_TOKEN="+sim.BotToken(), "SLACK_API_URL="+sim.APIURL(),
		"REDIS_URL=redis://"+env.srv.Addr()+"/0", "REDIS_KEY_PREFIX="+benchPrefix, "LOG_LEVEL=warn",
		"HTTP_ADDR=127.0.0.1:0")
	b.cmd.Stdout, b.cmd.Stderr = b.out, b.out
	if err := b.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = b.cmd.Wait(); close(b.exited) }()
	if err := waitConnected(sim, 20*time.Second); err != nil {
		_ = b.cmd.Process.Kill()
		<-b.exited
		return nil, fmt.Errorf("%w: %s", err, b.out.String())
	}
	return b, nil
}

// stop ends the binary with SIGTERM, and kills it after a grace period.
// The smoke run does not wait out a graceful stop (it is not measured).
func (b *binaryProc) stop(o options) {
	grace := 15 * time.Second
	if o.short {
		grace = time.Second
	}
	start := time.Now()
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-b.exited:
		o.logf("the binary stopped %s after SIGTERM", ms(time.Since(start)))
	case <-time.After(grace):
		o.logf("the binary had not stopped %s after SIGTERM: killed", ms(grace))
		_ = b.cmd.Process.Kill()
		<-b.exited
	}
}

// idleRSS is the binary's resident set after it has sat idle a while.
func (b *binaryProc) idleRSS(o options) (int64, error) {
	idleFor := 3 * time.Second
	if o.short {
		idleFor = 500 * time.Millisecond
	}
	time.Sleep(idleFor)
	return procStatus(b.cmd.Process.Pid, "VmRSS")
}

// peakRSS runs the load for d and returns the binary's highest resident set
// (sampled, and the kernel's high-water mark) and the acks' latencies.
func (b *binaryProc) peakRSS(ctx context.Context, l *load, d time.Duration) (int64, *latencies, error) {
	pid := b.cmd.Process.Pid
	var sampled int64
	l.run(ctx, d, func() {
		if v, err := procStatus(pid, "VmRSS"); err == nil {
			sampled = max(sampled, v)
		}
	})
	hwm, err := procStatus(pid, "VmHWM")
	if err != nil {
		return 0, nil, err
	}
	return max(sampled, hwm), l.lat, nil
}

// memoryMix is test 1's load, limited to what the binary's default
// proactive Slack limits let through without throttling (see ackMix): ten
// reps, no DM posts, no chat.update.
func memoryMix(sim *slacksim.Server, ps []coach.Prospect, reps int) (mix, error) {
	var clicks, submits []coach.Prospect
	for k := range min(10, reps) {
		for i := k; i < len(ps) && i < k+40*reps; i += reps {
			p := ps[i]
			if p.State != coach.Awaiting {
				continue
			}
			if len(clicks) <= len(submits) {
				clicks = append(clicks, p)
			} else {
				submits = append(submits, p)
			}
		}
		owner := ps[k].Owner
		sim.AddUser(slacksim.User{ID: owner, Name: strings.ToLower(owner), TZ: "UTC"})
	}
	return ackMix(sim, clicks, submits, true)
}

// memoryRows are test 6's results.
func memoryRows(sizes string, deals int, idle, peak, redisUsed int64, lat *latencies) []row {
	acks := row{name: "memory: the binary's acks under that load", measured: lat.stats("").String(), target: "all acked within 3 s",
		verdict: verdictPass, ratio: "—"}
	if n, err := lat.errors(); n > 0 {
		acks.measured += fmt.Sprintf("; %d not acked (%v)", n, err)
		acks.verdict = verdictFail
	}
	const limit = 100 << 20
	return []row{
		{name: "memory: binary idle, " + sizes, measured: "RSS " + mb(idle), target: "< 100 MB",
			verdict: pass(idle < limit), ratio: ratio(float64(idle), limit)},
		{name: "memory: binary under test 1's load, " + sizes, measured: "peak RSS " + mb(peak), target: "< 100 MB",
			verdict: pass(peak < limit), ratio: ratio(float64(peak), limit)},
		acks,
		{name: "memory: Redis holding those " + sizes, measured: "used_memory " + mb(redisUsed) +
			fmt.Sprintf(" (%.1f kB a deal, jobs and indexes included)", float64(redisUsed)/float64(deals)/1024),
			target: "—", verdict: verdictInfo, ratio: "—"},
	}
}

// redisUsedMemory is what Redis says its data takes (INFO memory's
// used_memory), for sizing a production Redis.
func redisUsedMemory(ctx context.Context, env *redisEnv) (int64, error) {
	info, err := env.rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, fmt.Errorf("redis INFO memory: %w", err)
	}
	v, ok := field(info, "used_memory")
	if !ok {
		return 0, errors.New("redis INFO memory: no used_memory")
	}
	return strconv.ParseInt(v, 10, 64)
}
