package phrase

import (
	"errors"
	"strings"
	"time"
)

// Answer is what a rep's words answer to "was a second meeting booked?".
type Answer int

// Answers, in the order of the prompt's buttons.
const (
	Unclear Answer = iota // ask again with buttons
	Yes                   // a second meeting is booked
	NotYet                // not booked yet; remind later
	No                    // no second meeting: lose it fast
)

func (a Answer) String() string {
	switch a {
	case Yes:
		return "yes"
	case NotYet:
		return "not yet"
	case No:
		return "no"
	}
	return "unclear"
}

// Reply is what a rep's plain words in the DM mean, as an answer to "was a
// second meeting booked?".
type Reply struct {
	Answer  Answer
	When    time.Time // the second meeting, when HasWhen
	HasWhen bool      // only ever true with Yes
	Rest    string    // words that were neither the answer, nor the date, nor filler ("we", "have", "meeting", …), in the rep's case
	// WhenText is the words read as When, as typed ("thu 10"), to show
	// back with what they were read as.
	WhenText string
	// Unplaced are the words of Rest that look like a number, a time or a
	// date but were not read as the answer's date: "10" in "yes 10", "tue"
	// in "not yet, tue", "morning" in "yes thu morning". The bot asks back,
	// quoting them, rather than act as if they were not typed.
	Unplaced []string
	// Amount is the deal's amount, when HasAmount (only ever with Yes):
	// words that name money, read in the convention's style
	// (Convention.ParseReply). AmountText is them as typed ("25.000 €").
	Amount     Amount
	HasAmount  bool
	AmountText string
	// Ambiguous is set when the words that name money could mean two
	// amounts in the convention's style ("€25.000" with a decimal point):
	// nothing is read, the number is in Unplaced, and this says the two
	// readings to ask which.
	Ambiguous *AmbiguousError
}

// maxDateWords is the longest run of words tried as a date.
const maxDateWords = 8

// ParseReply reads a rep's answer in words.
//
// Yes: "yes", "y", "yep", "yeah", "sure did", "booked", "scheduled",
// "confirmed", "we have a second meeting", 👍, :+1:, ✅ … NotYet: "not yet",
// "no, not yet", "working on it", "pending", "maybe", "later", "not sure",
// "haven't booked", anything with "yet" … No: "no", "nope", "nah", "no
// second meeting", "lose it", "lost", "dead", "not interested", 👎 ….
// Words match whole ("nobody" is not "no", "yesterday" is not "yes"); a
// yes-word after a negation, filler words aside ("not booked", "haven't
// booked", "no meeting booked", "not yet booked"), means NotYet. No together with NotYet words is NotYet ("no, not yet"); Yes
// together with any other answer is Unclear, and so is no answer at all.
// Unclear is the safe reading: the bot asks again with buttons.
//
// With Yes, the longest run of other words (at most 8, right-most on a tie)
// that When reads is the second meeting's date: "yep booked for thu 2pm",
// "Acme yes tue 10am". A reply that is only a date with a time of day ("thu
// 10", "tomorrow at 2pm") is Yes with that date: it answers the question. "now" alone is not taken as a date ("booked it just
// now"). Text longer than MaxLen is Unclear.
//
// Whatever the answer, words that look like a number, a time or a day but
// were not read as the date are listed in Unplaced (see numberish and
// cutShort), so that the caller asks back instead of acting on a part of
// what was typed.
//
// With Yes, words that name money are the deal's amount, in English style
// (see Convention.ParseReply).
func ParseReply(text string, now time.Time, loc *time.Location) Reply {
	return Convention{}.ParseReply(text, now, loc)
}

