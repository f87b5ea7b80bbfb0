// Package redisstore keeps coach's prospects, teams, job queue and ledger in
// Redis, for any number of replicas.
//
// Every state change is one Lua script (or, for Record and Forget, one
// command), so it is atomic and takes one round trip; every read is one
// command or script too (a read that finds retired deals an older version
// left among a rep's open ones then moves them, once: indexRetired). A store that must not lose a change in a failover
// (Options.MinReplicas) pipelines WAIT after each change, still one round
// trip (replicas.go). All keys of a store share
// the hash tag {prefix} (see keys), so the store works on Redis Cluster,
// where it gets failover but no sharding.
//
// Job due times and leases are kept at millisecond resolution: a Job's Due
// is its due time truncated to the millisecond. Prospects keep every field
// exactly (JSON), FollowUpAt included.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"pipelinecoach/coach"
	"pipelinecoach/storage/record"
)

// Store is coach.Store on Redis. It is safe for concurrent use.
type Store struct {
	client      redis.UniversalClient
	keys        keys
	minReplicas int           // replicas that must hold a change (see replicas.go)
	replicaWait time.Duration // how long a change waits for them
}

var _ coach.Store = (*Store)(nil)

// New returns a store keeping its keys under {prefix}: (DefaultPrefix when
// prefix is empty). Stores with different prefixes on one server do not see
// each other. New panics if CheckPrefix rejects prefix; check configuration
// with it first.
func New(client redis.UniversalClient, prefix string) *Store {
	s, err := Open(client, Options{Prefix: prefix})
	if err != nil {
		panic("redisstore.New: " + err.Error())
	}
	return s
}

// Prospect returns one prospect of a team, or coach.ErrNotFound.
func (s *Store) Prospect(ctx context.Context, team, id string) (coach.Prospect, error) {
	return hashRecord[coach.Prospect](ctx, s.client, s.keys.prospects(team), id, "get prospect", team)
}

// ProspectsOf returns every prospect owner owns in team, in no order.
func (s *Store) ProspectsOf(ctx context.Context, team, owner string) ([]coach.Prospect, error) {
	ps, err := s.ProspectsOfOwners(ctx, team, []string{owner})
	if err != nil {
		return nil, fmt.Errorf("list prospects of %s/%s: %w", team, owner, err)
	}
	return ps, nil
}

// ProspectsOfSince returns the prospects owner owns in team that are open,
// or retired at or after since, in no order, in one round trip. Retired
// prospects saved before they were indexed apart are returned too.
func (s *Store) ProspectsOfSince(ctx context.Context, team, owner string, since time.Time) ([]coach.Prospect, error) {
	ps, err := s.prospectsOfOwners(ctx, team, []string{owner}, ms(since))
	if err != nil {
		return nil, fmt.Errorf("list recent prospects of %s/%s: %w", team, owner, err)
	}
	return ps, nil
}

// ProspectsOfOwners returns every prospect the owners own, in one round
// trip (one script over their owner sets; none at all for no owners).
func (s *Store) ProspectsOfOwners(ctx context.Context, workspace string, owners []string) ([]coach.Prospect, error) {
	ps, err := s.prospectsOfOwners(ctx, workspace, owners, "-inf")
	if err != nil {
		return nil, fmt.Errorf("list prospects of %d owners in %s: %w", len(owners), workspace, err)
	}
	return ps, nil
}

// ProspectsOfOwnersSince returns the prospects the owners own that are
// open, or retired at or after since, in one round trip.
func (s *Store) ProspectsOfOwnersSince(ctx context.Context, workspace string, owners []string, since time.Time) ([]coach.Prospect, error) {
	ps, err := s.prospectsOfOwners(ctx, workspace, owners, ms(since))
	if err != nil {
		return nil, fmt.Errorf("list recent prospects of %d owners in %s: %w", len(owners), workspace, err)
	}
	return ps, nil
}

