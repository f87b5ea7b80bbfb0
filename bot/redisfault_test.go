package bot_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
)

// saveFailed is what a person reads when the store cannot be reached
// (bot's errSaveFailed).
const saveFailed = "Couldn't save that — nothing was lost, try again in a minute."

// TestRedisDownEveryoneHearsAndNothingIsLost stops Redis with a modal open,
// a question waiting and a command on its way: the modal keeps what was
// typed with the error in its ack, the click and the command are answered
// with "couldn't save that", the scheduler backs off, /readyz says not
// ready; once Redis is back everything works again and nothing written
// before was lost.
func TestRedisDownEveryoneHearsAndNothingIsLost(t *testing.T) {
	srv, store := aofRedis(t)
	h := newHarnessOpts(t, store, harnessOpts{})
	dm := h.sim.DMChannel(rep)
	for _, a := range []string{"Acme", "Globex"} {
		h.slash(rep, "log "+a+" today 10:00")
		h.reply(rep, "Logged a first meeting with *"+a+"*")
	}
	h.at(berlinAt(25, 11, 15))
	acme := h.waitFor(dm, "Acme")
	globex := h.waitFor(dm, "Globex")
	h.click(rep, acme, render.ActionYes)
	form := h.view(rep, render.ViewConfirm)
	if code, body := h.readyz(store); code != http.StatusOK {
		t.Fatalf("/readyz before the outage: %d %s", code, body)
	}
	before := h.prospects(rep)

	srv.Stop()

	if code, body := h.readyz(store); code != http.StatusServiceUnavailable || !strings.Contains(body, "store") {
		t.Fatalf("/readyz with Redis down: %d %q, want 503 naming the store", code, body)
	}
	inputs := map[string]string{render.InputSecondDate: "2026-11-27", render.InputSecondTime: "10:00",
		render.InputAmount: "12k", render.InputNextStep: "Demo for the CFO"}
	t0 := time.Now()
	ack := h.submit(rep, form, inputs)
	if took := time.Since(t0); took > 3*time.Second {
		t.Errorf("the modal was answered after %s, past Slack's 3 s", took)
	}
	if errs := ackErrors(t, ack); !strings.Contains(strings.Join(slices.Collect(maps.Values(errs)), " "), saveFailed) {
		t.Fatalf("modal ack errors %v, want %q", errs, saveFailed)
	}
	if v := h.view(rep, render.ViewConfirm); v.ID != form.ID {
		t.Fatal("the confirm modal closed: the rep lost what they typed")
	}
	h.click(rep, globex, render.ActionNotYet)
	h.reply(rep, saveFailed)
	h.slash(rep, "log Initech today 10:00")
	h.reply(rep, saveFailed)

	// The scheduler backs off: 8 ticks with Redis down run it far fewer times.
	failedRuns := h.countLogs("scheduler run failed")
	for range 4 {
		h.runScheduler() // two ticks each
	}
	runs := h.countLogs("scheduler run failed") - failedRuns
	if runs < 1 || runs > 4 {
		t.Fatalf("the scheduler tried %d times in 8 ticks with Redis down, want 1–4 (backing off)", runs)
	}

	srv.Restart(t)
	h.awaitReady(t, store)
	after := h.prospects(rep)
	sortByID(before)
	sortByID(after)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("Redis came back with other prospects:\nbefore %+v\nafter  %+v", before, after)
	}
	// The same modal, still open, now saves.
	if ack := h.submit(rep, form, inputs); len(ack.Payload) != 0 {
		t.Fatalf("resubmitted modal acked with %s", ack.Payload)
	}
	h.waitFor(dm, "*Acme* is an opportunity")
	h.click(rep, globex, render.ActionNotYet)
	h.waitFor(dm, "*Globex*: no second meeting yet")
	h.slash(rep, "log Initech today 10:00")
	h.reply(rep, "Logged a first meeting with *Initech*")

	// The scheduler resumes after its backoff and asks about Initech.
	for i := 0; h.prompts(rep) < 3; i++ {
		if i == 40 {
			t.Fatalf("the scheduler did not resume: %d prompts", h.prompts(rep))
		}
		h.clock.Set(h.clock.Now().Add(time.Minute))
		h.runScheduler()
	}
	h.waitFor(dm, "Initech")

	p := byAccount(h.prospects(rep), "Acme")
	if p.State != coach.Opportunity || p.Amount != 12000 || p.NextStep != "Demo for the CFO" {
		t.Fatalf("Acme after the outage: %+v", p)
	}
}

