package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// JobKeys returns the keys of the job queue: due, leased, at.
func JobKeys(s *Store) (due, leased, at string) {
	return s.keys.jobsDue(), s.keys.jobsLeased(), s.keys.jobsAt()
}

// AddJobs schedules n jobs named name(i), due at due(i), as Schedule would
// on an empty queue, with pipelined batches of ZADD and HSET: fast enough to
// fill a queue with a million jobs.
func AddJobs(ctx context.Context, s *Store, n int, name func(i int) string, due func(i int) time.Time) error {
	const batch = 5000
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		members := make([]redis.Z, 0, end-start)
		fields := make([]any, 0, 2*(end-start))
		for i := start; i < end; i++ {
			at := due(i).UnixMilli()
			members = append(members, redis.Z{Score: float64(at), Member: name(i)})
			fields = append(fields, name(i), strconv.FormatInt(at, 10))
		}
		_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.ZAdd(ctx, s.keys.jobsDue(), members...)
			p.HSet(ctx, s.keys.jobsAt(), fields...)
			return nil
		})
		if err != nil {
			return fmt.Errorf("add jobs %d to %d: %w", start, end, err)
		}
	}
	return nil
}

// HashTag is the store's hash tag, {prefix}: its keys' cluster slot.
func HashTag(s *Store) string { return s.keys.base }

// OwnerKeys returns the keys of a rep's sets of prospects: open, retired.
func OwnerKeys(s *Store, workspace, owner string) (open, retired string) {
	return s.keys.ownerSet(workspace, owner), s.keys.retiredSet(workspace, owner)
}

// VersionsKey is the key of a workspace's hash of prospect versions.
func VersionsKey(s *Store, workspace string) string { return s.keys.versions(workspace) }
