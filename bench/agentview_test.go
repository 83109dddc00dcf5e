package main

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
)

// consumerReading is a consumer agent's metrics after calls to two
// provider agents, with latencies ms each.
func consumerReading(t *testing.T, calls map[string][]float64) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewRegistry()
	sent := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "consumer_agent_upstream_requests_total", Help: "h"}, []string{"agent"})
	lat := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "consumer_agent_request_duration_seconds", Help: "h", Buckets: metrics.LatencyBuckets}, []string{"agent"})
	reg.MustRegister(sent, lat)
	for agent, ms := range calls {
		for _, v := range ms {
			sent.WithLabelValues(agent).Inc()
			lat.WithLabelValues(agent).Observe(v / 1e3)
		}
	}
	var b strings.Builder
	if err := metrics.WriteText(&b, reg); err != nil {
		t.Fatal(err)
	}
	mfs, err := metrics.Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return mfs
}

func TestAgentViewSince(t *testing.T) {
	spec := &viewSpec{agentAddr: map[string]string{"small": "a:1", "large": "b:2"}}
	before := &viewReading{consumer: consumerReading(t, map[string][]float64{"a:1": {300}})}
	var small, large []float64
	small = append(small, 300) // the call before the window
	for range 95 {
		small = append(small, 52)
		large = append(large, 52, 52)
	}
	for range 5 {
		small = append(small, 85)
		large = append(large, 85, 85)
	}
	after := &viewReading{consumer: consumerReading(t, map[string][]float64{"a:1": small, "b:2": large})}
	av := spec.since(before, after)
	eq(t, "small calls", av.Calls["small"], int64(100))
	eq(t, "large calls", av.Calls["large"], int64(200))
	if p := av.P99Us["small"]; p < 80_000 || p > 90_000 {
		t.Errorf("small p99 %dµs, want within (80ms, 90ms]: the call before the window left out", p)
	}
	if p := av.P99Us["all"]; p < 80_000 || p > 90_000 {
		t.Errorf("overall p99 %dµs", p)
	}
	var out strings.Builder
	writeAgentViews(&out, []level{{Conns: 256, Mesh: runStats{AgentView: av, LatencyUs: latencyUs{P99: 86_000}}}})
	if s := out.String(); !strings.Contains(s, "256 conns: consumer agent p99") || !strings.Contains(s, "small 100 (33%)") {
		t.Errorf("report:\n%s", s)
	}
	if spec.since(nil, after) != nil {
		t.Error("a view without the first reading")
	}
}
