package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// redisClient makes the client REDIS_URL names, in one of go-redis's URL
// forms:
//
//   - one server: redis://[:password@]host:port/db (rediss:// for TLS);
//   - a Sentinel group: redis://sentinel1:26379/db?master_name=NAME&addr=sentinel2:26379&addr=…
//     (the password in the URL is the sentinels'; the primary's is
//     ?password=…);
//   - with REDIS_CLUSTER=true, a Cluster: redis://node1:6379?addr=node2:6379&addr=…
//
// where describes it for the log, without credentials.
func redisClient(cfg config) (client redis.UniversalClient, where string, err error) {
	u, err := url.Parse(cfg.RedisURL)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the URL, password included
		}
		return nil, "", fmt.Errorf("REDIS_URL: %v", err)
	}
	sentinel := u.Query().Has("master_name")
	switch {
	case cfg.RedisCluster && sentinel:
		return nil, "", errors.New("REDIS_URL: a Sentinel URL (master_name=…) with REDIS_CLUSTER=true: a deployment is one or the other")
	case cfg.RedisCluster:
		opts, err := redis.ParseClusterURL(cfg.RedisURL)
		if err != nil {
			return nil, "", fmt.Errorf("REDIS_URL (REDIS_CLUSTER=true): %v", err)
		}
		return redis.NewClusterClient(opts), "redis cluster " + strings.Join(opts.Addrs, ","), nil
	case sentinel:
		opts, err := redis.ParseFailoverURL(cfg.RedisURL)
		if err != nil {
			return nil, "", fmt.Errorf("REDIS_URL (Sentinel): %v", err)
		}
		if opts.MasterName == "" {
			return nil, "", errors.New("REDIS_URL: master_name is empty: name the primary the sentinels watch")
		}
		return redis.NewFailoverClient(opts), fmt.Sprintf("redis sentinel %s via %s", opts.MasterName, strings.Join(opts.SentinelAddrs, ",")), nil
	}
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, "", fmt.Errorf("REDIS_URL: %v", err)
	}
	return redis.NewClient(opts), "redis " + opts.Addr, nil
}

// addHooks adds hooks (metrics) to c. On Cluster they go on each node's
// client, which every command and pipeline passes through once, the
// store's pipelines of a change and its WAIT to the slot's primary
// included; on the cluster client itself they would miss those and count
// the rest twice.
func addHooks(c redis.UniversalClient, hooks []redis.Hook) {
	if cc, ok := c.(*redis.ClusterClient); ok {
		cc.OnNewNode(func(node *redis.Client) {
			for _, h := range hooks {
				node.AddHook(h)
			}
		})
		return
	}
	for _, h := range hooks {
		c.AddHook(h)
	}
}
