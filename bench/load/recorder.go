package load

import (
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in microseconds, from 1 µs to one minute, to three
// significant digits.
const (
	minLatencyMicros = 1
	maxLatencyMicros = 60_000_000
	sigFigs          = 3
)

// recorderShards spreads connections over this many locks, so recording is
// uncontended in practice. Each shard's histogram takes about 140 KiB.
const recorderShards = 16

// recorder accumulates outcomes and latencies of one window. Connections
// record into shard i%recorderShards; each shard has its own lock.
type recorder struct {
	shards [recorderShards]shard
}

type shard struct {
	mu sync.Mutex
	on bool // recording; checked under mu so that stop freezes the window
	counts
	hist *hdrhistogram.Histogram
	// statuses counts answers by status (non-200 only; 0 = no answer).
	statuses [1000]int64
	_        [64]byte // keep neighbouring shards' locks off one cache line
}

// counts are the outcome counters of a window.
type counts struct {
	correct, wrong, failed, ioErrors int64
}

func newRecorder() *recorder {
	r := &recorder{}
	for i := range r.shards {
		r.shards[i].hist = hdrhistogram.New(minLatencyMicros, maxLatencyMicros, sigFigs)
	}
	return r
}

// record adds one call to shard i. status is 0 for a call that got no
// answer. It does not allocate.
func (r *recorder) record(i int, o Outcome, status int, latency time.Duration) {
	s := &r.shards[i%recorderShards]
	s.mu.Lock()
	if s.on {
		switch o {
		case Correct:
			s.correct++
		case Wrong:
			s.wrong++
		default:
			s.failed++
			if status == 0 {
				s.ioErrors++
			}
			if status >= 0 && status < len(s.statuses) {
				s.statuses[status]++
			}
		}
		us := latency.Microseconds()
		if us < minLatencyMicros {
			us = minLatencyMicros
		} else if us > maxLatencyMicros {
			us = maxLatencyMicros
		}
		s.hist.RecordValue(us)
	}
	s.mu.Unlock()
}

// reset drops everything recorded and sets whether to record from now on.
func (r *recorder) reset(on bool) {
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		s.on = on
		s.counts = counts{}
		s.statuses = [1000]int64{}
		s.hist.Reset()
		s.mu.Unlock()
	}
}

// totals sums the counters of every shard.
func (r *recorder) totals() counts {
	var c counts
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		c.correct += s.correct
		c.wrong += s.wrong
		c.failed += s.failed
		c.ioErrors += s.ioErrors
		s.mu.Unlock()
	}
	return c
}

// freeze stops recording and returns the window's merged counts, statuses
// and histogram. Every call recorded before freeze returns is in the result
// and none after.
func (r *recorder) freeze() (counts, map[int]int64, *hdrhistogram.Histogram) {
	var c counts
	statuses := map[int]int64{}
	h := hdrhistogram.New(minLatencyMicros, maxLatencyMicros, sigFigs)
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		s.on = false
		c.correct += s.correct
		c.wrong += s.wrong
		c.failed += s.failed
		c.ioErrors += s.ioErrors
		for st, n := range s.statuses {
			if n > 0 {
				statuses[st] += n
			}
		}
		h.Merge(s.hist)
		s.mu.Unlock()
	}
	return c, statuses, h
}