// prospectsOfOwners reads the owners' open prospects and those retired at
// or after since (Unix ms, or "-inf"). A retired prospect saved before
// retired ones were indexed apart is still in its owner's open set: it is
// read whatever since, and moved to the retired set, so each rep's reads
// shed their old deals once.
func (s *Store) prospectsOfOwners(ctx context.Context, workspace string, owners []string, since string) ([]coach.Prospect, error) {
	owners = slices.Compact(slices.Sorted(slices.Values(owners)))
	if len(owners) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, 2*len(owners)+1)
	keys = append(keys, s.keys.prospects(workspace))
	for _, o := range owners {
		keys = append(keys, s.keys.ownerSet(workspace, o), s.keys.retiredSet(workspace, o))
	}
	res, err := s.run(ctx, prospectsOfOwnersScript, keys, since).Slice()
	if err != nil {
		return nil, err
	}
	if len(res) != 2 {
		return nil, fmt.Errorf("unexpected reply of %d parts", len(res))
	}
	open, err := decodeProspectsReply(res[0])
	if err != nil {
		return nil, err
	}
	retired, err := decodeProspectsReply(res[1])
	if err != nil {
		return nil, err
	}
	s.indexRetired(ctx, workspace, open)
	return append(open, retired...), nil
}

// indexRetired moves the retired prospects among ps, which were read from
// their owners' open sets, to their retired sets. It is a read's side work:
// if it fails, nothing is lost, and the next read of these deals tries
// again.
func (s *Store) indexRetired(ctx context.Context, workspace string, ps []coach.Prospect) {
	var keys []string
	var args []any
	for _, p := range ps {
		at, retired := p.Retired()
		if !retired {
			continue
		}
		if keys == nil {
			keys = []string{s.keys.versions(workspace), s.keys.owners(workspace)}
		}
		keys = append(keys, s.keys.ownerSet(workspace, p.Owner), s.keys.retiredSet(workspace, p.Owner))
		args = append(args, p.ID, strconv.FormatInt(p.Version, 10), ms(at))
	}
	if keys != nil {
		_ = s.change(ctx, indexRetiredScript, keys, args...).Err()
	}
}

// decodeProspectsReply decodes one part of a script's reply: a list of
// prospects' JSON.
func decodeProspectsReply(part any) ([]coach.Prospect, error) {
	items, ok := part.([]any)
	if !ok {
		return nil, fmt.Errorf("unexpected reply %T", part)
	}
	raws := make([]string, len(items))
	for i, it := range items {
		if raws[i], ok = it.(string); !ok {
			return nil, fmt.Errorf("unexpected record %T", it)
		}
	}
	return decodeProspects(raws)
}

// WorkspaceProspects returns every prospect of a workspace, in one round trip.
func (s *Store) WorkspaceProspects(ctx context.Context, workspace string) ([]coach.Prospect, error) {
	raws, err := s.client.HVals(ctx, s.keys.prospects(workspace)).Result()
	if err != nil {
		return nil, fmt.Errorf("list prospects of workspace %s: %w", workspace, err)
	}
	ps, err := decodeProspects(raws)
	if err != nil {
		return nil, fmt.Errorf("list prospects of workspace %s: %w", workspace, err)
	}
	return ps, nil
}

