package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis replicates asynchronously: a change the primary has answered may not
// have reached any replica yet, and a failover (Sentinel's or Cluster's)
// promotes a replica without it. A rep told "Acme is an opportunity" must
// never find it gone, so a store with Options.MinReplicas > 0 follows every
// change with WAIT, pipelined with it (one round trip), and acknowledges the
// change only when that many replicas hold it. WAIT does not undo a change
// the replicas did not confirm: the primary keeps it, and a failover may
// drop it; the caller hears ErrNotReplicated and tells the person it may not
// have been saved, as for an outage.
//
// Claims (ClaimDue) are not waited for: a lease lost in a failover only lets
// another replica claim the job again, and the send ledger, whose
// reservations are waited for, keeps each message to one post.

// DefaultReplicaWait is how long a change waits for its replicas when
// Options.ReplicaWait is zero: replication on a local network takes well
// under a millisecond, and a modal's save must be answered within Slack's
// 3 s.
const DefaultReplicaWait = 500 * time.Millisecond

// ErrNotReplicated means fewer replicas than Options.MinReplicas confirmed a
// change in time: the primary has it, but a failover could lose it.
var ErrNotReplicated = errors.New("not confirmed by enough replicas")

// Options configure a Store.
type Options struct {
	// Prefix is the key prefix, DefaultPrefix when empty (see CheckPrefix).
	Prefix string
	// MinReplicas is how many replicas must hold a change before the store
	// acknowledges it; 0 acknowledges what the primary has.
	MinReplicas int
	// ReplicaWait bounds how long a change waits for them
	// (DefaultReplicaWait when zero).
	ReplicaWait time.Duration
}

// Open returns a store on client with the given options, or an error naming
// what is wrong with them.
func Open(client redis.UniversalClient, o Options) (*Store, error) {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if err := CheckPrefix(o.Prefix); err != nil {
		return nil, err
	}
	if o.MinReplicas < 0 {
		return nil, fmt.Errorf("min replicas %d: cannot be negative", o.MinReplicas)
	}
	if o.ReplicaWait == 0 {
		o.ReplicaWait = DefaultReplicaWait
	}
	if o.ReplicaWait < time.Millisecond {
		return nil, fmt.Errorf("replica wait %s: must be at least 1ms", o.ReplicaWait)
	}
	return &Store{client: client, keys: newKeys(o.Prefix), minReplicas: o.MinReplicas, replicaWait: o.ReplicaWait}, nil
}

// change runs a state-changing script: alone when the store waits for no
// replica, else pipelined with WAIT. A script the server lost (NOSCRIPT,
// as on a newly promoted primary) is sent again in full.
func (s *Store) change(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	if s.minReplicas == 0 {
		return s.run(ctx, script, keys, args...)
	}
	return whileMoving(ctx, func() *redis.Cmd {
		cmd := s.waited(ctx, func(c redis.Cmdable) redis.Cmder { return script.EvalSha(ctx, c, keys, args...) }).(*redis.Cmd)
		if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
			cmd = s.waited(ctx, func(c redis.Cmdable) redis.Cmder { return script.Eval(ctx, c, keys, args...) }).(*redis.Cmd)
		}
		return cmd
	})
}

// moveRetry is how long a script is tried again while an operator moves
// the store's slot to another Cluster node: Redis answers TRYAGAIN while the
// script's keys are split between the two, and go-redis gives up following
// MOVED and ASK after three redirections, fewer than a busy move can take.
// Each of these answers means the script did not run, so running it again
// is safe.
const moveRetry = time.Second

// run runs a script, trying it again while the store's slot moves.
func (s *Store) run(ctx context.Context, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	return whileMoving(ctx, func() *redis.Cmd { return script.Run(ctx, s.client, keys, args...) })
}

// whileMoving runs send until its command is not refused for a slot being
// moved, or moveRetry has passed.
func whileMoving[C redis.Cmder](ctx context.Context, send func() C) C {
	deadline := time.Now().Add(moveRetry)
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		cmd := send()
		if !moving(cmd.Err()) || time.Now().Add(pause).After(deadline) {
			return cmd
		}
		select {
		case <-ctx.Done():
			return cmd
		case <-time.After(pause):
		}
	}
}

