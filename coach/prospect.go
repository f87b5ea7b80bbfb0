package coach

import (
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"
)

// State is where a prospect stands in the two-meeting lifecycle.
type State string

// The lifecycle: scheduled → awaiting → opportunity → won | lost, and
// scheduled | awaiting → lost. Only a confirmed second meeting makes an
// opportunity.
const (
	Scheduled   State = "scheduled"   // first meeting logged, not over yet
	Awaiting    State = "awaiting"    // first meeting over, rep asked; not pipeline
	Opportunity State = "opportunity" // second meeting confirmed; pipeline
	Won         State = "won"
	Lost        State = "lost"
	// Withdrawn: the calendar brought a first meeting that did not happen
	// (cancelled, declined) or was not a sales meeting. History keeps it;
	// no metric counts it.
	Withdrawn State = "withdrawn"
)

// Open reports whether the prospect can still change state.
func (s State) Open() bool { return s == Scheduled || s == Awaiting || s == Opportunity }

// Retired reports whether p has left the pipeline (won, lost or withdrawn)
// and when: the latest moment any metric can count it at, which is the
// latest of its first meeting, its last activity and its history. Stores
// index a rep's retired prospects by it, so a view that counts only recent
// windows (RepView) reads the rep's open prospects and the lately retired
// ones, not every deal the rep ever had. Taking the latest moment, not the
// first close, keeps a deal lost, reopened and won counted at its win.
func (p Prospect) Retired() (at time.Time, ok bool) {
	if p.State.Open() {
		return time.Time{}, false
	}
	at = p.FirstMeeting
	if p.LastActivity.After(at) {
		at = p.LastActivity
	}
	for _, e := range p.History {
		if e.At.After(at) {
			at = e.At
		}
	}
	return at, true
}

// Limits on what a rep types, so every message built from it fits Slack.
const (
	MaxAccountLen  = 200
	MaxContactLen  = 200
	MaxNextStepLen = 500
	MaxLessonLen   = 3000
	MaxSaveMoment  = 500
	MaxWaitingOn   = 200
	MaxAnswerLen   = 300
)

// SystemActor is who the bot is in a prospect's history.
const SystemActor = "pipelinecoach"

// Event names what happened in a history entry.
type Event string

// Events recorded in a prospect's history.
const (
	EventLogged    Event = "logged"
	EventAsked     Event = "asked"
	EventNotYet    Event = "not_yet"
	EventConfirmed Event = "confirmed"
	EventLost      Event = "lost"
	EventWon       Event = "won"
	EventQuiet     Event = "gone_quiet"
	EventUpdated   Event = "updated"
	EventMoved     Event = "moved"     // the calendar moved the first meeting
	EventWithdrawn Event = "withdrawn" // see Withdrawn
)

// Entry is one line of a prospect's history: who did what, when, and the
// state before and after. Metrics are computed from history alone.
type Entry struct {
	At    time.Time `json:"at"`
	By    string    `json:"by"`
	Event Event     `json:"event"`
	From  State     `json:"from,omitempty"`
	To    State     `json:"to"`
	// Version is the prospect's version this entry was saved in (0 for
	// entries older than the field), so a form opened at one version can
	// tell what happened after it.
	Version int64 `json:"v,omitempty"`
}

// MessageRef points at a Slack message the bot posted, so it can be updated
// once the rep answers. Coach treats it as opaque.
type MessageRef struct {
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
}

// IsZero reports whether no message is referenced.
func (m MessageRef) IsZero() bool { return m.Channel == "" || m.TS == "" }

// LossReason is why a prospect was lost. Competitor and the no-decision
// reasons are kept apart because reps tend to blame price.
type LossReason string

// Loss reasons, as the debrief offers them.
const (
	ReasonNoFit        LossReason = "no_fit"
	ReasonNoBudget     LossReason = "no_budget"
	ReasonStatusQuo    LossReason = "status_quo"
	ReasonCompetitor   LossReason = "competitor"
	ReasonWentDark     LossReason = "went_dark"
	ReasonTiming       LossReason = "timing"
	ReasonNoSecondMeet LossReason = "no_second_meeting"
	ReasonOther        LossReason = "other"
)

