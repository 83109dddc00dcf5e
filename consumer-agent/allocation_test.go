package main

import (
	"bytes"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/alloctest"
	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// memConn is a client connection in memory: what the agent writes to it
// lands in a LinkBuffer the test reads back, and Close runs the close
// callbacks at once, on the caller's goroutine, as netpoll does when no
// handler is running. Only the methods httpConn and batch.Writer use are
// implemented; the rest of netpoll.Connection is nil.
type memConn struct {
	netpoll.Connection
	out    *netpoll.LinkBuffer
	cbs    []netpoll.CloseCallback
	closed atomic.Bool
}

func (c *memConn) Writer() netpoll.Writer { return c.out }

func (c *memConn) IsActive() bool { return !c.closed.Load() }

func (c *memConn) AddCloseCallback(cb netpoll.CloseCallback) error {
	c.cbs = append(c.cbs, cb)
	return nil
}

func (c *memConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		for i := len(c.cbs) - 1; i >= 0; i-- {
			c.cbs[i](c)
		}
	}
	return nil
}

// handlePath drives one call through the agent's per-request code without a
// client socket or event loop: handleRequests parses the request and writes
// the agent frame to a real provider agent connection, the fake reports the
// id, and handleAnswers takes the answer frame and writes the HTTP response
// to a memConn. The only I/O is the request frame's flush to the fake.
type handlePath struct {
	tb    testing.TB
	a     *Agent
	l     *loop
	hc    *httpConn
	conn  *memConn
	out   *netpoll.LinkBuffer
	ids   chan uint32
	req   []byte // one HTTP request
	param []byte // the echoed result
	frame []byte // the answer frame, rewritten per call
	want  []byte // the HTTP response
	set   batch.Set
}

func newHandlePath(tb testing.TB, param string) *handlePath {
	tb.Helper()
	p := &handlePath{tb: tb, ids: make(chan uint32, 1), param: []byte(param)}
	f := newFakeIDs(tb, func(*protocol.Request) reply { return reply{act: actDrop} }, p.ids)
	p.a = startAgent(tb, Config{})
	route(tb, p.a, snapshot(echoIface, f.endpoint(echoIface, 1)))
	p.l = p.a.loops[0]
	p.out = netpoll.NewLinkBuffer()
	p.conn = &memConn{out: p.out}
	p.hc = newHTTPConn(p.l, p.conn, 16)
	p.req = []byte(post(echoForm(param)))
	p.frame = make([]byte, protocol.ResponseSize(len(param)))
	p.want = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
		strconv.Itoa(len(param)) + "\r\n\r\n" + param)
	return p
}

// call makes one call and checks the response.
func (p *handlePath) call() {
	used, need := p.a.handleRequests(p.hc, p.req)
	p.hc.set.Flush()
	if used != len(p.req) || need != 0 {
		p.tb.Fatalf("handleRequests used %d, need %d; want %d, 0", used, need, len(p.req))
	}
	id := <-p.ids
	protocol.PutResponse(p.frame, id, p.param)
	used, need, err := p.l.handleAnswers(&p.set, nil, p.frame)
	p.set.Flush()
	if used != len(p.frame) || need != 0 || err != nil {
		p.tb.Fatalf("handleAnswers used %d, need %d, %v; want %d, 0, nil", used, need, err, len(p.frame))
	}
	got, err := p.out.Next(p.out.Len())
	if err != nil || !bytes.Equal(got, p.want) {
		p.tb.Fatalf("response %q (%v), want %q", got, err, p.want)
	}
	p.out.Release()
}

// TestHandleAllocs: parsing a request, routing it, encoding its frame,
// decoding the answer and writing the response allocate nothing in steady
// state.
func TestHandleAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p := newHandlePath(t, "hello, allocation-free world")
	for range 100 {
		p.call() // warm the buffers and pools
	}
	if n, _ := alloctest.PerRun(1000, p.call); n != 0 {
		t.Fatalf("%v allocations per call, want 0", n)
	}
	expectMetric(t, p.a, "consumer_agent_inflight", 0)
}

// BenchmarkHandle is the agent's own per-request work, as TestHandleAllocs
// runs it, plus one loopback write of the request frame.
func BenchmarkHandle(b *testing.B) {
	p := newHandlePath(b, string(bytes.Repeat([]byte("a"), 512)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p.call()
	}
}
