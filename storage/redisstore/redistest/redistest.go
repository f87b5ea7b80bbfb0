// Package redistest runs a real redis-server for tests: one process per
// Start, on a free port of 127.0.0.1, with its files in the test's temporary
// directory, stopped when the test ends. StartSentinel and StartCluster run
// groups of them the way production does: a primary, a replica and three
// sentinels; a Cluster of three primaries.
//
// A test that needs Redis is skipped when redis-server is not on PATH, except
// when the CI environment variable is set: there a missing server fails the
// test, so a CI image without it cannot pass silently. Tests that can run on
// any store ask Available and take the embedded one instead. Each skip is
// also written to the file SkippedEnv names, if set, so the test command
// (.ci/test) can end with one line counting them: go test shows nothing a
// passing package prints.
package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

const (
	startTimeout = 10 * time.Second // until PING answers
	stopTimeout  = 10 * time.Second // after SIGTERM, before SIGKILL
	startTries   = 3                // fresh ports tried when one is taken meanwhile
)

// Server is a running (or stopped) redis-server.
type Server struct {
	bin  string
	dir  string
	pre  []string // arguments before the defaults: a config file, --sentinel
	args []string // extra arguments, after the defaults
	port int
	// ownDir: the directory was made by StartServer and is removed by Close.
	ownDir bool

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
	log    string        // the file the server's stdout and stderr go to
	stats  *redis.Client // the connection Commands asks INFO on
	infos  int64         // INFO commands Commands sent since the server started
}

// Start runs redis-server with --save "" --appendonly no followed by args
// (so args override the defaults, e.g. "--appendonly", "yes"), waits until it
// answers PING, and stops it when tb ends.
func Start(tb testing.TB, args ...string) *Server {
	tb.Helper()
	return start(tb, tb.TempDir(), nil, args)
}

// start is Start with arguments before the defaults, in dir.
func start(tb testing.TB, dir string, pre, args []string) *Server {
	tb.Helper()
	bin := Require(tb)
	s := &Server{bin: bin, dir: dir, pre: pre, args: args}
	tb.Cleanup(s.cleanup)
	if err := s.startFresh(); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	return s
}

// ErrNoRedis is returned by StartServer when redis-server is not on PATH.
var ErrNoRedis = errors.New("redis-server not found on PATH: install it (apt-get install redis-server)")

// SkippedEnv names the environment variable holding the file a skipped test
// is recorded in, one line each.
const SkippedEnv = "REDISTEST_SKIPPED"

// Available reports whether Start can run a server: redis-server is on PATH,
// or the CI environment variable is set (there Start fails without one
// rather than letting a test quietly run on another store).
func Available() bool {
	if os.Getenv("CI") != "" {
		return true
	}
	_, err := exec.LookPath("redis-server")
	return err == nil
}

// Require returns the path of redis-server. When it is missing it skips tb,
// or fails it when the CI environment variable is set, as Start does.
func Require(tb testing.TB) string {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		const msg = "redis-server not found on PATH: install it (apt-get install redis-server) to run this test"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		recordSkip(tb)
		tb.Skip(msg)
	}
	return bin
}

// recordSkip appends tb's name to the file SkippedEnv names, if any. One
// short O_APPEND write per line keeps the lines of parallel test binaries
// whole.
func recordSkip(tb testing.TB) {
	path := os.Getenv(SkippedEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		tb.Logf("redistest: record the skip: %v", err)
		return
	}
	defer f.Close()
	if _, err := f.WriteString(tb.Name() + "\n"); err != nil {
		tb.Logf("redistest: record the skip: %v", err)
	}
}

// StartServer is Start for programs (benchmarks, demos) that have no
// testing.TB: the server's files live in a new temporary directory, and Close
// stops the server and removes them. It returns ErrNoRedis when redis-server
// is not on PATH.
func StartServer(args ...string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedis
	}
	dir, err := os.MkdirTemp("", "redistest-")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	s := &Server{bin: bin, dir: dir, args: args, ownDir: true}
	if err := s.startFresh(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("redistest: %w", err)
	}
	return s, nil
}

// NewClient returns a new client of the server; the caller closes it.
func (s *Server) NewClient() *redis.Client { return redis.NewClient(s.options()) }

// Close stops the server and, for a server from StartServer, removes its
// directory.
func (s *Server) Close() {
	s.Stop()
	if s.ownDir {
		_ = os.RemoveAll(s.dir)
	}
}

