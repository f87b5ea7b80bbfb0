package coach

import (
	"strings"
)

// Qualification frameworks as data: qualification belongs early, at the
// second meeting rather than the fifteenth, and in one language the whole
// team shares (BANT, MEDDICC, SPICED). A team picks one; the second-meeting
// modal and /pipeline update ask its items, answers are kept in
// Prospect.Qualification by item key, and the pipeline view, the digest
// and the late-qualification nudge read how complete a deal is from them.

// Limits every framework item keeps, so each fits Slack: a key is a block
// id and a map key, a description or question an input hint or a nudge line.
const (
	MaxFrameworkKeyLen  = 30
	MaxFrameworkTextLen = 150
)

// FrameworkItem is one thing a rep should learn about a deal early.
type FrameworkItem struct {
	// Key is short, lowercase and stable ([a-z_]+, at most
	// MaxFrameworkKeyLen): a Slack block id and the key of the answer in
	// Prospect.Qualification. Never rename one: stored answers use it.
	Key  string
	Name string // as a rep reads it: "Economic buyer"
	// Description says what the item is and why it matters, in plain words.
	Description string
	// Question is what the rep asks the buyer at the second meeting to
	// learn it.
	Question string
}

// Framework is a qualification framework: the items a team agrees a deal
// must have answered.
type Framework struct {
	Name    string // "bant", "meddicc", "spiced": what Team.Framework holds
	Title   string // "BANT"
	Summary string // one line on what it checks
	Items   []FrameworkItem
}

// DefaultFramework is the framework of a team that picked none, unless the
// deployment configures another.
const DefaultFramework = "bant"

// Frameworks are the frameworks a team can pick, in the order offered.
var Frameworks = []Framework{
	{
		Name:    "bant",
		Title:   "BANT",
		Summary: "Four plain checks: is there money, who decides, what problem it solves, and by when.",
		Items: []FrameworkItem{
			{
				Key:         "budget",
				Name:        "Budget",
				Description: "Money set aside, or a clear way to find it, in the range this costs. Say the range early so nobody is surprised late.",
				Question:    "Where would the money for this come from, and does the price range we talked about fit?",
			},
			{
				Key:         "authority",
				Name:        "Authority",
				Description: "Who signs and who else has to agree. A contact who likes you is not the same as the person who decides.",
				Question:    "Besides you, who needs to say yes before this goes ahead, and how do they usually decide?",
			},
			{
				Key:         "need",
				Name:        "Need",
				Description: "The problem they want solved, in their own words, and what it costs them to leave it as it is.",
				Question:    "What made this worth a second conversation, and what happens if nothing changes?",
			},
			{
				Key:         "timeline",
				Name:        "Timeline",
				Description: "When they want the change in place, and what makes that date real rather than a hope.",
				Question:    "When do you need this working, and what happens on that date if it isn't?",
			},
		},
	},
	{
		Name:    "meddicc",
		Title:   "MEDDICC",
		Summary: "Seven checks for larger deals: the numbers, the people, the path to signature and who else is in the race.",
		Items: []FrameworkItem{
			{
				Key:         "metrics",
				Name:        "Metrics",
				Description: "The measurable gain the buyer expects (hours saved, revenue, cost avoided): a number they would repeat to their boss.",
				Question:    "How will you know this worked, and what number would make it clearly worth it?",
			},
			{
				Key:         "economic_buyer",
				Name:        "Economic buyer",
				Description: "The person who controls the money and can say no when everyone else says yes. Know their name and what they care about.",
				Question:    "Who owns the budget for this, and what would they need to see to approve it?",
			},
			{
				Key:         "decision_criteria",
				Name:        "Decision criteria",
				Description: "What they will compare options on: fit, price, risk, support. Learn it before a competitor shapes it.",
				Question:    "When you compare options, what matters most to you, and what would rule one out?",
			},
			{
				Key:         "decision_process",
				Name:        "Decision process",
				Description: "The steps from a yes in principle to a signature: who reviews, legal, security, purchasing, and how long each takes.",
				Question:    "Walk me through what happens between deciding you want this and signing. Who gets involved, and when?",
			},
			{
				Key:         "pain",
				Name:        "Identify pain",
				Description: "The business problem behind the meeting, and why fixing it now beats everything else on their list.",
				Question:    "What is this problem costing you today, and why fix it now rather than next year?",
			},
			{
				Key:         "champion",
				Name:        "Champion",
				Description: "Someone inside with influence who wants this to happen and will make the case when you are not in the room.",
				Question:    "How would you make the case for this inside your company, and what would help you do it?",
			},
			{
				Key:         "competition",
				Name:        "Competition",
				Description: "Who else they are talking to, including building it themselves or doing nothing, which is the rival most often chosen.",
				Question:    "What other options are you weighing, including keeping things as they are?",
			},
		},
	},
	{
		Name:    "spiced",
		Title:   "SPICED",
		Summary: "Buyer first: their situation, what hurts, what fixing it is worth, the date that matters and how they decide.",
		Items: []FrameworkItem{
			{
				Key:         "situation",
				Name:        "Situation",
				Description: "The facts of their world today: team, tools, process. Gather them once so you never waste their time asking again.",
				Question:    "How does this work for you today, and who is involved day to day?",
			},
			{
				Key:         "pain",
				Name:        "Pain",
				Description: "What is going wrong and who feels it. Without pain there is no reason to change, however good the product.",
				Question:    "What is the hardest part of how it works now, and who feels it most?",
			},
			{
				Key:         "impact",
				Name:        "Impact",
				Description: "What fixing the pain is worth to them in money, time or risk. The clearer the number, the stronger the deal.",
				Question:    "If that problem went away, what would change for you and for the business? Can you put a number on it?",
			},
			{
				Key:         "critical_event",
				Name:        "Critical event",
				Description: "A dated reason to act: a contract ending, a launch, a new rule, a board meeting. No date usually means no urgency.",
				Question:    "Is there a date that makes this matter, like a contract ending, a launch or a deadline?",
			},
			{
				Key:         "decision",
				Name:        "Decision",
				Description: "How they will decide and who takes part, from first look to signature, the budget owner included.",
				Question:    "How will you make this decision, who takes part, and what does the path to signing look like?",
			},
		},
	},
}

