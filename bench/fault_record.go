package main

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// statusClass sorts how a call ended, for the fault table.
type statusClass uint8

const (
	classOK      statusClass = iota // 200 with the right hash
	classWrong                      // 200 with another body
	class500                        // the provider threw
	class502                        // provider agent or provider unreachable, or lost mid-call
	class503                        // no provider agent, or all overloaded
	class504                        // past the deadline
	classConnErr                    // no answer: refused dial, reset, the generator's timeout
	classOther                      // any other status
	numClasses
)

// classNames label the classes in the table and the JSON.
var classNames = [numClasses]string{"ok", "wrong", "500", "502", "503", "504", "conn", "other"}

// classify sorts one call's outcome and status (0: no answer).
func classify(o load.Outcome, status int) statusClass {
	switch o {
	case load.Correct:
		return classOK
	case load.Wrong:
		return classWrong
	}
	switch status {
	case 0:
		return classConnErr
	case 500:
		return class500
	case 502:
		return class502
	case 503:
		return class503
	case 504:
		return class504
	}
	return classOther
}

// rowPhase is the part of a fault row a call ended in; each has its own
// latency histogram.
type rowPhase int32

const (
	phaseSteady rowPhase = iota
	phaseFault
	phaseRecovery
	numPhases
)

// failEvent is one failed call: when it ended, as an offset from the row's
// start, how long it took (µs) and how it ended.
type failEvent struct {
	at    time.Duration
	latUs int32
	class statusClass
}

const (
	// recShards spreads the generator's connections over this many locks.
	recShards = 8
	// maxRowSeconds bounds a row's timeline; calls ending later are
	// counted in its last second.
	maxRowSeconds = 900
	// maxFailEvents bounds the failures kept per shard and row (16 bytes
	// each); past it failures are still counted per second, and the row
	// says its settle counts are lower bounds.
	maxFailEvents = 1 << 18
)

// faultRecorder is the load.Observer of a fault run. Between beginRow and
// snapshot it counts every call per second of the row and per status
// class, keeps each failure's time, and records latencies in the histogram
// of the phase set by setPhase. Observe is safe for concurrent use and, in
// steady state, allocates nothing (a failure appends to a slice that
// grows by doubling up to its bound).
type faultRecorder struct {
	base   atomic.Int64 // row start, UnixNano; 0 when not recording
	phase  atomic.Int32
	shards [recShards]recShard
}

type recShard struct {
	mu      sync.Mutex
	seconds [maxRowSeconds][numClasses]int64
	last    int // highest second written
	fails   []failEvent
	dropped int64
	hist    [numPhases]*hdrhistogram.Histogram
	_       [64]byte
}

func newFaultRecorder() *faultRecorder {
	r := &faultRecorder{}
	for i := range r.shards {
		s := &r.shards[i]
		s.fails = make([]failEvent, 0, 1024)
		for p := range s.hist {
			s.hist[p] = hdrhistogram.New(1, 60_000_000, 3)
		}
	}
	return r
}

// Observe implements load.Observer.
func (r *faultRecorder) Observe(conn int, o load.Outcome, status int, end time.Time, latency time.Duration) {
	base := r.base.Load()
	if base == 0 {
		return
	}
	at := max(time.Duration(end.UnixNano()-base), 0)
	sec := min(int(at/time.Second), maxRowSeconds-1)
	c := classify(o, status)
	us := min(max(latency.Microseconds(), 1), 60_000_000)
	ph := rowPhase(r.phase.Load())
	s := &r.shards[conn%recShards]
	s.mu.Lock()
	s.seconds[sec][c]++
	s.last = max(s.last, sec)
	if c != classOK {
		if len(s.fails) < maxFailEvents {
			s.fails = append(s.fails, failEvent{at: at, latUs: int32(us), class: c})
		} else {
			s.dropped++
		}
	}
	s.hist[ph].RecordValue(us)
	s.mu.Unlock()
}

