package coach

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A CRM holds the forecast. An opportunity reaches it when, and only when,
// the rep confirms a second meeting, and every later change of that deal
// follows: an update, a recorded wait, a win, a loss with its debrief. A
// first meeting, "not yet", or losing a prospect that never became an
// opportunity writes nothing.
//
// The write never happens on the path of a Slack answer. The change and its
// CRM job are one atomic save (the store keeps the job "crm/<workspace>/<id>"
// in step with CRMLink.SyncAt, as it does follow-ups), and the scheduler's
// claimed, leased jobs carry it out. Each write is an upsert by the
// prospect's own id (Deal.Key), so a retried job, a replica that died
// mid-write or two replicas never make a second deal.

// CRM is a CRM coach writes opportunities to.
type CRM interface {
	// Name is the CRM as people call it ("HubSpot").
	Name() string
	// SyncDeals writes each deal (an upsert by Deal.Key), in as few calls as
	// the CRM allows, and returns one result per deal, in order. An error
	// that wraps ErrCRMRefused is the CRM's final word on that deal; any
	// other is tried again later.
	SyncDeals(ctx context.Context, deals []Deal) []SyncResult
}

// SyncResult is the outcome of writing one deal: its id in the CRM, or why not.
type SyncResult struct {
	ID  string
	Err error
}

// Emails finds a person's email, the key to their user in the CRM.
type Emails interface {
	// Email returns the person's email; "" when their profile shows none.
	Email(ctx context.Context, workspace, user string) (string, error)
}

// CRMNotifier tells a rep what the CRM refused.
type CRMNotifier interface {
	// CRMRefused tells the rep the deal is saved here but the CRM refused it,
	// and why.
	CRMRefused(ctx context.Context, p Prospect, crm, reason string) (MessageRef, error)
}

// ErrCRMRefused marks a write the CRM refused for good (no user with the
// rep's email, a required field, a validation rule): trying again as it is
// will not help.
var ErrCRMRefused = errors.New("refused by the CRM")

// CRMRefusal is a write the CRM refused for good, in words a rep can act on.
type CRMRefusal struct{ Reason string }

func (e *CRMRefusal) Error() string { return e.Reason }

// Unwrap makes every CRMRefusal an ErrCRMRefused.
func (e *CRMRefusal) Unwrap() error { return ErrCRMRefused }

// RetryAfter is implemented by a CRM error that says when to try again (a
// rate limit's Retry-After).
type RetryAfter interface{ RetryAfter() time.Duration }

// CRMLink is a prospect's deal in the CRM.
type CRMLink struct {
	// ID is the deal's id in the CRM, once written (or adopted from it).
	ID string `json:"id,omitempty"`
	// SyncAt is when its CRM job is due; zero when the CRM has everything.
	SyncAt time.Time `json:"sync_at,omitzero"`
	// SyncedAt is the last successful write.
	SyncedAt time.Time `json:"synced_at,omitzero"`
	// Attempts counts failed writes since the last success; it paces retries.
	Attempts int `json:"attempts,omitempty"`
	// LastError is the last failure, temporary or not.
	LastError string `json:"last_error,omitempty"`
	// Refused is the CRM's final word on the last write, "" once one succeeds.
	Refused string `json:"refused,omitempty"`
}

// DealStage is where a deal stands in the CRM; each maps to one of the
// CRM's stages (CRM_STAGE_OPEN, _WON, _LOST).
type DealStage string

// Deal stages.
const (
	DealOpen DealStage = "open"
	DealWon  DealStage = "won"
	DealLost DealStage = "lost"
)