// frameworkAliases are other spellings people use for a framework.
var frameworkAliases = map[string]string{"meddic": "meddicc"}

// FrameworkNamed finds a framework by name, ignoring case and surrounding
// spaces; "meddic" is taken as "meddicc". An empty or unknown name is not
// found: see ChooseFramework for the fallback to a default.
func FrameworkNamed(name string) (Framework, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if alias, ok := frameworkAliases[name]; ok {
		name = alias
	}
	for _, f := range Frameworks {
		if f.Name == name {
			return f, true
		}
	}
	return Framework{}, false
}

// ChooseFramework is the framework a team uses: the one it picked (name,
// Team.Framework), else the deployment's default (fallback, from
// QUALIFICATION_FRAMEWORK), else DefaultFramework.
func ChooseFramework(name, fallback string) Framework {
	for _, n := range []string{name, fallback, DefaultFramework} {
		if f, ok := FrameworkNamed(n); ok {
			return f
		}
	}
	return Frameworks[0]
}

// Item returns the framework's item with the given key.
func (f Framework) Item(key string) (FrameworkItem, bool) {
	for _, it := range f.Items {
		if it.Key == key {
			return it, true
		}
	}
	return FrameworkItem{}, false
}

// answered reports whether a deal's answers hold something for the item:
// blank space is no answer.
func (it FrameworkItem) answered(answers map[string]string) bool {
	return strings.TrimSpace(answers[it.Key]) != ""
}

// Completeness counts the framework's items a deal has answered (a
// non-blank answer under the item's key) out of all its items. Answers to
// keys the framework does not have, left from another framework, are not
// counted.
func (f Framework) Completeness(answers map[string]string) (answered, total int) {
	for _, it := range f.Items {
		if it.answered(answers) {
			answered++
		}
	}
	return answered, len(f.Items)
}

// Missing lists the framework's items a deal has not answered yet, in the
// framework's order; nil when every item is answered.
func (f Framework) Missing(answers map[string]string) []FrameworkItem {
	var missing []FrameworkItem
	for _, it := range f.Items {
		if !it.answered(answers) {
			missing = append(missing, it)
		}
	}
	return missing
}

// Part is the part of the framework a deal has answered, from 0 to 1 (0 for
// a framework without items). Thresholds.LateQualificationPart compares
// with it.
func (f Framework) Part(answers map[string]string) float64 {
	answered, total := f.Completeness(answers)
	if total == 0 {
		return 0
	}
	return float64(answered) / float64(total)
}
