package main

import (
	"bytes"
	"errors"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// fakeProvider is a Dubbo 2 provider over std net, standing in for the Java
// provider. It decodes each frame with dubbo.Next and dubbo.ParseRequest and
// picks its behaviour by the method called:
//
//	hash     the int String.hashCode of the first argument
//	echo     the first argument, as a String
//	nil      null
//	boom     an exception, java.lang.IllegalStateException: "boom <arg>"
//	busy     status 100 (thread pool exhausted)
//	missing  status 60 (service not found)
//	slow     the hash, 100 ms later (or status 100 past pool such calls)
//	hang     nothing, ever
//	big      a String of as many bytes as the first argument's length in KiB
//	die      the connection is closed at once
//	cycle    (hessian2) a list holding itself: no agent can render it
//	deep     (hessian2) 65 nested lists, past the renderer's depth
//
// Heartbeat requests are answered (unless mute is set); heartbeat replies to
// the fake's own pings are recorded. A fakeProvider is safe for concurrent
// use; its per-frame path allocates nothing when record is false.
type fakeProvider struct {
	t    *testing.T
	addr string

	record  atomic.Bool  // keep every request in reqs
	pool    atomic.Int64 // >0: slow calls past this many at once are refused (status 100), as a Dubbo pool does
	running atomic.Int64 // slow calls under way
	mute    atomic.Bool  // do not answer heartbeats
	discard atomic.Bool  // read and drop everything, decoding nothing

	mu    sync.Mutex
	ln    net.Listener
	conns map[*fakeConn]struct{}
	reqs  []gotRequest
	pongs []dubbo.Header // heartbeat replies from the agent
	pings []dubbo.Header // heartbeat requests from the agent

	accepted atomic.Int64
	calls    atomic.Int64
	wg       sync.WaitGroup
}

// gotRequest is a Dubbo request as the fake received it, copied out of the
// read buffer.
type gotRequest struct {
	Flag      byte
	ID        int64
	Interface string
	Version   string
	Method    string
	Types     string
	Args      []string
	Timeout   int
}

// fakeConn is one accepted connection; writes are serialized by mu because
// answers, delayed answers and pings come from different goroutines.
type fakeConn struct {
	c  net.Conn
	mu sync.Mutex
}

func (fc *fakeConn) write(b []byte) {
	fc.mu.Lock()
	fc.c.Write(b)
	fc.mu.Unlock()
}

// startFake listens on addr ("127.0.0.1:0" for any port) and serves until
// the test ends.
func startFake(t testing.TB, addr string) *fakeProvider {
	t.Helper()
	f := &fakeProvider{addr: addr, conns: map[*fakeConn]struct{}{}}
	if tt, ok := t.(*testing.T); ok {
		f.t = tt
	}
	f.record.Store(true)
	f.listen(t)
	t.Cleanup(f.stop)
	return f
}

func (f *fakeProvider) listen(t testing.TB) {
	t.Helper()
	var (
		ln  net.Listener
		err error
	)
	// The port may linger for a moment after stop; retry briefly.
	for i := 0; i < 100; i++ {
		if ln, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("fake provider: listen %s: %v", f.addr, err)
	}
	f.mu.Lock()
	f.ln = ln
	f.addr = ln.Addr().String()
	f.mu.Unlock()
	f.wg.Add(1)
	go f.accept(ln)
}

func (f *fakeProvider) accept(ln net.Listener) {
	defer f.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		fc := &fakeConn{c: c}
		f.mu.Lock()
		f.conns[fc] = struct{}{}
		f.mu.Unlock()
		f.accepted.Add(1)
		f.wg.Add(1)
		go f.serve(fc)
	}
}

