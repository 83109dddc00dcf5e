package main

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
)

// loopbackCall is one client connection making a fixed echo call against a
// fake provider agent that answers at once, reading each answer whole into
// a reused buffer. The client and the fake allocate nothing per call, so
// what a benchmark counts is the agent (and netpoll).
type loopbackCall struct {
	tb   testing.TB
	nc   net.Conn
	req  []byte // depth requests back to back
	want []byte // their answers back to back
	buf  []byte
}

// newLoopbackCall starts an agent and a fake and makes one connection that
// sends depth pipelined requests per round.
func newLoopbackCall(tb testing.TB, param string, depth int) *loopbackCall {
	tb.Helper()
	a, _ := echoAgent(tb, Config{}, echoPlan)
	c := dial(tb, a)
	// Learn the answer's exact bytes from a checked first call.
	c.send(post(echoForm(param)))
	c.expect(200, param)
	c.send(post(echoForm(param)))
	resp := "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
	one := make([]byte, len(resp))
	if _, err := io.ReadFull(c.br, one); err != nil || string(one) != resp {
		tb.Fatalf("answer starts %q (%v), want %q", one, err, resp)
	}
	rest, err := c.br.ReadString('\n')
	if err != nil {
		tb.Fatal(err)
	}
	one = append(one, rest...)
	for !strings.HasSuffix(string(one), "\r\n\r\n") {
		line, err := c.br.ReadString('\n')
		if err != nil {
			tb.Fatal(err)
		}
		one = append(one, line...)
	}
	body := make([]byte, len(param))
	if _, err := io.ReadFull(c.br, body); err != nil || string(body) != param {
		tb.Fatalf("body %q (%v), want %q", body, err, param)
	}
	one = append(one, body...)
	if c.br.Buffered() != 0 {
		tb.Fatal("unexpected bytes after the answer")
	}
	l := &loopbackCall{
		tb:   tb,
		nc:   c.nc,
		req:  []byte(strings.Repeat(post(echoForm(param)), depth)),
		want: bytes.Repeat(one, depth),
	}
	l.buf = make([]byte, len(l.want))
	return l
}

// round sends the requests and checks the answers.
func (l *loopbackCall) round() {
	if _, err := l.nc.Write(l.req); err != nil {
		l.tb.Fatal(err)
	}
	if _, err := io.ReadFull(l.nc, l.buf); err != nil {
		l.tb.Fatal(err)
	}
	if !bytes.Equal(l.buf, l.want) {
		l.tb.Fatalf("got %q, want %q", l.buf, l.want)
	}
}

func benchmarkCall(b *testing.B, depth int) {
	l := newLoopbackCall(b, strings.Repeat("a", 512), depth)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		l.round()
	}
}

// BenchmarkCall is one client making sequential calls: the latency of the
// whole path, HTTP parse, agent frame, fake agent, answer, HTTP response.
func BenchmarkCall(b *testing.B) { benchmarkCall(b, 1) }

// BenchmarkCallPipelined16 sends 16 requests per write: the batch decode and
// batch flush paths. ns/op is per call.
func BenchmarkCallPipelined16(b *testing.B) { benchmarkCall(b, 16) }

// BenchmarkCallParallel runs one sequential client per goroutine: the cost
// of a call when every loop is busy.
func BenchmarkCallParallel(b *testing.B) {
	a, _ := echoAgent(b, Config{}, echoPlan)
	req := []byte(post(echoForm("parallel")))
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		nc, err := net.Dial("tcp", a.Addr().String())
		if err != nil {
			b.Error(err)
			return
		}
		defer nc.Close()
		buf := make([]byte, 4096)
		for pb.Next() {
			if _, err := nc.Write(req); err != nil {
				b.Error(err)
				return
			}
			// The answer is small and sent in one write: one read takes it.
			n, err := nc.Read(buf)
			if err != nil || !bytes.HasPrefix(buf[:n], []byte("HTTP/1.1 200 ")) || !bytes.HasSuffix(buf[:n], []byte("\r\n\r\nparallel")) {
				b.Errorf("answer %q (%v)", buf[:n], err)
				return
			}
		}
	})
}