// hashRecord reads the JSON record stored under id in the hash key (one
// HGET) and decodes it: coach.ErrNotFound when there is none. Its errors
// say "<what> <workspace>/<id>".
func hashRecord[T any](ctx context.Context, c redis.Cmdable, key, id, what, workspace string) (T, error) {
	var v T
	raw, err := c.HGet(ctx, key, id).Result()
	if errors.Is(err, redis.Nil) {
		return v, fmt.Errorf("%s %s/%s: %w", what, workspace, id, coach.ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("%s %s/%s: %w", what, workspace, id, err)
	}
	if err := record.DecodeString(raw, &v); err != nil {
		return v, fmt.Errorf("%s %s/%s: decode: %w", what, workspace, id, err)
	}
	return v, nil
}

// decodeProspects decodes the stored JSON of prospects.
func decodeProspects(raws []string) ([]coach.Prospect, error) {
	ps := make([]coach.Prospect, len(raws))
	for i, raw := range raws {
		if err := record.DecodeString(raw, &ps[i]); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
	}
	return ps, nil
}

// Save writes p if the stored version is p.Version-1 (or there is none and
// p.Version is 1), and keeps its follow-up job in step, in one script.
// Otherwise it returns coach.ErrConflict and writes nothing.
func (s *Store) Save(ctx context.Context, p coach.Prospect) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("save prospect: %w", err)
	}
	raw, err := record.Encode(p)
	if err != nil {
		return fmt.Errorf("save prospect %s/%s: encode: %w", p.Workspace, p.ID, err)
	}
	followUp := ""
	if !p.FollowUpAt.IsZero() {
		followUp = ms(p.FollowUpAt)
	}
	crm := ""
	if !p.CRM.SyncAt.IsZero() {
		crm = ms(p.CRM.SyncAt)
	}
	retired := ""
	if at, ok := p.Retired(); ok {
		retired = ms(at)
	}
	k := s.keys
	res, err := s.change(ctx, saveScript,
		append([]string{k.prospects(p.Workspace), k.versions(p.Workspace), k.owners(p.Workspace),
			k.ownerSet(p.Workspace, p.Owner), k.retiredSet(p.Workspace, p.Owner)}, k.jobs()...),
		p.ID, p.Version, raw, coach.FollowUpKey(p.Workspace, p.ID), followUp, coach.CRMKey(p.Workspace, p.ID), crm, retired).Slice()
	if err != nil {
		return fmt.Errorf("save prospect %s/%s: %w", p.Workspace, p.ID, err)
	}
	if len(res) == 0 {
		return fmt.Errorf("save prospect %s/%s: unexpected reply %v", p.Workspace, p.ID, res)
	}
	if written, _ := res[0].(int64); written == 1 {
		return nil
	}
	stored := "none"
	if len(res) > 1 {
		if v, ok := res[1].(string); ok {
			stored = v
		}
	}
	return fmt.Errorf("save prospect %s/%s: version %d over stored version %s: %w",
		p.Workspace, p.ID, p.Version, stored, coach.ErrConflict)
}

// ClaimDue leases up to max jobs due at or before now, earliest first. Jobs
// whose lease ended at or before now are due again at their own due time.
// Both are bounded range reads of sorted sets: O(log N + max).
//
// When more than max leases have ended, only max of them (those that ended
// first) are put back per call, so a job put back later may be claimed after
// a job due later than it.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, max int) ([]coach.Job, error) {
	if max <= 0 {
		return nil, nil
	}
	if lease <= 0 {
		return nil, fmt.Errorf("claim due jobs: lease %s is not positive: %w", lease, coach.ErrInvalid)
	}
	res, err := s.run(ctx, claimScript, s.keys.jobs(),
		ms(now), ms(now.Add(lease)), max).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("claim due jobs: %w", err)
	}
	jobs := make([]coach.Job, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		due, err := strconv.ParseFloat(res[i+1], 64)
		if err != nil {
			return nil, fmt.Errorf("claim due jobs: due time %q of %s: %w", res[i+1], res[i], err)
		}
		jobs = append(jobs, coach.Job{Key: res[i], Due: time.UnixMilli(int64(due))})
	}
	return jobs, nil
}

// Schedule adds a job, or moves it to due. Moving a claimed job ends its
// lease; scheduling it again at the same due time keeps the lease, as Save
// does for a follow-up.
func (s *Store) Schedule(ctx context.Context, key string, due time.Time) error {
	if err := s.change(ctx, scheduleScript, s.keys.jobs(), key, ms(due)).Err(); err != nil {
		return fmt.Errorf("schedule job %s: %w", key, err)
	}
	return nil
}