// ParseReply is ParseReply with the deal's amount read as the convention's
// team writes amounts: with Yes, one run of adjacent words that are not the
// answer nor the date, each a number, a currency or a multiplier, holding
// digits and a currency or a multiplier ("25.000 €", "€25k", "1,5 Mio",
// "EUR 12.500"), read whole by ParseAmount. A bare number ("25.000",
// "3.12") is never taken as money; two runs that could be money, or one
// that is not read whole, are not read at all. Their numbers stay in
// Unplaced, and an amount that could mean two things is in Ambiguous.
func (c Convention) ParseReply(text string, now time.Time, loc *time.Location) Reply {
	if len(text) > MaxLen {
		return Reply{}
	}
	words := replyWords(text)
	n := len(words)
	kind := make([]Answer, n) // Unclear: not an answer word
	found := map[Answer]bool{}
	for i := 0; i < n; {
		a, l := matchPhrase(words, i)
		if l == 0 {
			i++
			continue
		}
		if a == Yes && negated(words, i) {
			a = NotYet
		}
		for j := i; j < i+l; j++ {
			kind[j] = a
		}
		found[a] = true
		i += l
	}
	var r Reply
	switch {
	case found[Yes] && len(found) == 1:
		r.Answer = Yes
	case found[Yes]:
		r.Answer = Unclear
	case found[NotYet]:
		r.Answer = NotYet
	case found[No]:
		r.Answer = No
	}
	isDate := readDate(words, kind, len(found) == 0, now, loc, &r)
	isAmount := make([]bool, n)
	if r.Answer == Yes {
		c.readAmount(words, kind, isDate, isAmount, &r)
	}
	var rest, when []string
	for i, w := range words {
		if isDate[i] {
			when = append(when, w.orig)
		}
		if kind[i] != Unclear || isDate[i] || isAmount[i] || filler[w.key] {
			continue
		}
		rest = append(rest, w.orig)
		if numberish(w) || r.HasWhen && cutShort(words, isDate, i) {
			r.Unplaced = append(r.Unplaced, w.orig)
		}
	}
	r.Rest = strings.Join(rest, " ")
	r.WhenText = strings.Join(when, " ")
	return r
}

// readDate finds the second meeting's date in a Yes reply, or in one with
// no answer word at all (noAnswer), where a date alone answers Yes; it
// marks the date's words.
func readDate(words []word, kind []Answer, noAnswer bool, now time.Time, loc *time.Location, r *Reply) []bool {
	n := len(words)
	isDate := make([]bool, n)
	if r.Answer != Yes && !noAnswer {
		return isDate
	}
	from, to := -1, -1
	for i := range n {
		for j := min(n, i+maxDateWords); j > i && j-i >= to-from; j-- {
			if !free(kind, i, j) || !allDateish(words[i:j]) || onlyNow(words[i:j]) {
				continue
			}
			t, err := When(joinKeys(words[i:j]), now, loc)
			if err != nil {
				continue
			}
			// Longer wins; on a tie the later start (this one) wins.
			from, to, r.When, r.HasWhen = i, j, t, true
			break
		}
	}
	if noAnswer && r.HasWhen && !dateAlone(words, from, to) {
		// No answer, and more than a meeting time: not read as one.
		from, to, r.When, r.HasWhen = -1, -1, time.Time{}, false
	}
	if noAnswer && r.HasWhen {
		r.Answer = Yes // "thu 10" alone: booked for then
	}
	for i := from; i >= 0 && i < to; i++ {
		isDate[i] = true
	}
	return isDate
}

// dateAlone reports whether words[from:to], a date, is all the reply says
// (filler words aside) and names a time of day: "thu 10", "for tomorrow at
// 2pm". Answering "was a second meeting booked?" with a time means it was;
// "tomorrow" alone might mean "ask me tomorrow", and is asked back.
func dateAlone(words []word, from, to int) bool {
	for i, w := range words {
		if (i < from || i >= to) && !filler[w.key] {
			return false
		}
	}
	var s dateSpec
	return s.read(dateTokens(joinKeys(words[from:to]))) == nil && s.hasTime
}

// free reports whether words[i:j] hold no answer word.
func free(kind []Answer, i, j int) bool {
	for k := i; k < j; k++ {
		if kind[k] != Unclear {
			return false
		}
	}
	return true
}

// allDateish reports whether every word could be part of a date, so that
// When is only tried where it might succeed.
func allDateish(ws []word) bool {
	for _, w := range ws {
		if !dateish(w.date) {
			return false
		}
	}
	return true
}

// onlyNow reports whether the words, fillers aside, are just "now".
func onlyNow(ws []word) bool {
	saw := false
	for _, w := range ws {
		switch {
		case w.date == "now" && !saw:
			saw = true
		case fillers[w.date]:
		default:
			return false
		}
	}
	return saw
}

