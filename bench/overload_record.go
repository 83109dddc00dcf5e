package main

import (
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// classShards spreads the generator's connections over this many locks.
const classShards = 4

// classRecorder is the windowObserver of an --overload run: between begin
// and end it counts every call by status class (fault_record.go's
// classify) and records its latency in that class's histogram, so a fast
// refusal is told apart from a slow answer. begin and end also read the
// consumer agent's counters, so the window's refusals are known from both
// sides. Observe is safe for concurrent use and allocates nothing; begin
// and end are called by one goroutine.
type classRecorder struct {
	admin  string // the consumer agent's admin endpoint; "" reads nothing
	on     atomic.Bool
	shards [classShards]classShard

	// Set by begin and end.
	before, after map[string]float64
}

type classShard struct {
	mu   sync.Mutex
	hist [numClasses]*hdrhistogram.Histogram
	_    [64]byte
}

func newClassRecorder(consumerAdmin string) *classRecorder {
	r := &classRecorder{admin: consumerAdmin}
	for i := range r.shards {
		for c := range r.shards[i].hist {
			r.shards[i].hist[c] = hdrhistogram.New(1, 60_000_000, 3)
		}
	}
	return r
}

// Observe implements load.Observer.
func (r *classRecorder) Observe(conn int, o load.Outcome, status int, _ time.Time, latency time.Duration) {
	if !r.on.Load() {
		return
	}
	c := classify(o, status)
	us := min(max(latency.Microseconds(), 1), 60_000_000)
	s := &r.shards[conn%classShards]
	s.mu.Lock()
	s.hist[c].RecordValue(us)
	s.mu.Unlock()
}

// begin clears the histograms, reads the consumer agent's counters and
// then starts recording.
func (r *classRecorder) begin() {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for _, h := range s.hist {
			h.Reset()
		}
		s.mu.Unlock()
	}
	r.before = r.scrape()
	r.on.Store(true)
}

// end stops recording, then reads the consumer agent's counters again.
func (r *classRecorder) end() {
	r.on.Store(false)
	r.after = r.scrape()
}

func (r *classRecorder) scrape() map[string]float64 {
	if r.admin == "" {
		return nil
	}
	m, _ := scrape(r.admin) // nil if the agent did not answer
	return m
}

// growth returns how much counter name grew over the window, or -1 if
// either reading is missing.
func (r *classRecorder) growth(name string) int64 {
	b, okb := r.before[name]
	a, oka := r.after[name]
	if !okb || !oka {
		return -1
	}
	return int64(a - b)
}

// classes returns the window's count and latency summary per status class
// that saw calls, in class order.
func (r *classRecorder) classes() []classStats {
	var out []classStats
	for c := range statusClass(numClasses) {
		h := hdrhistogram.New(1, 60_000_000, 3)
		for i := range r.shards {
			s := &r.shards[i]
			s.mu.Lock()
			h.Merge(s.hist[c])
			s.mu.Unlock()
		}
		if h.TotalCount() == 0 {
			continue
		}
		out = append(out, classStats{Class: classNames[c], Calls: h.TotalCount(),
			LatencyUs: latencyUs{P50: h.ValueAtPercentile(50), P90: h.ValueAtPercentile(90),
				P99: h.ValueAtPercentile(99), P999: h.ValueAtPercentile(99.9), Max: h.Max()}})
	}
	return out
}
