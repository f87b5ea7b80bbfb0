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

// The clean-up of the CRM, every CRMPull: the open deals owned by a team's
// reps are read back. A deal that did not come through a confirmed second
// meeting is brought to its rep ("in HubSpot without a second meeting"),
// who confirms it (it is adopted and linked) or loses it fast (closed lost
// there). A linked deal's changes made in the CRM (won, lost, amount) come
// back. A deal closed in the CRM is not open, so it is not asked about
// again.

// CRMPuller is a CRM whose deals coach reads back.
type CRMPuller interface {
	// PullDeals returns the open deals owned by the users with these
	// emails, and the deals with these ids, open or not.
	PullDeals(ctx context.Context, ownerEmails, ids []string) ([]PulledDeal, error)
}

// PulledDeal is a deal as the CRM holds it.
type PulledDeal struct {
	ID         string    `json:"id"`
	Key        string    `json:"key,omitempty"` // our external id, when we wrote it
	Name       string    `json:"name"`
	Amount     int64     `json:"amount,omitempty"`
	Currency   string    `json:"currency,omitempty"`
	CloseDate  time.Time `json:"close_date,omitzero"`
	Stage      DealStage `json:"stage"`
	OwnerEmail string    `json:"owner_email,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
}

// DefaultCRMPull is how often the CRM is read back unless CRM_PULL says.
const DefaultCRMPull = time.Hour

const crmPullJob = "crmpull"

// CRMPullKey is the key of a team's pull job.
func CRMPullKey(workspace, manager string) string {
	return crmPullJob + "/" + workspace + "/" + manager
}

// unconfirmedKey is the ledger key of a rep's deals in the CRM without a
// second meeting, as the last pull found them.
func unconfirmedKey(workspace, rep string) string { return "crmdeals/" + workspace + "/" + rep }

// CRMBacklog counts a team's deals in the CRM without a second meeting
// and their amount, by currency.
type CRMBacklog struct {
	Name    string           `json:"name"`
	Deals   int              `json:"deals"`
	Amounts map[string]int64 `json:"amounts,omitempty"`
}

// backlogKey is the ledger key of a team's CRMBacklog.
func backlogKey(workspace, manager string) string { return "crmteam/" + workspace + "/" + manager }

// withCRM adds the team's deals in the CRM without a second meeting to its
// digest. Not knowing them leaves the digest as it is.
func (s *Service) withCRM(ctx context.Context, t Team, d Digest) Digest {
	if _, ok := s.puller(); !ok {
		return d
	}
	raw, found, err := s.store.Lookup(ctx, backlogKey(t.Workspace, t.Manager))
	if err != nil || !found {
		return d
	}
	_ = json.Unmarshal([]byte(raw), &d.InCRM)
	return d
}

// EventAdopted: a deal found in the CRM was taken in by its rep.
const EventAdopted Event = "adopted"

func (s *Service) puller() (CRMPuller, bool) {
	if s.CRM == nil {
		return nil, false
	}
	p, ok := s.CRM.(CRMPuller)
	return p, ok
}

// kickPull schedules a team's pull now; the pull then schedules itself
// every CRMPull.
func (s *Service) kickPull(ctx context.Context, t Team) error {
	if _, ok := s.puller(); !ok {
		return nil
	}
	return s.store.Schedule(ctx, CRMPullKey(t.Workspace, t.Manager), s.clock.Now())
}

func (s *Service) pullEvery() time.Duration {
	if s.CRMPull > 0 {
		return s.CRMPull
	}
	return DefaultCRMPull
}

// runPull reads the team's deals back from the CRM: a deal linked to a
// prospect updates it; the reps' open deals without a second meeting are
// kept per rep and counted for the team. It runs again every CRMPull.
func (s *Service) runPull(ctx context.Context, j Job, workspace, manager string) error {
	crm, ok := s.puller()
	if !ok {
		return s.store.Done(ctx, j.Key)
	}
	t, err := s.store.Team(ctx, workspace, manager)
	if errors.Is(err, ErrNotFound) {
		return s.store.Done(ctx, j.Key)
	}
	if err != nil {
		return err
	}
	now := s.clock.Now()
	next := func(err error) error {
		return errors.Join(err, s.store.Schedule(ctx, j.Key, now.Add(s.pullEvery())))
	}
	owners, err := s.dealOwners(ctx, workspace, t.Reps)
	if err != nil {
		return next(err)
	}
	ps, err := s.teamProspects(ctx, t)
	if err != nil {
		return next(err)
	}
	ix := indexDeals(ps)
	deals, err := crm.PullDeals(ctx, owners.emails, ix.open)
	if err != nil {
		return next(fmt.Errorf("pull deals from %s: %w", s.CRM.Name(), err))
	}
	unconfirmed, errs := s.applyDeals(ctx, deals, ix, owners)
	errs = append(errs, s.recordUnconfirmed(ctx, workspace, manager, t.Reps, unconfirmed)...)
	return next(errors.Join(errs...))
}

// dealOwners are the reps' emails, as the CRM knows its deals' owners.
type dealOwners struct {
	emails []string
	repOf  map[string]string // by lower-case email
}

// dealOwners looks up the emails of the reps (a rep without one owns no
// deal).
func (s *Service) dealOwners(ctx context.Context, workspace string, reps []string) (dealOwners, error) {
	o := dealOwners{repOf: map[string]string{}}
	for _, rep := range reps {
		email, err := s.emailOf(ctx, workspace, rep)
		if err != nil {
			return dealOwners{}, err
		}
		if email != "" {
			o.repOf[strings.ToLower(email)] = rep
			o.emails = append(o.emails, email)
		}
	}
	return o, nil
}

// dealIndex finds the team's prospects by the deal they are linked to, or
// by the key we wrote to the CRM (DealKey); open are the deals linked to
// open prospects, read back open or not.
type dealIndex struct {
	linked, ours map[string]Prospect
	open         []string
}

func indexDeals(ps []Prospect) dealIndex {
	ix := dealIndex{linked: map[string]Prospect{}, ours: map[string]Prospect{}}
	for _, p := range ps {
		if p.CRM.ID != "" {
			ix.linked[p.CRM.ID] = p
			if p.State.Open() {
				ix.open = append(ix.open, p.CRM.ID)
			}
		}
	}
	for _, p := range ps {
		ix.ours[DealKey(p.Workspace, p.ID)] = p
	}
	return ix
}

// applyDeals applies each deal linked to a prospect, and returns by rep
// the open deals we did not write (no key) that the team's reps own.
func (s *Service) applyDeals(ctx context.Context, deals []PulledDeal, ix dealIndex, owners dealOwners) (map[string][]PulledDeal, []error) {
	unconfirmed := map[string][]PulledDeal{}
	var errs []error
	for _, d := range deals {
		p, isLinked := ix.linked[d.ID]
		if !isLinked && d.Key != "" {
			p, isLinked = ix.ours[d.Key]
		}
		switch {
		case isLinked:
			errs = append(errs, s.applyPulled(ctx, p, d))
		case d.Stage == DealOpen && d.Key == "":
			if rep, ok := owners.repOf[strings.ToLower(d.OwnerEmail)]; ok {
				unconfirmed[rep] = append(unconfirmed[rep], d)
			}
		}
	}
	return unconfirmed, errs
}

// recordUnconfirmed records each rep's unconfirmed deals and the team's
// backlog of them, kept for three pulls.
func (s *Service) recordUnconfirmed(ctx context.Context, workspace, manager string, reps []string, unconfirmed map[string][]PulledDeal) []error {
	keep := 3 * s.pullEvery()
	backlog := CRMBacklog{Name: s.CRM.Name(), Amounts: map[string]int64{}}
	var errs []error
	for _, rep := range reps {
		raw, _ := json.Marshal(unconfirmed[rep])
		errs = append(errs, s.store.Record(ctx, unconfirmedKey(workspace, rep), string(raw), keep))
		for _, d := range unconfirmed[rep] {
			backlog.Deals++
			backlog.Amounts[d.Currency] += d.Amount
		}
	}
	raw, _ := json.Marshal(backlog)
	return append(errs, s.store.Record(ctx, backlogKey(workspace, manager), string(raw), keep))
}

func (s *Service) emailOf(ctx context.Context, workspace, user string) (string, error) {
	if s.Emails == nil {
		return "", nil
	}
	return s.Emails.Email(ctx, workspace, user)
}

// applyPulled brings back what changed in the CRM on a linked deal: won,
// lost, a new amount.
func (s *Service) applyPulled(ctx context.Context, p Prospect, d PulledDeal) error {
	now := s.clock.Now()
	name := s.CRM.Name()
	_, _, err := s.changeRead(ctx, p, func(p Prospect) (Prospect, bool, error) {
		if p.State != Opportunity {
			return p, false, nil
		}
		switch d.Stage {
		case DealWon:
			next, err := p.Win(now, SystemActor)
			return next, err == nil, err
		case DealLost:
			next, err := p.Lose(now, SystemActor, LossReport{Reason: ReasonOther, Lesson: "Closed lost in " + name + "."})
			return next, err == nil, err
		}
		if d.Amount == p.Amount || d.Amount == 0 {
			return p, false, nil
		}
		amount := d.Amount
		next, err := p.Update(now, SystemActor, DealUpdate{Amount: &amount, Currency: cmpOr(d.Currency, p.Currency)})
		return next, err == nil, err
	})
	if err != nil {
		return fmt.Errorf("bring back %s deal %s: %w", name, d.ID, err)
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// InCRM returns the rep's deals in the CRM that never had a confirmed
// second meeting, as the last pull found them, less those taken in since
// (ps: the rep's prospects).
func (s *Service) InCRM(ctx context.Context, workspace, rep string, ps []Prospect) ([]PulledDeal, error) {
	deals, err := s.foundInCRM(ctx, workspace, rep)
	return notTakenIn(deals, ps), err
}

// foundInCRM returns the rep's deals the last pull found in the CRM
// without a confirmed second meeting, taken in since or not.
func (s *Service) foundInCRM(ctx context.Context, workspace, rep string) ([]PulledDeal, error) {
	if _, ok := s.puller(); !ok {
		return nil, nil
	}
	raw, found, err := s.store.Lookup(ctx, unconfirmedKey(workspace, rep))
	if err != nil || !found {
		return nil, err
	}
	var deals []PulledDeal
	if err := json.Unmarshal([]byte(raw), &deals); err != nil {
		return nil, fmt.Errorf("read the deals found in %s: %w", s.CRM.Name(), err)
	}
	return deals, nil
}

// foundInCRMAside starts foundInCRM and returns a function that waits for
// its result. With no CRM it reads nothing and starts nothing.
func (s *Service) foundInCRMAside(ctx context.Context, workspace, rep string) func() ([]PulledDeal, error) {
	if _, ok := s.puller(); !ok {
		return func() ([]PulledDeal, error) { return nil, nil }
	}
	var deals []PulledDeal
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		deals, err = s.foundInCRM(ctx, workspace, rep)
	}()
	return func() ([]PulledDeal, error) {
		<-done
		return deals, err
	}
}

// notTakenIn is deals less those a prospect of ps was taken in from.
func notTakenIn(deals []PulledDeal, ps []Prospect) []PulledDeal {
	return slices.DeleteFunc(deals, func(d PulledDeal) bool {
		return slices.ContainsFunc(ps, func(p Prospect) bool { return p.CRM.ID == d.ID })
	})
}

// CRMName is the configured CRM's name, "" for none.
func (s *Service) CRMName() string {
	if s.CRM == nil {
		return ""
	}
	return s.CRM.Name()
}

// AdoptCRMDeal takes in one of the rep's deals found in the CRM without a
// second meeting, as a prospect linked to it, so the rep can confirm the
// second meeting or lose it fast. Taking it in twice returns the same
// prospect.
func (s *Service) AdoptCRMDeal(ctx context.Context, actor Actor, dealID string) (Prospect, error) {
	ps, err := s.store.ProspectsOf(ctx, actor.Workspace, actor.User)
	if err != nil {
		return Prospect{}, fmt.Errorf("read pipeline of %s: %w", actor.User, err)
	}
	if i := slices.IndexFunc(ps, func(p Prospect) bool { return p.CRM.ID == dealID }); i >= 0 {
		s.opened.keep(ps[i], s.clock.Now()) // a form opens on it
		return ps[i], nil
	}
	deals, err := s.InCRM(ctx, actor.Workspace, actor.User, ps)
	if err != nil {
		return Prospect{}, err
	}
	i := slices.IndexFunc(deals, func(d PulledDeal) bool { return d.ID == dealID })
	if i < 0 {
		return Prospect{}, fmt.Errorf("deal %s is not among your deals in %s: %w", dealID, s.CRMName(), ErrNotFound)
	}
	d := deals[i]
	now := s.clock.Now()
	first := d.CreatedAt
	if first.IsZero() || first.After(now) {
		first = now.Add(-time.Minute)
	}
	tz := s.TeamDefaults.TZ
	if t, ok := s.teamOf(ctx, actor.Workspace, actor.User); ok && t.TZ != "" {
		tz = t.TZ
	}
	sum := sha256.Sum256([]byte(dealID))
	p := Prospect{
		Workspace: actor.Workspace, ID: "crm" + hex.EncodeToString(sum[:6]), Owner: actor.User,
		Account: cleanText(cmpOr(d.Name, "Deal "+d.ID)), TZ: tz,
		FirstMeeting: first, MeetingEnd: first, State: Awaiting,
		Amount: d.Amount, Currency: d.Currency, CloseDate: d.CloseDate,
		CRM:       CRMLink{ID: d.ID},
		CreatedAt: now, LastActivity: now, Version: 1,
		History: []Entry{{At: now, By: actor.User, Event: EventAdopted, To: Awaiting, Version: 1}},
	}
	if err := s.store.Save(ctx, p); errors.Is(err, ErrConflict) {
		return s.store.Prospect(ctx, actor.Workspace, p.ID)
	} else if err != nil {
		return Prospect{}, fmt.Errorf("take in %s deal %s: %w", s.CRMName(), dealID, err)
	}
	s.opened.keep(p, now) // a form opens on it
	return p, nil
}
