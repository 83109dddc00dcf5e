package main

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/registry"
)

// fakeAgent stands in for a provider agent: a plain net listener speaking
// the agent protocol, whose answer to each request is scripted by its plan.
// It decodes every frame of a read in one pass and writes the immediate
// answers of that pass in one write, like the real agents do.
type fakeAgent struct {
	t    testing.TB
	ln   net.Listener
	plan atomic.Pointer[planFunc]

	calls   atomic.Int64 // requests received
	pings   atomic.Int64 // heartbeat pings received (and answered)
	pongs   chan uint32  // ids of heartbeat replies received
	ids     chan uint32  // if not nil, gets the id of every request (blocking)
	open    atomic.Int64 // connections open now
	accepts atomic.Int64 // connections accepted

	mu     sync.Mutex
	closed bool
	conns  []*fakeConn
	held   []heldCall
	last   lastRequest
	atts   []byte // scratch for last.attachments
	wg     sync.WaitGroup
}

// planFunc decides the answer to one request. It runs on the connection's
// reading goroutine; req aliases the read buffer.
type planFunc func(req *protocol.Request) reply

// action is what the fake does with a request.
type action int

const (
	actEcho   action = iota // answer with the first argument (empty if none)
	actFail                 // answer with an error frame
	actHold                 // keep the call until release
	actDrop                 // never answer
	actHangUp               // close the connection at once
)

// reply is a scripted answer: act, with status and msg for actFail, after
// delay for actEcho and actFail (answered from another goroutine).
type reply struct {
	act    action
	status protocol.Status
	msg    string
	delay  time.Duration
	json   bool // answer with FlagJSON
	// report stamps load into the answer (protocol.SetLoad), as
	// provider agents do.
	report bool
	load   int
	// sent, if set, runs just before a delayed answer is written.
	sent func()
}

// heldCall is a call kept by actHold, with the result it will get.
type heldCall struct {
	c      *fakeConn
	id     uint32
	result []byte
}

// lastRequest copies the fields of the last request received.
type lastRequest struct {
	timeout                       uint32
	iface, method, types, version string
	nargs                         int
	attachments                   string // "k=v" entries joined by "&"
}

type fakeConn struct {
	nc net.Conn
	mu sync.Mutex // serialises writes
}

func (c *fakeConn) write(b []byte) {
	c.mu.Lock()
	c.nc.Write(b)
	c.mu.Unlock()
}

// newFake starts a fake provider agent answering by plan p.
func newFake(t testing.TB, p planFunc) *fakeAgent { return newFakeIDs(t, p, nil) }

// newFakeIDs is newFake with the ids channel set.
func newFakeIDs(t testing.TB, p planFunc, ids chan uint32) *fakeAgent {
	return newFakeOn(t, p, ids, nil)
}

// newFakeOn is newFakeIDs whose listener is wrap's (e.g. TLS) if wrap is
// not nil.
func newFakeOn(t testing.TB, p planFunc, ids chan uint32, wrap func(net.Listener) net.Listener) *fakeAgent {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if wrap != nil {
		ln = wrap(ln)
	}
	f := &fakeAgent{t: t, ln: ln, pongs: make(chan uint32, 64), ids: ids}
	f.setPlan(p)
	f.wg.Add(1)
	go f.accept()
	t.Cleanup(f.close)
	return f
}

func echoPlan(*protocol.Request) reply { return reply{act: actEcho} }

func (f *fakeAgent) setPlan(p planFunc) { f.plan.Store(&p) }

func (f *fakeAgent) addr() string { return f.ln.Addr().String() }

// endpoint returns the registry entry of f for iface with weight w.
func (f *fakeAgent) endpoint(iface string, w int) registry.Endpoint {
	return registry.Endpoint{Interface: iface, Addr: f.addr(), Weight: w}
}

// endpointCap is endpoint with a capacity.
func (f *fakeAgent) endpointCap(iface string, w, capacity int) registry.Endpoint {
	return registry.Endpoint{Interface: iface, Addr: f.addr(), Weight: w, Capacity: capacity}
}

func (f *fakeAgent) close() {
	f.ln.Close()
	f.mu.Lock()
	f.closed = true
	for _, c := range f.conns {
		c.nc.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *fakeAgent) accept() {
	defer f.wg.Done()
	for {
		nc, err := f.ln.Accept()
		if err != nil {
			return
		}
		c := &fakeConn{nc: nc}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			nc.Close()
			return
		}
		f.conns = append(f.conns, c)
		f.mu.Unlock()
		f.accepts.Add(1)
		f.open.Add(1)
		f.wg.Add(1)
		go f.serve(c)
	}
}

// serve reads frames until the connection ends.
func (f *fakeAgent) serve(c *fakeConn) {
	defer f.wg.Done()
	defer f.open.Add(-1)
	defer c.nc.Close()
	buf := make([]byte, 0, 64<<10)
	var (
		out []byte
		req protocol.Request
	)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := c.nc.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return
		}
		used := 0
		out = out[:0]
		for {
			h, body, n, err := protocol.Next(buf[used:])
			if errors.Is(err, protocol.ErrShort) {
				break
			}
			if err != nil {
				f.t.Errorf("fake agent: bad frame from the consumer agent: %v", err)
				return
			}
			used += n
			switch h.Kind {
			case protocol.KindRequest:
				var hangUp bool
				if out, hangUp = f.request(c, out, h, body, &req); hangUp {
					return
				}
			case protocol.KindHeartbeat:
				if h.IsReply() {
					select {
					case f.pongs <- h.ID:
					default:
					}
					break
				}
				f.pings.Add(1)
				out = append(out, make([]byte, protocol.HeaderSize)...)
				protocol.PutHeartbeat(out[len(out)-protocol.HeaderSize:], h.ID, true)
			default:
				f.t.Errorf("fake agent: unexpected %v frame from the consumer agent", h.Kind)
			}
		}
		buf = buf[:copy(buf, buf[used:])]
		if len(out) > 0 {
			c.write(out)
		}
	}
}

