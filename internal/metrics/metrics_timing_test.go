package metrics

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The cost per call of what the agents do on the request path, against
// the hand-written atomic counter the agents had before client_golang:
//
//	go test -run - -bench . ./internal/metrics
//
// Parallel variants run on every P at once, all on the same metric, as the
// agents' event loops do.

func BenchmarkAtomicCounter(b *testing.B) {
	var c atomic.Uint64
	for b.Loop() {
		c.Add(1)
	}
}

func BenchmarkCounterInc(b *testing.B) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c_total"})
	for b.Loop() {
		c.Inc()
	}
}

func BenchmarkLabelledChildInc(b *testing.B) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c_total"}, []string{"agent"}).WithLabelValues("10.0.0.1:30000")
	for b.Loop() {
		c.Inc()
	}
}

// BenchmarkWithLabelValuesInc is what the agents never do: look the child
// up per call.
func BenchmarkWithLabelValuesInc(b *testing.B) {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "c_total"}, []string{"agent"})
	for b.Loop() {
		v.WithLabelValues("10.0.0.1:30000").Inc()
	}
}

func BenchmarkHistogramObserve(b *testing.B) {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h_seconds", Buckets: LatencyBuckets})
	v := 0.0
	for b.Loop() {
		h.Observe(v)
		if v += 0.001; v > 0.2 {
			v = 0
		}
	}
}

// BenchmarkPerCall is the whole added cost of one call in the consumer
// agent: its status counter, its provider agent's histogram fed from the
// clock.
func BenchmarkPerCall(b *testing.B) {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r_total"}, []string{"service", "code"}).WithLabelValues("s", "200")
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "h_seconds", Buckets: LatencyBuckets}, []string{"agent"}).WithLabelValues("10.0.0.1:30000")
	start := time.Now().UnixNano()
	for b.Loop() {
		c.Inc()
		h.Observe(float64(time.Now().UnixNano()-start) / 1e9)
	}
}

// BenchmarkPerCallBefore is the same call with the old metrics: one
// atomic add, no clock read, no histogram.
func BenchmarkPerCallBefore(b *testing.B) {
	var c atomic.Uint64
	for b.Loop() {
		c.Add(1)
	}
}

func BenchmarkAtomicCounterParallel(b *testing.B) {
	var c atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(1)
		}
	})
}

func BenchmarkCounterIncParallel(b *testing.B) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c_total"})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}

func BenchmarkHistogramObserveParallel(b *testing.B) {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h_seconds", Buckets: LatencyBuckets})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.Observe(0.055)
		}
	})
}