// Done removes a job, claimed or not. Removing a job that is not there does
// nothing.
func (s *Store) Done(ctx context.Context, key string) error {
	if err := s.change(ctx, doneScript, s.keys.jobs(), key).Err(); err != nil {
		return fmt.Errorf("finish job %s: %w", key, err)
	}
	return nil
}

// Release ends the leases of the given jobs, so they are due again at once
// (at their own due time, which has passed). Jobs not claimed are left alone.
func (s *Store) Release(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	if err := s.change(ctx, releaseScript, s.keys.jobs(), args...).Err(); err != nil {
		return fmt.Errorf("release %d jobs: %w", len(keys), err)
	}
	return nil
}

// Reserve stores value under key unless the key holds a value; then it
// returns that value and reserved == false. A ttl of zero or less keeps the
// value until it is forgotten.
func (s *Store) Reserve(ctx context.Context, key, value string, ttl time.Duration) (string, bool, error) {
	res, err := s.change(ctx, reserveScript, []string{s.keys.ledger(key)}, value, ttlArg(ttl)).Slice()
	if err != nil {
		return "", false, fmt.Errorf("reserve %s: %w", key, err)
	}
	if len(res) == 0 {
		return "", false, fmt.Errorf("reserve %s: unexpected reply %v", key, res)
	}
	if reserved, _ := res[0].(int64); reserved == 1 {
		return "", true, nil
	}
	existing := ""
	if len(res) > 1 {
		existing, _ = res[1].(string)
	}
	return existing, false, nil
}

// Record stores value under key, whatever was there. A ttl of zero or less
// keeps the value until it is forgotten. It is one SET, atomic by itself.
func (s *Store) Record(ctx context.Context, key, value string, ttl time.Duration) error {
	ttl = time.Duration(ttlMillis(ttl)) * time.Millisecond // 0: none
	err := s.changeCmd(ctx, func(c redis.Cmdable) redis.Cmder { return c.Set(ctx, s.keys.ledger(key), value, ttl) })
	if err != nil {
		return fmt.Errorf("record %s: %w", key, err)
	}
	return nil
}

// Swap is Record that also returns what the key held (found false:
// nothing), in one script.
func (s *Store) Swap(ctx context.Context, key, value string, ttl time.Duration) (string, bool, error) {
	res, err := s.change(ctx, swapScript, []string{s.keys.ledger(key)}, value, ttlArg(ttl)).Slice()
	if err != nil {
		return "", false, fmt.Errorf("swap %s: %w", key, err)
	}
	if len(res) == 0 {
		return "", false, nil
	}
	old, ok := res[0].(string)
	if !ok {
		return "", false, fmt.Errorf("swap %s: unexpected reply %v", key, res)
	}
	return old, true, nil
}

// Forget removes key. Forgetting a key that is not there does nothing.
func (s *Store) Forget(ctx context.Context, key string) error {
	if err := s.changeCmd(ctx, func(c redis.Cmdable) redis.Cmder { return c.Del(ctx, s.keys.ledger(key)) }); err != nil {
		return fmt.Errorf("forget %s: %w", key, err)
	}
	return nil
}

// ms is t as Unix milliseconds, the resolution of every time in the queue.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// ttlMillis is ttl in whole milliseconds, rounded up so that a short ttl
// does not become none; 0 for none.
func ttlMillis(ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	return int64((ttl + time.Millisecond - 1) / time.Millisecond)
}

// ttlArg is ttlMillis for a script: empty for none.
func ttlArg(ttl time.Duration) string {
	if n := ttlMillis(ttl); n > 0 {
		return strconv.FormatInt(n, 10)
	}
	return ""
}

// Lookup returns the value under key, if any. One GET.
func (s *Store) Lookup(ctx context.Context, key string) (string, bool, error) {
	v, err := s.client.Get(ctx, s.keys.ledger(key)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("look up %s: %w", key, err)
	}
	return v, true, nil
}

