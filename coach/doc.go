// Package coach is Pipeline Coach's domain: prospects and the two-meeting
// rule, the timing of the questions the bot asks a rep, and every threshold
// and metric the product uses.
//
// It is plain Go. Slack, Redis and logging live in other packages; coach
// declares the small interfaces it needs from them (Store, Notifier, Clock,
// CalendarSource, Directory)
// and never imports them.
package coach
