package redisstore

import (
	"fmt"
	"strings"
)

// DefaultPrefix is the key prefix when none is configured (REDIS_KEY_PREFIX).
const DefaultPrefix = "pipelinecoach"

// CheckPrefix reports whether prefix can be used as a key prefix: it becomes
// a Redis Cluster hash tag, so it must not contain braces.
func CheckPrefix(prefix string) error {
	if strings.ContainsAny(prefix, "{}") {
		return fmt.Errorf("redis key prefix %q: must not contain { or }", prefix)
	}
	return nil
}

// keys builds every key the store uses; nothing else does, and the Lua
// scripts only use keys passed to them (or, for an owner index, a key this
// type built and the store saved). Every key starts with {prefix}: the whole
// prefix is the Cluster hash tag, so all keys of one store live in one slot
// and every multi-key script is legal on Redis Cluster. Cluster then gives
// failover, not sharding: one store's data is on one primary.
//
//	{p}:t:<team>:p              hash  prospect id → prospect JSON
//	{p}:t:<team>:v              hash  prospect id → version
//	{p}:t:<team>:o              hash  prospect id → key of its owner's set
//	{p}:t:<team>:owner:<user>   set   ids of the user's open prospects (and
//	                                  of retired ones saved before the next key)
//	{p}:t:<team>:owner:<user>:retired
//	                            zset  ids of the user's retired prospects →
//	                                  when they retired (Unix ms)
//	{p}:t:<team>:teams          hash  manager id → team JSON
//	{p}:t:<team>:tv             hash  manager id → team version
//	{p}:t:<team>:rm             hash  rep id → manager id
//	{p}:t:<team>:cal            hash  rep id → calendar sync JSON
//	{p}:t:<team>:calv           hash  rep id → calendar sync version
//	{p}:jobs:due                zset  job key → due time (Unix ms)
//	{p}:jobs:leased             zset  job key → lease end (Unix ms)
//	{p}:jobs:at                 hash  job key → due time (Unix ms), claimed or not
//	{p}:ledger:<key>            string, with a TTL
//
// Team and user ids are escaped (% and : as %25 and %3A), so a team id cannot
// pose as part of another key.
type keys struct{ base string }

func newKeys(prefix string) keys { return keys{base: "{" + prefix + "}"} }

func (k keys) workspace(workspace string) string { return k.base + ":t:" + escape(workspace) }

func (k keys) prospects(workspace string) string { return k.workspace(workspace) + ":p" }
func (k keys) versions(workspace string) string  { return k.workspace(workspace) + ":v" }
func (k keys) owners(workspace string) string    { return k.workspace(workspace) + ":o" }
func (k keys) ownerSet(workspace, owner string) string {
	return k.workspace(workspace) + ":owner:" + escape(owner)
}

// retiredSet is the owner's set of retired prospects: their owner set's key
// with ":retired" after it, which the save script builds from the owner set
// it stored (an escaped user id holds no colon, so it names no other set).
func (k keys) retiredSet(workspace, owner string) string {
	return k.ownerSet(workspace, owner) + ":retired"
}

func (k keys) teams(workspace string) string        { return k.workspace(workspace) + ":teams" }
func (k keys) teamVersions(workspace string) string { return k.workspace(workspace) + ":tv" }
func (k keys) repManagers(workspace string) string  { return k.workspace(workspace) + ":rm" }

func (k keys) calendars(workspace string) string        { return k.workspace(workspace) + ":cal" }
func (k keys) calendarVersions(workspace string) string { return k.workspace(workspace) + ":calv" }

func (k keys) jobsDue() string    { return k.base + ":jobs:due" }
func (k keys) jobsLeased() string { return k.base + ":jobs:leased" }
func (k keys) jobsAt() string     { return k.base + ":jobs:at" }

// LeasedJobsKey is the key of the sorted set of leased jobs (job key →
// lease end, Unix ms). Nothing but the store needs it; tests that play a
// replica whose leases ran out read it rather than spell the key out.
func (s *Store) LeasedJobsKey() string { return s.keys.jobsLeased() }

// jobs are the three keys of the job queue, in the order the scripts take them.
func (k keys) jobs() []string { return []string{k.jobsDue(), k.jobsLeased(), k.jobsAt()} }

func (k keys) ledger(key string) string { return k.base + ":ledger:" + key }

var escaper = strings.NewReplacer("%", "%25", ":", "%3A")

func escape(s string) string { return escaper.Replace(s) }
