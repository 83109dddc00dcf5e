package main

import (
	"errors"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
	"github.com/dubbomesh/dubbomesh/protocol/http1"
)

// httpConn is one client connection. Its requests are answered in order:
// each gets a slot in a ring, answers fill slots in whatever order they come,
// and the done slots at the head are written out.
//
// The read side (handler fields) belongs to the connection's netpoll handler
// goroutine. The ring is shared with the goroutines that deliver answers and
// is guarded by mu.
type httpConn struct {
	loop *loop
	w    *batch.Writer

	mu     sync.Mutex
	cond   sync.Cond // signalled when the head advances
	slots  []slot
	head   uint32 // next slot to write
	tail   uint32 // next slot to hand out
	closed bool   // a Connection: close answer was written, or the last after the client's FIN
	// eof: the client shut down its write side; handling: the handler is
	// in a pass (halfclose.go). Written by their owners without mu (the
	// handler's pass must not take it twice more), read under it.
	eof, handling atomic.Bool
	// owedContinue: the request being read asked for 100 Continue while
	// answers were owed; the answer that leaves none owed sends it.
	owedContinue bool

	// Handler state.
	req       http1.Request
	form      http1.Form
	areq      protocol.Request
	set       batch.Set
	stopped   bool // no more requests are read: close requested or framing lost
	continued bool // 100 Continue sent for the request being read
	reading   bool // a request has begun to arrive; the read deadline runs

	// linger: the connection stops for a request whose end cannot be
	// trusted (a 400, 411, 413 or 431 for its framing): its last answer is
	// followed by a lingering close (closeAfterLast).
	linger atomic.Bool

	// lastActive is when the handler last ran or an answer was written
	// (UnixNano), for the idle sweep: a connection is idle from its last
	// answer, not from the request a slow call answered.
	lastActive atomic.Int64
}

// slot is one request's place in the answer order.
type slot struct {
	done   bool
	status int
	mode   http1.ConnMode // with http1.JSON for a call in the JSON form
	kind   bodyKind
	body   []byte // the answer, when it came before the head reached it
}

// bodyKind is what an answer's body holds.
type bodyKind uint8

const (
	bodyText  bodyKind = iota // a result as text (text/plain)
	bodyJSON                  // a result as JSON (application/json)
	bodyError                 // an error message: "error: <msg>", or {"error":...} for a JSON call
)

func newHTTPConn(l *loop, conn netpoll.Connection, pipeline int) *httpConn {
	hc := &httpConn{loop: l, slots: make([]slot, pipeline)}
	hc.cond.L = &hc.mu
	hc.w = batch.NewWriter(conn, func(err error) {
		if errors.Is(err, batch.ErrStalledPeer) {
			l.a.m.stalledClients.Inc()
		}
	})
	// Answers never wait for a client that does not read: an answer pass
	// writes to the clients of many calls, and one full socket must not
	// hold the others' answers (nor the pongs that keep the provider
	// agents alive). The client's own reading pauses instead (reserve).
	hc.w.Spill(clientWriteTimeout, func() {
		hc.mu.Lock()
		hc.cond.Broadcast()
		hc.mu.Unlock()
	})
	hc.lastActive.Store(l.a.clock.Now())
	l.track(hc)
	conn.AddCloseCallback(func(netpoll.Connection) error {
		l.untrack(hc)
		hc.mu.Lock()
		hc.closed = true
		hc.cond.Broadcast()
		hc.mu.Unlock()
		return nil
	})
	return hc
}

// idle reports whether the connection has read and answered nothing since
// before t (UnixNano) and owes no answer.
func (hc *httpConn) idle(t int64) bool {
	if hc.lastActive.Load() > t {
		return false
	}
	hc.mu.Lock()
	defer hc.mu.Unlock()
	return hc.head == hc.tail && !hc.closed
}

// clientWriteTimeout is how long a client behind in reading may take less
// than 64 KiB of its answers (batch.Writer.Spill) before its connection is
// closed.
const clientWriteTimeout = 5 * time.Second

// maxBacklog bounds the answers a client has not read, in bytes, past which
// no more of its requests are read until it reads.
const maxBacklog = 1 << 20

// full reports that no request may be read now: the pipeline is full, or
// the client is behind in reading its answers. mu is held.
func (hc *httpConn) full() bool {
	return hc.tail-hc.head >= uint32(len(hc.slots)) || hc.w.Backlog() > maxBacklog
}

// reserve takes the next slot, waiting while the pipeline is full or the
// client is behind in reading (full). ok is false when the connection
// closed meanwhile. Only the handler calls it.
func (hc *httpConn) reserve(mode http1.ConnMode) (uint32, bool) {
	hc.mu.Lock()
	if hc.full() {
		// The answers we wait for may sit in writers this pass holds:
		// Pause lets them go first, or nothing would ever be sent.
		hc.mu.Unlock()
		hc.set.Pause(func() {
			hc.mu.Lock() // held on return: the slot is taken under it
			for hc.full() && !hc.closed {
				hc.cond.Wait()
			}
		})
	}
	if hc.closed {
		hc.mu.Unlock()
		return 0, false
	}
	i := hc.tail
	hc.tail++
	s := &hc.slots[i%uint32(len(hc.slots))]
	s.done, s.mode = false, mode
	hc.mu.Unlock()
	return i, true
}