// stop closes the listener and every connection, and waits for the
// goroutines to end. The fake can be started again with restart.
func (f *fakeProvider) stop() {
	f.mu.Lock()
	if f.ln != nil {
		f.ln.Close()
		f.ln = nil
	}
	for fc := range f.conns {
		fc.c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// restart listens again on the same address.
func (f *fakeProvider) restart(t testing.TB) { f.listen(t) }

// dropConns closes every accepted connection but keeps listening.
func (f *fakeProvider) dropConns() {
	f.mu.Lock()
	for fc := range f.conns {
		fc.c.Close()
	}
	f.mu.Unlock()
}

func (f *fakeProvider) serve(fc *fakeConn) {
	defer f.wg.Done()
	defer func() {
		fc.c.Close()
		f.mu.Lock()
		delete(f.conns, fc)
		f.mu.Unlock()
	}()
	var (
		buf  = make([]byte, 0, 64<<10)
		out  []byte
		req  dubbo.Request
		resp dubbo.Response
		hb   [32]byte
	)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow for a large frame
		}
		n, err := fc.c.Read(buf[len(buf):cap(buf)])
		if err != nil {
			return
		}
		if f.discard.Load() {
			continue
		}
		buf = buf[:len(buf)+n]
		used := 0
		out = out[:0]
		for {
			h, body, size, err := dubbo.Next(buf[used:])
			if errors.Is(err, dubbo.ErrShort) {
				break
			}
			if err != nil {
				f.errorf("fake provider: bad frame from the agent: %v", err)
				return
			}
			used += size
			if h.IsEvent() {
				if !h.IsRequest() {
					f.mu.Lock()
					f.pongs = append(f.pongs, h)
					f.mu.Unlock()
					continue
				}
				f.mu.Lock()
				f.pings = append(f.pings, h)
				f.mu.Unlock()
				if h.IsTwoWay() && !f.mute.Load() {
					n := dubbo.PutHeartbeat(hb[:], h.ID, h.Serialization(), true)
					out = append(out, hb[:n]...)
				}
				continue
			}
			if err := dubbo.ParseRequest(h, body, &req); err != nil {
				f.errorf("fake provider: undecodable request: %v", err)
				return
			}
			f.calls.Add(1)
			if f.record.Load() {
				f.keep(h, &req)
			}
			resp = dubbo.Response{ID: req.ID, Serialization: req.Serialization, Status: dubbo.StatusOK}
			var arg []byte
			if len(req.Args) > 0 {
				arg = req.Args[0]
			}
			switch string(req.Method) {
			case "hash":
				resp.Value = dubbo.Value{Type: dubbo.TypeInt, Int: int64(javahash.String(arg))}
			case "echo":
				resp.Value = dubbo.Value{Type: dubbo.TypeString, Bytes: arg}
			case "nil":
			case "boom":
				resp.Exception = true
				resp.ExceptionClass = []byte("java.lang.IllegalStateException")
				resp.ErrorMessage = append([]byte("boom "), arg...)
			case "busy":
				resp.Status = dubbo.StatusThreadpoolExhausted
				resp.ErrorMessage = []byte("Server side(127.0.0.1,20880) threadpool is exhausted")
			case "missing":
				resp.Status = dubbo.StatusServiceNotFound
				resp.ErrorMessage = []byte("Not found exported service: " + string(req.Interface))
			case "refused":
				resp.Status = dubbo.StatusServiceNotFound
				resp.ErrorMessage = []byte("service refused")
			case "noversion": // as Dubbo 2.7's DubboProtocol.getInvoker words it
				resp.Status = dubbo.StatusServiceError
				resp.ErrorMessage = []byte("org.apache.dubbo.remoting.RemotingException: Not found exported service: " +
					string(req.Interface) + ":9.9.9:20880 in [" + string(req.Interface) + ":20880], may be version or group mismatch\n\tat x.Y(Y.java:1)")
			case "nomethod": // as Dubbo 2.7's DecodeableRpcInvocation words it
				resp.Status = dubbo.StatusBadRequest
				resp.ErrorMessage = []byte("Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:" +
					string(req.Interface) + ", nomethod\r\n\tat x.Y(Y.java:1)")
			case "slow":
				if p := f.pool.Load(); p > 0 && f.running.Load() >= p {
					resp.Status = dubbo.StatusThreadpoolExhausted
					resp.ErrorMessage = []byte("Server side(127.0.0.1,20880) threadpool is exhausted")
					break
				}
				f.running.Add(1)
				resp.Value = dubbo.Value{Type: dubbo.TypeInt, Int: int64(javahash.String(arg))}
				late := dubbo.AppendResponse(nil, &resp)
				time.AfterFunc(100*time.Millisecond, func() { f.running.Add(-1); fc.write(late) })
				continue
			case "hang":
				continue
			case "big":
				resp.Value = dubbo.Value{Type: dubbo.TypeString, Bytes: bytes.Repeat([]byte("x"), len(arg)<<10)}
			case "cycle", "deep":
				// hessian2 bytes no agent can render as JSON: flag 1 (a
				// value), then a list holding itself, or 65 nested lists.
				body := []byte{0x91, 0x79, 0x51, 0x90}
				if string(req.Method) == "deep" {
					body = append(append([]byte{0x91}, bytes.Repeat([]byte{0x79}, 65)...), 0x90)
				}
				n := len(out)
				out = append(out, make([]byte, dubbo.HeaderSize)...)
				dubbo.PutHeader(out[n:], dubbo.Header{Flag: byte(req.Serialization), Status: dubbo.StatusOK, ID: req.ID, Length: len(body)})
				out = append(out, body...)
				continue
			case "die":
				fc.write(out)
				return
			default:
				resp.Status = dubbo.StatusBadRequest
				resp.ErrorMessage = []byte("unknown method " + string(req.Method))
			}
			out = dubbo.AppendResponse(out, &resp)
		}
		if len(out) > 0 {
			fc.write(out)
		}
		buf = buf[:copy(buf, buf[used:])]
	}
}

func (f *fakeProvider) keep(h dubbo.Header, r *dubbo.Request) {
	g := gotRequest{
		Flag:      h.Flag,
		ID:        r.ID,
		Interface: string(r.Interface),
		Version:   string(r.Version),
		Method:    string(r.Method),
		Types:     string(r.ParameterTypes),
		Timeout:   r.Timeout,
	}
	for _, a := range r.Args {
		g.Args = append(g.Args, string(a))
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, g)
	f.mu.Unlock()
}

func (f *fakeProvider) errorf(format string, args ...any) {
	if f.t != nil {
		f.t.Errorf(format, args...)
	}
}

// requests returns a copy of the requests received so far.
func (f *fakeProvider) requests() []gotRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]gotRequest(nil), f.reqs...)
}

// heartbeats returns the heartbeat requests and replies received so far.
func (f *fakeProvider) heartbeats() (pings, pongs []dubbo.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]dubbo.Header(nil), f.pings...), append([]dubbo.Header(nil), f.pongs...)
}

// ping sends a heartbeat request with the given id on every connection and
// returns how many connections it went to.
func (f *fakeProvider) ping(id int64, s dubbo.Serialization) int {
	b := make([]byte, dubbo.HeartbeatSize(s))
	dubbo.PutHeartbeat(b, id, s, false)
	f.mu.Lock()
	conns := make([]*fakeConn, 0, len(f.conns))
	for fc := range f.conns {
		conns = append(conns, fc)
	}
	f.mu.Unlock()
	for _, fc := range conns {
		fc.write(b)
	}
	return len(conns)
}

// openConns returns the number of live connections.
func (f *fakeProvider) openConns() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}
