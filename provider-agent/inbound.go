package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// onRequest is the batch decoder for a consumer agent's connection: it
// handles every whole frame in what has been read, in one pass, and flushes
// the provider connection once at the end (batch flush). When a frame is cut
// short it waits for the rest on this goroutine, as netpoll handlers may. On
// an error (a broken stream, or a peer gone mid-frame) server.Guard closes
// the connection.
func (a *Agent) onRequest(ctx context.Context, conn netpoll.Connection) error {
	c := ctx.(*connCtx).c
	if c == nil {
		return dropInput(conn) // refused past MaxConns (conncap.go)
	}
	err := batch.Drain(conn.Reader(), &c.p.set, c)
	switch {
	case err == nil:
	case errors.Is(err, batch.ErrWait):
		a.m.cutShort.Inc()
	default:
		a.m.badFrames.Inc()
	}
	return err
}

// errUnexpectedFrame closes a connection that sent a frame of a kind the
// agent does not take, with id 0.
var errUnexpectedFrame = errors.New("provider agent: unexpected frame with id 0")

// Decode implements batch.Decoder for a consumer agent's connection.
func (c *inConn) Decode(buf []byte) (used, need int, err error) {
	return c.loop.a.handleFrames(c, buf)
}

// handleFrames handles every whole frame at the front of buf. It returns the
// bytes used and, when buf ends in part of a frame, how many bytes that frame
// needs in all. A non-nil error means the stream is broken; unless the magic
// was wrong, an error frame has been written (not yet flushed), and the
// connection must close.
func (a *Agent) handleFrames(c *inConn, buf []byte) (used, need int, err error) {
	if !c.w.Conn().IsActive() {
		// The peer has gone, or the connection failed (a write timed
		// out): nothing read is answered any more. Work on what netpoll
		// read ahead would outlast the peer (a flood it never read the
		// answers to).
		return len(buf), 0, nil
	}
	for used < len(buf) {
		h, body, n, err := protocol.Next(buf[used:])
		if errors.Is(err, protocol.ErrShort) {
			// h is the header once it is whole, else zero: either way
			// FrameSize is what to wait for.
			return used, h.FrameSize(), nil
		}
		if err != nil {
			// Bad magic: not our protocol, close without a word.
			if status, ok := protocol.RefusalStatus(err); ok {
				c.p.fail(c.w, 0, status, "provider agent: "+err.Error())
			}
			return used, 0, err
		}
		used += n
		switch h.Kind {
		case protocol.KindRequest:
			if !c.waitBacklog() { // backlog.go
				// Closed for not reading: the rest read ahead is
				// never answered.
				return len(buf), 0, nil
			}
			a.forward(c, h, body)
		case protocol.KindHeartbeat:
			if !h.IsReply() {
				if h.GoAwayOK() {
					a.goAwayOK(c) // goaway.go
				}
				a.pong(c, h.ID)
			}
		default:
			a.m.badFrames.Inc()
			c.p.fail(c.w, h.ID, protocol.StatusBadFrame, "provider agent: unexpected "+h.Kind.String()+" frame")
			if h.ID == 0 {
				// An error frame with id 0 ends the connection
				// (protocol/doc.go): its sender closes it.
				return used, 0, errUnexpectedFrame
			}
		}
	}
	return used, 0, nil
}

// forward encodes one agent request, the frame h with body, as a Dubbo
// frame straight into the loop's provider connection. The request's
// attachments (the group, a trace context) go into the Dubbo attachments
// map as they are.
func (a *Agent) forward(c *inConn, h protocol.Header, body []byte) {
	id := h.ID
	p := &c.p
	a.m.requests.Inc()
	if a.refusing.Load() {
		a.m.unavailable.Inc()
		p.fail(c.w, id, protocol.StatusUnavailable, "provider agent: shutting down")
		return
	}
	if err := protocol.ParseRequest(h, body, &p.req); err != nil {
		a.m.badRequests.Inc()
		p.fail(c.w, id, protocol.StatusBadRequest, "provider agent: "+err.Error())
		return
	}
	r := &p.req
	// The pass's Request is reused field by field: it keeps the buffers
	// RequestSize transcodes JSON arguments into.
	dr := &p.dreq
	dr.ID = 0
	dr.Serialization = a.cfg.Serialization
	dr.Interface, dr.Version, dr.Method = r.Interface, r.Version, r.Method
	dr.ParameterTypes, dr.Args, dr.Attachments = r.ParameterTypes, r.Args, r.Attachments
	// Dubbo reads the timeout attachment as a Java int: past it, a timeout
	// of some 24 days is as good as none.
	dr.Timeout = int(min(r.Timeout, math.MaxInt32))
	timeout := time.Duration(dr.Timeout) * time.Millisecond
	if timeout <= 0 {
		timeout = a.cfg.DefaultTimeout
		dr.Timeout = int(timeout / time.Millisecond)
	}
	size, err := dubbo.RequestSize(dr)
	if err != nil {
		a.m.badRequests.Inc()
		p.fail(c.w, id, protocol.StatusBadRequest, "provider agent: "+err.Error())
		return
	}
	l := c.loop
	uw := l.up.Writer()
	if uw == nil {
		a.m.unavailable.Inc()
		msg := "provider agent: provider " + a.cfg.Provider + " unreachable"
		if l.up.Suspended() {
			msg = "provider agent: provider " + a.cfg.Provider + " is shutting down (a read-only event)"
		}
		p.fail(c.w, id, protocol.StatusUnavailable, msg)
		return
	}
	now := time.Now().UnixNano()
	cid, ok := l.calls.Add(call{in: c.w, id: id, json: r.JSON, at: now}, uw.ID(), now+int64(timeout))
	if !ok {
		a.m.overloaded.Inc()
		p.fail(c.w, id, protocol.StatusOverloaded, fmt.Sprintf("provider agent: %d calls in flight on this loop", l.calls.Cap()))
		return
	}
	l.up.Active() // after the table that its Busy reads
	dr.ID = int64(cid)
	direct, ok := a.gate.enter(l, uw, cid, dr, size)
	if !direct {
		if ok {
			a.m.queued.Inc()
		} else if _, mine := l.calls.Take(cid); mine {
			a.m.overloaded.Inc()
			p.fail(c.w, id, protocol.StatusOverloaded, "provider agent: the provider's threads are busy and the queue is full")
		}
		return
	}
	p.set.Add(uw)
	// If Take fails below, the connection's OnDown (or the sweeper) has
	// claimed the call and answered it already.
	bw := uw.Lock()
	if bw == nil {
		a.gate.undo(l, &p.set)
		if _, ok := l.calls.Take(cid); ok {
			a.m.unavailable.Inc()
			p.fail(c.w, id, protocol.StatusUnavailable, "provider agent: connection to the provider lost")
		}
		return
	}
	b, err := bw.Malloc(size)
	if err == nil {
		dubbo.PutRequest(b, dr)
	}
	uw.Unlock()
	if err != nil {
		a.gate.undo(l, &p.set)
		if _, ok := l.calls.Take(cid); ok {
			p.fail(c.w, id, protocol.StatusUnavailable, "provider agent: "+err.Error())
		}
	}
}

// pong answers a consumer agent's heartbeat.
func (a *Agent) pong(c *inConn, id uint32) {
	c.p.set.Add(c.w)
	if bw := c.w.Lock(); bw != nil {
		if b, err := bw.Malloc(protocol.HeaderSize); err == nil {
			protocol.PutHeartbeat(b, id, true)
		}
		c.w.Unlock()
	}
}