// request handles one request frame, appending an immediate answer to out.
// hangUp reports that the connection must be closed now.
func (f *fakeAgent) request(c *fakeConn, out []byte, h protocol.Header, body []byte, req *protocol.Request) (_ []byte, hangUp bool) {
	id := h.ID
	if err := protocol.ParseRequest(h, body, req); err != nil {
		f.t.Errorf("fake agent: bad request from the consumer agent: %v", err)
		return out, true
	}
	f.calls.Add(1)
	f.mu.Lock()
	f.last.timeout = req.Timeout
	if string(req.Interface) != f.last.iface {
		f.last.iface = string(req.Interface)
	}
	if string(req.Method) != f.last.method {
		f.last.method = string(req.Method)
	}
	if string(req.ParameterTypes) != f.last.types {
		f.last.types = string(req.ParameterTypes)
	}
	if string(req.Version) != f.last.version {
		f.last.version = string(req.Version)
	}
	f.last.nargs = len(req.Args)
	f.atts = f.atts[:0]
	for i, a := range req.Attachments {
		if i > 0 {
			f.atts = append(f.atts, '&')
		}
		f.atts = append(append(append(f.atts, a.Key...), '='), a.Value...)
	}
	if string(f.atts) != f.last.attachments {
		f.last.attachments = string(f.atts)
	}
	f.mu.Unlock()
	var result []byte
	if len(req.Args) > 0 {
		result = req.Args[0]
	}
	r := (*f.plan.Load())(req)
	if f.ids != nil {
		f.ids <- id
	}
	switch r.act {
	case actEcho, actFail:
		if r.delay > 0 {
			res := append([]byte(nil), result...)
			time.AfterFunc(r.delay, func() {
				if r.sent != nil {
					r.sent()
				}
				c.write(answer(nil, id, r, res))
			})
			return out, false
		}
		return answer(out, id, r, result), false
	case actHold:
		f.mu.Lock()
		f.held = append(f.held, heldCall{c: c, id: id, result: append([]byte(nil), result...)})
		f.mu.Unlock()
	case actHangUp:
		return out, true
	}
	return out, false
}

// answer appends the answer r to request id to out.
func answer(out []byte, id uint32, r reply, result []byte) []byte {
	if r.act == actFail {
		n := len(out)
		out = append(out, make([]byte, protocol.ErrorSize(r.msg))...)
		protocol.PutError(out[n:], id, r.status, r.msg)
		if r.report {
			protocol.SetLoad(out[n:], r.load)
		}
		return out
	}
	n := len(out)
	out = append(out, make([]byte, protocol.ResponseSize(len(result)))...)
	if r.json {
		protocol.PutJSONResponse(out[n:], id, result)
	} else {
		protocol.PutResponse(out[n:], id, result)
	}
	if r.report {
		protocol.SetLoad(out[n:], r.load)
	}
	return out
}

// waitHeld waits until n calls are held.
func (f *fakeAgent) waitHeld(n int) {
	f.t.Helper()
	waitFor(f.t, "held calls", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.held) >= n
	})
}

// waitOpen waits until n connections are open.
func (f *fakeAgent) waitOpen(n int64) {
	f.t.Helper()
	waitFor(f.t, "connections to the fake agent", func() bool { return f.open.Load() == n })
}

// release answers the held calls, last held first, each connection's
// answers in one write.
func (f *fakeAgent) releaseReverse() {
	f.mu.Lock()
	held := f.held
	f.held = nil
	f.mu.Unlock()
	outs := map[*fakeConn][]byte{}
	for i := len(held) - 1; i >= 0; i-- {
		h := held[i]
		outs[h.c] = answer(outs[h.c], h.id, reply{act: actEcho}, h.result)
	}
	for c, out := range outs {
		c.write(out)
	}
}

// each runs fn on every connection accepted so far.
func (f *fakeAgent) each(fn func(c *fakeConn)) {
	f.mu.Lock()
	conns := append([]*fakeConn(nil), f.conns...)
	f.mu.Unlock()
	for _, c := range conns {
		fn(c)
	}
}

// ping sends a heartbeat request with id on every connection.
func (f *fakeAgent) ping(id uint32) {
	b := make([]byte, protocol.HeaderSize)
	protocol.PutHeartbeat(b, id, false)
	f.each(func(c *fakeConn) { c.write(b) })
}

// refuse sends a connection-level error frame (id 0) on every connection,
// then closes them, as a provider agent refusing its peer does.
func (f *fakeAgent) refuse(s protocol.Status, msg string) {
	b := make([]byte, protocol.ErrorSize(msg))
	protocol.PutError(b, 0, s, msg)
	f.each(func(c *fakeConn) {
		c.write(b)
		c.nc.Close()
	})
}

func (f *fakeAgent) lastReq() lastRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}
