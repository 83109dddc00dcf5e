package main

import (
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// TestGateHoldsCallsBack checks that past MaxProviderCalls calls wait in the
// agent, not at the provider, and all succeed.
func TestGateHoldsCallsBack(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 1; c.MaxProviderCalls = 2 })
	c := dial(t, a)
	start := time.Now()
	const n = 6
	for i := 1; i <= n; i++ {
		c.send(uint32(i), req("slow", "x")) // answered after 100 ms
	}
	c.flush()
	got := c.collect(n)
	for id, ans := range got {
		if ans.h.Kind != protocol.KindResponse {
			t.Fatalf("id %d: %v %v %q", id, ans.h.Kind, ans.h.Status, ans.body)
		}
	}
	// Two at a time, 100 ms each: three rounds.
	if d := time.Since(start); d < 280*time.Millisecond {
		t.Fatalf("6 calls through 2 threads took %v, want ≥ 300ms", d)
	}
	if q := metric(t, a, "provider_agent_queued_total"); q != n-2 {
		t.Fatalf("queued %v calls, want %d", q, n-2)
	}
	if w := metric(t, a, "provider_agent_waiting"); w != 0 {
		t.Fatalf("%v calls still waiting", w)
	}
}

// TestGateQueueFull answers overloaded once the queue is full too.
func TestGateQueueFull(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 1; c.MaxProviderCalls = 2; c.MaxQueue = 1 })
	c := dial(t, a)
	for i := 1; i <= 5; i++ {
		c.send(uint32(i), req("slow", "x"))
	}
	c.flush()
	ok, over := answeredOrOverloaded(t, c, 5)
	if ok != 3 || over != 2 {
		t.Fatalf("%d answered, %d overloaded; want 3 and 2", ok, over)
	}
}

// TestGateSkipsExpiredCalls: a call that timed out while waiting is not sent.
func TestGateSkipsExpiredCalls(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 1; c.MaxProviderCalls = 1 })
	c := dial(t, a)
	c.send(1, req("slow", "x"))
	short := req("slow", "y")
	short.Timeout = 30 // expires while call 1 holds the only thread
	c.send(2, short)
	c.flush()
	got := c.collect(2)
	expectError(t, got[2], protocol.StatusTimeout, "deadline")
	if got[1].h.Kind != protocol.KindResponse {
		t.Fatalf("call 1: %v %q", got[1].h.Status, got[1].body)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(f.requests()); n != 1 {
		t.Fatalf("the provider got %d calls, want 1 (the expired one must not be sent)", n)
	}
}

// TestGateSharedByLoops: the limit holds over all loops together, and a
// thread freed on one loop serves a call waiting on another.
func TestGateSharedByLoops(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 2; c.MaxProviderCalls = 1 })
	c1, c2 := dial(t, a), dial(t, a) // sharded onto both loops
	start := time.Now()
	for i := 1; i <= 2; i++ {
		c1.send(uint32(i), req("slow", "x"))
		c2.send(uint32(i), req("slow", "y"))
	}
	c1.flush()
	c2.flush()
	for _, c := range []*consumer{c1, c2} {
		for id, ans := range c.collect(2) {
			if ans.h.Kind != protocol.KindResponse {
				t.Fatalf("id %d: %v %v %q", id, ans.h.Kind, ans.h.Status, ans.body)
			}
		}
	}
	// One at a time over both loops: four rounds of 100 ms.
	if d := time.Since(start); d < 380*time.Millisecond {
		t.Fatalf("4 calls through 1 thread took %v, want ≥ 400ms", d)
	}
}

// TestGateAfterProviderLost: calls held and queued when the provider
// connection dies fail with it, and the gate takes calls again at once
// rather than queueing them for good behind the dead ones (a hostile-peer
// trial found every call timing out after such a loss).
func TestGateAfterProviderLost(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 1; c.MaxProviderCalls = 2 })
	c := dial(t, a)
	for i := 1; i <= 5; i++ {
		c.send(uint32(i), req("hang", "x")) // 2 held by the provider, 3 queued
	}
	c.flush()
	waitFor(t, "two calls at the provider, three queued", func() bool {
		return f.calls.Load() == 2 && metric(t, a, "provider_agent_waiting") == 3
	})
	f.dropConns() // the provider connection dies
	for id, ans := range c.collect(5) {
		if ans.h.Kind != protocol.KindError {
			t.Fatalf("call %d: %v, want it failed with the connection", id, ans.h.Kind)
		}
	}
	waitUp(t, a)
	expectOK(t, c.roundTrip(6, req("hash", "a")), "97")
	if w, h := metric(t, a, "provider_agent_waiting"), metric(t, a, "provider_agent_provider_calls"); w != 0 || h != 0 {
		t.Fatalf("waiting %v, held %v after the loss; want 0 and 0", w, h)
	}
}

// TestGateQueueBytes: the queue refuses a call that would take its frames
// past MaxQueueBytes, and keeps no large frame buffer once its calls left.
func TestGateQueueBytes(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 1; c.MaxProviderCalls = 1; c.MaxQueueBytes = 1 << 20 })
	c := dial(t, a)
	r := req("slow", strings.Repeat("x", 128<<10))
	const n = 20 // 2.5 MiB: one call at the provider, 7 fit the queue
	for i := 1; i <= n; i++ {
		c.send(uint32(i), r)
	}
	c.flush()
	ok, over := answeredOrOverloaded(t, c, n)
	// One at the provider and 7 queued (1 MiB) at once; an early answer
	// may let in a few more before the last arrive.
	if ok < 8 || over == 0 {
		t.Fatalf("%d answered, %d refused: want 8 or more answered (one at the provider, 1 MiB queued) and the rest refused", ok, over)
	}
	a.gate.mu.Lock()
	defer a.gate.mu.Unlock()
	if a.gate.bytes != 0 {
		t.Fatalf("queue counts %d bytes with nothing waiting", a.gate.bytes)
	}
	for i, e := range a.gate.queue {
		if cap(e.frame) > keepFrame {
			t.Fatalf("queue slot %d keeps a %d-byte frame buffer", i, cap(e.frame))
		}
	}
}

// answeredOrOverloaded reads n answers from c and counts the responses and
// the overloaded refusals, failing on anything else.
func answeredOrOverloaded(t *testing.T, c *consumer, n int) (ok, over int) {
	t.Helper()
	for _, ans := range c.collect(n) {
		switch {
		case ans.h.Kind == protocol.KindResponse:
			ok++
		case ans.h.Status == protocol.StatusOverloaded:
			over++
		default:
			t.Fatalf("unexpected %v %v %q", ans.h.Kind, ans.h.Status, ans.body)
		}
	}
	return ok, over
}
