package coach

import (
	"sync"
	"time"
)

// Seen is all a form, a button or a message carries back about the prospect
// it shows: its id and the version the person saw. Everything else a
// payload holds is a hint for display; every decision is made on the record
// as stored.
type Seen struct {
	ID      string
	Version int64 // 0 when unknown: then nothing is checked for staleness
}

// A form's submission must cost one round trip to the store, like any other
// change. The record the form was opened on was read from the store a
// moment before, by this service, to show the form; it is kept here so the
// submission can decide on it without reading it again. That is safe
// because every Save is conditional on the version it was decided on: if
// the stored record moved on meanwhile, the save fails, and the decision is
// made again on the record read afresh. The payload's copy is never used:
// only what this process read from the store.
const (
	openedKeep = time.Hour // a form left open longer is read again
	openedMax  = 4096      // records kept at most; enough for every open form
)

type openedRecord struct {
	p  Prospect
	at time.Time
}

// opened holds records read from the store to open a form, by workspace and
// id, until the form is submitted.
type opened struct {
	mu      sync.Mutex
	records map[string]openedRecord
}

func openedKey(workspace, id string) string { return workspace + "/" + id }

// keep remembers p as just read from the store.
func (o *opened) keep(p Prospect, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.records == nil {
		o.records = map[string]openedRecord{}
	}
	if len(o.records) >= openedMax {
		for k, r := range o.records {
			if now.Sub(r.at) > openedKeep || len(o.records) >= openedMax {
				delete(o.records, k)
			}
		}
	}
	o.records[openedKey(p.Workspace, p.ID)] = openedRecord{p: p, at: now}
}

// take returns and forgets the record kept for workspace and id, if one
// was read within openedKeep.
func (o *opened) take(workspace, id string, now time.Time) (Prospect, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	k := openedKey(workspace, id)
	r, ok := o.records[k]
	if !ok {
		return Prospect{}, false
	}
	delete(o.records, k)
	if now.Sub(r.at) > openedKeep {
		return Prospect{}, false
	}
	return r.p, true
}
