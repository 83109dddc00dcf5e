package main

import (
	"errors"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

const (
	// readBufSize is a connection's read buffer; a frame larger than it
	// grows the buffer up to dubbo.HeaderSize+dubbo.MaxBodySize, and the
	// buffer shrinks back once the frame is consumed.
	readBufSize = 64 << 10
	// maxQueued bounds the responses waiting for a peer that does not read;
	// past it the connection is closed.
	maxQueued = 32 << 20
)

// errBacklog closes a connection whose peer stopped reading.
var errBacklog = errors.New("provider: peer is not reading its responses")

// conn is one accepted connection. Two goroutines serve it:
//
//   - readLoop reads into its own buffer and handles every whole frame of a
//     read in one pass (batch decode); frames alias the buffer only while
//     they are handled;
//   - writeLoop writes everything queued since its last write in one
//     syscall (batch write), and sends heartbeats on an idle connection.
//
// Responses are queued by the reader (immediate answers) and by the
// scheduler (completed calls) under mu, in out; the writer swaps out for its
// own buffer, so the encoders never wait for the socket.
type conn struct {
	s  *server
	nc net.Conn

	mu      sync.Mutex
	out     []byte // guarded by mu: encoded frames waiting for the writer
	closed  bool   // guarded by mu
	writing bool   // guarded by mu: the writer holds frames not yet written

	kickc     chan struct{} // cap 1: out has something new
	done      chan struct{} // closed by close
	closeOnce sync.Once

	lastRead  atomic.Int64  // clock reading of the last read
	lastWrite atomic.Int64  // clock reading of the last write
	ser       atomic.Uint32 // serialization of the last request, for heartbeats

	// Owned by readLoop.
	req    dubbo.Request
	unsent bool // the reader queued answers not yet kicked
}

func newConn(s *server, nc net.Conn) *conn {
	c := &conn{
		s:     s,
		nc:    nc,
		kickc: make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
	now := s.clk.now()
	c.lastRead.Store(now)
	c.lastWrite.Store(now)
	c.ser.Store(uint32(dubbo.Hessian2))
	return c
}

// readLoop reads and handles frames until the peer closes, the stream breaks,
// or the connection is closed.
func (c *conn) readLoop() {
	buf := make([]byte, readBufSize)
	r, w := 0, 0
	for {
		n, err := c.nc.Read(buf[w:])
		if n > 0 {
			w += n
			now := c.s.clk.now()
			c.lastRead.Store(now)
			used, perr := c.process(buf[r:w], now)
			r += used
			if perr != nil {
				c.flushUnsent()
				c.close(perr)
				return
			}
			c.flushUnsent()
		}
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				err = nil
			}
			c.close(err)
			return
		}
		buf, r, w = c.makeRoom(buf, r, w)
	}
}

// process handles every whole frame at the front of b, read at now (a clock
// reading), and returns the bytes consumed; a partial frame at the end is left
// for the next read. A broken stream (bad magic, oversized frame) returns its
// error. The caller calls flushUnsent afterwards.
func (c *conn) process(b []byte, now int64) (int, error) {
	r := 0
	for r < len(b) {
		h, body, size, err := dubbo.Next(b[r:])
		if err != nil {
			if errors.Is(err, dubbo.ErrShort) {
				return r, nil
			}
			return r, err
		}
		c.handle(h, body, now)
		r += size
	}
	return r, nil
}

// makeRoom compacts buf so that the frame starting at r fits, growing buf for
// a frame larger than it and shrinking it back to readBufSize once a large
// frame is consumed.
func (c *conn) makeRoom(buf []byte, r, w int) ([]byte, int, int) {
	if r == w {
		if len(buf) > readBufSize {
			buf = make([]byte, readBufSize)
		}
		return buf, 0, 0
	}
	need := dubbo.HeaderSize
	if h, err := dubbo.ParseHeader(buf[r:w]); err == nil {
		need += h.Length
	}
	if need > len(buf) {
		grown := make([]byte, need)
		return grown, 0, copy(grown, buf[r:w])
	}
	if w == len(buf) || len(buf)-r < need {
		return buf, 0, copy(buf, buf[r:w])
	}
	return buf, r, w
}

