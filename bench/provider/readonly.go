package main

import (
	"time"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// A graceful shutdown, as Dubbo does it: the provider first sends every
// connection a read-only event (an event request whose data is "R"), after
// which a consumer sends that connection no new call. Calls already on
// their way still arrive, so they are served as usual until every
// connection has read nothing for readOnlyQuiet; only then are new calls
// refused (status 80). The listener is closed first, so that a restarted
// provider can bind the address at once. A rolling restart behind a
// provider agent so costs no call.

// readOnlyQuiet is how long every connection must read nothing, after the
// read-only event, before calls are refused.
const readOnlyQuiet = 100 * time.Millisecond

// readOnly sends the read-only event on every connection and waits, until
// deadline at most, for them to go quiet.
func (s *server) readOnly(deadline time.Time) {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.queueReadOnly(s.nextID.Add(1))
		c.kick()
	}
	if len(conns) == 0 {
		return
	}
	s.logf("read-only event sent on %d connections", len(conns))
	sent := s.clk.now()
	for time.Now().Before(deadline) && !s.quietFor(readOnlyQuiet, sent) {
		time.Sleep(5 * time.Millisecond)
	}
}

// quietFor reports whether no connection has read anything for d, counting
// from since (a clock reading) at the earliest: a call that crossed the
// event on the wire arrives within a round trip of it.
func (s *server) quietFor(d time.Duration, since int64) bool {
	now := s.clk.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if time.Duration(now-max(c.lastRead.Load(), since)) < d {
			return false
		}
	}
	return now-since >= int64(d)
}

// queueReadOnly appends a read-only event request to the write queue, in
// the connection's serialization; the caller kicks the writer.
func (c *conn) queueReadOnly(id int64) {
	ser := dubbo.Serialization(c.ser.Load())
	n := dubbo.ReadOnlySize(ser)
	c.mu.Lock()
	if !c.closed {
		l := len(c.out)
		c.out = append(c.out, make([]byte, n)...)
		dubbo.PutReadOnly(c.out[l:], id, ser)
	}
	c.mu.Unlock()
}
