package bot

import (
	"context"
	"runtime/debug"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"pipelinecoach/bot/render"
	"pipelinecoach/coach"
)

// later runs work that follows an answer but is not the answer, and waits
// on a Web API method's own rate limit: App Home publishes (views.publish)
// and questions updated to show what was decided (chat.update). A worker
// blocked on those limits would hold up every answer queued behind it, so
// they run here instead, a few at a time, in the order they came. Work for
// a key already waiting replaces it in place (a rep who opens Home twice
// gets one publish, of the latest), so the queue holds at most one job per
// Home or question.
type later struct {
	name    string
	workers int
	max     int           // keys waiting at most; beyond, new work is dropped
	timeout time.Duration // one job at most, its wait for the limit included

	mu    sync.Mutex
	order []string
	jobs  map[string]func(context.Context)
	wake  chan struct{}
	drop  func() // heard of every job dropped for a full queue
	// taken, when set, counts each waiting key until its job has run, so
	// Bot.WaitIdle also waits for what follows the answers.
	taken *taken
}

func newLater(name string, workers, max int, timeout time.Duration) *later {
	return &later{name: name, workers: workers, max: max, timeout: timeout,
		jobs: map[string]func(context.Context){}, wake: make(chan struct{}, 1), drop: func() {}}
}

// add queues job under key, or replaces the job waiting under key.
func (l *later) add(key string, job func(context.Context)) {
	l.mu.Lock()
	if _, waiting := l.jobs[key]; !waiting {
		if len(l.order) >= l.max {
			l.mu.Unlock()
			l.drop()
			return
		}
		l.order = append(l.order, key)
		if l.taken != nil {
			l.taken.add()
		}
	}
	l.jobs[key] = job
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// next takes the oldest job, if any.
func (l *later) next() (func(context.Context), bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.order) == 0 {
		return nil, false
	}
	key := l.order[0]
	l.order[0] = ""
	l.order = l.order[1:]
	job := l.jobs[key]
	delete(l.jobs, key)
	if len(l.order) > 0 {
		select {
		case l.wake <- struct{}{}: // another worker may take the next one
		default:
		}
	}
	return job, true
}

// run works through the queue until ctx ends. A job that panics is
// reported to onPanic and the worker goes on.
func (l *later) run(ctx context.Context, onPanic func(any)) {
	var wg sync.WaitGroup
	for range l.workers {
		wg.Go(func() {
			for {
				job, ok := l.next()
				if !ok {
					select {
					case <-ctx.Done():
						return
					case <-l.wake:
						continue
					}
				}
				l.runOne(ctx, job, onPanic)
				if l.taken != nil {
					l.taken.done()
				}
			}
		})
	}
	wg.Wait()
}

func (l *later) runOne(ctx context.Context, job func(context.Context), onPanic func(any)) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			onPanic(r)
		}
	}()
	job(ctx)
}

// Bounds of the two queues: a Home or a question may wait this long for
// its method's limit (300 Homes at Slack's 100 a minute take three).
const (
	laterWait  = 10 * time.Minute
	laterMax   = 50000
	laterHomes = 2 // one renders while the other waits for its turn
)

// runLater runs the background queues until ctx ends.
func (b *Bot) runLater(ctx context.Context) {
	onPanic := func(r any) {
		b.obs.HandlerError("panic")
		b.log.Error().Interface("panic", r).Bytes("stack", debug.Stack()).Msg("background work panicked")
	}
	var wg sync.WaitGroup
	wg.Go(func() { b.homeQueue.run(ctx, onPanic) })
	wg.Go(func() { b.updates.run(ctx, onPanic) })
	wg.Wait()
}

// interaction is the message a button was pressed on, and its response_url.
type interaction struct{ responseURL, ts string }

type interactionKey struct{}

// withInteraction remembers the message a button was pressed on, so that a
// change of the deal it asks about updates it through the response_url: at
// once, and without chat.update's limit of about one a second.
func withInteraction(ctx context.Context, cb *slack.InteractionCallback) context.Context {
	if cb.ResponseURL == "" || cb.Message.Timestamp == "" {
		return ctx
	}
	return context.WithValue(ctx, interactionKey{}, interaction{responseURL: cb.ResponseURL, ts: cb.Message.Timestamp})
}

// withFormOrigin opens a form from a button carrying the button's message
// and response_url, for its submission (withOrigin).
func withFormOrigin(v slack.ModalViewRequest, cb *slack.InteractionCallback) slack.ModalViewRequest {
	v.PrivateMetadata = render.WithOrigin(v.PrivateMetadata, render.Origin{TS: cb.Message.Timestamp, ResponseURL: cb.ResponseURL})
	return v
}

// withOrigin is withInteraction for a form's submission: the message whose
// button opened the form, as its metadata carries it.
func withOrigin(ctx context.Context, o render.Origin) context.Context {
	if o.TS == "" || o.ResponseURL == "" {
		return ctx
	}
	return context.WithValue(ctx, interactionKey{}, interaction{responseURL: o.ResponseURL, ts: o.TS})
}

// promptURL is the response_url to update a question through: the one of
// the button pressed on it, if that is what is being handled.
func (b *Bot) promptURL(ctx context.Context, p coach.Prospect) string {
	if in, ok := ctx.Value(interactionKey{}).(interaction); ok && in.ts == p.Prompt.TS {
		return in.responseURL
	}
	return ""
}

// settleSoon shows on the rep's question what was decided: through the
// response_url of the button pressed on it when there is one, otherwise by
// chat.update in the background.
func (b *Bot) settleSoon(ctx context.Context, p coach.Prospect) {
	b.settleSoonAs(ctx, p, b.decided(ctx, p))
}

// settleSoonAs is settleSoon with the question shown as settled.
func (b *Bot) settleSoonAs(ctx context.Context, p coach.Prospect, settled render.Message) {
	if p.Prompt.IsZero() {
		return
	}
	if url := b.promptURL(ctx, p); url != "" {
		opts := append(settled.Options(), slack.MsgOptionReplaceOriginal(url))
		err := b.slack.Respond(ctx, url, opts...)
		if err == nil {
			return
		}
		b.log.Warn().Err(err).Str("prospect", p.ID).Msg("update the question through its response_url; updating it with chat.update")
	}
	// A later change of the same deal replaces this one while it waits.
	b.updates.add(p.Workspace+"/"+p.ID, func(ctx context.Context) { b.settleAs(ctx, p, settled) })
}

// publishHomeSoon publishes a rep's App Home in the background, rendered
// when its turn comes, so it shows what is true then.
func (b *Bot) publishHomeSoon(team, user string) {
	b.homeQueue.add(team+"/"+user, func(ctx context.Context) { b.publishHome(ctx, team, user) })
}