// LossReasons lists every reason in the order a rep is offered them.
var LossReasons = []LossReason{ReasonNoFit, ReasonNoBudget, ReasonStatusQuo, ReasonCompetitor, ReasonWentDark, ReasonTiming, ReasonNoSecondMeet, ReasonOther}

// Label is the reason in a rep's words.
func (r LossReason) Label() string {
	switch r {
	case ReasonNoFit:
		return "No fit"
	case ReasonNoBudget:
		return "No budget"
	case ReasonStatusQuo:
		return "No commitment to change (status quo)"
	case ReasonCompetitor:
		return "Lost to a competitor"
	case ReasonWentDark:
		return "Went dark"
	case ReasonTiming:
		return "Timing"
	case ReasonNoSecondMeet:
		return "No second meeting"
	case ReasonOther:
		return "Other"
	}
	return string(r)
}

// NoDecision reports whether the buyer chose nothing rather than someone else.
func (r LossReason) NoDecision() bool { return r != ReasonCompetitor }

func (r LossReason) valid() bool {
	for _, known := range LossReasons {
		if r == known {
			return true
		}
	}
	return false
}

// Loss is the debrief of a lost prospect.
type Loss struct {
	Reason     LossReason `json:"reason"`
	Lesson     string     `json:"lesson,omitempty"`
	SaveMoment string     `json:"save_moment,omitempty"` // the last moment it could have been saved
	Shared     bool       `json:"shared"`
	Stage      State      `json:"stage"`        // the state it was lost from
	DaysToLose int        `json:"days_to_lose"` // whole days from first meeting to loss
	Celebrated bool       `json:"celebrated,omitempty"`
	Post       MessageRef `json:"post,omitzero"` // the celebration in the team channel
}

