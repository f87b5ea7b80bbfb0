// Package phrase parses what people type to the bot: dates and times
// (When), amounts of money (ParseAmount) and plain-word answers to "was a
// second meeting booked?" (ParseReply).
//
// Every function is pure: no I/O, no clock (the caller passes now), no
// panics, and bounded work on any input. Input longer than MaxLen bytes is
// rejected (When, ParseAmount) or read as Unclear (ParseReply).
package phrase

// MaxLen is the longest input, in bytes, any parser in this package reads.
const MaxLen = 500
