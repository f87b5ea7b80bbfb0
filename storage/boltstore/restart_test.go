package boltstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
	"pipelinecoach/coach/coachtest"
	"pipelinecoach/storage/boltstore"
)

var berlin = mustZone("Europe/Berlin")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// A Wednesday in working hours.
var (
	logged       = time.Date(2026, 11, 25, 10, 0, 0, 0, berlin)
	firstMeeting = time.Date(2026, 11, 25, 14, 0, 0, 0, berlin)
)

// The process is killed in the middle of following a prospect up, at each
// step where a crash could lose or double the question; started again on
// the same file, it asks the question exactly once, and the opportunity
// made before is still there.
func TestKilledMidFlowAsksOnce(t *testing.T) {
	for _, crash := range []string{"claimed", "asking", "saving"} {
		t.Run("killed while "+crash, func(t *testing.T) {
			dir := t.TempDir()
			clock := coachtest.NewClock(logged)
			s, err := boltstore.Open(dir, boltstore.Options{Now: clock.Now})
			must(t, "Open", err)
			svc := coach.NewService(s, &coachtest.Notifier{}, clock, coach.DefaultTiming)
			p, err := svc.LogMeeting(ctx, coach.NewMeeting{Team: "T1", Owner: "U1", Account: "Acme", TZ: "Europe/Berlin", Start: firstMeeting})
			must(t, "LogMeeting", err)
			opp, err := svc.LogMeeting(ctx, coach.NewMeeting{Team: "T1", Owner: "U1", Account: "Initech", TZ: "Europe/Berlin",
				Start: logged.Add(-24 * time.Hour)})
			must(t, "LogMeeting", err)
			_, _, err = svc.Confirm(ctx, coach.Actor{Workspace: "T1", User: "U1"}, "T1", opp.ID,
				coach.SecondMeeting{At: logged.Add(7 * 24 * time.Hour), Amount: 5000, Currency: "EUR"})
			must(t, "Confirm", err)
			must(t, "Close", s.Close())
			due := p.FollowUpAt

			posted := killMidFlow(t, dir, crash, due)

			clock.Set(due)
			s = open(t, dir, boltstore.Options{Now: clock.Now})
			notify := &coachtest.Notifier{}
			svc = coach.NewService(s, notify, clock, coach.DefaultTiming)
			for at := due; at.Before(due.Add(10 * time.Minute)); at = at.Add(10 * time.Second) {
				clock.Set(at)
				if _, err := svc.RunDue(ctx); err != nil {
					t.Fatalf("RunDue at due+%s: %v", at.Sub(due), err)
				}
			}
			if n := posted + len(notify.Asks()); n != 1 {
				t.Errorf("the first question was posted %d times (%d before the crash), want once", n, posted)
			}
			got, err := s.Prospect(ctx, "T1", p.ID)
			must(t, "Prospect", err)
			if got.Asks != 1 || got.State != coach.Awaiting || got.Prompt.IsZero() {
				t.Errorf("after the restart: asks %d, state %s, prompt %+v; want the question recorded", got.Asks, got.State, got.Prompt)
			}
			got, err = s.Prospect(ctx, "T1", opp.ID)
			if err != nil || got.State != coach.Opportunity || got.Amount != 5000 {
				t.Errorf("the opportunity after the restart: state %s amount %d, %v", got.State, got.Amount, err)
			}
		})
	}
}

// killMidFlow runs the scheduler in another process at due, kills it (no
// Close, no deferred code) once it reaches the crash point, and returns how
// many questions it posted.
func killMidFlow(t *testing.T, dir, crash string, due time.Time) (posted int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=midflow", "BOLTSTORE_TEST_DIR="+dir,
		"BOLTSTORE_TEST_CRASH="+crash, "BOLTSTORE_TEST_NOW="+due.Format(time.RFC3339Nano))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	must(t, "pipe", err)
	must(t, "start helper", cmd.Start())
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	timeout := time.After(20 * time.Second)
	for reached := false; !reached; {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("the helper ended before the crash point (%s)", cmd.ProcessState)
			}
			switch {
			case line == "posted":
				posted++
			case line == "crash point":
				reached = true
			default:
				t.Logf("helper: %s", line)
			}
		case <-timeout:
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatal("the helper did not reach the crash point")
		}
	}
	must(t, "kill", cmd.Process.Kill())
	_ = cmd.Wait()
	for range lines { // drain
	}
	return posted
}

func init() { helpers["midflow"] = midFlow }

// midFlow is the killed process: it runs the scheduler once at
// BOLTSTORE_TEST_NOW and stops for good at the crash point, printing
// "crash point" (and "posted" for each question it posts).
func midFlow(dir string) int {
	now, err := time.Parse(time.RFC3339Nano, os.Getenv("BOLTSTORE_TEST_NOW"))
	if err != nil {
		fmt.Println(err)
		return 2
	}
	clock := coachtest.NewClock(now)
	s, err := boltstore.Open(dir, boltstore.Options{Now: clock.Now})
	if err != nil {
		fmt.Println(err)
		return 2
	}
	crash := os.Getenv("BOLTSTORE_TEST_CRASH")
	var store coach.Store = s
	notify := &crashingNotifier{Notifier: &coachtest.Notifier{}}
	switch crash {
	case "claimed": // the job is leased; nothing reserved yet
		store = &crashingStore{Store: s, reserve: true}
	case "asking": // reserved; the question is on its way
		notify.crash = true
	case "saving": // posted and recorded; the prospect not saved yet
		store = &crashingStore{Store: s, save: true}
	default:
		fmt.Println("no crash point", crash)
		return 2
	}
	n, err := coach.NewService(store, notify, clock, coach.DefaultTiming).RunDue(context.Background())
	fmt.Printf("RunDue returned %d, %v without reaching the crash point\n", n, err)
	return 1
}

// stop is the crash point: tell the test, then wait to be killed.
func stop() {
	fmt.Println("crash point")
	select {}
}

type crashingStore struct {
	*boltstore.Store
	reserve, save bool
}

func (s *crashingStore) Reserve(ctx context.Context, key, value string, ttl time.Duration) (string, bool, error) {
	if s.reserve && strings.HasPrefix(key, "ask/") {
		stop()
	}
	return s.Store.Reserve(ctx, key, value, ttl)
}

func (s *crashingStore) Save(ctx context.Context, p coach.Prospect) error {
	if s.save && p.Asks > 0 {
		stop()
	}
	return s.Store.Save(ctx, p)
}

type crashingNotifier struct {
	*coachtest.Notifier
	crash bool
}

func (n *crashingNotifier) Ask(ctx context.Context, p coach.Prospect, a coach.Ask) (coach.MessageRef, error) {
	if n.crash {
		stop()
	}
	fmt.Println("posted")
	return n.Notifier.Ask(ctx, p, a)
}