// moving tells whether err is Cluster's answer to a command that met its
// slot being moved.
func moving(err error) bool {
	if err == nil {
		return false
	}
	_, moved := redis.IsMovedError(err)
	_, ask := redis.IsAskError(err)
	return moved || ask || redis.IsTryAgainError(err)
}

// changeCmd runs one state-changing command made by send (a SET, a DEL),
// followed by WAIT when the store waits for replicas.
func (s *Store) changeCmd(ctx context.Context, send func(c redis.Cmdable) redis.Cmder) error {
	if s.minReplicas == 0 {
		return send(s.client).Err()
	}
	return whileMoving(ctx, func() redis.Cmder { return s.waited(ctx, send) }).Err()
}

// waited sends the command made by send and WAIT in one pipeline, and
// returns the command with ErrNotReplicated set on it when too few replicas
// confirmed it.
//
// On Cluster, WAIT has no key and go-redis would send it to any node (or
// every node), so both go to the primary of the store's slot directly, not
// redirected: a change that meets the slot being moved (MOVED, ASK) is sent
// again (whileMoving) once the client has reloaded the slot map, to the
// node WAIT must reach.
func (s *Store) waited(ctx context.Context, send func(c redis.Cmdable) redis.Cmder) redis.Cmder {
	pipe, err := s.primaryPipeline(ctx)
	if err != nil {
		cmd := send(s.client.Pipeline()) // never sent: carries the error
		cmd.SetErr(err)
		return cmd
	}
	cmd := send(pipe)
	// Do: go-redis's Wait is not on Pipeliner. The reply comes within
	// replicaWait, well inside the client's read timeout (3 s by default).
	wait := pipe.Do(ctx, "wait", s.minReplicas, s.replicaWait.Milliseconds())
	_, _ = pipe.Exec(ctx)
	if err := cmd.Err(); err != nil {
		s.redirected(ctx, err)
		return cmd
	}
	n, err := wait.Int64()
	switch {
	case err != nil:
		cmd.SetErr(fmt.Errorf("wait for %d replicas: %w", s.minReplicas, err))
	case n < int64(s.minReplicas):
		cmd.SetErr(fmt.Errorf("%d of %d replicas confirmed within %s: %w", n, s.minReplicas, s.replicaWait, ErrNotReplicated))
	}
	return cmd
}

// redirected has a Cluster client reload the slot map after a change sent
// to the slot's old primary was answered MOVED or ASK, so that the next one
// goes to the new primary.
func (s *Store) redirected(ctx context.Context, err error) {
	cc, ok := s.client.(*redis.ClusterClient)
	if !ok {
		return
	}
	_, moved := redis.IsMovedError(err)
	_, ask := redis.IsAskError(err)
	if moved || ask {
		cc.ReloadState(ctx)
	}
}

// primaryPipeline is a pipeline to the primary holding the store's keys.
func (s *Store) primaryPipeline(ctx context.Context) (redis.Pipeliner, error) {
	cc, ok := s.client.(*redis.ClusterClient)
	if !ok {
		return s.client.Pipeline(), nil
	}
	node, err := cc.MasterForKey(ctx, s.keys.base)
	if err != nil {
		return nil, fmt.Errorf("find the primary of the store's slot: %w", err)
	}
	return node.Pipeline(), nil
}

// pingWait bounds the replica check of Ping: /readyz answers within 1 s.
const pingWait = 200 * time.Millisecond

// Ping checks that Redis answers and, when the store waits for replicas,
// that enough of them are connected and in step for a change to be
// acknowledged: a store that can only refuse changes is not ready.
func (s *Store) Ping(ctx context.Context) error {
	if s.minReplicas == 0 {
		if err := s.client.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("ping redis: %w", err)
		}
		return nil
	}
	pipe, err := s.primaryPipeline(ctx)
	if err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	ping := pipe.Ping(ctx)
	wait := pipe.Do(ctx, "wait", s.minReplicas, min(s.replicaWait, pingWait).Milliseconds())
	_, _ = pipe.Exec(ctx)
	if err := ping.Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	n, err := wait.Int64()
	if err != nil {
		return fmt.Errorf("ping redis: wait for %d replicas: %w", s.minReplicas, err)
	}
	if n < int64(s.minReplicas) {
		return fmt.Errorf("ping redis: %d of %d replicas in step: %w", n, s.minReplicas, ErrNotReplicated)
	}
	return nil
}
