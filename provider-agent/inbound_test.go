package main

import (
	"testing"

	"github.com/dubbomesh/dubbomesh/protocol"
)

func TestBadVersionRefused(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	frame := make([]byte, req("hash", "a").Size())
	protocol.PutRequest(frame, 1, req("hash", "a"))
	frame[2] = 7 // a future version
	c.writeRaw(frame)
	got := c.closed()
	if len(got) != 1 {
		t.Fatalf("got %d frames before the close, want one error frame", len(got))
	}
	if got[0].h.ID != 0 {
		t.Fatalf("refusal carries id %d, want 0", got[0].h.ID)
	}
	expectError(t, got[0], protocol.StatusBadVersion, "version 7 not supported, want 1")
	if n := f.calls.Load(); n != 0 {
		t.Fatalf("the provider got %d calls", n)
	}
}

func TestBadVersionRefusedOnThreeBytes(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	c.writeRaw([]byte{0xDB, 0x3E, 2}) // the decision needs no more than this
	got := c.closed()
	if len(got) != 1 || got[0].h.ID != 0 {
		t.Fatalf("got %v, want one connection-level error frame", got)
	}
	expectError(t, got[0], protocol.StatusBadVersion, "version 2")
}

func TestGarbageClosesConnection(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	good := dial(t, a)
	expectOK(t, good.roundTrip(1, req("hash", "a")), "97")

	bad := dial(t, a)
	bad.writeRaw([]byte("POST / HTTP/1.1\r\nHost: agent\r\nContent-Length: 0\r\n\r\n"))
	if got := bad.closed(); len(got) != 0 {
		t.Fatalf("the agent answered garbage with %v; want a close without a word", got)
	}

	// A frame whose header is well formed but whose kind is not.
	odd := dial(t, a)
	frame := make([]byte, protocol.HeaderSize)
	protocol.PutHeader(frame, protocol.Header{Kind: 9, ID: 3})
	odd.writeRaw(frame)
	got := odd.closed()
	if len(got) != 1 || got[0].h.ID != 0 {
		t.Fatalf("got %v, want one connection-level error frame", got)
	}
	expectError(t, got[0], protocol.StatusBadFrame, "unknown frame kind")

	// The agent keeps serving the other connection and new ones.
	expectOK(t, good.roundTrip(2, req("hash", "b")), "98")
	expectOK(t, dial(t, a).roundTrip(1, req("hash", "c")), "99")
	if n := metric(t, a, "provider_agent_bad_frames_total"); n != 2 {
		t.Fatalf("bad_frames_total = %v, want 2", n)
	}
	// The connections the agent closed itself are forgotten: only the
	// good one and the last one stay open.
	waitFor(t, "the refused connections to be forgotten", func() bool {
		return metric(t, a, "provider_agent_open_connections") == 2 && metric(t, a, "provider_agent_disconnects_total") == 2
	})
	a.in.mu.Lock()
	n := len(a.in.conns)
	a.in.mu.Unlock()
	if n != 2 {
		t.Fatalf("%d inbound connections tracked, want 2", n)
	}
}

func TestUnexpectedKind(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	frame := make([]byte, protocol.ResponseSize(2))
	protocol.PutResponse(frame, 5, []byte("hi"))
	c.writeRaw(frame)
	expectError(t, c.next(), protocol.StatusBadFrame, "unexpected response frame")
	expectOK(t, c.roundTrip(6, req("hash", "a")), "97")
	// With id 0 the error concerns the connection: the agent closes it.
	g := make([]byte, protocol.GoAwaySize("bye"))
	protocol.PutGoAway(g, "bye")
	c.writeRaw(g)
	got := c.closed()
	if len(got) != 1 || got[0].h.ID != 0 {
		t.Fatalf("got %v, want one connection-level error frame, then a close", got)
	}
	expectError(t, got[0], protocol.StatusBadFrame, "unexpected goaway frame")
}

func TestConsumerHeartbeat(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	ping := make([]byte, protocol.HeaderSize)
	protocol.PutHeartbeat(ping, 9, false)
	pong := make([]byte, protocol.HeaderSize)
	protocol.PutHeartbeat(pong, 10, true) // a reply needs no answer
	c.writeRaw(append(pong, ping...))
	got := c.next()
	if got.h.Kind != protocol.KindHeartbeat || !got.h.IsReply() || got.h.ID != 9 || got.body != "" {
		t.Fatalf("got %v id %d reply %v body %q, want the pong for 9", got.h.Kind, got.h.ID, got.h.IsReply(), got.body)
	}
	expectOK(t, c.roundTrip(11, req("hash", "a")), "97")
}

func TestFrameSplitAcrossWrites(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	c.send(1, req("echo", "first"))
	c.send(2, req("echo", "second"))
	b := append([]byte(nil), c.out...)
	c.out = c.out[:0]
	// Byte by byte, with the second frame's header cut in the middle.
	for i := range b {
		c.writeRaw(b[i : i+1])
	}
	got := c.collect(2)
	expectOK(t, got[1], "first")
	expectOK(t, got[2], "second")
}
