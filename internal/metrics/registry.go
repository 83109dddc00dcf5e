package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// NewRegistry returns a registry holding the Go runtime collector (go_*)
// and the process collector (process_*). Each agent makes one at start and
// registers its own metrics on it; it is safe for concurrent use.
func NewRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// LatencyBuckets are the upper bounds, in seconds, of the agents' latency
// histograms: from 0.5 ms to 10 s, in steps of 10 ms between 40 and 100 ms,
// where calls to a provider that takes 50 ms land, so that a p99 read from
// the buckets is within a few milliseconds there. Read-only.
var LatencyBuckets = []float64{
	0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03,
	0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.125, 0.15, 0.2,
	0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10,
}
