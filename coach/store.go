package coach

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Store is everything coach keeps. A backend implements all of it and passes
// the conformance suite in storage/storetest.
type Store interface {
	Prospects
	Teams
	Queue
	Ledger
	CalendarSyncs
	Members
}

// Prospects keeps prospects, one record per prospect, history included.
type Prospects interface {
	// Prospect returns one prospect of a team, or ErrNotFound.
	Prospect(ctx context.Context, team, id string) (Prospect, error)
	// ProspectsOf returns every prospect a rep owns, in any state and order.
	ProspectsOf(ctx context.Context, team, owner string) ([]Prospect, error)
	// ProspectsOfSince returns the prospects a rep owns that are open, or
	// retired (Prospect.Retired) at or after since, in any order: a rep's
	// view reads its recent windows without the deals of years past. A
	// store may return more retired ones than asked (those it stored before
	// it indexed them), never fewer.
	ProspectsOfSince(ctx context.Context, team, owner string, since time.Time) ([]Prospect, error)
	// ProspectsOfOwners returns every prospect the owners own, in any state
	// and order, in one round trip whatever their number: its cost grows
	// with their prospects, not with the workspace's.
	ProspectsOfOwners(ctx context.Context, workspace string, owners []string) ([]Prospect, error)
	// ProspectsOfOwnersSince is ProspectsOfSince of several owners, in one
	// round trip: a team's digest reads its recent windows.
	ProspectsOfOwnersSince(ctx context.Context, workspace string, owners []string, since time.Time) ([]Prospect, error)
	// WorkspaceProspects returns every prospect of a workspace, in any order.
	WorkspaceProspects(ctx context.Context, workspace string) ([]Prospect, error)
	// Save writes p atomically, in one round trip, only if the stored version
	// is p.Version-1 (no record at all when p.Version is 1); otherwise it
	// returns ErrConflict and writes nothing. In the same step it keeps p's
	// follow-up job (FollowUpKey) in step with p.FollowUpAt: removed when
	// zero, due at FollowUpAt otherwise; a job already claimed keeps its
	// lease when FollowUpAt did not change.
	Save(ctx context.Context, p Prospect) error
}

// Job is scheduled work that has come due. Due is the time it was
// scheduled for, also when it is claimed again after a lease ended or was
// released, so a follow-up's Due is always its prospect's FollowUpAt.
type Job struct {
	Key string
	Due time.Time
}

// Queue holds due work. A job is claimed with a lease: if its claimer dies,
// it is due again when the lease ends, and two claimers never hold it at once.
type Queue interface {
	// ClaimDue leases up to max jobs due at or before now, earliest first,
	// jobs whose lease has ended included. Its cost grows with what is due,
	// not with what is pending.
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, max int) ([]Job, error)
	// Schedule adds or moves a job no prospect owns (a digest, a nudge).
	Schedule(ctx context.Context, key string, due time.Time) error
	// Done removes a job, claimed or not.
	Done(ctx context.Context, key string) error
	// Release ends the leases of jobs claimed and not done, so they are due
	// again at once (a replica shutting down hands its work over).
	Release(ctx context.Context, keys ...string) error
}

// Ledger is the record of what was done once and must not be done again:
// each Slack post the scheduler makes, each envelope Slack retries.
type Ledger interface {
	// Reserve stores value under key if the key is absent, for ttl. It
	// returns reserved == false and the value already there otherwise.
	Reserve(ctx context.Context, key, value string, ttl time.Duration) (existing string, reserved bool, err error)
	// Record stores value under key for ttl, whatever was there.
	Record(ctx context.Context, key, value string, ttl time.Duration) error
	// Swap is Record that also returns what was there (found false:
	// nothing), in one atomic step, so that a writer can tell whether
	// anyone else wrote the key since it last read it.
	Swap(ctx context.Context, key, value string, ttl time.Duration) (old string, found bool, err error)
	// Forget removes key.
	Forget(ctx context.Context, key string) error
	// Lookup returns the value under key, if any.
	Lookup(ctx context.Context, key string) (value string, found bool, err error)
}

const followUpJob = "followup"

// FollowUpKey is the key of the one job that follows a prospect up.
func FollowUpKey(team, id string) string { return followUpJob + "/" + team + "/" + id }

func parseFollowUpKey(key string) (team, id string, err error) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || parts[0] != followUpJob || parts[1] == "" || parts[2] == "" {
		return "", "", fmt.Errorf("job key %q is not a follow-up", key)
	}
	return parts[1], parts[2], nil
}

// Notifier asks a rep the questions of the two-meeting rule.
type Notifier interface {
	// Ask sends the question to the prospect's owner and returns the
	// message, so it can be updated once answered. Errors that retrying will
	// not fix wrap ErrUndeliverable.
	Ask(ctx context.Context, p Prospect, a Ask) (MessageRef, error)
	// Celebrate posts a shared loss to the team's channel, blamelessly.
	// When the channel cannot take it, it tells the rep the loss is saved
	// and returns an error wrapping ErrUndeliverable.
	Celebrate(ctx context.Context, p Prospect) (MessageRef, error)
	// Digest posts a team's weekly digest to its channel (or, with none
	// set, to its manager) in as many messages as it takes.
	Digest(ctx context.Context, t Team, d Digest) (MessageRef, error)
	// Brief sends a rep's coaching brief to their manager.
	Brief(ctx context.Context, b Brief) (MessageRef, error)
}

// ErrUndeliverable marks a message that cannot be delivered however often it
// is tried (the user is gone, the channel does not exist).
var ErrUndeliverable = fmt.Errorf("undeliverable")

// Clock tells the time. Everything in coach takes it from here, so tests can
// move time instead of waiting.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }
