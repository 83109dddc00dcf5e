// Package metrics builds each agent's Prometheus registry and serves it on
// the admin endpoint, beside the health checks and Go's profiles.
//
// The metrics themselves are client_golang's: counters, gauges and
// histograms registered on the registry NewRegistry returns, which also
// holds the Go runtime and process collectors. On the per-request path an
// agent touches only metrics resolved in advance (a prometheus.Counter
// field, or a labelled child stored on the endpoint or service it belongs
// to): an increment is one atomic add and an observation a few, and neither
// allocates. Labelled children are never looked up per call.
//
// Value and Quantile read a registry or a parsed exposition back, for tests
// and the benchmark.
package metrics
