package main

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// Past MaxConns a plaintext connection is told why, in a connection-level
// Overloaded error frame, and closed, without a call of its reaching the
// provider; once a connection closes, a new one is served again.
func TestMaxConns(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.MaxConns = 2 })
	first, second := dial(t, a), dial(t, a)
	expectOK(t, first.roundTrip(1, req("hash", "a")), "97")
	expectOK(t, second.roundTrip(1, req("hash", "a")), "97")

	third := dial(t, a)
	third.send(1, req("hash", "refused"))
	third.flush()
	got := third.closed()
	if len(got) != 1 {
		t.Fatalf("got %d frames before the close, want one error frame", len(got))
	}
	if h := got[0].h; h.Kind != protocol.KindError || h.ID != 0 || h.Status != protocol.StatusOverloaded {
		t.Fatalf("got %+v, want an Overloaded error frame with id 0", h)
	}
	if !strings.Contains(got[0].body, "too many connections (--max-conns 2)") {
		t.Fatalf("message %q does not name the bound", got[0].body)
	}
	if n := metric(t, a, "provider_agent_refused_connections_total"); n != 1 {
		t.Fatalf("refused_connections_total = %v, want 1", n)
	}
	if n := metric(t, a, "provider_agent_requests_total"); n != 2 {
		t.Fatalf("requests_total = %v, want 2: the refused connection's call must not be made", n)
	}
	if n := metric(t, a, "provider_agent_open_connections"); n != 2 {
		t.Fatalf("open_connections = %v, want 2", n)
	}

	first.c.Close()
	waitFor(t, "the closed connection forgotten", func() bool { return metric(t, a, "provider_agent_open_connections") == 1 })
	expectOK(t, dial(t, a).roundTrip(1, req("hash", "b")), "98")
}

// Over TLS the bound applies before the handshake: a connection past it is
// closed without one.
func TestTLSMaxConns(t *testing.T) {
	p := newTestPKI(t, "mesh-ca")
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) {
		c.TLS = loadStore(t, p.files(t, "provider-agent", certgen.Leaf{}))
		c.MaxConns = 1
	})
	client := loadStore(t, p.files(t, "consumer-agent", certgen.Leaf{}))
	first := dialTLS(t, a, client)
	expectOK(t, first.roundTrip(1, req("hash", "a")), "97")

	if c, err := tls.Dial("tcp", a.srv.Addr().String(), client.ClientConfig("127.0.0.1")); err == nil {
		c.Close()
		t.Fatal("a handshake past --max-conns succeeded")
	}
	if n := metric(t, a, "provider_agent_refused_connections_total"); n != 1 {
		t.Fatalf("refused_connections_total = %v, want 1", n)
	}
	if n := refusals(t, a, "other") + refusals(t, a, "closed"); n != 0 {
		t.Fatalf("%v TLS refusals counted for a connection refused before its handshake", n)
	}

	first.c.Close()
	srv := a.srv.(*mtls.Server)
	waitFor(t, "the closed connection forgotten", func() bool { return srv.Conns() == 0 })
	expectOK(t, dialTLS(t, a, client).roundTrip(1, req("hash", "b")), "98")
}