// Prospect is a company a rep met once. It becomes pipeline (an opportunity)
// only when the rep confirms a second meeting.
type Prospect struct {
	Workspace string `json:"team"` // Slack workspace (stored as "team", Slack's name for it, so existing records read); one store may serve several
	ID        string `json:"id"`
	Owner     string `json:"owner"` // the rep
	Account   string `json:"account"`
	Contact   string `json:"contact,omitempty"`
	TZ        string `json:"tz"` // the rep's IANA zone when logged; timing is computed in it

	FirstMeeting time.Time `json:"first_meeting"`
	MeetingEnd   time.Time `json:"meeting_end"`
	State        State     `json:"state"`

	SecondMeeting time.Time `json:"second_meeting,omitzero"`
	Amount        int64     `json:"amount,omitempty"` // whole currency units; 0 = not given
	Currency      string    `json:"currency,omitempty"`
	NextStep      string    `json:"next_step,omitempty"`
	// Qualification holds answers to the team framework's items, by key.
	Qualification map[string]string `json:"qualification,omitempty"`
	Loss          *Loss             `json:"loss,omitempty"`

	// Asks counts the questions sent: the first prompt, then reminders, then
	// the close-out. Prompt is the latest of them, updated once answered.
	Asks       int        `json:"asks,omitempty"`
	LastAsked  time.Time  `json:"last_asked,omitzero"`
	Prompt     MessageRef `json:"prompt,omitzero"`
	QuietSince time.Time  `json:"quiet_since,omitzero"`
	// FollowUpAt is when the scheduler next looks at this prospect; zero for
	// none. Storage keeps the job queue in step with it atomically.
	FollowUpAt time.Time `json:"follow_up_at,omitzero"`

	// WaitingOn pauses the stalled clock for a legitimate wait ("legal
	// review") until WaitingUntil; then the rep is asked again.
	WaitingOn    string    `json:"waiting_on,omitempty"`
	WaitingUntil time.Time `json:"waiting_until,omitzero"`
	// Waits are the waits recorded over the deal's life, so its age can
	// leave them out.
	Waits []RecordedWait `json:"waits,omitempty"`

	// CloseDate is when the rep expects to close the opportunity; zero when
	// they did not say.
	CloseDate time.Time `json:"close_date,omitzero"`
	// CRM is the opportunity's deal in the CRM, when one is configured. The
	// store keeps its job (CRMKey) in step with CRM.SyncAt.
	CRM CRMLink `json:"crm,omitzero"`
	// Calendar is the event the first meeting came from, when the rep's
	// calendar brought it. NextMeeting is a later meeting with the same
	// company on the rep's calendar: the evidence the question offers as
	// the second meeting, never taken without the rep.
	Calendar    *CalendarMeeting `json:"calendar,omitempty"`
	NextMeeting *CalendarMeeting `json:"next_meeting,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	// LastActivity is the last recorded update: a next step, a meeting date,
	// an amount, a qualification answer, a state change.
	LastActivity time.Time `json:"last_activity"`
	History      []Entry   `json:"history"`
	// Version is bumped once by every saved change; storage writes a prospect
	// only over the version it was read at (Version-1), so no update is lost.
	Version int64 `json:"version"`
}

// GoneQuiet reports whether the rep never answered, through every reminder
// and the close-out question. It is still not pipeline.
func (p Prospect) GoneQuiet() bool { return p.State == Awaiting && !p.QuietSince.IsZero() }

// Decided returns the history entry that closed the question of a second
// meeting (confirmed or lost), if any.
func (p Prospect) Decided() (Entry, bool) {
	for i := len(p.History) - 1; i >= 0; i-- {
		e := p.History[i]
		if e.To != e.From && (e.To == Opportunity || e.To == Lost || e.To == Won || e.To == Withdrawn) {
			return e, true
		}
	}
	return Entry{}, false
}

// celebrationDue reports whether a shared loss still waits for its post.
func (p Prospect) celebrationDue() bool {
	return p.State == Lost && p.Loss != nil && p.Loss.Shared && !p.Loss.Celebrated
}

// Validate checks what every stored prospect must have: the keys it is
// found by. Every store calls it before writing.
func (p Prospect) Validate() error {
	if p.Workspace == "" || p.ID == "" || p.Owner == "" {
		return fmt.Errorf("prospect %q of workspace %q with owner %q: workspace, id and owner are required: %w", p.ID, p.Workspace, p.Owner, ErrInvalid)
	}
	// Of a calendar only what the product shows is kept: a meeting names
	// its event, and its title is cut.
	for _, m := range []*CalendarMeeting{p.Calendar, p.NextMeeting} {
		if m == nil {
			continue
		}
		if m.EventID == "" || m.Start.IsZero() || utf8.RuneCountInString(m.Title) > MaxEventTitleLen {
			return fmt.Errorf("prospect %q: a calendar meeting needs its event and start, and a title of at most %d characters: %w", p.ID, MaxEventTitleLen, ErrInvalid)
		}
	}
	return nil
}

// ChangedSince returns what people other than by did to the prospect after
// the version a form was opened at, oldest first: the changes that make the
// form stale. The scheduler's own bookkeeping (questions asked, follow-ups
// moved) does not count; neither does what by did themselves.
func (p Prospect) ChangedSince(version int64, by string) []Entry {
	if version <= 0 || p.Version <= version {
		return nil
	}
	var out []Entry
	for _, e := range p.History {
		if e.Version > version && e.By != by && e.By != SystemActor {
			out = append(out, e)
		}
	}
	return out
}

// Location is the rep's zone, UTC when unknown.
func (p Prospect) Location() *time.Location { return ZoneLocation(p.TZ) }

func (p Prospect) decidedError() error {
	e, _ := p.Decided()
	return &DecidedError{State: p.State, At: e.At, By: e.By}
}

// record appends a history entry and moves the state. It is the only place
// a state changes.
func (p *Prospect) record(at time.Time, by string, ev Event, to State) {
	p.History = append(p.History, Entry{At: at, By: by, Event: ev, From: p.State, To: to})
	p.State = to
}

// CanConfirm says whether a second meeting can still be confirmed: nil,
// or why not (already an opportunity, won or lost — a *DecidedError).
func (p Prospect) CanConfirm() error {
	if p.State == Scheduled || p.State == Awaiting {
		return nil
	}
	return p.decidedError()
}

// CanLose says whether the prospect can still be lost: nil, or a
// *DecidedError.
func (p Prospect) CanLose() error {
	if p.State.Open() {
		return nil
	}
	return p.decidedError()
}

// CanUpdate says whether the prospect takes deal updates: only an
// opportunity does (ErrNotOpportunity before, a *DecidedError after).
func (p Prospect) CanUpdate() error {
	switch p.State {
	case Opportunity:
		return nil
	case Scheduled, Awaiting:
		return ErrNotOpportunity
	}
	return p.decidedError()
}

// NewMeeting is a first meeting a rep logs.
type NewMeeting struct {
	Team, Owner, Account, Contact, TZ string
	Start                             time.Time
}

func cleanText(s string) string { return strings.Join(strings.Fields(s), " ") }

func checkLen(field, value string, max int) error {
	if n := utf8.RuneCountInString(value); n > max {
		return invalid(field, "is %d characters long; the limit is %d", n, max)
	}
	return nil
}

// Validate checks a first meeting before anything is written.
func (m NewMeeting) Validate() error {
	if m.Team == "" || m.Owner == "" {
		return fmt.Errorf("meeting without team or owner: %w", ErrInvalid)
	}
	if cleanText(m.Account) == "" {
		return invalid(FieldAccount, "is empty: which company did you meet?")
	}
	if err := checkLen(FieldAccount, cleanText(m.Account), MaxAccountLen); err != nil {
		return err
	}
	if err := checkLen(FieldContact, cleanText(m.Contact), MaxContactLen); err != nil {
		return err
	}
	if m.Start.IsZero() {
		return invalid(FieldFirstMeeting, "is missing: when is (or was) the first meeting?")
	}
	return nil
}

// SecondMeeting is what a rep confirms: the date is required, the rest helps.
type SecondMeeting struct {
	At       time.Time
	Amount   int64
	Currency string
	NextStep string
	// CloseDate is when the rep expects to close; zero when not said.
	CloseDate time.Time
	// Qualification answers, by framework item key; blank ones are ignored.
	Qualification map[string]string
}

// answers merges qualification answers into old: a blank answer removes
// the item's answer, a longer one than MaxAnswerLen is refused.
func answers(old, given map[string]string) (map[string]string, error) {
	if len(given) == 0 {
		return old, nil
	}
	out := maps.Clone(old)
	if out == nil {
		out = map[string]string{}
	}
	for k, v := range given {
		v = strings.TrimSpace(v)
		if err := checkLen(FieldQualification, v, MaxAnswerLen); err != nil {
			return old, err
		}
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Confirm makes the prospect an opportunity. It is the only way one is made.
// Confirming an opportunity again is harmless: it changes nothing and says so
// with changed == false.
func (p Prospect) Confirm(at time.Time, by string, s SecondMeeting) (next Prospect, changed bool, err error) {
	switch p.State {
	case Opportunity:
		return p, false, nil
	case Won, Lost:
		return p, false, p.decidedError()
	}
	if p.State == Scheduled && at.Before(p.FirstMeeting) {
		return p, false, invalid(FieldSecondMeeting, "can be confirmed once the first meeting has happened (%s)",
			p.FirstMeeting.In(p.Location()).Format("Mon Jan 2 15:04"))
	}
	if s.At.IsZero() {
		return p, false, invalid(FieldSecondMeeting, "is required: an opportunity needs a booked second meeting")
	}
	if !s.At.After(p.FirstMeeting) {
		loc := p.Location()
		return p, false, invalid(FieldSecondMeeting, "(%s) is not after the first meeting (%s)",
			s.At.In(loc).Format("Mon Jan 2 15:04"), p.FirstMeeting.In(loc).Format("Mon Jan 2 15:04"))
	}
	if s.Amount < 0 {
		return p, false, invalid(FieldAmount, "cannot be negative")
	}
	step := cleanText(s.NextStep)
	if err := checkLen(FieldNextStep, step, MaxNextStepLen); err != nil {
		return p, false, err
	}
	qual, err := answers(p.Qualification, s.Qualification)
	if err != nil {
		return p, false, err
	}
	if !s.CloseDate.IsZero() && dayBefore(s.CloseDate, s.At, p.Location()) {
		return p, false, closeBeforeMeeting(s.CloseDate, s.At, p.Location())
	}
	next = p.clone()
	next.Qualification = qual
	next.SecondMeeting = s.At
	next.Amount, next.Currency = s.Amount, s.Currency
	next.NextStep = step
	if !s.CloseDate.IsZero() {
		next.CloseDate = s.CloseDate
	}
	next.FollowUpAt = time.Time{}
	next.QuietSince = time.Time{}
	next.LastActivity = at
	next.record(at, by, EventConfirmed, Opportunity)
	return next, true, nil
}

// LossReport is the debrief a rep gives when losing a prospect.
type LossReport struct {
	Reason     LossReason
	Lesson     string
	SaveMoment string
	Shared     bool
}

// Lose records the loss. Losing fast is the point: it works from every open
// state, and the days from first meeting to loss are kept.
func (p Prospect) Lose(at time.Time, by string, r LossReport) (Prospect, error) {
	if !p.State.Open() {
		return p, p.decidedError()
	}
	if !r.Reason.valid() {
		return p, invalid(FieldReason, "%q is not one of the reasons", r.Reason)
	}
	lesson := strings.TrimSpace(r.Lesson)
	if err := checkLen(FieldLesson, lesson, MaxLessonLen); err != nil {
		return p, err
	}
	if err := checkLen(FieldSaveMoment, strings.TrimSpace(r.SaveMoment), MaxSaveMoment); err != nil {
		return p, err
	}
	next := p.clone()
	next.Loss = &Loss{
		Reason:     r.Reason,
		Lesson:     lesson,
		SaveMoment: strings.TrimSpace(r.SaveMoment),
		Shared:     r.Shared,
		Stage:      p.State,
		DaysToLose: DaysBetween(p.FirstMeeting, at),
	}
	next.FollowUpAt = time.Time{}
	if r.Shared {
		// The celebration goes out through the scheduler, so it survives a
		// crash and is posted once.
		next.FollowUpAt = at
	}
	next.LastActivity = at
	next.record(at, by, EventLost, Lost)
	return next, nil
}

// Win closes an opportunity as won. A prospect that never had a second
// meeting cannot be won: it never was pipeline.
func (p Prospect) Win(at time.Time, by string) (Prospect, error) {
	switch p.State {
	case Won, Lost:
		return p, p.decidedError()
	case Scheduled, Awaiting:
		return p, ErrNotOpportunity
	}
	next := p.clone()
	next.FollowUpAt = time.Time{}
	next.LastActivity = at
	next.record(at, by, EventWon, Won)
	return next, nil
}

// DealUpdate is a recorded update of an opportunity; nil fields are left
// as they are.
type DealUpdate struct {
	NextStep      *string
	SecondMeeting *time.Time
	Amount        *int64
	Currency      string
	// CloseDate moves the expected close.
	CloseDate *time.Time
	// WaitingOn and WaitingUntil record a legitimate wait: the stalled
	// clock pauses until then, and the rep is asked again after it. A wait
	// needs its day; only WaitingUntil's date counts (see WaitEndsAt).
	WaitingOn    *string
	WaitingUntil time.Time
	// Qualification answers to set; a blank answer clears one.
	Qualification map[string]string
}

// WaitEndsAt is when on its last day a wait ends, in the rep's zone: the
// start of a working morning, when the rep is asked again.
const WaitEndsAt = 9 * time.Hour

// waitEnds is the end of a wait on day's date, in the rep's zone.
func (p Prospect) waitEnds(day time.Time) time.Time {
	if day.IsZero() {
		return time.Time{}
	}
	y, m, d := day.Date()
	return time.Date(y, m, d, int(WaitEndsAt/time.Hour), int(WaitEndsAt%time.Hour/time.Minute), 0, 0, p.Location())
}

// Update records activity on an opportunity: any update counts, so it is no
// longer stalled.
func (p Prospect) Update(at time.Time, by string, u DealUpdate) (Prospect, error) {
	switch p.State {
	case Won, Lost:
		return p, p.decidedError()
	case Scheduled, Awaiting:
		return p, ErrNotOpportunity
	}
	qual, err := answers(p.Qualification, u.Qualification)
	if err != nil {
		return p, err
	}
	next := p.clone()
	next.Qualification = qual
	if u.NextStep != nil {
		step := cleanText(*u.NextStep)
		if err := checkLen(FieldNextStep, step, MaxNextStepLen); err != nil {
			return p, err
		}
		next.NextStep = step
	}
	if u.SecondMeeting != nil {
		if !u.SecondMeeting.After(p.FirstMeeting) {
			return p, invalid(FieldSecondMeeting, "is not after the first meeting (%s)", p.FirstMeeting.In(p.Location()).Format("Mon Jan 2 15:04"))
		}
		next.SecondMeeting = *u.SecondMeeting
	}
	if u.Amount != nil {
		if *u.Amount < 0 {
			return p, invalid(FieldAmount, "cannot be negative")
		}
		next.Amount, next.Currency = *u.Amount, u.Currency
	}
	if u.CloseDate != nil {
		if !u.CloseDate.IsZero() && dayBefore(*u.CloseDate, next.SecondMeeting, p.Location()) {
			return p, closeBeforeMeeting(*u.CloseDate, next.SecondMeeting, p.Location())
		}
		next.CloseDate = *u.CloseDate
	}
	if u.WaitingOn != nil {
		what := cleanText(*u.WaitingOn)
		until := p.waitEnds(u.WaitingUntil)
		switch {
		case what == "":
			next.WaitingOn, next.WaitingUntil, next.FollowUpAt = "", time.Time{}, time.Time{}
			next.Waits = endWaits(next.Waits, at)
		case u.WaitingUntil.IsZero():
			return p, invalid(FieldWaitingUntil, "is missing: until when are you waiting? Pick the day I should ask you again")
		case !until.After(at):
			return p, invalid(FieldWaitingUntil, "must be a day ahead: until when are you waiting?")
		default:
			if err := checkLen(FieldWaitingOn, what, MaxWaitingOn); err != nil {
				return p, err
			}
			next.WaitingOn, next.WaitingUntil = what, until
			next.FollowUpAt = until
			next.Waits = append(endWaits(next.Waits, at), RecordedWait{From: at, Until: until})
		}
	}
	next.LastActivity = at
	next.History = append(next.History, Entry{At: at, By: by, Event: EventUpdated, From: p.State, To: p.State})
	return next, nil
}

// NotYet records that no second meeting is booked yet; the question comes
// again at next.
func (p Prospect) NotYet(at time.Time, by string, next time.Time) (Prospect, error) {
	if p.State != Scheduled && p.State != Awaiting {
		return p, p.decidedError()
	}
	if p.State == Scheduled && at.Before(p.MeetingEnd) {
		return p, invalid(FieldFirstMeeting, "has not happened yet (%s); I'll ask you after it",
			p.FirstMeeting.In(p.Location()).Format("Mon Jan 2 15:04"))
	}
	out := p.clone()
	out.QuietSince = time.Time{}
	out.LastActivity = at
	out.FollowUpAt = next
	out.record(at, by, EventNotYet, Awaiting)
	return out, nil
}

// followUpDue reports whether the scheduler's follow-up is due at now: not
// moved ahead or cleared since it was claimed.
func (p Prospect) followUpDue(now time.Time) bool {
	return !p.FollowUpAt.IsZero() && !p.FollowUpAt.After(now)
}

// Postpone moves a follow-up due at now to until: the rep's next working
// morning, or the end of a holiday or an absence. A follow-up moved or
// cleared meanwhile is left as it is (changed is false).
func (p Prospect) Postpone(now, until time.Time) (next Prospect, changed bool) {
	if !p.followUpDue(now) {
		return p, false
	}
	next = p.clone()
	next.FollowUpAt = until
	return next, true
}

// Asked records that question n was sent at now as ref, and when the
// scheduler looks again (again). A question recorded already (by a replica
// that raced this one) changes nothing; an answer that came while the
// question was on its way is kept, and nothing more is asked.
func (p Prospect) Asked(now time.Time, n int, ref MessageRef, again time.Time) (next Prospect, changed bool) {
	if p.Asks >= n {
		return p, false
	}
	next = p.clone()
	next.Asks = n
	next.LastAsked = now
	if !ref.IsZero() {
		next.Prompt = ref
	}
	switch p.State {
	case Scheduled:
		next.FollowUpAt = again
		next.record(now, SystemActor, EventAsked, Awaiting)
	case Awaiting:
		next.FollowUpAt = again
		next.History = append(next.History, Entry{At: now, By: SystemActor, Event: EventAsked, From: Awaiting, To: Awaiting})
	default:
		next.FollowUpAt = time.Time{}
	}
	return next, true
}

// DoneAsking ends the questions: nothing more is asked. A rep who never
// answered any of them (quiet) has gone quiet since now; it is still not
// pipeline, and still not lost.
func (p Prospect) DoneAsking(now time.Time, quiet bool) Prospect {
	next := p.clone()
	next.FollowUpAt = time.Time{}
	if quiet && p.State == Awaiting && p.QuietSince.IsZero() {
		next.QuietSince = now
		next.History = append(next.History, Entry{At: now, By: SystemActor, Event: EventQuiet, From: p.State, To: p.State})
	}
	return next
}

// WaitOver ends a recorded wait once its question was asked at now. The
// wait's end stays recorded: the stalled clock counts from it.
func (p Prospect) WaitOver(now time.Time) (next Prospect, changed bool) {
	if !p.followUpDue(now) {
		return p, false
	}
	next = p.clone()
	next.WaitingOn = ""
	next.FollowUpAt = time.Time{}
	return next, true
}

// Celebrated records the post of a shared loss, once.
func (p Prospect) Celebrated(post MessageRef) (next Prospect, changed bool) {
	if !p.celebrationDue() {
		return p, false
	}
	next = p.clone()
	next.Loss.Celebrated = true
	next.Loss.Post = post
	next.FollowUpAt = time.Time{}
	return next, true
}

// DaysBetween counts whole days from a to b, never negative.
func DaysBetween(a, b time.Time) int {
	if !b.After(a) {
		return 0
	}
	return int(b.Sub(a) / (24 * time.Hour))
}

// RecordedWait is a wait a rep recorded: from when, until when.
type RecordedWait struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// endWaits cuts short, at at, a recorded wait still running then.
func endWaits(ws []RecordedWait, at time.Time) []RecordedWait {
	if n := len(ws); n > 0 && ws[n-1].Until.After(at) {
		ws[n-1].Until = at
	}
	return ws
}

func (p Prospect) clone() Prospect {
	next := p
	next.History = append([]Entry(nil), p.History...)
	next.Waits = append([]RecordedWait(nil), p.Waits...)
	if p.Qualification != nil {
		next.Qualification = maps.Clone(p.Qualification)
	}
	if p.Loss != nil {
		l := *p.Loss
		next.Loss = &l
	}
	if p.Calendar != nil {
		c := *p.Calendar
		next.Calendar = &c
	}
	if p.NextMeeting != nil {
		m := *p.NextMeeting
		next.NextMeeting = &m
	}
	return next
}

// closeBeforeMeeting refuses an expected close before the second meeting.
func closeBeforeMeeting(close, meeting time.Time, loc *time.Location) error {
	return invalid(FieldCloseDate, "(%s) is before the second meeting (%s)", close.In(loc).Format("Mon Jan 2"), meeting.In(loc).Format("Mon Jan 2"))
}

// dayBefore reports whether a falls on an earlier day than b, in loc.
func dayBefore(a, b time.Time, loc *time.Location) bool {
	return a.In(loc).Format("2006-01-02") < b.In(loc).Format("2006-01-02")
}
