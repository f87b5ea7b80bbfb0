package coachtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"pipelinecoach/coach"
)

// MemStore is coach.Store in memory, for coach's own tests. Records are
// copied through JSON, as a real backend would, so tests cannot share
// slices with it by accident.
type MemStore struct {
	mu        sync.Mutex
	now       func() time.Time // for ledger expiry
	prospects map[string][]byte
	due       map[string]time.Time
	leased    map[string]lease
	ledger    map[string]ledgerEntry
	teams     map[string][]byte // workspace/manager → team JSON
	managers  map[string]string // workspace/rep → manager
	calendars map[string][]byte // workspace/rep → calendar sync JSON
	members   map[string][]byte // workspace/user → member JSON; made by the first write
}

// lease is a claimed job: when its lease ends, and when it was due.
type lease struct {
	end, due time.Time
}

type ledgerEntry struct {
	value   string
	expires time.Time
}

// NewMemStore returns an empty store whose ledger expires by now.
func NewMemStore(now func() time.Time) *MemStore {
	return &MemStore{now: now, prospects: map[string][]byte{}, due: map[string]time.Time{},
		leased: map[string]lease{}, ledger: map[string]ledgerEntry{},
		teams: map[string][]byte{}, managers: map[string]string{}}
}

func prospectKey(team, id string) string { return team + "/" + id }

// Prospect implements coach.Prospects.
func (m *MemStore) Prospect(_ context.Context, team, id string) (coach.Prospect, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	raw, ok := m.prospects[prospectKey(team, id)]
	if !ok {
		return coach.Prospect{}, fmt.Errorf("prospect %s/%s: %w", team, id, coach.ErrNotFound)
	}
	var p coach.Prospect
	err := json.Unmarshal(raw, &p)
	return p, err
}

// ProspectsOf implements coach.Prospects.
func (m *MemStore) ProspectsOf(_ context.Context, team, owner string) ([]coach.Prospect, error) {
	return m.prospectsWhere(func(p coach.Prospect) bool { return p.Workspace == team && p.Owner == owner })
}

// ProspectsOfSince implements coach.Prospects: exactly those asked, none
// retired before since.
func (m *MemStore) ProspectsOfSince(_ context.Context, team, owner string, since time.Time) ([]coach.Prospect, error) {
	return m.prospectsWhere(func(p coach.Prospect) bool {
		at, retired := p.Retired()
		return p.Workspace == team && p.Owner == owner && (!retired || !at.Before(since))
	})
}

// ProspectsOfOwners implements coach.Prospects.
func (m *MemStore) ProspectsOfOwners(_ context.Context, workspace string, owners []string) ([]coach.Prospect, error) {
	return m.prospectsWhere(func(p coach.Prospect) bool { return p.Workspace == workspace && slices.Contains(owners, p.Owner) })
}

// ProspectsOfOwnersSince implements coach.Prospects: exactly those asked,
// none retired before since.
func (m *MemStore) ProspectsOfOwnersSince(_ context.Context, workspace string, owners []string, since time.Time) ([]coach.Prospect, error) {
	return m.prospectsWhere(func(p coach.Prospect) bool {
		at, retired := p.Retired()
		return p.Workspace == workspace && slices.Contains(owners, p.Owner) && (!retired || !at.Before(since))
	})
}

// WorkspaceProspects implements coach.Prospects.
func (m *MemStore) WorkspaceProspects(_ context.Context, workspace string) ([]coach.Prospect, error) {
	return m.prospectsWhere(func(p coach.Prospect) bool { return p.Workspace == workspace })
}

