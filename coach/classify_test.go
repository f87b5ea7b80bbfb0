package coach_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"pipelinecoach/coach"
)

func TestClassify(t *testing.T) {
	at := bdate(time.December, 2, 10, 0)
	jane := coach.Attendee{Email: "jane@acme-corp.com", Name: "Jane Doe"}
	colleague := coach.Attendee{Email: "omar@ourco.com", Name: "Omar"}
	meeting := func(change func(*coach.CalendarEvent)) coach.CalendarEvent {
		ev := coach.CalendarEvent{ID: "e1", Title: "Acme intro", Start: at, End: at.Add(time.Hour), Organizer: true,
			Attendees: []coach.Attendee{colleague, jane}}
		if change != nil {
			change(&ev)
		}
		return ev
	}
	known := coach.Known{Internal: []string{"ourco.com", "ourco.de"}}
	withMet := func(company string, when time.Time) coach.Known {
		k := known
		k.Met = map[string]time.Time{company: when}
		return k
	}
	cases := []struct {
		name    string
		ev      coach.CalendarEvent
		known   coach.Known
		first   bool
		reason  string
		account string
		contact string
	}{
		{"first meeting", meeting(nil), known, true, "a first meeting with Acme Corp", "Acme Corp", "Jane Doe"},
		{"invited, not declined", meeting(func(e *coach.CalendarEvent) { e.Organizer = false }), known, true, "first meeting", "Acme Corp", "Jane Doe"},
		{"internal only", meeting(func(e *coach.CalendarEvent) { e.Attendees = []coach.Attendee{colleague} }), known, false, "no one from outside", "", ""},
		{"internal subdomain", meeting(func(e *coach.CalendarEvent) {
			e.Attendees = []coach.Attendee{colleague, {Email: "kim@eu.ourco.com"}}
		}), known, false, "no one from outside", "", ""},
		{"second internal domain", meeting(func(e *coach.CalendarEvent) {
			e.Attendees = []coach.Attendee{{Email: "kim@ourco.de"}}
		}), known, false, "no one from outside", "", ""},
		{"no attendees", meeting(func(e *coach.CalendarEvent) { e.Attendees = nil }), known, false, "no one from outside", "", ""},
		{"declined", meeting(func(e *coach.CalendarEvent) { e.Organizer, e.Declined = false, true }), known, false, "you declined it", "", ""},
		{"cancelled", meeting(func(e *coach.CalendarEvent) { e.Cancelled = true }), known, false, "cancelled", "", ""},
		{"all-day", meeting(func(e *coach.CalendarEvent) { e.AllDay = true }), known, false, "all-day", "", ""},
		{"recurring", meeting(func(e *coach.CalendarEvent) { e.Recurring = true }), known, false, "recurring series", "Acme Corp", "Jane Doe"},
		{"known company", meeting(nil), withMet("acme-corp.com", at.AddDate(0, -2, 0)), false, "met Acme Corp before", "Acme Corp", "Jane Doe"},
		{"second meeting with the same company", meeting(nil), withMet("acme-corp.com", at.Add(-24*time.Hour)), false, "met Acme Corp before, on Dec 1, 2026", "Acme Corp", "Jane Doe"},
		{"the company's later meeting does not count", meeting(nil), withMet("acme-corp.com", at.Add(24*time.Hour)), true, "first meeting", "Acme Corp", "Jane Doe"},
		{"personal domain: a new address is a new company", meeting(func(e *coach.CalendarEvent) {
			e.Attendees = []coach.Attendee{{Email: "Sam.Lee@gmail.com", Name: "Sam Lee"}}
		}), withMet(coach.CompanyKey("pat@gmail.com"), at.AddDate(0, -1, 0)), true, "first meeting with Sam Lee", "Sam Lee", "Sam Lee"},
		{"personal domain: the same address is known", meeting(func(e *coach.CalendarEvent) {
			e.Attendees = []coach.Attendee{{Email: "pat@gmail.com"}}
		}), withMet(coach.CompanyKey("Pat@GMail.com"), at.AddDate(0, -1, 0)), false, "met Pat before", "Pat", ""},
		{"ignored company", meeting(nil), coach.Known{Internal: known.Internal, Ignored: []string{"acme-corp.com"}}, false, "not sales meetings", "Acme Corp", "Jane Doe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := coach.Classify(c.ev, c.known)
			if v.First != c.first || !strings.Contains(v.Reason, c.reason) || v.Account != c.account || v.Contact != c.contact {
				t.Errorf("Classify = %+v, want first %v, reason containing %q, account %q, contact %q", v, c.first, c.reason, c.account, c.contact)
			}
		})
	}
}

func TestCompanyName(t *testing.T) {
	for key, want := range map[string]string{
		"acme-corp.com":       "Acme Corp",
		"acme.com":            "Acme",
		"sales.acme.co.uk":    "Acme",
		"globex.de":           "Globex",
		"initech.io":          "Initech",
		"big_bank.com.au":     "Big Bank",
		"localhost":           "Localhost",
		"pat.smith@gmail.com": "Pat Smith",
	} {
		if got := coach.CompanyName(key, ""); got != want {
			t.Errorf("CompanyName(%q) = %q, want %q", key, got, want)
		}
	}
	if got := coach.CompanyName("pat@gmail.com", "  Pat  Smith "); got != "Pat Smith" {
		t.Errorf("a personal address is named after its person, got %q", got)
	}
}

func TestCompanyKey(t *testing.T) {
	for email, want := range map[string]string{
		"Jane@Acme-Corp.com": "acme-corp.com",
		"nobody":             "",
	} {
		if got := coach.CompanyKey(email); got != want {
			t.Errorf("CompanyKey(%q) = %q, want %q", email, got, want)
		}
	}
	// A person at a personal domain is their own company; the key keeps
	// no address.
	sam, pat := coach.CompanyKey("Sam@GMail.com"), coach.CompanyKey("pat@outlook.com")
	if sam != coach.CompanyKey(" sam@gmail.com") || sam == pat || strings.Contains(sam, "sam") || strings.Contains(pat, "pat") {
		t.Errorf("personal keys: %q, %q", sam, pat)
	}
	if !slices.IsSorted(coach.PersonalMailDomains) {
		t.Error("PersonalMailDomains must stay sorted: PersonalDomain searches it")
	}
}
