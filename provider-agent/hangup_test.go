package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/peertest"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// A consumer agent that leaves mid-frame (FIN, RST, half-close) has its
// connection closed at once, and the agent stays idle: netpoll would
// otherwise run the handler forever on the unread bytes.
func TestPeerLeavesMidFrame(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	whole := make([]byte, req("hash", "hello").Size())
	protocol.PutRequest(whole, 1, req("hash", "hello"))
	peertest.Check(t, fmt.Sprintf("127.0.0.1:%d", a.Port()),
		[]byte("\n"),                                        // a port probe's newline
		whole[:protocol.HeaderSize-1],                       // a header cut short
		whole[:protocol.HeaderSize],                         // a header without its body
		whole[:len(whole)-1],                                // a body cut short
		append(whole[:len(whole):len(whole)], whole[:5]...), // a whole frame, then part of one
	)
	if n := metric(t, a, "provider_agent_cut_short_total"); n < 3*4 {
		t.Fatalf("cut_short_total = %v, want at least 12 (4 partial frames × 3 hang-ups)", n)
	}
	// Still serving.
	expectOK(t, dial(t, a).roundTrip(1, req("hash", "c")), "99")
}

// A consumer agent that stops mid-frame and stays connected is cut off
// after FrameTimeout, and counted: its partial frame is not held forever.
func TestStalledFrameCutOff(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.FrameTimeout = 200 * time.Millisecond })
	whole := make([]byte, req("hash", "hello").Size())
	protocol.PutRequest(whole, 1, req("hash", "hello"))
	c := dial(t, a)
	c.writeRaw(whole[:len(whole)-1])
	start := time.Now()
	if got := c.closed(); len(got) != 0 {
		t.Fatalf("got %v, want a close", got)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("closed after %v; FrameTimeout is 200ms", d)
	}
	if n := metric(t, a, "provider_agent_cut_short_total"); n != 1 {
		t.Fatalf("cut_short_total = %v, want 1", n)
	}
	// A connection quiet between frames is not cut.
	idle := dial(t, a)
	time.Sleep(400 * time.Millisecond)
	expectOK(t, idle.roundTrip(1, req("hash", "c")), "99")
}
