// Package metrics holds the agents' counters and serves them, in the
// Prometheus text format, on an admin endpoint.
//
// Counters are plain atomics: incrementing one on the hot path costs one
// atomic add and never allocates.
package metrics