// Deal is what the CRM holds of an opportunity. Dates are calendar dates
// ("2006-01-02") in the rep's zone.
type Deal struct {
	// Key is the prospect's own id, "<workspace>/<id>": the external id
	// every write upserts by.
	Key string `json:"key"`
	// ID is the deal's id in the CRM when it is known (adopted deals).
	ID       string    `json:"id,omitempty"`
	Name     string    `json:"name"`
	Account  string    `json:"account"`
	Amount   int64     `json:"amount,omitempty"`
	Currency string    `json:"currency,omitempty"`
	Stage    DealStage `json:"stage"`
	// SecondMeeting is the confirmed second meeting.
	SecondMeeting string `json:"second_meeting"`
	NextStep      string `json:"next_step,omitempty"`
	// CloseDate is the rep's, else the confirmation plus the team's average
	// won cycle; the day it closed once won or lost.
	CloseDate string `json:"close_date,omitempty"`
	// Waiting is a recorded wait, "legal review until 2026-12-20".
	Waiting string `json:"waiting,omitempty"`
	// LossReason is the debrief's reason; Competitor keeps a loss to a
	// competitor apart from a buyer who decided nothing.
	LossReason LossReason `json:"loss_reason,omitempty"`
	Competitor bool       `json:"competitor,omitempty"`
	Lesson     string     `json:"lesson,omitempty"`
	// Owner is the rep; OwnerEmail finds their user in the CRM and is
	// filled in when the deal is written.
	Owner      string `json:"owner"`
	OwnerEmail string `json:"-"`
}

// LossText is the debrief as a CRM's loss-reason field holds it: a loss to
// a competitor is never mixed up with a buyer deciding nothing.
func (d Deal) LossText() string {
	if d.Stage != DealLost {
		return ""
	}
	kind := "No decision"
	if d.Competitor {
		kind = "Lost to a competitor"
	}
	text := kind
	if label := d.LossReason.Label(); d.LossReason != "" && label != kind {
		text += " — " + label
	}
	if d.Lesson != "" {
		text += ": " + d.Lesson
	}
	return text
}

const dateOnly = "2006-01-02"

// CRMKey is the key of a prospect's CRM job.
func CRMKey(workspace, id string) string { return crmJob + "/" + workspace + "/" + id }

const crmJob = "crm"

// DealKey is the external id a prospect's deal is upserted by.
func DealKey(workspace, id string) string { return workspace + "/" + id }

// Deal is what the CRM should hold of the prospect; ok is false when the CRM
// should hold nothing: before a second meeting is confirmed, and after a
// prospect is lost that never became an opportunity (unless it came from the
// CRM, where it is then closed lost).
func (p Prospect) Deal() (d Deal, ok bool) {
	loc := p.Location()
	d = Deal{Key: DealKey(p.Workspace, p.ID), ID: p.CRM.ID, Name: p.Account, Account: p.Account,
		Amount: p.Amount, Currency: p.Currency, NextStep: p.NextStep, Owner: p.Owner}
	if !p.SecondMeeting.IsZero() {
		d.SecondMeeting = p.SecondMeeting.In(loc).Format(dateOnly)
	}
	if !p.CloseDate.IsZero() {
		d.CloseDate = p.CloseDate.In(loc).Format(dateOnly)
	}
	switch p.State {
	case Opportunity:
		d.Stage = DealOpen
		if p.WaitingOn != "" && !p.WaitingUntil.IsZero() {
			d.Waiting = p.WaitingOn + " until " + p.WaitingUntil.In(loc).Format(dateOnly)
		}
	case Won:
		d.Stage = DealWon
		d.CloseDate = p.closedAt().In(loc).Format(dateOnly)
	case Lost:
		if p.Loss == nil || (p.Loss.Stage != Opportunity && p.CRM.ID == "") {
			return Deal{}, false
		}
		d.Stage = DealLost
		d.CloseDate = p.closedAt().In(loc).Format(dateOnly)
		d.LossReason, d.Competitor, d.Lesson = p.Loss.Reason, !p.Loss.Reason.NoDecision(), p.Loss.Lesson
	default:
		return Deal{}, false
	}
	return d, true
}

// closedAt is when the prospect was won or lost.
func (p Prospect) closedAt() time.Time {
	if e, ok := p.Decided(); ok && (e.To == Won || e.To == Lost) {
		return e.At
	}
	return p.LastActivity
}

// confirmedAt is when the second meeting was confirmed.
func (p Prospect) confirmedAt() time.Time {
	for _, e := range p.History {
		if e.Event == EventConfirmed {
			return e.At
		}
	}
	return p.LastActivity
}

