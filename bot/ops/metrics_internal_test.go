package ops

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCountersByLabel(t *testing.T) {
	m := NewMetrics(prometheus.NewRegistry())
	m.SlackCall("chat.postMessage", "ratelimited", time.Millisecond)
	m.SlackCall("chat.postMessage", "ok", time.Millisecond)
	m.Job("nudges/T1/U1", time.Minute, errors.New("x"))
	m.HandlerError("store")

	for name, c := range map[string]struct {
		got  prometheus.Collector
		want float64
	}{
		"ratelimited":       {m.slackLimited.WithLabelValues("chat.postMessage"), 1},
		"calls ok":          {m.slackCalls.WithLabelValues("chat.postMessage", "ok"), 1},
		"claimed nudges":    {m.jobsClaimed.WithLabelValues("nudges"), 1},
		"errors nudges":     {m.jobErrors.WithLabelValues("nudges"), 1},
		"handler errors":    {m.handlerErrors.WithLabelValues("store"), 1},
		"dropped (none)":    {m.dropped.WithLabelValues("work"), 0},
		"socket (never up)": {m.connected, 0},
	} {
		if got := testutil.ToFloat64(c.got); got != c.want {
			t.Errorf("%s = %v, want %v", name, got, c.want)
		}
	}
}