func (m *MemStore) prospectsWhere(keep func(coach.Prospect) bool) ([]coach.Prospect, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []coach.Prospect
	for _, raw := range m.prospects {
		var p coach.Prospect
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, err
		}
		if keep(p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Save implements coach.Prospects.
func (m *MemStore) Save(_ context.Context, p coach.Prospect) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("save prospect: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	k := prospectKey(p.Workspace, p.ID)
	var stored int64
	var old coach.Prospect
	if raw, ok := m.prospects[k]; ok {
		if err := json.Unmarshal(raw, &old); err != nil {
			return err
		}
		stored = old.Version
	}
	if stored != p.Version-1 {
		return fmt.Errorf("save %s at version %d over %d: %w", k, p.Version, stored, coach.ErrConflict)
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	m.prospects[k] = raw
	m.keepJob(coach.FollowUpKey(p.Workspace, p.ID), p.FollowUpAt, old.FollowUpAt, stored > 0)
	m.keepJob(coach.CRMKey(p.Workspace, p.ID), p.CRM.SyncAt, old.CRM.SyncAt, stored > 0)
	return nil
}

// keepJob keeps a prospect's job in step with its due time: removed when
// zero, left alone (lease and all) when unchanged, due at the new time
// otherwise. The lock is held.
func (m *MemStore) keepJob(job string, due, was time.Time, existed bool) {
	switch {
	case due.IsZero():
		delete(m.due, job)
		delete(m.leased, job)
	case due.Equal(was) && existed:
		if _, claimed := m.leased[job]; !claimed {
			m.due[job] = due
		}
	default:
		delete(m.leased, job)
		m.due[job] = due
	}
}

// ClaimDue implements coach.Queue.
func (m *MemStore) ClaimDue(_ context.Context, now time.Time, leaseFor time.Duration, max int) ([]coach.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, l := range m.leased {
		if !l.end.After(now) {
			delete(m.leased, k)
			m.due[k] = l.due
		}
	}
	var jobs []coach.Job
	for k, at := range m.due {
		if !at.After(now) {
			jobs = append(jobs, coach.Job{Key: k, Due: at})
		}
	}
	slices.SortFunc(jobs, func(a, b coach.Job) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	if len(jobs) > max {
		jobs = jobs[:max]
	}
	for _, j := range jobs {
		delete(m.due, j.Key)
		m.leased[j.Key] = lease{end: now.Add(leaseFor), due: j.Due}
	}
	return jobs, nil
}

// Schedule implements coach.Queue.
func (m *MemStore) Schedule(_ context.Context, key string, due time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.leased, key)
	m.due[key] = due
	return nil
}

// Done implements coach.Queue.
func (m *MemStore) Done(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.leased, key)
	delete(m.due, key)
	return nil
}

// Release implements coach.Queue.
func (m *MemStore) Release(_ context.Context, keys ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range keys {
		if l, ok := m.leased[k]; ok {
			delete(m.leased, k)
			m.due[k] = l.due
		}
	}
	return nil
}

// Reserve implements coach.Ledger.
func (m *MemStore) Reserve(_ context.Context, key, value string, ttl time.Duration) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.ledger[key]; ok && e.expires.After(m.now()) {
		return e.value, false, nil
	}
	m.ledger[key] = ledgerEntry{value: value, expires: m.now().Add(ttl)}
	return "", true, nil
}

// Record implements coach.Ledger.
func (m *MemStore) Record(_ context.Context, key, value string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ledger[key] = ledgerEntry{value: value, expires: m.now().Add(ttl)}
	return nil
}

// Swap implements coach.Ledger.
func (m *MemStore) Swap(_ context.Context, key, value string, ttl time.Duration) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, found := m.ledger[key]
	found = found && e.expires.After(m.now())
	m.ledger[key] = ledgerEntry{value: value, expires: m.now().Add(ttl)}
	if !found {
		return "", false, nil
	}
	return e.value, true, nil
}

// Forget implements coach.Ledger.
func (m *MemStore) Forget(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.ledger, key)
	return nil
}

// Notifier records the questions coach asks, and fails when told to.
type Notifier struct {
	mu   sync.Mutex
	Sent []Sent
	// Celebrated lists the prospects whose loss was posted, in order.
	Celebrated []string
	// Digests and Briefs record what went to managers.
	Digests []coach.Digest
	Briefs  []coach.Brief
	// Fail, when set, is returned by the next Ask instead of sending.
	Fail error
	n    int
}

// Sent is one question the notifier was asked to send.
type Sent struct {
	Team, Prospect, Owner string
	Ask                   coach.Ask
}

// Ask implements coach.Notifier.
func (n *Notifier) Ask(_ context.Context, p coach.Prospect, a coach.Ask) (coach.MessageRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.Fail; err != nil {
		n.Fail = nil
		return coach.MessageRef{}, err
	}
	n.n++
	n.Sent = append(n.Sent, Sent{Team: p.Workspace, Prospect: p.ID, Owner: p.Owner, Ask: a})
	return coach.MessageRef{Channel: "D" + p.Owner, TS: fmt.Sprintf("%d.000000", n.n)}, nil
}

// Celebrate implements coach.Notifier.
func (n *Notifier) Celebrate(_ context.Context, p coach.Prospect) (coach.MessageRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.Fail; err != nil {
		n.Fail = nil
		return coach.MessageRef{}, err
	}
	n.n++
	n.Celebrated = append(n.Celebrated, p.ID)
	return coach.MessageRef{Channel: "CCELEBRATE", TS: fmt.Sprintf("%d.000000", n.n)}, nil
}

