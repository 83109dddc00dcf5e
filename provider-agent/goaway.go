package main

import (
	"log"
	"sync"
	"sync/atomic"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// Leaving in-band, and a provider that leaves.
//
// On SIGTERM the agent tells every consumer agent, on every connection, to
// send it no new call (a GOAWAY frame, protocol/goaway.go) before it
// deregisters from etcd and drains: consumer agents stop at once instead of
// when their etcd watch sees the key go, which may be late or never (etcd
// partitioned from them). Only peers whose pings announced GOAWAY get one;
// a connection that opens while the agent drains gets its GOAWAY before the
// answer to its first ping, so it is never used.
//
// The reverse, from the provider: a Dubbo provider that shuts down
// gracefully sends a read-only event; the loop's provider connection then
// gets no new call until it closes and a new one is dialed (the provider is
// back). Calls arriving meanwhile are refused as unavailable, which a
// consumer agent sends to another provider agent.

// goAwayReason is the body of the agent's GOAWAY frames.
const goAwayReason = "provider agent shutting down"

// inbound is the set of consumer agent connections. It is safe for
// concurrent use.
type inbound struct {
	mu    sync.Mutex
	conns map[*inConn]struct{}
	// leaving is set by GoAway: connections that announce GOAWAY from now
	// on get one at once.
	leaving atomic.Bool
}

func (in *inbound) add(c *inConn) {
	in.mu.Lock()
	if in.conns == nil {
		in.conns = map[*inConn]struct{}{}
	}
	in.conns[c] = struct{}{}
	in.mu.Unlock()
}

func (in *inbound) remove(c *inConn) {
	in.mu.Lock()
	delete(in.conns, c)
	in.mu.Unlock()
}

// GoAway tells every consumer agent that announced GOAWAY to send no new
// call, and every one that announces it later, and returns how many
// connections were told now. Calls that arrive anyway are still served.
func (a *Agent) GoAway() int {
	a.in.leaving.Store(true)
	a.in.mu.Lock()
	conns := make([]*inConn, 0, len(a.in.conns))
	for c := range a.in.conns {
		conns = append(conns, c)
	}
	a.in.mu.Unlock()
	n := 0
	for _, c := range conns {
		if c.goAwayOK.Load() && a.sendGoAway(c, nil) {
			n++
		}
	}
	return n
}

// goAwayOK records that c's peer understands GOAWAY; if the agent is
// leaving, c gets one now, in the handler's pass (before the pong that
// follows).
func (a *Agent) goAwayOK(c *inConn) {
	c.goAwayOK.Store(true)
	if a.in.leaving.Load() {
		a.sendGoAway(c, &c.p.set)
	}
}

// sendGoAway writes c's GOAWAY, once. With set it is flushed with the
// pass's set, otherwise at once. It reports whether this call wrote it.
func (a *Agent) sendGoAway(c *inConn, set *batch.Set) bool {
	if !c.goneAway.CompareAndSwap(false, true) {
		return false
	}
	if set != nil {
		set.Add(c.w)
	}
	bw := c.w.Lock()
	if bw == nil {
		return false
	}
	b, err := bw.Malloc(protocol.GoAwaySize(goAwayReason))
	if err == nil {
		protocol.PutGoAway(b, goAwayReason)
	}
	c.w.Unlock()
	if err != nil {
		return false
	}
	a.m.goAways.Inc()
	if set == nil {
		c.w.Flush()
	}
	return true
}

// readOnly handles a read-only event from the provider on the loop's
// connection w: no new call goes to it until it closes.
func (l *loop) readOnly(w *batch.Writer) {
	l.a.m.readOnly.Inc()
	if l.up.Suspend(w) {
		log.Printf("provider %s is shutting down (read-only event): no new call on loop %d's connection until it is back", l.a.cfg.Provider, l.idx)
	}
}
