package render

import "strings"

// WithOrigin adds to a form's private_metadata the message whose button
// opened it (its ts) and that message's response_url, so the form's
// submission can update the message through it. When the metadata would
// grow past Block Kit's limit, it is returned as it was.
func WithOrigin(md, ts, responseURL string) string {
	if ts == "" || responseURL == "" || strings.ContainsAny(ts+responseURL, "\n ") {
		return md
	}
	id, rest, _ := strings.Cut(md, "\n")
	out := id + "\n" + rest + "\n" + ts + " " + responseURL
	if len(out) > maxMetadata {
		return md
	}
	return out
}

// Origin returns the message and response_url WithOrigin added, if any.
func Origin(md string) (ts, responseURL string) {
	parts := strings.SplitN(md, "\n", 3)
	if len(parts) < 3 {
		return "", ""
	}
	ts, responseURL, _ = strings.Cut(parts[2], " ")
	return ts, responseURL
}
