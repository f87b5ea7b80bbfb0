package coach

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Known is what Classify knows besides the event itself.
type Known struct {
	// Internal are the company's own mail domains: the workspace members'
	// (learned from the mailboxes read) and INTERNAL_DOMAINS.
	Internal []string
	// Met is, by company key, the earliest meeting anyone on the rep's team
	// had with that company: in the store, or in the rep's calendar over
	// the lookback.
	Met map[string]time.Time
	// Ignored are the companies the rep marked "Not a sales meeting".
	Ignored []string
}

// Verdict is what Classify made of an event, with its reason in words.
type Verdict struct {
	First   bool
	Reason  string
	Company string // the company's key ("" when no one came from outside)
	Account string // the company's name
	Contact string // the outside attendee's display name
	// Earlier is the earlier meeting with the company, when that is why
	// this one is not a first meeting: evidence of a later meeting.
	Earlier time.Time
}

// Classify decides whether an event of a rep's calendar is a first meeting:
// not cancelled, not all-day, not part of a recurring series, organised or
// not declined by the rep, with someone from outside the company, and no
// earlier meeting with that company for anyone on the rep's team.
func Classify(ev CalendarEvent, k Known) Verdict {
	switch {
	case ev.Cancelled:
		return Verdict{Reason: "cancelled"}
	case ev.Declined && !ev.Organizer:
		return Verdict{Reason: "you declined it"}
	case ev.AllDay:
		return Verdict{Reason: "an all-day event"}
	case ev.Start.IsZero():
		return Verdict{Reason: "no start time"}
	}
	outside, ok := firstOutsider(ev.Attendees, k.Internal)
	if !ok {
		return Verdict{Reason: "no one from outside the company"}
	}
	v := Verdict{Company: CompanyKey(outside.Email), Contact: cleanText(outside.Name), Account: companyNameOf(outside)}
	switch {
	case ev.Recurring:
		v.Reason = "part of a recurring series"
	case slices.Contains(k.Ignored, v.Company):
		v.Reason = fmt.Sprintf("you said meetings with %s are not sales meetings", v.Account)
	default:
		if earlier, met := k.Met[v.Company]; met && earlier.Before(ev.Start) {
			v.Earlier = earlier
			v.Reason = fmt.Sprintf("your team met %s before, on %s", v.Account, earlier.UTC().Format("Jan 2, 2006"))
			return v
		}
		v.First = true
		v.Reason = "a first meeting with " + v.Account
	}
	return v
}

// firstOutsider is the first attendee from outside the company.
func firstOutsider(attendees []Attendee, internal []string) (Attendee, bool) {
	for _, a := range attendees {
		d := DomainOf(a.Email)
		if d == "" || slices.Contains(internal, d) || isSubdomainOf(d, internal) {
			continue
		}
		return a, true
	}
	return Attendee{}, false
}

// isSubdomainOf: mail from eu.acme.com is from acme.com.
func isSubdomainOf(d string, domains []string) bool {
	for _, p := range domains {
		if strings.HasSuffix(d, "."+p) {
			return true
		}
	}
	return false
}
