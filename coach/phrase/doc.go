// Package phrase parses what people type to the bot: dates and times
// (When), amounts of money as a team writes them (Convention.ParseAmount)
// and plain-word answers to "was a second meeting booked?" with the date
// and amount they carry (ParseReply, Convention.ParseReply).
//
// A misreading is worse than a refusal. Where what was typed could mean two
// things ("25.000" to a team that writes a decimal point, "thu morning")
// the parsers refuse with an error that names both readings or asks for
// what is missing, and ParseReply reports every number, time or day it did
// not use (Reply.Unplaced) rather than drop it. Hours typed without am/pm
// after a day are read in the working day (hours.go).
//
// Every function is pure: no I/O, no clock (the caller passes now), no
// panics, and bounded work on any input. Input longer than MaxLen bytes is
// rejected (When, ParseAmount) or read as Unclear (ParseReply).
package phrase

// MaxLen is the longest input, in bytes, any parser in this package reads.
const MaxLen = 500
