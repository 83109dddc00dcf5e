package main

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// callPath drives one connection's per-call CPU path without sockets or
// timers: decode a frame, route it, compute the hash, take a thread and a CPU
// slot, schedule the call, then complete it and encode its response into the
// connection's write queue.
type callPath struct {
	s     *server
	c     *conn
	batch []*call
}

func newCallPath(tb testing.TB) *callPath {
	cfg := testConfig()
	s := newServer(cfg, io.Discard)
	s.sched.stop() // completions are driven by hand
	a, b := net.Pipe()
	tb.Cleanup(func() { a.Close(); b.Close() })
	return &callPath{s: s, c: newConn(s, a), batch: make([]*call, 0, 1)}
}

// run handles frame (one request) and returns the response frame, which is
// valid until the next run.
func (p *callPath) run(tb testing.TB, frame []byte) []byte {
	p.c.out = p.c.out[:0]
	used, err := p.c.process(frame, 0)
	if err != nil || used != len(frame) {
		tb.Fatalf("process: used %d of %d bytes, %v", used, len(frame), err)
	}
	p.c.flushUnsent()
	p.s.sched.mu.Lock()
	for len(p.s.sched.heap) > 0 {
		p.batch = append(p.batch, p.s.sched.pop())
	}
	p.s.sched.mu.Unlock()
	p.s.complete(p.batch)
	clear(p.batch)
	p.batch = p.batch[:0]
	return p.c.out
}

// raceFrame is the race's request: hash of a 32-character alphanumeric string.
func raceFrame(tb testing.TB, ser dubbo.Serialization) []byte {
	r := &dubbo.Request{
		ID:             1,
		Serialization:  ser,
		Interface:      []byte(helloService),
		Method:         []byte("hash"),
		ParameterTypes: []byte("Ljava/lang/String;"),
		Args:           [][]byte{[]byte("q1W2e3R4t5Y6u7I8o9P0aSdFgHjKlZxC")},
		Timeout:        3000,
	}
	n, err := dubbo.RequestSize(r)
	if err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, n)
	dubbo.PutRequest(b, r)
	return b
}

func TestCallPathAnswers(t *testing.T) {
	p := newCallPath(t)
	for _, ser := range serializations {
		out := p.run(t, raceFrame(t, ser))
		h, body, n, err := dubbo.Next(out)
		if err != nil || n != len(out) {
			t.Fatalf("%v: response frame: %v (%d of %d bytes)", ser, err, n, len(out))
		}
		text, _, err := dubbo.DecodeResponse(h, body, nil)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, ser.String()+" hash", string(text), "-1381881997")
		equal(t, "threads held after completion", p.s.lim.inFlight(), int64(0))
	}
}

func TestCallPathAllocs(t *testing.T) {
	for _, ser := range serializations {
		p := newCallPath(t)
		frame := raceFrame(t, ser)
		p.run(t, frame)
		if n := testing.AllocsPerRun(200, func() { p.run(t, frame) }); n != 0 {
			t.Errorf("%v: the per-call path allocates %v times", ser, n)
		}
	}
}

func benchmarkCallPath(b *testing.B, ser dubbo.Serialization) {
	p := newCallPath(b)
	frame := raceFrame(b, ser)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		p.run(b, frame)
	}
}

func BenchmarkCallPathHessian2(b *testing.B) { benchmarkCallPath(b, dubbo.Hessian2) }
func BenchmarkCallPathFastJSON(b *testing.B) { benchmarkCallPath(b, dubbo.FastJSON) }

// BenchmarkServerRoundTrip measures whole calls over loopback TCP, 64 in
// flight on one connection, with no latency: the provider's CPU per call
// including syscalls, timers and goroutine wake-ups.
func BenchmarkServerRoundTrip(b *testing.B) {
	cfg := testConfig()
	cfg.latency = 0
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := newServer(cfg, io.Discard)
	go s.serve(ln)
	defer s.shutdown(time.Second)
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	frame := raceFrame(b, dubbo.Hessian2)
	const window = 64
	batch := make([]byte, 0, window*len(frame))
	for range window {
		batch = append(batch, frame...)
	}
	rbuf := make([]byte, 256<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n := min(window, b.N-done)
		if _, err := nc.Write(batch[:n*len(frame)]); err != nil {
			b.Fatal(err)
		}
		got, w := 0, 0
		for got < n {
			m, err := nc.Read(rbuf[w:])
			if err != nil {
				b.Fatal(err)
			}
			w += m
			r := 0
			for {
				_, _, size, err := dubbo.Next(rbuf[r:w])
				if err != nil {
					break
				}
				r += size
				got++
			}
			w = copy(rbuf, rbuf[r:w])
		}
		done += n
	}
}
