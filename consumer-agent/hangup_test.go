package main

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/peertest"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// A client that leaves mid-request (FIN, RST, half-close) has its
// connection closed at once, and the agent stays idle: netpoll would
// otherwise run the handler forever on the unread bytes.
func TestClientLeavesMidRequest(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan)
	whole := post(echoForm("hello"))
	peertest.Check(t, a.Addr().String(),
		[]byte("\n"),                       // a port probe's newline
		[]byte("POST / HTT"),               // a request line cut short
		[]byte(whole[:len(whole)-3]),       // a body cut short
		[]byte(whole+whole[:len(whole)/2]), // a whole request, then part of one
	)
	// Still serving.
	dial(t, a).send(post(echoForm("x")))
}

// A client that pipelines many calls and leaves has the calls it sent but
// the agent had not yet made dropped, and counted: the agent does not work
// through a dead connection's backlog.
func TestClientLeavesWithBacklog(t *testing.T) {
	a, f := echoAgent(t, Config{MaxPipeline: 4}, func(*protocol.Request) reply {
		return reply{act: actEcho, delay: 100 * time.Millisecond}
	})
	const n = 200
	c := dial(t, a)
	c.send(strings.Repeat(post(echoForm("x")), n))
	waitFor(t, "the pipeline to fill", func() bool { return f.calls.Load() >= 4 })
	c.nc.(*net.TCPConn).SetLinger(0)
	c.nc.Close() // a reset
	waitFor(t, "the backlog to be dropped", func() bool { return metric(t, a, "consumer_agent_abandoned_requests_total") > 0 })
	waitFor(t, "the calls made to end", func() bool { return metric(t, a, "consumer_agent_inflight") == 0 })
	calls := f.calls.Load()
	if calls > 12 {
		t.Errorf("%d of %d calls made after the client left; want the 4 in flight and a few more", calls, n)
	}
	// What the agent had read of the rest is counted (the kernel drops
	// what it had not: the client reset the connection).
	t.Logf("%d calls made, %v abandoned", calls, metric(t, a, "consumer_agent_abandoned_requests_total"))
	// Still serving.
	dial(t, a).send(post(echoForm("y")))
}

// A client that writes its whole too-large body before it reads gets the
// 413, not a reset: the agent closes with a linger, reading and dropping
// what the client still sends (RFC 9112 9.6). The same for a chunked body's
// 411.
func TestLingeringClose(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	for _, c := range []struct {
		name, head string
		status     int
	}{
		{"413", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4194304\r\n\r\n", 413},
		{"411", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := dial(t, a)
			body := strings.Repeat("x", 4<<20)
			if c.status == 411 {
				body = "400000\r\n" + body + "\r\n0\r\n\r\n"
			}
			cl.send(c.head + body) // all of it before reading
			resp, _ := cl.read()
			if resp.StatusCode != c.status || !resp.Close {
				t.Fatalf("%d (close %v), want %d and a close", resp.StatusCode, resp.Close, c.status)
			}
			cl.expectClosed()
		})
	}
	if n := f.calls.Load(); n != 0 {
		t.Errorf("%d calls made", n)
	}
	dial(t, a).send(post(echoForm("still serving")))
}

// An HTTP/2 client with prior knowledge is told, in HTTP/2, that HTTP/1.1
// is required: a SETTINGS frame and a GOAWAY with HTTP_1_1_REQUIRED.
func TestHTTP2PrefaceRefused(t *testing.T) {
	a, _ := echoAgent(t, Config{}, echoPlan)
	c := dial(t, a)
	c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
	got, err := io.ReadAll(c.br)
	if err != nil || !bytes.Equal(got, h2Refusal) {
		t.Fatalf("got % x (%v), want % x", got, err, h2Refusal)
	}
	if code := binary.BigEndian.Uint32(got[9+9+4:]); code != 0xd {
		t.Fatalf("GOAWAY error %#x, want HTTP_1_1_REQUIRED", code)
	}
	expectMetric(t, a, "consumer_agent_responses_505_total", 1)
}
