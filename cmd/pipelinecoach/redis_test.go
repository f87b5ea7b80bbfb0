package main

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"pipelinecoach/storage/redisstore/redistest"
)

// Each form of REDIS_URL makes its kind of client, and a wrong one says
// what is wrong without repeating a password.
func TestRedisURLForms(t *testing.T) {
	tests := []struct {
		url     string
		cluster bool
		want    string // the client's type, or the start of the error
	}{
		{"redis://127.0.0.1:6379/0", false, "*redis.Client"},
		{"redis://127.0.0.1:26379/0?master_name=pc&addr=127.0.0.1:26380&addr=127.0.0.1:26381", false, "*redis.Client"},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001&addr=127.0.0.1:7002", true, "*redis.ClusterClient"},
		{"redis://127.0.0.1:26379/0?master_name=pc", true, "REDIS_URL: a Sentinel URL"},
		{"redis://127.0.0.1:26379/0?master_name=", false, "REDIS_URL: master_name is empty"},
		{"redis://127.0.0.1:6379/0?bogus=1", false, "REDIS_URL: redis: unexpected option: bogus"},
		{"redis://:hunter2@127.0.0.1:6379/0?master_name=pc&addr=bad", false, "REDIS_URL (Sentinel): "},
		{"redis://:hunter2@[::1", false, "REDIS_URL: "},
	}
	for _, tc := range tests {
		c, where, err := redisClient(config{RedisURL: tc.url, RedisCluster: tc.cluster})
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = typeName(c)
			_ = c.Close()
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s (cluster %v): %q, want %q", tc.url, tc.cluster, got, tc.want)
		}
		if strings.Contains(got+where, "hunter2") {
			t.Errorf("%s: the password shows in %q / %q", tc.url, got, where)
		}
	}
}

func typeName(c redis.UniversalClient) string {
	switch c.(type) {
	case *redis.ClusterClient:
		return "*redis.ClusterClient"
	case *redis.Client:
		return "*redis.Client"
	}
	return "?"
}

// The bot's store opens on a real Sentinel group and a real Cluster from
// the URLs an operator would write, and answers Ping (with a replica
// waited for through Sentinel).
func TestOpenStoreOnSentinelAndCluster(t *testing.T) {
	ctx := context.Background()
	g := redistest.StartSentinel(t)
	cl := redistest.StartCluster(t)
	for _, cfg := range []config{
		{RedisURL: g.URL(), RedisKeyPrefix: "pc", RedisMinReplicas: 1, RedisWaitTimeout: 500e6},
		{RedisURL: cl.URL(), RedisCluster: true, RedisKeyPrefix: "pc", RedisWaitTimeout: 500e6},
		{RedisURL: cl.URL(), RedisCluster: true, RedisKeyPrefix: "pc", RedisMinReplicas: 1, RedisWaitTimeout: 500e6},
	} {
		hook := &sentHook{}
		s, where, closeFn, err := openStore(cfg, hook)
		if err != nil {
			t.Fatalf("%s: %v", cfg.RedisURL, err)
		}
		err = s.Ping(ctx)
		if cfg.RedisCluster && cfg.RedisMinReplicas > 0 {
			// This cluster has no replicas: not ready, and the hook saw why.
			if err == nil {
				t.Errorf("%s: Ping = nil, want too few replicas", where)
			}
		} else if err != nil {
			t.Errorf("%s: Ping: %v", where, err)
		}
		pings := 0
		for _, name := range hook.sent() {
			if name == "ping" {
				pings++
			}
		}
		if got := hook.sent(); pings != 1 || cfg.RedisMinReplicas > 0 && !slices.Contains(got, "wait") {
			t.Errorf("%s: the hooks saw %v, want one ping (and a wait)", where, got)
		}
		t.Log(where)
		closeFn()
	}
}

// sentHook records the names of the commands it sees, once each time.
type sentHook struct {
	mu    sync.Mutex
	names []string
}

func (h *sentHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *sentHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.add(cmd); return next(ctx, cmd) }
}
func (h *sentHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			h.add(cmd)
		}
		return next(ctx, cmds)
	}
}
func (h *sentHook) add(cmd redis.Cmder) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.names = append(h.names, cmd.Name())
}
func (h *sentHook) sent() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.names)
}
