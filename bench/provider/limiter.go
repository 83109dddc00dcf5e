package main

import (
	"sync"
	"sync/atomic"
	"time"
)

// clock reads monotonic time as nanoseconds since the server started. Times
// in the provider are int64 readings of one clock, so they compare and add
// without time.Time's overhead.
type clock struct{ base time.Time }

func newClock() clock { return clock{base: time.Now()} }

// now returns the nanoseconds elapsed since the clock was made.
func (c clock) now() int64 { return int64(time.Since(c.base)) }

// limiter models a Java provider's thread pool and CPU share.
//
// Threads: at most threads calls hold a thread at once; acquire fails at once
// when all are busy, as Dubbo's AbortPolicy refuses. A call holds its thread
// from its arrival until its response is queued, including while it waits for
// CPU.
//
// CPU: with a capacity of c calls per second, each call reserves a
// 1/c-second slot on a virtual clock, starting at max(arrival, end of the
// previous slot). A call completes at its slot's start plus its latency, so
// below the capacity calls take just their latency and above it they queue.
// Unused slots are not saved up: a burst after an idle spell queues too.
//
// The thread count can change at run time (setThreads): calls holding
// threads keep them, and acquire compares against the count it reads.
//
// A limiter is safe for concurrent use.
type limiter struct {
	threads atomic.Int64
	busy    atomic.Int64
	slot    int64 // nanoseconds of CPU per call; 0 means unlimited

	mu   sync.Mutex
	next int64 // guarded by mu: when the next free slot starts
}

// newLimiter returns a limiter with the given thread count and capacity in
// calls per second (0 or less: unlimited).
func newLimiter(threads int, capacity float64) *limiter {
	l := &limiter{}
	l.threads.Store(int64(threads))
	if capacity > 0 {
		l.slot = max(int64(float64(time.Second)/capacity), 1)
	}
	return l
}

// acquire takes a thread for a call. It reports false, taking nothing, when
// all threads are busy.
func (l *limiter) acquire() bool {
	if l.busy.Add(1) > l.threads.Load() {
		l.busy.Add(-1)
		return false
	}
	return true
}

// setThreads changes the thread count (n >= 1) for acquires from now on.
// When n is below the threads held, calls are refused until enough end.
func (l *limiter) setThreads(n int) { l.threads.Store(int64(n)) }

// threadCount returns the current thread count.
func (l *limiter) threadCount() int { return int(l.threads.Load()) }

// release returns a thread taken by acquire.
func (l *limiter) release() { l.busy.Add(-1) }

// inFlight returns the number of threads held.
func (l *limiter) inFlight() int64 { return l.busy.Load() }

// start reserves the CPU slot of a call arriving at now (a clock reading) and
// returns when it starts.
func (l *limiter) start(now int64) int64 {
	if l.slot == 0 {
		return now
	}
	l.mu.Lock()
	s := max(now, l.next)
	l.next = s + l.slot
	l.mu.Unlock()
	return s
}
