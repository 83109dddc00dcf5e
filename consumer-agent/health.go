package main

import (
	"sync/atomic"
	"time"
)

// Sidelining: a provider agent that fails a call for a reason that says
// something about the path (overloaded, unreachable provider, timeout, bad
// answer: protocol.Status.PathFault) gets no new calls for a while,
// doubling with each failure in a row from sidelineMin up to sidelineMax.
// The first call after the pause probes it; a success clears the record.
// A caller's mistake (a bad request, no such service, method, version or
// group, an exception the provider threw) neither fails nor clears it: the
// agent answered as a healthy one does, and one client's typo must not take
// it from every client. When every agent of a service is sidelined, calls
// go to the connected ones anyway: a pause must not turn into an outage.
const (
	sidelineMin = 50 * time.Millisecond
	sidelineMax = time.Second
)

// health is one provider agent's failure record, shared by all loops. Its
// methods are safe for concurrent use and do not allocate.
type health struct {
	fails atomic.Int32 // failures in a row
	until atomic.Int64 // UnixNano before which the agent is sidelined
	why   atomic.Int32 // the protocol.Status of the last failure, for the log
}

// ok records a success.
func (h *health) ok() {
	if h.fails.Load() != 0 { // read first: successes are the common case
		h.fails.Store(0)
	}
}

// fail records a failure at now (UnixNano) and sidelines the agent.
func (h *health) fail(now int64) {
	n := h.fails.Add(1)
	d := sidelineMin
	for i := int32(1); i < n && d < sidelineMax; i++ {
		d *= 2
	}
	if d > sidelineMax {
		d = sidelineMax
	}
	h.until.Store(now + int64(d))
}

// sideline keeps the agent from new calls until at least until (UnixNano).
func (h *health) sideline(until int64) {
	for {
		cur := h.until.Load()
		if cur >= until || h.until.CompareAndSwap(cur, until) {
			return
		}
	}
}

// usable reports whether the agent may get new calls at now.
func (h *health) usable(now int64) bool { return now >= h.until.Load() }

// clock is a coarse UnixNano clock for the hot path, ticking every
// clockTick; reading it costs one atomic load.
type clock struct{ now atomic.Int64 }

const clockTick = 5 * time.Millisecond

// run ticks the clock until stop is closed.
func (c *clock) run(stop <-chan struct{}) {
	c.now.Store(time.Now().UnixNano())
	t := time.NewTicker(clockTick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			c.now.Store(now.UnixNano())
		}
	}
}