// TestRedisKilledMidLoadKeepsEveryConfirmedChange answers questions and logs
// meetings from several goroutines while Redis is killed (SIGKILL) and
// started again with the production AOF setting (appendfsync everysec):
// every change the bot confirmed to the rep is still there, with its
// history entry, and a clean restart afterwards changes nothing.
func TestRedisKilledMidLoadKeepsEveryConfirmedChange(t *testing.T) {
	srv, store := aofRedis(t)
	h := newHarnessOpts(t, store, harnessOpts{})
	deals := []string{"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett",
		"Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango"}
	var wg sync.WaitGroup
	for _, d := range deals {
		wg.Go(func() { h.slash(rep, "log "+d+" today 10:00") })
	}
	wg.Wait()
	for _, d := range deals {
		h.reply(rep, "Logged a first meeting with *"+d+"*")
	}
	h.at(berlinAt(25, 11, 15))
	if n := h.prompts(rep); n != len(deals) {
		t.Fatalf("%d prompts, want %d", n, len(deals))
	}

	// The load: answers in words (even: a second meeting, odd: lost) and new
	// first meetings, while Redis dies and comes back. The new meetings are
	// tomorrow's, so that no question about them is due yet: the scheduler's
	// run after h.at's (its second tick) may still be looking.
	stop := make(chan struct{})
	var (
		mu   sync.Mutex
		logs []string // accounts a log command was sent for
	)
	answer := func(i int) string {
		if i%2 == 0 {
			return "yes " + deals[i] + ", fri 10am"
		}
		return deals[i] + " no"
	}
	h.act()
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(deals); i += 4 {
				if _, err := h.sim.DM(h.ctx, rep, answer(i)); err != nil {
					t.Errorf("DM: %v", err)
				}
				time.Sleep(30 * time.Millisecond)
			}
		})
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				account := fmt.Sprintf("Load%d%03d", w, n)
				mu.Lock()
				logs = append(logs, account)
				mu.Unlock()
				if _, err := h.sim.Slash(h.ctx, rep, "log "+account+" tomorrow 10:00"); err != nil {
					t.Errorf("slash: %v", err)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	srv.Kill()
	time.Sleep(1500 * time.Millisecond) // longer than go-redis's own retries

	srv.Restart(t)
	h.awaitReady(t, store)
	close(stop)
	wg.Wait()

	// Every command and answer is answered, one way or the other, and what
	// the rep was told is what is stored.
	stored, confirmed, failed := h.toldIsStored(t, logs, deals, func(account string, p coach.Prospect) bool {
		return !strings.HasPrefix(account, "Load") || p.State == coach.Scheduled
	})
	t.Logf("%d log commands and %d answers: %d confirmed, %d told to try again", len(logs), len(deals), confirmed, failed)
	if failed == 0 {
		t.Error("no request hit the outage: the test did not exercise it")
	}
	// Nothing a rep was not told about is half-written either.
	for _, d := range deals {
		if p := stored[d]; p.State != coach.Awaiting && p.State != coach.Opportunity && p.State != coach.Lost {
			t.Errorf("%s is %s", d, p.State)
		}
	}

	// A clean restart (SIGTERM, AOF) brings back exactly what is stored now.
	before := h.prospects(rep)
	srv.Restart(t)
	h.awaitReady(t, store)
	after := h.prospects(rep)
	sortByID(before)
	sortByID(after)
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("a restart changed what is stored: %d prospects before, %d after", len(before), len(after))
	}
}

// awaitReady waits until /readyz passes after Redis came back: go-redis
// redials a pool whose dials failed about once a second, and until then a
// read fails as Redis was down, though it is up.
func (h *harness) awaitReady(t *testing.T, store interface{ Ping(context.Context) error }) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, body := h.readyz(store)
		if code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz after Redis came back: %d %s", code, body)
		}
	}
}

// answerMessage tells the bot's answers to DMs from its questions (which
// change into what was decided when answered).
func answerMessage(m slacksim.Message) bool {
	return m.Updates == 0 && !strings.Contains(m.AllText(), "Did you book a second meeting")
}

// toldIsStored waits until every log command and DM answer of the rep has
// had its reply, then checks that what the rep was told is what is stored:
// a log confirmed is stored (logged checks it further, when given), an
// answer confirmed is stored in its state (even deals confirmed, odd ones
// lost). It returns the stored prospects by account and how many replies
// confirmed and how many told the rep to try again.
func (h *harness) toldIsStored(t *testing.T, logs, deals []string, logged func(account string, p coach.Prospect) bool) (stored map[string]coach.Prospect, confirmed, failed int) {
	t.Helper()
	h.waitReplies(func() bool {
		n := 0
		for _, m := range h.sim.Messages("C0GENERAL") {
			if m.Ephemeral && m.ToUser == rep {
				n++
			}
		}
		return n == len(deals)+len(logs)
	}, "log replies")
	h.waitReplies(func() bool {
		n := 0
		for _, m := range h.dms(rep) {
			if answerMessage(m) {
				n++
			}
		}
		return n == len(deals)
	}, "DM answers")

	stored = map[string]coach.Prospect{}
	for _, p := range h.prospects(rep) {
		stored[p.Account] = p
	}
	for _, m := range h.sim.Messages("C0GENERAL") {
		text := m.AllText()
		if strings.Contains(text, saveFailed) {
			failed++
			continue
		}
		account, ok := between(text, "Logged a first meeting with *", "*")
		if !ok {
			continue
		}
		confirmed++
		if p, ok := stored[account]; !ok || logged != nil && !logged(account, p) {
			t.Errorf("%s was confirmed as logged but is %+v", account, p)
		}
	}
	for _, m := range h.dms(rep) {
		if !answerMessage(m) {
			continue
		}
		text := m.AllText()
		if strings.Contains(text, saveFailed) {
			failed++
			continue
		}
		for i, d := range deals {
			if !strings.Contains(text, "*"+d+"* is ") {
				continue
			}
			confirmed++
			want, event := coach.Opportunity, coach.EventConfirmed
			if i%2 == 1 {
				want, event = coach.Lost, coach.EventLost
			}
			p := stored[d]
			if p.State != want || len(p.History) == 0 || p.History[len(p.History)-1].Event != event {
				t.Errorf("%s was confirmed %s but is stored as %s with history %+v", d, want, p.State, p.History)
			}
		}
	}
	return stored, confirmed, failed
}

func (h *harness) waitReplies(done func() bool, what string) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			h.t.Fatalf("not every request was answered (%s)", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func between(s, from, to string) (string, bool) {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(rest, to)
	return v, ok
}

func sortByID(ps []coach.Prospect) {
	slices.SortFunc(ps, func(a, b coach.Prospect) int { return strings.Compare(a.ID, b.ID) })
}