// fingerprint identifies what a deal says, to tell whether a change is one
// the CRM must hear of. The CRM's id is not part of it: learning the id
// changes nothing the CRM holds.
func (d Deal) fingerprint() string {
	d.ID, d.OwnerEmail = "", ""
	raw, _ := json.Marshal(d)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

// markCRM schedules the CRM job of a change that alters what the CRM should
// hold. It runs inside the change's save, so the change and its job are one
// atomic step. A change waiting out a retry is tried at once.
func (s *Service) markCRM(before Prospect, after *Prospect) {
	if s.CRM == nil {
		return
	}
	d, ok := after.Deal()
	if !ok {
		return
	}
	if was, wasOK := before.Deal(); wasOK && was.fingerprint() == d.fingerprint() {
		return
	}
	now := s.clock.Now()
	if after.CRM.SyncAt.IsZero() || after.CRM.SyncAt.After(now) {
		after.CRM.SyncAt = now
		after.CRM.Attempts = 0
	}
}

// CRM retries: a write that failed for a while is tried again after
// crmRetryBase, doubling up to crmRetryMax (or when the CRM said).
const (
	crmRetryBase = 30 * time.Second
	crmRetryMax  = 10 * time.Minute
)

func crmBackoff(attempts int, err error) time.Duration {
	d := crmRetryBase << min(max(attempts-1, 0), 10)
	d = min(d, crmRetryMax)
	var ra RetryAfter
	if errors.As(err, &ra) && ra.RetryAfter() > d {
		d = ra.RetryAfter()
	}
	return d
}

// crmWrite is one deal on its way to the CRM.
type crmWrite struct {
	job  Job
	p    Prospect
	deal Deal
	sent string // the deal's fingerprint as the prospect says it
}

// runCRM writes the deals of the claimed CRM jobs, in one batch, and saves
// each outcome: the deal's id once written, a later retry after a
// temporary failure, the refusal (told to the rep once) otherwise.
func (s *Service) runCRM(ctx context.Context, jobs []Job) []error {
	errs := make([]error, len(jobs))
	var writes []crmWrite
	var at []int
	for i, j := range jobs {
		w, ok, err := s.prepareCRM(ctx, j)
		if err != nil || !ok {
			errs[i] = err
			continue
		}
		writes = append(writes, w)
		at = append(at, i)
	}
	if len(writes) == 0 {
		return errs
	}
	deals := make([]Deal, len(writes))
	for i, w := range writes {
		deals[i] = w.deal
	}
	results := s.CRM.SyncDeals(ctx, deals)
	for k, w := range writes {
		var r SyncResult
		if k < len(results) {
			r = results[k]
		} else {
			r.Err = fmt.Errorf("%s gave no result for %s", s.CRM.Name(), w.deal.Key)
		}
		errs[at[k]] = s.recordCRM(ctx, w, r)
	}
	return errs
}

// prepareCRM reads a CRM job's prospect and builds its deal; ok is false
// when there is nothing to write (the job is then finished).
func (s *Service) prepareCRM(ctx context.Context, j Job) (crmWrite, bool, error) {
	workspace, id, err := parseJobKey(crmJob, j.Key)
	if err != nil {
		return crmWrite{}, false, errors.Join(err, s.store.Done(ctx, j.Key))
	}
	p, err := s.store.Prospect(ctx, workspace, id)
	if errors.Is(err, ErrNotFound) {
		return crmWrite{}, false, s.store.Done(ctx, j.Key)
	}
	if err != nil {
		return crmWrite{}, false, err
	}
	now := s.clock.Now()
	if p.CRM.SyncAt.IsZero() || p.CRM.SyncAt.After(now) {
		return crmWrite{}, false, nil // moved or done since claimed; Save rescheduled it
	}
	d, ok := p.Deal()
	if !ok {
		_, _, err := s.change(ctx, nil, workspace, id, func(p Prospect) (Prospect, bool, error) {
			next := p.clone()
			next.CRM.SyncAt = time.Time{}
			return next, !p.CRM.SyncAt.IsZero(), nil
		})
		return crmWrite{}, false, err
	}
	sent := d.fingerprint()
	if d.CloseDate == "" {
		d.CloseDate = s.defaultCloseDate(ctx, p).Format(dateOnly)
	}
	email := ""
	if s.Emails != nil {
		if email, err = s.Emails.Email(ctx, workspace, p.Owner); err != nil {
			return crmWrite{}, false, s.retryCRM(ctx, p, fmt.Errorf("find the email of %s: %w", p.Owner, err))
		}
	}
	if email == "" {
		r := &CRMRefusal{Reason: fmt.Sprintf("Slack shows no email for <@%s>, so I cannot find them in %s", p.Owner, s.CRM.Name())}
		return crmWrite{}, false, s.recordCRM(ctx, crmWrite{job: j, p: p, deal: d, sent: sent}, SyncResult{Err: r})
	}
	d.OwnerEmail = email
	return crmWrite{job: j, p: p, deal: d, sent: sent}, true, nil
}

// defaultCloseDate is the confirmation day plus the team's average won
// cycle, in the rep's zone.
func (s *Service) defaultCloseDate(ctx context.Context, p Prospect) time.Time {
	cycle := s.Thresholds.DefaultCycle
	if t, ok := s.teamOf(ctx, p.Workspace, p.Owner); ok {
		cycle = s.teamCycle(ctx, t)
	}
	return p.confirmedAt().Add(cycle).In(p.Location())
}

// recordCRM saves the outcome of one write.
func (s *Service) recordCRM(ctx context.Context, w crmWrite, r SyncResult) error {
	if r.Err != nil && !errors.Is(r.Err, ErrCRMRefused) {
		return s.retryCRM(ctx, w.p, r.Err)
	}
	now := s.clock.Now()
	p, _, err := s.changeRead(ctx, w.p, func(p Prospect) (Prospect, bool, error) {
		next := p.clone()
		next.CRM.Attempts = 0
		next.CRM.SyncAt = time.Time{}
		if r.Err != nil {
			next.CRM.Refused = r.Err.Error()
			next.CRM.LastError = r.Err.Error()
		} else {
			next.CRM.ID = r.ID
			next.CRM.SyncedAt = now
			next.CRM.Refused, next.CRM.LastError = "", ""
		}
		if d, ok := next.Deal(); ok && d.fingerprint() != w.sent {
			next.CRM.SyncAt = now // changed while it was written: write again
		}
		return next, true, nil
	})
	if err != nil {
		return fmt.Errorf("record the %s write of %s: %w", s.CRM.Name(), w.deal.Key, err)
	}
	if r.Err != nil {
		return s.tellRefused(ctx, p, r.Err.Error())
	}
	return nil
}

// retryCRM saves a temporary failure and when to try again.
func (s *Service) retryCRM(ctx context.Context, p Prospect, cause error) error {
	now := s.clock.Now()
	_, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
		if p.CRM.SyncAt.IsZero() {
			return p, false, nil
		}
		next := p.clone()
		next.CRM.Attempts++
		next.CRM.LastError = cause.Error()
		next.CRM.SyncAt = now.Add(crmBackoff(next.CRM.Attempts, cause))
		return next, true, nil
	})
	return errors.Join(fmt.Errorf("write %s to %s: %w", DealKey(p.Workspace, p.ID), s.CRM.Name(), cause), err)
}

