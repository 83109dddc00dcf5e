package main

import (
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// TestPeerThatDoesNotRead: a consumer agent connection that sends calls with
// large answers and reads none of them holds up only itself. Calls on other
// connections, which share the provider connections and their answer
// passes, are answered at once; reading from it pauses; after
// peerWriteTimeout it is closed and counted.
func TestPeerThatDoesNotRead(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	big := strings.Repeat("a", 64<<10)
	slow := dial(t, a)
	const sent = 1000 // 64 MiB of answers: past the socket buffers and maxBacklog
	for i := range sent {
		slow.send(uint32(i+1), req("echo", big))
	}
	go slow.c.Write(slow.out) // blocks once the agent stops reading; ends with the connection
	// Wait until the agent has stopped reading it (its calls made, their
	// answers written and unread), so that what follows times the answer
	// path, not the provider working through its calls.
	deadline := time.Now().Add(20 * time.Second)
	for last, since := -1.0, time.Now(); ; {
		n := metric(t, a, "provider_agent_requests_total")
		if n != last {
			last, since = n, time.Now()
		}
		if n >= 100 && time.Since(since) > 300*time.Millisecond && metric(t, a, "provider_agent_inflight") == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent did not stop reading the peer that does not read: %v calls", n)
		}
		time.Sleep(5 * time.Millisecond)
	}

	// Two more peers: the agent's loops take connections in turn, so one
	// of them shares the loop, and the provider connection, of the first.
	good := []*consumer{dial(t, a), dial(t, a)}
	start := time.Now()
	for i := range 50 {
		expectOK(t, good[i%2].roundTrip(uint32(i+1), req("hash", "a")), "97")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("50 calls on other connections took %v behind the one that does not read", d)
	}
	made := metric(t, a, "provider_agent_requests_total") - 51 // the good peers' 50, the first check's 1 at most
	t.Logf("calls made: %v of %d sent by the peer that does not read", made, sent)
	if made >= sent {
		t.Fatal("every call made: reading from the peer that does not read never paused")
	}

	deadline = time.Now().Add(peerWriteTimeout + 5*time.Second)
	for metric(t, a, "provider_agent_stalled_peers_total") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the peer that reads nothing was not closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	slow.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, slow.c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the connection of the peer that reads nothing was not closed: %v", err)
	}
	for i, g := range good {
		expectOK(t, g.roundTrip(uint32(100+i), req("hash", "b")), "98")
	}
}

// TestProviderAnswerTooLarge: an answer past the Dubbo frame limit fails its
// call alone, as a result no agent can take; the provider connection stays,
// and the calls behind the answer on it are answered.
func TestProviderAnswerTooLarge(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 1 })
	c := dial(t, a)
	c.send(1, req("big", strings.Repeat("k", 9<<10))) // 9 MiB
	c.send(2, req("hash", "a"))
	c.flush()
	got := c.collect(2)
	if b := got[1]; b.h.Kind != protocol.KindError || b.h.Status != protocol.StatusBadResult || !strings.Contains(b.body, "Dubbo frame limit") {
		t.Fatalf("the 9 MiB answer: %v %v %q, want a bad-result error naming the limit", b.h.Kind, b.h.Status, b.body)
	}
	expectOK(t, got[2], "97")
	expectOK(t, c.roundTrip(3, req("big", "k")), strings.Repeat("x", 1<<10))
	check := func(name string, want float64) {
		t.Helper()
		if v := metric(t, a, name); v != want {
			t.Fatalf("%s = %v, want %v", name, v, want)
		}
	}
	check("provider_agent_provider_reconnects_total", 0)
	check("provider_agent_results_too_large_total", 1)
}
