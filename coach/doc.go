// Package coach is Pipeline Coach's domain: prospects and the two-meeting
// rule, the timing of the questions the bot asks a rep, every threshold
// and metric the product uses, and what reaches a CRM and when.
//
// It is plain Go. Slack, Redis and logging live in other packages; coach
// declares the small interfaces it needs from them (Store, Notifier, Clock,
// CRM) and never imports them.
package coach
