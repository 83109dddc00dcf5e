package main

import (
	"sync"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/pending"
	"github.com/dubbomesh/dubbomesh/internal/tick"
	"github.com/dubbomesh/dubbomesh/lb"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// sweepEvery is how often a loop looks for calls past their deadline.
const sweepEvery = 10 * time.Millisecond

// loop is one event loop's share of the agent: the client connections
// assigned to it, its own connection to each provider agent, and its own
// table of calls in flight. A request and its answer stay on one loop.
type loop struct {
	a       *Agent
	idx     int
	timeout int64 // the agent's Timeout in ns: a call arrived at its deadline less this
	calls   *pending.Table[call]
	// frames keeps each call's request frame for a retry (retry.go); nil
	// when retries are off.
	frames *frameStore
	// connected reports whether this loop's connection to an endpoint is
	// up, available whether it is also neither sidelined nor suspect (a
	// liveness ping unanswered). Made once so that picking does not
	// allocate.
	connected, available func(*endpoint) bool
	// loadFn is l.load, made once for the same reason.
	loadFn func(*endpoint) lb.Load
	done   chan struct{}
	wg     sync.WaitGroup

	connsMu sync.Mutex
	conns   map[*httpConn]struct{} // the loop's open client connections
}

func newLoop(a *Agent, idx int) *loop {
	l := &loop{a: a, idx: idx, timeout: int64(a.cfg.Timeout), calls: pending.New[call](a.cfg.MaxInFlight), done: make(chan struct{}), conns: map[*httpConn]struct{}{}}
	if !a.cfg.NoRetry {
		l.frames = newFrameStore(l.calls.Cap())
	}
	l.connected = func(e *endpoint) bool { return e.conns[idx].Writer() != nil }
	l.loadFn = l.load
	l.available = func(e *endpoint) bool {
		c := e.conns[idx]
		return e.health.usable(a.clock.Now()) && c.Writer() != nil && !c.Suspect()
	}
	l.wg.Add(2)
	go l.sweep()
	go l.sweepIdle()
	return l
}

func (l *loop) track(hc *httpConn) {
	l.connsMu.Lock()
	l.conns[hc] = struct{}{}
	l.connsMu.Unlock()
}

func (l *loop) untrack(hc *httpConn) {
	l.connsMu.Lock()
	delete(l.conns, hc)
	l.connsMu.Unlock()
}

// sweepIdle closes the loop's client connections that have read nothing for
// IdleTimeout and owe no answer. It wakes when the connection that read
// longest ago could first be idle (at most every IdleTimeout/4, capped at a
// second, while a connection that read long ago still owes answers), on
// the process's grid of periodic work: with no connection, or all of them
// busy, it wakes once per IdleTimeout.
func (l *loop) sweepIdle() {
	defer l.wg.Done()
	limit := l.a.cfg.IdleTimeout
	every := min(limit/4, time.Second)
	t := time.NewTimer(tick.Next(time.Now(), limit))
	defer t.Stop()
	var conns []*httpConn
	for {
		var now time.Time
		select {
		case <-l.done:
			return
		case now = <-t.C:
		}
		before := now.Add(-limit).UnixNano()
		l.connsMu.Lock()
		for hc := range l.conns {
			conns = append(conns, hc)
		}
		l.connsMu.Unlock()
		next := limit
		for i, hc := range conns {
			if hc.idle(before) {
				l.a.m.idleClosed.Inc()
				hc.w.Conn().Close()
			} else {
				next = min(next, time.Duration(hc.lastActive.Load()-before))
			}
			conns[i] = nil
		}
		conns = conns[:0]
		t.Reset(tick.Next(time.Now(), max(next, every)))
	}
}

// sweep answers 504 for calls past their deadline.
func (l *loop) sweep() {
	defer l.wg.Done()
	var set batch.Set
	l.calls.Sweep(sweepEvery, l.done, l.settled(func(_ uint32, c call) {
		l.a.m.status(c.svc, 504)
		c.ep.m.timeouts.Inc()
		if c.retried {
			l.a.m.retriesFailed.Inc()
		}
		c.ep.fail(l.a.clock.Now(), protocol.StatusTimeout)
		c.hc.fail(&set, c.slot, 504, "deadline passed waiting for the provider")
	}), set.Flush)
}

// onAgentDown fails the calls that were riding on a lost connection to a
// provider agent.
func (l *loop) onAgentDown(w *batch.Writer) {
	var set batch.Set
	l.calls.TakeTagged(w.ID(), l.settled(func(_ uint32, c call) {
		l.a.m.status(c.svc, 502)
		c.ep.m.errors.Inc()
		if c.retried {
			l.a.m.retriesFailed.Inc()
		}
		c.hc.fail(&set, c.slot, 502, "connection to the provider agent lost mid-call")
	}))
	set.Flush()
}

func (l *loop) close() {
	close(l.done)
	l.wg.Wait()
	var set batch.Set
	l.calls.Expire(1<<62, l.settled(func(_ uint32, c call) {
		c.hc.fail(&set, c.slot, 502, "consumer agent shutting down")
	}))
	set.Flush()
}