// startFresh starts the server on a free port, trying fresh ports when one
// is taken meanwhile.
func (s *Server) startFresh() error {
	var lastErr error
	for range startTries {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.port = port
		if lastErr = s.start(); lastErr == nil {
			return nil
		}
	}
	return lastErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs the process and waits for PING; on failure the process is gone
// and the error carries its log.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	argv := append(slices.Clone(s.pre),
		"--port", strconv.Itoa(s.port),
		"--bind", "127.0.0.1",
		"--dir", s.dir,
		"--daemonize", "no",
		"--logfile", "", // log to stdout, into s.log below
		"--save", "",
		"--appendonly", "no")
	argv = append(argv, s.args...)
	// The server writes straight into a file, so its log can be read at any
	// time without a goroutine copying it.
	s.log = filepath.Join(s.dir, "redis-server.log")
	out, err := os.Create(s.log)
	if err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	defer out.Close() // the child holds its own descriptor
	cmd := exec.Command(s.bin, argv...)
	cmd.Stdout, cmd.Stderr = out, out
	endWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.cmd, s.exited, s.infos = cmd, exited, 0

	c := redis.NewClient(s.options())
	defer c.Close()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			s.afterExitLocked()
			return fmt.Errorf("redis-server on port %d exited during start: %s", s.port, tail(readLog(s.log)))
		default:
		}
		if time.Now().After(deadline) {
			s.killLocked()
			return fmt.Errorf("redis-server on port %d did not answer PING within %s (%v): %s", s.port, startTimeout, err, tail(readLog(s.log)))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *Server) options() *redis.Options {
	return &redis.Options{
		Addr:            s.Addr(),
		Protocol:        2,
		DisableIdentity: true, // no CLIENT SETINFO on connect: keeps Commands' counts plain
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	}
}

// Addr is host:port of the server.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// Pid is the running server's process id, 0 when it is stopped.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Log returns what the server has logged since it last started.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return readLog(s.log)
}

// readLog is the content of a log file, or why it could not be read.
func readLog(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(log unreadable: %v)", err)
	}
	return string(b)
}

// Client returns a new client of the server, closed when tb ends.
func (s *Server) Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(s.options())
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// Commands returns the server's total_commands_processed since it last
// started, not counting the INFO commands Commands itself sends. The
// difference between two calls is the number of commands run in between,
// commands run by Lua scripts included (an EVALSHA running three commands
// counts four), so it measures server work; count round trips with a client
// hook instead.
func (s *Server) Commands(tb testing.TB) int64 {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats == nil {
		opt := s.options()
		opt.PoolSize = 1
		s.stats = redis.NewClient(opt)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	info, err := s.stats.Info(ctx, "stats").Result()
	if err != nil {
		tb.Fatalf("redistest: INFO stats: %v", err)
	}
	prior := s.infos
	s.infos++
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "total_commands_processed:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				tb.Fatalf("redistest: total_commands_processed %q: %v", v, err)
			}
			return n - prior
		}
	}
	tb.Fatalf("redistest: no total_commands_processed in INFO stats:\n%s", info)
	return 0
}

// Stop shuts the server down (SIGTERM, so an append-only file is flushed) and
// waits for it to exit, killing it if it takes too long. Stopping a stopped
// server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server cannot act on SIGTERM
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.afterExitLocked()
}

// Kill ends the server with SIGKILL, as a crash would, and waits for it.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.killLocked()
}

func (s *Server) killLocked() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.afterExitLocked()
}

func (s *Server) afterExitLocked() {
	s.cmd = nil
	if s.stats != nil {
		_ = s.stats.Close()
		s.stats = nil
	}
}

// Restart stops the server if it runs and starts it again on the same port,
// in the same directory, with the same arguments: what it persisted is
// loaded again. Clients from Client reconnect on their own.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		tb.Fatalf("redistest: restart: %v", err)
	}
}

func (s *Server) cleanup() {
	s.Stop()
}

// tail is the end of a log, enough to say why a start failed.
func tail(s string) string {
	const max = 4000
	if len(s) > max {
		s = "…" + s[len(s)-max:]
	}
	if s == "" {
		return "(no output)"
	}
	return "\n" + s
}

// Pause stops the server's process (SIGSTOP) without ending it, as a stall
// of its machine would: it answers nothing, and a replica falls behind.
func (s *Server) Pause(tb testing.TB) { s.signal(tb, syscall.SIGSTOP) }

// Resume lets a paused server go on (SIGCONT).
func (s *Server) Resume(tb testing.TB) { s.signal(tb, syscall.SIGCONT) }

func (s *Server) signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		tb.Fatalf("redistest: %v to a server that is not running", sig)
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("redistest: %v: %v", sig, err)
	}
}
