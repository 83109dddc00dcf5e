package main

import (
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