// Team returns a manager's team, or coach.ErrNotFound. One HGET.
func (s *Store) Team(ctx context.Context, workspace, manager string) (coach.Team, error) {
	return hashRecord[coach.Team](ctx, s.client, s.keys.teams(workspace), manager, "team of", workspace)
}

// Teams returns every team of a workspace. One HVALS.
func (s *Store) Teams(ctx context.Context, workspace string) ([]coach.Team, error) {
	raws, err := s.client.HVals(ctx, s.keys.teams(workspace)).Result()
	if err != nil {
		return nil, fmt.Errorf("teams of %s: %w", workspace, err)
	}
	ts := make([]coach.Team, len(raws))
	for i, raw := range raws {
		if err := record.DecodeString(raw, &ts[i]); err != nil {
			return nil, fmt.Errorf("teams of %s: decode: %w", workspace, err)
		}
	}
	return ts, nil
}

// ManagerOf returns a rep's manager, or coach.ErrNotFound. One HGET.
func (s *Store) ManagerOf(ctx context.Context, workspace, rep string) (string, error) {
	m, err := s.client.HGet(ctx, s.keys.repManagers(workspace), rep).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("manager of %s/%s: %w", workspace, rep, coach.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("manager of %s/%s: %w", workspace, rep, err)
	}
	return m, nil
}

// SaveTeam writes a team over the version it was read at and keeps the rep
// index in step, in one script.
func (s *Store) SaveTeam(ctx context.Context, t coach.Team) error {
	if err := t.Validate(); err != nil {
		return fmt.Errorf("save team: %w", err)
	}
	raw, err := record.Encode(t)
	if err != nil {
		return fmt.Errorf("save team %s/%s: encode: %w", t.Workspace, t.Manager, err)
	}
	args := []any{t.Manager, t.Version, string(raw)}
	for _, r := range t.Reps {
		args = append(args, r)
	}
	res, err := s.change(ctx, saveTeamScript,
		[]string{s.keys.teams(t.Workspace), s.keys.teamVersions(t.Workspace), s.keys.repManagers(t.Workspace)}, args...).StringSlice()
	if err != nil {
		return fmt.Errorf("save team %s/%s: %w", t.Workspace, t.Manager, err)
	}
	switch {
	case len(res) == 1 && res[0] == "ok":
		return nil
	case len(res) == 2 && res[0] == "conflict":
		return fmt.Errorf("save team %s/%s: version %d over stored version %s: %w", t.Workspace, t.Manager, t.Version, res[1], coach.ErrConflict)
	case len(res) == 3 && res[0] == "taken":
		return fmt.Errorf("save team %s/%s: %w", t.Workspace, t.Manager, &coach.RepTakenError{Rep: res[1], Manager: res[2]})
	}
	return fmt.Errorf("save team %s/%s: unexpected reply %v", t.Workspace, t.Manager, res)
}

// CountDue counts the jobs due at now that nobody has claimed, for the
// jobs_due metric. One ZCOUNT: O(log N).
func (s *Store) CountDue(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.client.ZCount(ctx, s.keys.jobsDue(), "-inf", ms(now)).Result()
	if err != nil {
		return 0, fmt.Errorf("count due jobs: %w", err)
	}
	return n, nil
}

// TeamOf returns the team a user manages, else their manager's, in one
// script.
func (s *Store) TeamOf(ctx context.Context, workspace, user string) (coach.Team, error) {
	raw, err := s.run(ctx, teamOfScript, []string{s.keys.teams(workspace), s.keys.repManagers(workspace)}, user).Text()
	if errors.Is(err, redis.Nil) {
		return coach.Team{}, fmt.Errorf("team of %s/%s: %w", workspace, user, coach.ErrNotFound)
	}
	if err != nil {
		return coach.Team{}, fmt.Errorf("team of %s/%s: %w", workspace, user, err)
	}
	var t coach.Team
	if err := record.DecodeString(raw, &t); err != nil {
		return coach.Team{}, fmt.Errorf("team of %s/%s: decode: %w", workspace, user, err)
	}
	return t, nil
}