// Digest implements coach.Notifier.
func (n *Notifier) Digest(_ context.Context, _ coach.Team, d coach.Digest) (coach.MessageRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.n++
	n.Digests = append(n.Digests, d)
	return coach.MessageRef{Channel: "CDIGEST", TS: fmt.Sprintf("%d.000000", n.n)}, nil
}

// Brief implements coach.Notifier.
func (n *Notifier) Brief(_ context.Context, x coach.Brief) (coach.MessageRef, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.n++
	n.Briefs = append(n.Briefs, x)
	return coach.MessageRef{Channel: "D" + x.Manager, TS: fmt.Sprintf("%d.000000", n.n)}, nil
}

// Asks returns a copy of what was sent.
func (n *Notifier) Asks() []Sent {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.Sent)
}

// Lookup implements coach.Ledger.
func (m *MemStore) Lookup(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.ledger[key]; ok && e.expires.After(m.now()) {
		return e.value, true, nil
	}
	return "", false, nil
}

// Team implements coach.Teams.
func (m *MemStore) Team(_ context.Context, workspace, manager string) (coach.Team, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	raw, ok := m.teams[workspace+"/"+manager]
	if !ok {
		return coach.Team{}, fmt.Errorf("team of %s/%s: %w", workspace, manager, coach.ErrNotFound)
	}
	var t coach.Team
	err := json.Unmarshal(raw, &t)
	return t, err
}

// Teams implements coach.Teams.
func (m *MemStore) Teams(_ context.Context, workspace string) ([]coach.Team, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []coach.Team
	for k, raw := range m.teams {
		if !strings.HasPrefix(k, workspace+"/") {
			continue
		}
		var t coach.Team
		if err := json.Unmarshal(raw, &t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// ManagerOf implements coach.Teams.
func (m *MemStore) ManagerOf(_ context.Context, workspace, rep string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mgr, ok := m.managers[workspace+"/"+rep]
	if !ok {
		return "", fmt.Errorf("manager of %s/%s: %w", workspace, rep, coach.ErrNotFound)
	}
	return mgr, nil
}

// SaveTeam implements coach.Teams.
func (m *MemStore) SaveTeam(_ context.Context, t coach.Team) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := t.Validate(); err != nil {
		return fmt.Errorf("save team: %w", err)
	}
	k := t.Workspace + "/" + t.Manager
	var old coach.Team
	if raw, ok := m.teams[k]; ok {
		if err := json.Unmarshal(raw, &old); err != nil {
			return err
		}
	}
	if old.Version != t.Version-1 {
		return fmt.Errorf("save team %s at version %d over %d: %w", k, t.Version, old.Version, coach.ErrConflict)
	}
	for _, r := range t.Reps {
		if mgr, ok := m.managers[t.Workspace+"/"+r]; ok && mgr != t.Manager {
			return fmt.Errorf("save team %s: %w", k, &coach.RepTakenError{Rep: r, Manager: mgr})
		}
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	for _, r := range old.Reps {
		if !slices.Contains(t.Reps, r) && m.managers[t.Workspace+"/"+r] == t.Manager {
			delete(m.managers, t.Workspace+"/"+r)
		}
	}
	for _, r := range t.Reps {
		m.managers[t.Workspace+"/"+r] = t.Manager
	}
	m.teams[k] = raw
	return nil
}

// TeamOf implements coach.Teams.
func (m *MemStore) TeamOf(ctx context.Context, workspace, user string) (coach.Team, error) {
	if t, err := m.Team(ctx, workspace, user); err == nil {
		return t, nil
	}
	manager, err := m.ManagerOf(ctx, workspace, user)
	if err != nil {
		return coach.Team{}, err
	}
	return m.Team(ctx, workspace, manager)
}

// Emails is coach's Emails from a fixed map of user → email.
type Emails map[string]string

// Email implements coach.Emails.
func (e Emails) Email(_ context.Context, _, user string) (string, error) { return e[user], nil }

// CRMRefusals records what reps are told of deals their CRM refused, one
// line each: "<prospect>: <CRM> refused it: <reason>".
type CRMRefusals struct {
	mu   sync.Mutex
	told []string
}

// CRMRefused implements coach.CRMNotifier.
func (r *CRMRefusals) CRMRefused(_ context.Context, p coach.Prospect, crm, reason string) (coach.MessageRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.told = append(r.told, p.ID+": "+crm+" refused it: "+reason)
	return coach.MessageRef{Channel: "D1", TS: "1.0"}, nil
}

// Told returns what reps were told so far, in order.
func (r *CRMRefusals) Told() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.told)
}