// complete delivers the answer for slot i. body is copied before complete
// returns. Writers touched are added to set, which the caller flushes.
func (hc *httpConn) complete(set *batch.Set, i uint32, status int, body []byte, kind bodyKind) {
	last := false
	defer func() {
		if last {
			// Nothing may follow this answer: send it and close. Not
			// under mu: Close runs the close callbacks, which take it.
			hc.closeAfterLast()
		}
	}()
	hc.mu.Lock()
	defer hc.mu.Unlock()
	if hc.closed || i-hc.head >= uint32(len(hc.slots)) {
		return
	}
	s := &hc.slots[i%uint32(len(hc.slots))]
	if i != hc.head {
		// Park the answer until the ones before it are written.
		s.done, s.status, s.kind = true, status, kind
		s.body = append(s.body[:0], body...)
		return
	}
	set.Add(hc.w)
	last = hc.write(s, status, body, kind)
	hc.head++
	for !hc.closed && hc.head != hc.tail {
		s = &hc.slots[hc.head%uint32(len(hc.slots))]
		if !s.done {
			break
		}
		last = hc.write(s, s.status, s.body, s.kind)
		hc.head++
	}
	hc.lastActive.Store(hc.loop.a.clock.Now())
	if !last && hc.answeredAll() {
		last = true
	}
	if hc.owedContinue && hc.head == hc.tail && !hc.closed && !last {
		hc.owedContinue = false
		hc.writeContinue()
	}
	hc.cond.Broadcast()
}

// lingerTimeout bounds a lingering close.
const lingerTimeout = time.Second

// closeAfterLast sends the last answer and closes the connection. After a
// refusal of a request whose body was not read (411, 413, ...) the close
// lingers, as RFC 9112 9.6 asks: the write side is shut, and what the
// client still sends is read and dropped (the handler's Decode, stopped)
// until it closes or lingerTimeout passes. Closing at once with bytes
// unread would reset the connection, and a client still writing its body
// would get the reset, not the answer.
//
// Both wait until the client has taken the answers written before: a
// client behind in reading gets them, up to clientWriteTimeout.
func (hc *httpConn) closeAfterLast() {
	hc.w.FlushThen(func() {
		conn := hc.w.Conn()
		if !conn.IsActive() {
			return // closed meanwhile (a spill that gave up): its fd may be another's now
		}
		if hc.linger.Load() {
			if fc, ok := conn.(interface{ Fd() int }); ok && syscall.Shutdown(fc.Fd(), syscall.SHUT_WR) == nil {
				time.AfterFunc(lingerTimeout, func() { conn.Close() })
				return
			}
		}
		conn.Close()
	})
}

// writeContinue writes an interim 100 Continue. mu is held.
func (hc *httpConn) writeContinue() {
	if bw := hc.w.Lock(); bw != nil {
		bw.WriteBinary(http1.Continue)
		hc.w.Unlock()
	}
}

// cancelContinue forgets an owed 100 Continue: its request has arrived.
func (hc *httpConn) cancelContinue() {
	hc.mu.Lock()
	hc.owedContinue = false
	hc.mu.Unlock()
}

// fail delivers an error answer for slot i.
func (hc *httpConn) fail(set *batch.Set, i uint32, status int, msg string) {
	hc.complete(set, i, status, []byte(msg), bodyError)
}

// write writes one response. mu is held. last reports an answer with mode
// Close: the caller flushes and closes the connection once mu is released.
func (hc *httpConn) write(s *slot, status int, body []byte, kind bodyKind) (last bool) {
	bw := hc.w.Lock()
	if bw == nil {
		hc.closed = true
		return false
	}
	mode := s.mode
	jsonCall := mode&http1.JSON != 0
	if kind == bodyError {
		body = dubbo.FirstLine(body)
	}
	var n int
	switch {
	case kind == bodyError && jsonCall:
		n = http1.JSONErrorSize(status, body, mode)
	case kind == bodyError:
		n = http1.ResponseSize(status, errorBodySize(body), mode)
	case kind == bodyJSON:
		mode |= http1.JSON
		n = http1.ResponseSize(status, len(body), mode)
	default:
		mode &^= http1.JSON
		n = http1.ResponseSize(status, len(body), mode)
	}
	b, err := bw.Malloc(n)
	if err == nil {
		switch {
		case kind == bodyError && jsonCall:
			http1.PutJSONError(b, status, body, mode)
		case kind == bodyError:
			putErrorResponse(b, status, body, mode)
		default:
			http1.PutResponse(b, status, body, mode)
		}
	}
	hc.w.Unlock()
	if mode&^http1.JSON == http1.Close {
		hc.closed = true
		return true
	}
	return false
}

const errPrefix = "error: "

// An error body is one line, "error: <msg>\n", whatever msg holds: a
// provider's multi-line message (Dubbo sends stack traces) is cut to its
// first line, and control characters (tabs included) are removed.

// errorBodySize returns the size of the error body for msg.
func errorBodySize(msg []byte) int {
	line := dubbo.FirstLine(msg)
	n := len(errPrefix) + len(line) + 1
	for _, c := range line {
		if isControl(c) {
			n--
		}
	}
	return n
}

// isControl reports an ASCII control character.
func isControl(c byte) bool { return c < ' ' || c == 0x7f }

// putErrorResponse writes an error response whose message is in a byte
// slice: the body "error: <msg>\n" is laid out in place, then the head is
// written before it. b holds ResponseSize(status, errorBodySize(msg), mode)
// bytes.
func putErrorResponse(b []byte, status int, msg []byte, mode http1.ConnMode) {
	bodyLen := errorBodySize(msg)
	n := http1.ResponseSize(status, bodyLen, mode)
	body := b[n-bodyLen : n]
	j := copy(body, errPrefix)
	for _, c := range dubbo.FirstLine(msg) {
		if !isControl(c) {
			body[j] = c
			j++
		}
	}
	body[j] = '\n'
	http1.PutResponse(b, status, body, mode)
}