// queue appends the frame for r to the write queue, or frame itself when it
// is not empty (an answer the UserService encoded). It reports false when
// the connection is closed; a queue grown past maxQueued closes the
// connection. Callers kick the writer afterwards.
func (c *conn) queue(r *dubbo.Response, frame []byte) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	if len(frame) > 0 {
		c.out = append(c.out, frame...)
	} else {
		c.out = dubbo.AppendResponse(c.out, r)
	}
	over := len(c.out) > maxQueued
	c.mu.Unlock()
	if over {
		c.close(errBacklog)
		return false
	}
	return true
}

// queueHeartbeat appends a heartbeat request (reply false) or response (reply
// true) to the write queue.
func (c *conn) queueHeartbeat(id int64, ser dubbo.Serialization, reply bool) {
	n := dubbo.HeartbeatSize(ser)
	c.mu.Lock()
	if !c.closed {
		l := len(c.out)
		c.out = slices.Grow(c.out, n)[:l+n]
		dubbo.PutHeartbeat(c.out[l:], id, ser, reply)
	}
	c.mu.Unlock()
}

// reply queues an answer from the reader; the reader kicks the writer once
// for all answers of a read (flushUnsent).
func (c *conn) reply(r *dubbo.Response) {
	if c.queue(r, nil) {
		c.unsent = true
	}
}

// flushUnsent wakes the writer if the reader queued answers.
func (c *conn) flushUnsent() {
	if c.unsent {
		c.unsent = false
		c.kick()
	}
}

// kick wakes the writer. It never blocks.
func (c *conn) kick() {
	select {
	case c.kickc <- struct{}{}:
	default:
	}
}

// writeLoop writes queued frames until the connection is closed, and sends a
// heartbeat request when the connection has been idle for the heartbeat
// interval.
func (c *conn) writeLoop() {
	hb := c.s.cfg.heartbeat
	var (
		idle  *time.Timer
		idleC <-chan time.Time // nil, never ready, without heartbeats
		buf   []byte
	)
	if hb > 0 {
		idle = time.NewTimer(hb)
		defer idle.Stop()
		idleC = idle.C
	}
	for {
		select {
		case <-c.kickc:
		case <-idleC:
			c.heartbeatIfIdle(idle, hb)
		case <-c.done:
			return
		}
		c.mu.Lock()
		buf, c.out = c.out, buf[:0]
		c.writing = len(buf) > 0
		c.mu.Unlock()
		if len(buf) == 0 {
			continue
		}
		_, err := c.nc.Write(buf)
		c.lastWrite.Store(c.s.clk.now())
		c.mu.Lock()
		c.writing = false
		c.mu.Unlock()
		if err != nil {
			c.close(err)
			return
		}
		if cap(buf) > 4<<20 {
			buf = nil // do not pin a rare burst's buffer
		}
	}
}

// heartbeatIfIdle queues a heartbeat request if nothing was read or written
// for hb, and rearms t for the next check.
func (c *conn) heartbeatIfIdle(t *time.Timer, hb time.Duration) {
	now := c.s.clk.now()
	idle := time.Duration(now - max(c.lastRead.Load(), c.lastWrite.Load()))
	if idle < hb {
		t.Reset(hb - idle)
		return
	}
	c.queueHeartbeat(c.s.nextID.Add(1), dubbo.Serialization(c.ser.Load()), false)
	t.Reset(hb)
}

// quiet reports whether nothing is queued or being written.
func (c *conn) quiet() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed || (len(c.out) == 0 && !c.writing)
}

// close closes the connection once, logging err if it is not nil. Calls in
// flight on it still complete; their responses are dropped.
func (c *conn) close(err error) {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.out = nil
		c.mu.Unlock()
		close(c.done)
		_ = c.nc.Close()
		if err != nil && !errors.Is(err, net.ErrClosed) {
			c.s.logf("closed connection from %s: %v", c.nc.RemoteAddr(), err)
		}
		c.s.forget(c)
	})
}