// tellRefused tells the rep once what the CRM refused; the same refusal
// is not told again after later changes.
func (s *Service) tellRefused(ctx context.Context, p Prospect, reason string) error {
	if s.CRMNotify == nil {
		return nil
	}
	sum := sha256.Sum256([]byte(reason))
	key := fmt.Sprintf("crmrefused/%s/%s/%s", p.Workspace, p.ID, hex.EncodeToString(sum[:6]))
	_, err := s.sendOnce(ctx, key, func(ctx context.Context) (MessageRef, error) {
		return s.CRMNotify.CRMRefused(ctx, p, s.CRM.Name(), reason)
	})
	if errors.Is(err, errInFlight) {
		return nil
	}
	return err
}

// parseJobKey splits "<kind>/<workspace>/<id>".
func parseJobKey(kind, key string) (workspace, id string, err error) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || parts[0] != kind || parts[1] == "" || parts[2] == "" {
		return "", "", fmt.Errorf("job key %q is not a %s job", key, kind)
	}
	return parts[1], parts[2], nil
}

// splitCRMJobs sets the CRM jobs apart: they are written together, in as
// few calls as the CRM allows.
func splitCRMJobs(jobs []Job) (others, crm []Job) {
	for _, j := range jobs {
		if strings.HasPrefix(j.Key, crmJob+"/") {
			crm = append(crm, j)
		} else {
			others = append(others, j)
		}
	}
	return others, crm
}