func joinKeys(ws []word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.date
	}
	return strings.Join(parts, " ")
}

type word struct {
	orig string // as typed, edge punctuation removed
	key  string // lowercase, no apostrophes, emoji without skin tone
	date string // lowercase, for When
}

// replyWords splits text into words, dropping punctuation around them. A
// comma separates words, except between digits ("25,000").
func replyWords(text string) []word {
	text = commaSpaces(text)
	var out []word
	for _, f := range strings.Fields(text) {
		if d := strings.Trim(f, "!?;\"'()[]{}“”‘’«»"); isDottedDate(d) {
			f = d // "3.12." keeps the dot that makes it a date
		} else {
			f = trimPunct(f)
		}
		if f == "" {
			continue
		}
		out = append(out, word{orig: f, key: wordKey(f), date: strings.ToLower(f)})
	}
	return out
}

func commaSpaces(text string) string {
	if !strings.Contains(text, ",") {
		return text
	}
	b := []byte(text)
	for i, c := range b {
		if c == ',' && !(i > 0 && i+1 < len(b) && isDigit(b[i-1]) && isDigit(b[i+1])) {
			b[i] = ' '
		}
	}
	return string(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func trimPunct(f string) string {
	const edge = ".!?;\"'()[]{}“”‘’«»-–—…*_~"
	isCode := len(f) >= 3 && f[0] == ':' && f[len(f)-1] == ':'
	if isCode {
		return f
	}
	return strings.Trim(f, edge+":")
}

func wordKey(f string) string {
	k := strings.ToLower(f)
	k = strings.NewReplacer("'", "", "’", "", "\ufe0f", "").Replace(k)
	// Slack skin tones: ":+1::skin-tone-2:", or U+1F3FB to U+1F3FF.
	if i := strings.Index(k, "::skin-tone-"); i > 0 {
		k = k[:i+1]
	}
	k = strings.Map(func(r rune) rune {
		if r >= 0x1F3FB && r <= 0x1F3FF {
			return -1
		}
		return r
	}, k)
	return k
}

// matchPhrase finds the longest answer phrase starting at words[i].
func matchPhrase(words []word, i int) (Answer, int) {
	best, bestLen := Unclear, 0
	for _, p := range phrases[words[i].key] {
		if len(p.words) <= bestLen || i+len(p.words) > len(words) {
			continue
		}
		ok := true
		for j, pw := range p.words {
			if words[i+j].key != pw {
				ok = false
				break
			}
		}
		if ok {
			best, bestLen = p.answer, len(p.words)
		}
	}
	return best, bestLen
}

type phraseDef struct {
	answer Answer
	words  []string
}

// phrases by first word; keys are lowercase without apostrophes.
var phrases = func() map[string][]phraseDef {
	m := map[string][]phraseDef{}
	add := func(a Answer, list ...string) {
		for _, s := range list {
			ws := strings.Fields(s)
			m[ws[0]] = append(m[ws[0]], phraseDef{answer: a, words: ws})
		}
	}
	add(Yes, "yes", "y", "yep", "yup", "yeah", "yea", "ya", "yah", "yes sir", "yess", "yesss",
		"sure", "sure did", "sure thing", "i did", "we did", "did", "done",
		"booked", "scheduled", "confirmed", "all set", "absolutely", "definitely",
		"of course", "affirmative", "correct", "indeed",
		"have a second meeting", "got a second meeting", "have a 2nd meeting", "got a 2nd meeting",
		"have a meeting", "got a meeting", "have one", "got one", "on the calendar", "in the calendar",
		"👍", "✅", "✔", ":+1:", ":thumbsup:", ":white_check_mark:", ":heavy_check_mark:", "🎉", ":tada:")
	add(NotYet, "not yet", "yet", "no not yet", "nope not yet", "pending", "working on it",
		"in progress", "maybe", "perhaps", "later", "soon", "not sure", "unsure", "tbd", "waiting",
		"trying", "no reply", "no response", "no answer", "not booked", "not scheduled",
		"not confirmed", "havent", "hasnt", "didnt", "did not", "i did not", "we did not",
		"have not", "has not", "i didnt", "we didnt", "i havent", "we havent", "not now", "following up", "chasing",
		"⏳", ":hourglass:", ":hourglass_flowing_sand:", "🤞", ":crossed_fingers:")
	add(No, "no", "n", "nope", "nah", "nay", "no way", "no thanks", "no second meeting",
		"no 2nd meeting", "no meeting", "no chance", "no go", "lose it", "lose it fast", "lose", "lost",
		"lost it", "dead", "its dead", "not interested", "not a fit", "no fit", "kill it", "drop it",
		"pass", "passed", "they passed", "👎", "❌", ":-1:", ":thumbsdown:", ":x:")
	return m
}()

// negated reports whether a negation comes before words[i], with at most
// three filler words between ("not booked", "no meeting booked", "haven't
// got it booked").
func negated(words []word, i int) bool {
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		k := words[j].key
		if negations[k] {
			return true
		}
		if !filler[k] {
			return false
		}
	}
	return false
}

// negations turn a yes-word after them into NotYet.
var negations = map[string]bool{
	"not": true, "no": true, "never": true, "havent": true, "hasnt": true, "didnt": true,
	"dont": true, "isnt": true, "wasnt": true, "arent": true, "werent": true, "cant": true,
	"couldnt": true, "wont": true, "nothing": true, "yet": true,
}

// filler words are dropped from Rest.
var filler = map[string]bool{
	"we": true, "i": true, "they": true, "have": true, "has": true, "had": true, "a": true,
	"an": true, "the": true, "second": true, "2nd": true, "meeting": true, "meetings": true,
	"call": true, "it": true, "its": true, "is": true, "was": true, "for": true, "on": true,
	"at": true, "with": true, "and": true, "got": true, "just": true, "already": true,
	"one": true, "to": true, "thanks": true, "thank": true, "you": true, "thx": true,
	"ty": true, "please": true, "pls": true, "hey": true, "hi": true, "so": true, "well": true,
	"ok": true, "okay": true, "oh": true, "but": true, "then": true, "that": true, "this": true,
	"still": true, "fast": true, "now": true, "@": true, "&": true, "+": true,
}

// readAmount reads the deal's amount in a Yes reply (see
// Convention.ParseReply), marking its words in isAmount.
func (c Convention) readAmount(words []word, kind []Answer, isDate, isAmount []bool, r *Reply) {
	free := func(i int) bool {
		return kind[i] == Unclear && !isDate[i] && !filler[words[i].key] && moneyWord(words[i])
	}
	from, to, runs := -1, -1, 0
	for i := 0; i < len(words); {
		if !free(i) {
			i++
			continue
		}
		j := i
		for j < len(words) && free(j) {
			j++
		}
		if namesMoney(words[i:j]) {
			from, to = i, j
			runs++
		}
		i = j
	}
	if runs != 1 {
		return // none, or two that might be money: asked back, not chosen
	}
	text := origs(words[from:to])
	a, err := c.ParseAmount(text)
	if err != nil {
		errors.As(err, &r.Ambiguous)
		return
	}
	for i := from; i < to; i++ {
		isAmount[i] = true
	}
	r.Amount, r.HasAmount, r.AmountText = a, true, text
}

// moneyWord reports whether a word could be part of an amount: it has a
// digit, or is a currency or a multiplier on its own ("€", "EUR", "Mio").
// Slack's escapes (<@U123>) are not.
func moneyWord(w word) bool {
	if strings.HasPrefix(w.orig, "<") {
		return false
	}
	if strings.ContainsAny(w.orig, "0123456789") {
		return true
	}
	_, sym := symbols[w.orig]
	_, mult := multipliers[w.date]
	return sym || mult || currencies[strings.ToUpper(w.orig)]
}

// namesMoney reports whether adjacent money words say money rather than a
// bare number: digits, and something besides digits and separators (a
// currency, a multiplier, or letters ParseAmount will refuse).
func namesMoney(ws []word) bool {
	s := origs(ws)
	const number = "0123456789.,' \u00a0\u202f\u2009’-"
	return strings.ContainsAny(s, "0123456789") && strings.IndexFunc(s, func(r rune) bool { return !strings.ContainsRune(number, r) }) >= 0
}

func origs(ws []word) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.orig
	}
	return strings.Join(parts, " ")
}