// beginRow clears everything and starts recording a row that starts now,
// in phaseSteady. It returns the row's start.
func (r *faultRecorder) beginRow() time.Time {
	r.base.Store(0)
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		s.seconds = [maxRowSeconds][numClasses]int64{}
		s.last = 0
		s.fails = s.fails[:0]
		s.dropped = 0
		for _, h := range s.hist {
			h.Reset()
		}
		s.mu.Unlock()
	}
	r.phase.Store(int32(phaseSteady))
	now := time.Now()
	r.base.Store(now.UnixNano())
	return now
}

// setPhase sets the phase calls ending from now on are recorded in.
func (r *faultRecorder) setPhase(p rowPhase) { r.phase.Store(int32(p)) }

// rowData is a snapshot of a row's recording; the caller owns it.
type rowData struct {
	seconds [][numClasses]int64 // per second since the row's start
	fails   []failEvent         // sorted by time
	dropped int64               // failures not kept in fails
	hist    [numPhases]*hdrhistogram.Histogram
}

// snapshot returns what the row recorded so far; recording goes on.
func (r *faultRecorder) snapshot() rowData {
	var d rowData
	last := 0
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		last = max(last, s.last)
		s.mu.Unlock()
	}
	d.seconds = make([][numClasses]int64, last+1)
	for p := range d.hist {
		d.hist[p] = hdrhistogram.New(1, 60_000_000, 3)
	}
	for i := range r.shards {
		s := &r.shards[i]
		s.mu.Lock()
		for sec := range d.seconds {
			for c, n := range s.seconds[sec] {
				d.seconds[sec][c] += n
			}
		}
		d.fails = append(d.fails, s.fails...)
		d.dropped += s.dropped
		for p, h := range s.hist {
			d.hist[p].Merge(h)
		}
		s.mu.Unlock()
	}
	slices.SortFunc(d.fails, func(a, b failEvent) int { return int(a.at - b.at) })
	return d
}

// failuresIn returns the failures kept with from <= at < to.
func (d *rowData) failuresIn(from, to time.Duration) int64 {
	lo, _ := slices.BinarySearchFunc(d.fails, from, func(e failEvent, t time.Duration) int { return int(e.at - t) })
	hi, _ := slices.BinarySearchFunc(d.fails, to, func(e failEvent, t time.Duration) int { return int(e.at - t) })
	return int64(hi - lo)
}

// slowestFailure returns the longest latency of the failures kept with
// from <= at.
func (d *rowData) slowestFailure(from time.Duration) time.Duration {
	var m int32
	for _, e := range d.fails {
		if e.at >= from {
			m = max(m, e.latUs)
		}
	}
	return time.Duration(m) * time.Microsecond
}

// lastFailure returns the time of the last failure kept, and false if none.
func (d *rowData) lastFailure() (time.Duration, bool) {
	if len(d.fails) == 0 {
		return 0, false
	}
	return d.fails[len(d.fails)-1].at, true
}

// classTotals sums the per-second counts of the seconds [from, to).
func (d *rowData) classTotals(from, to int) [numClasses]int64 {
	var t [numClasses]int64
	for sec := max(from, 0); sec < min(to, len(d.seconds)); sec++ {
		for c, n := range d.seconds[sec] {
			t[c] += n
		}
	}
	return t
}

// okRate returns correct answers per second over [from, to), counting
// calls that ended in it; whole seconds are interpolated linearly.
func (d *rowData) okRate(from, to time.Duration) float64 {
	if to <= from {
		return 0
	}
	var sum float64
	for sec := range d.seconds {
		lo, hi := time.Duration(sec)*time.Second, time.Duration(sec+1)*time.Second
		overlap := min(hi, to) - max(lo, from)
		if overlap > 0 {
			sum += float64(d.seconds[sec][classOK]) * overlap.Seconds()
		}
	}
	return sum / (to - from).Seconds()
}
