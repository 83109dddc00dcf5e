package main

import (
	"sync/atomic"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/idle"
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
// clockTick while the agent has calls in flight; reading it costs one
// atomic load, two while it sleeps. Idle for clockIdleTicks ticks, it stops
// ticking (no wake-ups), and the first Now after that reads the time
// itself and wakes it. Make it with newClock; its methods are safe for
// concurrent use.
type clock struct {
	now   atomic.Int64
	sleep *idle.Sleeper
}

const (
	clockTick = 5 * time.Millisecond
	// clockIdleTicks: ticks with no call in flight before the clock sleeps.
	clockIdleTicks = 40
)

func newClock() *clock {
	c := &clock{sleep: idle.New()}
	c.now.Store(time.Now().UnixNano())
	return c
}

// Now returns the time (UnixNano), at most clockTick old.
func (c *clock) Now() int64 {
	if c.sleep.Asleep() {
		c.now.Store(time.Now().UnixNano())
		c.sleep.Wake()
	}
	return c.now.Load()
}

// run ticks the clock until stop is closed. busy reports calls in flight;
// after clockIdleTicks ticks without, the clock sleeps until Now wakes it,
// and then calls woke, if not nil, to wake what sleeps with it.
func (c *clock) run(stop <-chan struct{}, busy func() bool, woke func()) {
	t := time.NewTicker(clockTick)
	defer t.Stop()
	quiet := 0
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			c.now.Store(now.UnixNano())
		}
		if busy() {
			quiet = 0
			continue
		}
		if quiet++; quiet < clockIdleTicks {
			continue
		}
		t.Stop()
		if !c.sleep.Sleep(stop, busy) {
			return
		}
		c.now.Store(time.Now().UnixNano())
		quiet = 0
		t.Reset(clockTick)
		if woke != nil {
			woke()
		}
	}
}
