package main

import (
	"encoding/binary"
	"sync"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// Retry: a provider agent that answers a call with StatusOverloaded (its
// provider's thread pool or its own queue was full) or StatusUnavailable (it
// could not reach its provider) says that no provider ran the call, so the
// call is sent once more, at once, to another available provider agent of the
// same service, on the same loop and under the original deadline; the client
// gets the second outcome. The first failure still sidelines the first agent.
// A call whose fate is unknown (an exception, a timeout, a connection lost
// mid-call, a bad frame) is never sent again, and neither is a call already
// sent twice.
//
// The request is encoded straight into the upstream connection's buffer, which
// is gone once flushed, so each loop keeps a copy of every call's frame in a
// frameStore. A frame larger than maxKeptFrame is not kept, and its call is
// not retried.

// maxKeptFrame is the largest request frame, header included, kept for a
// retry.
const maxKeptFrame = 4 << 10

// retryable reports whether an error frame with status s says that no
// provider ran the call, so that it is safe to send again. A caller's
// mistake is never retryable: another agent would answer it the same.
func retryable(s protocol.Status) bool {
	return s == protocol.StatusOverloaded || s == protocol.StatusUnavailable
}

// frameStore keeps a copy of the request frame of each call in flight on one
// loop, indexed by the call's slot in the loop's pending table
// (pending.Table.Index). Each entry records the id of the call it belongs to:
// an index is reused as soon as its call is claimed, so a reader checks that
// id. Entries are guarded each by its own mutex, which only contends when a
// slot changes hands while a stale owner still writes (a call claimed by the
// sweeper or a lost connection just after it was added).
//
// Its methods are safe for concurrent use. Each entry's buffer grows to the
// largest frame it has kept, at most maxKeptFrame bytes, and is reused after:
// in steady state keep and take allocate nothing.
type frameStore struct {
	entries []keptFrame
}

type keptFrame struct {
	mu sync.Mutex
	id uint32 // the call whose frame b holds; 0: none
	b  []byte
}

func newFrameStore(n int) *frameStore { return &frameStore{entries: make([]keptFrame, n)} }

// keep records frame as the request of call id at index i. frame is copied
// before keep returns. A frame larger than maxKeptFrame is not kept, and the
// entry no longer answers for any call.
func (s *frameStore) keep(i int, id uint32, frame []byte) {
	e := &s.entries[i]
	e.mu.Lock()
	if len(frame) <= maxKeptFrame {
		e.b = append(e.b[:0], frame...)
		e.id = id
	} else {
		e.id = 0
	}
	e.mu.Unlock()
}

// take copies the frame kept for call id at index i into dst, which must
// hold maxKeptFrame bytes, forgets it and returns its length; 0 when the
// entry holds no frame of id.
func (s *frameStore) take(i int, id uint32, dst []byte) int {
	e := &s.entries[i]
	e.mu.Lock()
	n := 0
	if e.id == id && id != 0 {
		n = copy(dst, e.b)
		e.id = 0
	}
	e.mu.Unlock()
	return n
}

// retry handles an error frame with a retryable status s and message msg for
// call id, in the answer pass whose Writers are in set: it sends the call to
// another provider agent if it can, and otherwise answers the client as a
// failed call is answered.
func (l *loop) retry(set *batch.Set, id uint32, s protocol.Status, msg []byte) {
	m := l.a.m
	// Copy the frame before claiming the call: once claimed, its slot may
	// be reused and its entry overwritten at any moment. An entry still
	// holding id when the claim below succeeds is id's own frame.
	var frame [maxKeptFrame]byte
	n := l.frames.take(l.calls.Index(id), id, frame[:])
	c, ok := l.takeCall(id)
	if !ok {
		m.late.Inc()
		return
	}
	// The failure counts against the agent that gave it, as any other that
	// says something about the path, and sidelines it: the pick below does
	// not choose it again.
	st := s.HTTPStatus()
	c.ep.m.errors.Inc()
	if s.PathFault() {
		c.ep.fail(l.a.clock.Now(), s)
	}
	switch {
	case c.retried:
		m.retriesFailed.Inc()
	case n == 0:
		m.retriesSkipped.Inc()
	case l.resend(set, c, frame[:n]):
		return
	}
	m.status(c.svc, st)
	c.hc.complete(set, c.slot, st, msg, bodyError)
}

// resend sends call c, already claimed, to another available provider agent
// of its service, with frame, the copy of its request frame, patched with
// its new id and the time left. It reports false when the call was not sent
// again (no such agent, no time left, no room, or the write failed); the
// caller then answers the client. It also reports true when the call went to
// a connection lost at once, whose loss has answered it.
func (l *loop) resend(set *batch.Set, c call, frame []byte) bool {
	m := l.a.m
	h, err := protocol.ParseHeader(frame)
	left := time.Duration(c.deadline - time.Now().UnixNano())
	var uw *batch.Writer
	if err == nil && left >= time.Millisecond && c.svc != nil {
		if ep, ok := c.svc.lb.Shard(l.idx).PickFunc(l.available); ok && ep != c.ep {
			c.ep, uw = ep, ep.up(l.idx).Writer()
		}
	}
	if uw == nil {
		m.retriesSkipped.Inc()
		return false
	}
	c.retried = true
	id, ok := l.addCall(c, uw.ID())
	if !ok {
		m.retriesSkipped.Inc()
		return false
	}
	c.ep.m.retries.Inc()
	h.ID = id
	protocol.PutHeader(frame, h)
	binary.BigEndian.PutUint32(frame[protocol.HeaderSize:], uint32(left/time.Millisecond))
	set.Add(uw)
	var b []byte
	if bw := uw.Lock(); bw != nil {
		if b, err = bw.Malloc(len(frame)); err == nil {
			copy(b, frame)
		}
		uw.Unlock()
	}
	if b != nil && err == nil {
		return true
	}
	if _, mine := l.takeCall(id); !mine {
		return true // the connection's loss has answered it
	}
	m.retriesFailed.Inc()
	return false
}