// runCRMJobs runs claimed CRM jobs as one batch under one job context. With
// no CRM configured (any more) they are finished: what the CRM should hold
// is written when one is configured again and the deal next changes.
func (s *Service) runCRMJobs(ctx context.Context, jobs []Job) error {
	jobCtx, cancel := s.jobContext(ctx)
	defer cancel()
	var errs []error
	if s.CRM == nil {
		for _, j := range jobs {
			errs = append(errs, s.store.Done(jobCtx, j.Key))
		}
		return errors.Join(errs...)
	}
	for i, err := range s.runCRM(jobCtx, jobs) {
		if err != nil && ctx.Err() != nil {
			err = errors.Join(err, s.store.Release(context.WithoutCancel(ctx), jobs[i].Key))
		}
		if s.OnJob != nil {
			s.OnJob(jobs[i], s.clock.Now().Sub(jobs[i].Due), err)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("run %s: %w", jobs[i].Key, err))
		}
	}
	return errors.Join(errs...)
}

// CRMSetting is one line of how Pipeline Coach writes to the CRM: a
// variable and what it resolved to.
type CRMSetting struct{ Name, Value string }

// CRMMapper is a CRM that can say how deals are mapped onto it.
type CRMMapper interface{ Mapping() []CRMSetting }

// CRMStatus is what an admin sees of the CRM: the mapping, and how the
// writes stand.
type CRMStatus struct {
	Name    string
	Mapping []CRMSetting
	// Synced counts deals the CRM holds as they are here; Pending those
	// waiting for a write (Retrying of them after a failure, the oldest
	// waiting since OldestPending).
	Synced, Pending, Retrying int
	OldestPending             time.Time
	LastError                 string
	LastSynced                time.Time
	// Refused are deals the CRM refused for good, newest first (at most
	// maxRefusedShown of RefusedCount).
	Refused      []Prospect
	RefusedCount int
}

// maxRefusedShown caps the refusals an admin is shown.
const maxRefusedShown = 10

// CRMStatus reports the CRM's mapping and how the writes stand across the
// workspace. Only admins may see it.
func (s *Service) CRMStatus(ctx context.Context, actor Actor) (CRMStatus, error) {
	if !actor.Admin {
		return CRMStatus{}, &RoleError{Need: RoleAdmin, Action: "see the CRM status"}
	}
	st := CRMStatus{Name: s.CRMName()}
	if s.CRM == nil {
		return st, nil
	}
	if m, ok := s.CRM.(CRMMapper); ok {
		st.Mapping = m.Mapping()
	}
	ps, err := s.store.WorkspaceProspects(ctx, actor.Workspace)
	if err != nil {
		return st, fmt.Errorf("read the workspace's deals: %w", err)
	}
	for _, p := range ps {
		c := p.CRM
		switch {
		case c.Refused != "" && c.SyncAt.IsZero():
			st.Refused = append(st.Refused, p)
		case !c.SyncAt.IsZero():
			st.Pending++
			if c.Attempts > 0 {
				st.Retrying++
				if c.LastError != "" {
					st.LastError = c.LastError
				}
			}
			if st.OldestPending.IsZero() || c.SyncAt.Before(st.OldestPending) {
				st.OldestPending = c.SyncAt
			}
		case c.ID != "":
			st.Synced++
		}
		if c.SyncedAt.After(st.LastSynced) {
			st.LastSynced = c.SyncedAt
		}
	}
	st.RefusedCount = len(st.Refused)
	slices.SortFunc(st.Refused, func(a, b Prospect) int { return b.LastActivity.Compare(a.LastActivity) })
	if len(st.Refused) > maxRefusedShown {
		st.Refused = st.Refused[:maxRefusedShown]
	}
	return st, nil
}
