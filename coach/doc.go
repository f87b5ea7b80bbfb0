// Package coach is Pipeline Coach's domain: prospects and the two-meeting
// rule, the timing of the questions the bot asks a rep, every threshold,
// metric and validation the product uses, and what reaches a CRM and when.
//
// It is plain Go. Slack, Redis and logging live in other packages; coach
// declares the small interfaces it needs from them (Store, Notifier, Clock,
// CalendarSource, Mailboxes, CRM, Emails) and never imports them.
//
// # The two-meeting rule
//
// A first meeting is not an opportunity. A prospect is scheduled until its
// first meeting ends, then awaiting: the rep is asked whether a second
// meeting was booked. Only a confirmed second meeting, dated after the
// first, makes it an opportunity; nothing becomes pipeline by itself, and an
// unanswered question never does. An opportunity ends won or lost; a loss
// keeps its stage, a reason, a lesson and whether the team may see it. A
// fast, honest loss is celebrated: the second best thing to winning. Every
// transition is kept in the prospect's history (who, when, from, to), and
// every metric is read from that history.
//
// # Timing
//
// DefaultTiming holds the defaults, each configurable. The question comes
// 30 minutes after the first meeting ends (start plus 45 minutes unless
// told), moved into the rep's working hours (09:00–18:00, Monday to Friday,
// in the rep's Slack time zone). "Not yet" brings a reminder two working
// days later, at most two of them, then one last "close it out?"; after
// that the prospect shows as gone quiet, never as pipeline. An opportunity
// with no activity for 14 days is stalled (a recorded wait pauses the
// count); one open more than half again the team's won cycle (the median
// of its won deals, or the cycle its manager set), recorded waits left
// out, is aged. The digest goes out Mondays at 09:00 in the team's zone.
//
// # Metrics
//
// One definition each (metrics.go), used by the digest, the coaching briefs and App
// Home alike: first→second conversion (opportunities over prospects
// resolved, in a 90-day window), time to lose (lost minus first meeting, a
// median; shorter is better), win rate (won over won plus lost,
// opportunities only), sales cycle (won minus first meeting) and coverage
// (open amount over the quota left in the period; about 2× is healthy, far
// above it with a low win rate is a lottery). A rate is a verdict only on
// a sample that can carry it (Thresholds.MinSample).
//
// # Coaching
//
// A manager gets at most one coaching brief per rep per week, in working
// hours, with the pattern first and the deals that show it: low
// conversion, slow losses, stalled or aged deals, padded pipeline, late
// qualification, and praise beside a problem (finding.go, brief.go). Each
// finding carries the numbers against the team's and the deals; the words
// and the questions to coach with are the adapter's (bot/render);
// nothing repeats within seven days, and nothing is judged before the
// evidence can carry it (evidence.go), because a coach that is often wrong
// or repetitive gets muted.
//
// # The CRM
//
// With a CRM configured, an opportunity reaches it only after a confirmed
// second meeting, through a CRM job the store saves in the same step as
// the change (crm.go): the write is never on a person's path, and each is
// an upsert by the prospect's own id, so no retry, replica or crash makes a
// second deal. The pull (crmpull.go) brings the reps' deals that skipped
// the rule to their clean-up, and what was changed in the CRM back.
//
// # What an answer reads
//
// An answer reads what its numbers count, so that it costs as much in a
// team's fifth year as in its first: a rep's view their open deals and
// those retired within its windows (summary.go), a team's digest its reps'
// (digest.go). What only all of a team's deals can say, its won cycle and
// the week its first deal began, is measured by the scheduler and stored
// for every replica (teamhistory.go).
//
// Every decision is made here, on the record as stored: an adapter passes
// what a person typed and which prospect they named (Seen: an id and the
// version they saw), never a copy of a record to trust. A rule that says
// no returns an error wrapping ErrRefused; any other error is trouble.
package coach
