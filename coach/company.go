package coach

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PersonalMailDomains are domains where anyone gets an address. Two people
// at gmail.com are not one company, so an address at one of these counts
// as its own company.
var PersonalMailDomains = []string{
	"aol.com", "fastmail.com", "gmail.com", "gmx.com", "gmx.de", "gmx.net", "googlemail.com",
	"hey.com", "hotmail.co.uk", "hotmail.com", "hotmail.de", "hotmail.fr", "icloud.com",
	"live.com", "mac.com", "mail.com", "mail.ru", "me.com", "msn.com", "outlook.com",
	"outlook.de", "pm.me", "proton.me", "protonmail.com", "qq.com", "t-online.de", "web.de",
	"yahoo.co.uk", "yahoo.com", "yahoo.de", "yahoo.fr", "yandex.ru", "zoho.com",
}

// PersonalDomain reports whether domain is a personal mail domain.
func PersonalDomain(domain string) bool {
	_, found := slices.BinarySearch(PersonalMailDomains, strings.ToLower(domain))
	return found
}

// DomainOf is the lower-cased domain of an address, "" when it has none.
func DomainOf(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 || at == len(email)-1 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[at+1:]))
}

// CompanyKey is what tells one company from another in calendars: the mail
// domain, or, for an address at a personal mail domain, a digest of the
// address — it is kept, and a guest's address is not.
func CompanyKey(email string) string {
	d := DomainOf(email)
	if d == "" {
		return ""
	}
	if PersonalDomain(d) {
		sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
		return personPrefix + hex.EncodeToString(sum[:12])
	}
	return d
}

// personPrefix marks the key of a person at a personal mail domain.
const personPrefix = "person:"

// companyNameOf names the company of a guest: from the domain, or after
// the person at a personal mail domain.
func companyNameOf(a Attendee) string {
	d := DomainOf(a.Email)
	if PersonalDomain(d) {
		return CompanyName(strings.ToLower(a.Email), a.Name)
	}
	return CompanyName(d, a.Name)
}

// secondLevel are labels that, right before a country code, belong to the
// suffix rather than to the company: acme.co.uk is Acme.
var secondLevel = []string{"ac", "co", "com", "edu", "gov", "net", "org"}

// CompanyName names a company from its domain: "acme-corp.com" is "Acme
// Corp", "sales.acme.co.uk" is "Acme". A personal address is named after
// its person (name, when known, else the address's local part).
func CompanyName(key, person string) string {
	if at := strings.LastIndexByte(key, '@'); at >= 0 {
		if n := cleanText(person); n != "" {
			return n
		}
		return titleWords(key[:at])
	}
	labels := strings.Split(strings.TrimSuffix(key, "."), ".")
	if len(labels) > 1 {
		labels = labels[:len(labels)-1] // the top-level domain
	}
	if n := len(labels); n > 1 && len(labels[n-1]) <= 3 && slices.Contains(secondLevel, labels[n-1]) {
		labels = labels[:n-1]
	}
	return titleWords(labels[len(labels)-1])
}

// titleWords splits s at dashes, dots and underscores and capitalises each
// word: "acme-corp" is "Acme Corp".
func titleWords(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == '+' })
	for i, w := range words {
		r, size := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToUpper(r)) + w[size:]
	}
	return strings.Join(words, " ")
}
