package main

import (
	"errors"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// TestPeerThatDoesNotRead: a consumer agent connection that asks for large
// answers and reads none of them holds up only itself. A call on another
// connection of the same loop, answered on the same provider connection
// right after them, is answered as soon as the provider has; the one that
// does not read is closed after peerWriteTimeout, and counted. The same
// over mutual TLS, whose flushes spill too (mtls.Conn.TryFlush).
func TestPeerThatDoesNotRead(t *testing.T) {
	t.Run("plain", func(t *testing.T) {
		f := startFake(t, "127.0.0.1:0")
		a := newAgent(t, f, func(c *Config) { c.Loops = 1 })
		peerThatDoesNotRead(t, a, func() *consumer { return dial(t, a) })
	})
	t.Run("tls", func(t *testing.T) {
		p := newTestPKI(t, "mesh")
		f := startFake(t, "127.0.0.1:0")
		a := newAgent(t, f, func(c *Config) {
			c.Loops = 1
			c.TLS = loadStore(t, p.files(t, "provider-agent", certgen.Leaf{}))
		})
		s := loadStore(t, p.files(t, "consumer-agent", certgen.Leaf{}))
		peerThatDoesNotRead(t, a, func() *consumer { return dialTLS(t, a, s) })
	})
}

func peerThatDoesNotRead(t *testing.T, a *Agent, dial func() *consumer) {
	good := dial()
	expectOK(t, good.roundTrip(1, req("hash", "a")), "97")

	slow := dial()
	const sent = 8                               // 8 MiB of answers: past the socket buffers of a peer that reads nothing
	big := req("big", strings.Repeat("k", 1024)) // 1 MiB
	big.Timeout = 30000                          // the race detector makes 8 MiB slow to render
	for i := range sent {
		slow.send(uint32(i+1), big)
	}
	slow.flush()
	deadline := time.Now().Add(5 * time.Second)
	for metric(t, a, "provider_agent_requests_total") < 1+sent {
		if time.Now().After(deadline) {
			t.Fatal("the calls of the peer that does not read were not made")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	r := req("hash", "a")
	r.Timeout = 30000
	expectOK(t, good.roundTrip(2, r), "97")
	// Held by the peer that does not read, it would take the write
	// timeout (5 s).
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("a call behind the answers of the peer that does not read took %v", d)
	}
	t.Logf("a call behind 8 MiB of answers nobody reads: %v", time.Since(start))

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
	expectOK(t, good.roundTrip(3, req("hash", "b")), "98")
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
