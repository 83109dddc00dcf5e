package main

import (
	"bytes"
	"fmt"
	"runtime"
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
	checkStalledFrameCutOff(t, a, func() *consumer { return dial(t, a) })
}

// checkStalledFrameCutOff checks that a consumer from dial that stops one
// byte short of a frame is closed within a few FrameTimeouts of 200 ms and
// counted, and that another one quiet between frames is not.
func checkStalledFrameCutOff(t *testing.T, a *Agent, dial func() *consumer) {
	t.Helper()
	whole := make([]byte, req("hash", "hello").Size())
	protocol.PutRequest(whole, 1, req("hash", "hello"))
	c := dial()
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
	idle := dial()
	time.Sleep(400 * time.Millisecond)
	expectOK(t, idle.roundTrip(1, req("hash", "c")), "99")
}

// A peer that floods pings and never reads the pongs holds a bounded share
// of the agent's memory (netpoll's read-ahead stops at
// netpoll.ReadAheadLimit, and the handler waits on the full socket), and
// other consumer agents are still answered.
func TestUnreadFloodBounded(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	good := dial(t, a)
	expectOK(t, good.roundTrip(1, req("hash", "a")), "97")

	flood := dial(t, a)
	ping := make([]byte, protocol.HeaderSize)
	protocol.PutHeartbeat(ping, 7, false)
	chunk := bytes.Repeat(ping, 64<<10) // 1 MiB of pings
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	peak := before.HeapInuse
	done := make(chan struct{})
	go func() {
		defer close(done)
		flood.c.SetWriteDeadline(time.Now().Add(1500 * time.Millisecond))
		for {
			if _, err := flood.c.Write(chunk); err != nil {
				return // the deadline, once the agent stopped reading
			}
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-done:
		case <-time.After(50 * time.Millisecond):
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
			if i%5 == 0 {
				expectOK(t, good.roundTrip(uint32(2+i), req("hash", "a")), "97")
			}
			continue
		}
		break
	}
	if grew := int64(peak) - int64(before.HeapInuse); grew > 512<<20 {
		t.Fatalf("the heap grew by %d MiB under an unread flood; want it bounded by the read-ahead limit", grew>>20)
	}
	t.Logf("heap grew by at most %d MiB", (int64(peak)-int64(before.HeapInuse))>>20)
	flood.c.Close()
	expectOK(t, good.roundTrip(1000, req("hash", "b")), "98")
}
