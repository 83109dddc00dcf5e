// Package idle lets periodic goroutines sleep while there is no work, so
// that an idle process makes no wake-ups, and wakes them on the first sign
// of work at the cost of one atomic load on the path that signals it.
package idle

import "sync/atomic"

// Sleeper parks one periodic goroutine while its owner is idle. The
// goroutine calls Sleep when its own check says there is nothing to do;
// any goroutine calls Wake when work arrives. Wake is meant for per-call
// paths: while the goroutine is awake it is one atomic load and allocates
// nothing. A Sleeper serves one sleeping goroutine; make it with New and
// keep it for the owner's lifetime. Its methods are safe for concurrent use.
type Sleeper struct {
	asleep atomic.Bool
	wake   chan struct{} // holds at most one token
}

// New returns an awake Sleeper.
func New() *Sleeper { return &Sleeper{wake: make(chan struct{}, 1)} }

// Asleep reports whether the goroutine sleeps, or is about to.
func (s *Sleeper) Asleep() bool { return s.asleep.Load() }

// Wake wakes the goroutine if it sleeps; otherwise it does nothing.
func (s *Sleeper) Wake() {
	if s.asleep.Load() && s.asleep.CompareAndSwap(true, false) {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// Sleep parks the calling goroutine until Wake or until stop is closed,
// and reports whether it was woken (false: stop). busy is checked after
// the sleep is announced, so that work that arrived meanwhile (whose Wake
// may have seen the goroutine still awake) is not left waiting: if busy
// reports true, Sleep returns true at once.
func (s *Sleeper) Sleep(stop <-chan struct{}, busy func() bool) bool {
	s.asleep.Store(true)
	if busy != nil && busy() {
		if !s.asleep.CompareAndSwap(true, false) {
			<-s.wake // a Wake won the race: take its token
		}
		return true
	}
	select {
	case <-s.wake:
		return true
	case <-stop:
		s.asleep.Store(false)
		return false
	}
}
