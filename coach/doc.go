// Package coach is Pipeline Coach's domain: prospects and the two-meeting
// rule, the timing of the questions the bot asks a rep, and every threshold,
// metric and validation the product uses.
//
// It is plain Go. Slack, Redis and logging live in other packages; coach
// declares the small interfaces it needs from them (Store, Notifier, Clock)
// and never imports them.
//
// Every decision is made here, on the record as stored: an adapter passes
// what a person typed and which prospect they named (Seen: an id and the
// version they saw), never a copy of a record to trust. A rule that says
// no returns an error wrapping ErrRefused; any other error is trouble.
package coach
