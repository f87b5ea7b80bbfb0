package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"pipelinecoach/bot/render"
	"pipelinecoach/bot/slacksim"
	"pipelinecoach/coach"
	"pipelinecoach/coach/phrase"
)

// Envelope kinds of the ack-latency load.
const (
	kindSlash  = "/pipeline"
	kindButton = "button"
	kindSubmit = "modal submit"
)

var kinds = []string{kindSlash, kindButton, kindSubmit}

// target is one thing a rep can do: type a command, click a button, submit
// a modal.
type target struct {
	user   string
	text   string           // slash
	msg    slacksim.Message // button
	action string           // button
	view   slacksim.View    // submit
	inputs map[string]string
}

// mix is what the load sends, in turn: a slash command, a button, a modal.
type mix struct {
	slashes, buttons, submits []target
}

// confirmView is the confirm modal about p as the simulator would hold it.
func confirmView(p coach.Prospect, n int) (slacksim.View, error) {
	raw, err := json.Marshal(render.ConfirmModal(p, coach.SecondMeeting{}, coach.ChooseFramework("", ""), phrase.Convention{}))
	if err != nil {
		return slacksim.View{}, err
	}
	return slacksim.View{ID: fmt.Sprintf("VBENCH%06d", n), Type: "modal", CallbackID: render.ViewConfirm,
		PrivateMetadata: render.FormMetadata(p), Raw: raw, UserID: p.Owner}, nil
}

// confirmInputs books the second meeting days after p's first (or, with
// before, a day before it, which the rules refuse after reading p).
func confirmInputs(p coach.Prospect, before bool) map[string]string {
	at := p.FirstMeeting.Add(5 * 24 * time.Hour)
	if before {
		at = p.FirstMeeting.Add(-24 * time.Hour)
	}
	return map[string]string{
		render.InputSecondDate: at.UTC().Format("2006-01-02"), render.InputSecondTime: "10:00",
		render.InputAmount: "25k", render.InputNextStep: "Demo for the ops team",
	}
}

// latencies collects ack latencies by kind.
type latencies struct {
	mu     sync.Mutex
	byKind map[string][]time.Duration
	errs   map[string]int
	first  error
}

func newLatencies() *latencies {
	return &latencies{byKind: map[string][]time.Duration{}, errs: map[string]int{}}
}

func (l *latencies) add(kind string, d time.Duration, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.errs[kind]++
		if l.first == nil {
			l.first = fmt.Errorf("%s: %w", kind, err)
		}
		return
	}
	l.byKind[kind] = append(l.byKind[kind], d)
}

func (l *latencies) stats(kind string) dist {
	l.mu.Lock()
	defer l.mu.Unlock()
	if kind == "" {
		var all []time.Duration
		for _, ds := range l.byKind {
			all = append(all, ds...)
		}
		return newDist(all)
	}
	return newDist(l.byKind[kind])
}

func (l *latencies) errors() (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.errs {
		n += e
	}
	return n, l.first
}

// dist is a latency distribution.
type dist struct {
	n             int
	p50, p99, max time.Duration
}

func newDist(ds []time.Duration) dist {
	if len(ds) == 0 {
		return dist{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return dist{n: len(s), p50: quantile(s, 0.50), p99: quantile(s, 0.99), max: s[len(s)-1]}
}

// quantile is the p quantile of s, sorted and not empty: the smallest
// value at least a share p of s is no greater than.
func quantile[T cmp.Ordered](s []T, p float64) T {
	return s[min(len(s)-1, int(math.Ceil(p*float64(len(s))))-1)]
}

func (d dist) String() string {
	return fmt.Sprintf("p50 %s · p99 %s · max %s (n=%d)", ms(d.p50), ms(d.p99), ms(d.max), d.n)
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

// load sends envelopes from a mix, open loop (each at its scheduled time,
// whatever the earlier ones are doing, so a stall shows as latency), at a
// rate, and records each ack's latency: from the simulator starting to
// write the envelope's frame to it reading the ack's (slacksim.Ack's Sent
// and Received). wall is the same envelopes timed from their scheduled
// start to the driver returning: the first plus the simulator's own work,
// building the payload and applying the ack. A load can run in several
// turns; each goes on through the mix where the last one stopped.
type load struct {
	sim       *slacksim.Server
	mix       mix
	rate      int
	next      int // the next envelope's place in the mix
	lat, wall *latencies
}

func newLoad(sim *slacksim.Server, m mix, rate int) *load {
	return &load{sim: sim, mix: m, rate: rate, lat: newLatencies(), wall: newLatencies()}
}

// run sends rate envelopes a second for d, cycling through the mix, and
// returns once every one is acked (or has failed). during, if set, runs
// once a second.
func (l *load) run(ctx context.Context, d time.Duration, during func()) {
	n := int(d.Seconds() * float64(l.rate))
	interval := time.Second / time.Duration(l.rate)
	var wg sync.WaitGroup
	start := time.Now()
	for j := range n {
		if wait := time.Until(start.Add(time.Duration(j) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		if during != nil && j%l.rate == 0 {
			during()
		}
		i := l.next + j
		kind := kinds[i%3]
		scheduled := start.Add(time.Duration(j) * interval)
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			var err error
			var a slacksim.Ack
			switch kind {
			case kindSlash:
				t := l.mix.slashes[(i/3)%len(l.mix.slashes)]
				a, err = l.sim.Slash(ctx, t.user, t.text)
			case kindButton:
				t := l.mix.buttons[(i/3)%len(l.mix.buttons)]
				a, err = l.sim.Click(ctx, t.user, t.msg, t.action)
			case kindSubmit:
				t := l.mix.submits[(i/3)%len(l.mix.submits)]
				a, err = l.sim.Submit(ctx, t.user, t.view, t.inputs)
			}
			l.wall.add(kind, time.Since(scheduled), err)
			l.lat.add(kind, a.Received.Sub(a.Sent), err)
		})
	}
	l.next += n
	wg.Wait()
}

// ackMix builds the test-1 load over the given reps and their prospects:
// /pipeline (the pipeline view, and a one-line log), "Not yet" on a
// prompt, and the confirm modal. With safe, everything it sends avoids the
// Web API methods the bot's default proactive limits throttle (each rep's
// DM, chat.update): the modal books the second meeting before the first,
// which the rules refuse after reading the prospect.
func ackMix(sim *slacksim.Server, clicks, submits []coach.Prospect, safe bool) (mix, error) {
	var m mix
	for i, p := range clicks {
		text := ""
		if i%2 == 1 {
			text = fmt.Sprintf("log Bench %d tomorrow 10am with Sam", i)
		}
		m.slashes = append(m.slashes, target{user: p.Owner, text: text})
		m.buttons = append(m.buttons, target{user: p.Owner, msg: promptMessage(sim, p), action: render.ActionNotYet})
	}
	for i, p := range submits {
		v, err := confirmView(p, i)
		if err != nil {
			return mix{}, err
		}
		m.submits = append(m.submits, target{user: p.Owner, view: v, inputs: confirmInputs(p, safe)})
	}
	if len(m.slashes) == 0 || len(m.submits) == 0 {
		return mix{}, fmt.Errorf("empty load mix")
	}
	return m, nil
}
