package main

import (
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/internal/peertest"
)

// testPKI is a CA with its files in a temp dir.
type testPKI struct {
	ca  *certgen.CA
	dir string
}

func newTestPKI(t testing.TB, name string) *testPKI {
	t.Helper()
	ca, err := certgen.NewCA(name)
	if err != nil {
		t.Fatal(err)
	}
	return &testPKI{ca: ca, dir: t.TempDir()}
}

// files issues l as name's files.
func (p *testPKI) files(t testing.TB, name string, l certgen.Leaf) mtls.Files {
	t.Helper()
	if l.Name == "" {
		l.Name = name
	}
	if l.IPs == nil && l.DNS == nil {
		l.IPs = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	paths, err := p.ca.IssueFiles(p.dir, name, l)
	if err != nil {
		t.Fatal(err)
	}
	return mtls.Files{Cert: paths.Cert, Key: paths.Key, CA: paths.CA}
}

func loadStore(t testing.TB, f mtls.Files) *mtls.Store {
	t.Helper()
	s, err := mtls.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dialTLS plays a consumer agent over mutual TLS with s.
func dialTLS(t testing.TB, a *Agent, s *mtls.Store) *consumer {
	t.Helper()
	c, err := tls.Dial("tcp", a.srv.Addr().String(), s.ClientConfig("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &consumer{t: t, c: c, read: make([]byte, 64<<10)}
}

func refusals(t testing.TB, a *Agent, r mtls.Reason) float64 {
	t.Helper()
	v, _ := metrics.Value(a.Metrics(), "provider_agent_tls_refused_total", "reason", string(r))
	return v
}

func TestTLSCalls(t *testing.T) {
	p := newTestPKI(t, "mesh-ca")
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.TLS = loadStore(t, p.files(t, "provider-agent", certgen.Leaf{})) })
	c := dialTLS(t, a, loadStore(t, p.files(t, "consumer-agent", certgen.Leaf{})))
	expectOK(t, c.roundTrip(1, req("hash", "hello")), "99162322")
	// A batch of calls in one write, answers in any order.
	for i := range 50 {
		c.send(uint32(100+i), req("echo", "batch"))
	}
	c.flush()
	for id, ans := range c.collect(50) {
		if id < 100 || id >= 150 {
			t.Fatalf("unexpected id %d", id)
		}
		expectOK(t, ans, "batch")
	}
	if got := metric(t, a, "provider_agent_open_connections"); got != 1 {
		t.Fatalf("open connections %v, want 1", got)
	}
}

// TestTLSRefusals: each kind of peer the issue names is refused within a
// second, counted by reason, over real sockets.
func TestTLSRefusals(t *testing.T) {
	p := newTestPKI(t, "mesh-ca")
	foreign := newTestPKI(t, "foreign-ca")
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.TLS = loadStore(t, p.files(t, "provider-agent", certgen.Leaf{})) })
	addr := a.srv.Addr().String()
	past := time.Now().Add(-72 * time.Hour)

	tryTLS := func(cfg *tls.Config) {
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			return
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Error("a refused client read an answer")
		}
	}
	clientCfg := func(f mtls.Files) *tls.Config {
		cfg := loadStore(t, f).ClientConfig("127.0.0.1")
		return cfg
	}
	foreignFiles := foreign.files(t, "intruder", certgen.Leaf{})
	foreignFiles.CA = p.files(t, "trust", certgen.Leaf{}).CA // it trusts the agent
	cases := []struct {
		name   string
		reason mtls.Reason
		try    func()
	}{
		{"plaintext agent frame", mtls.Plaintext, func() {
			c := dial(t, a)
			c.roundTripRaw()
		}},
		{"foreign CA", mtls.UnknownCA, func() { tryTLS(clientCfg(foreignFiles)) }},
		{"expired certificate", mtls.Expired, func() {
			tryTLS(clientCfg(p.files(t, "expired", certgen.Leaf{NotBefore: past, NotAfter: past.Add(time.Hour)})))
		}},
		{"no certificate", mtls.NoCert, func() {
			cfg := clientCfg(p.files(t, "nocert", certgen.Leaf{}))
			cfg.GetClientCertificate = nil
			tryTLS(cfg)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := refusals(t, a, tc.reason)
			start := time.Now()
			tc.try()
			waitFor(t, "the refusal counted", func() bool { return refusals(t, a, tc.reason) == before+1 })
			if d := time.Since(start); d > time.Second {
				t.Fatalf("refused after %v, want within 1s", d)
			}
		})
	}
	if got := metric(t, a, "provider_agent_open_connections"); got != 0 {
		t.Fatalf("%v refused connections open", got)
	}
	if got := metric(t, a, "provider_agent_requests_total"); got != 0 {
		t.Fatalf("%v calls from refused peers reached the provider", got)
	}
}

// roundTripRaw sends a plaintext call and reads until the agent closes.
func (c *consumer) roundTripRaw() {
	c.send(1, req("hash", "plain"))
	c.flush()
	c.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadAll(c.c); err != nil {
		c.t.Errorf("the TLS agent did not close a plaintext connection: %v", err)
	}
}

// TestTLSHangups: peers that leave mid-handshake, or stall in it, are
// closed and cost no CPU afterwards.
func TestTLSHangups(t *testing.T) {
	p := newTestPKI(t, "mesh-ca")
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.TLS = loadStore(t, p.files(t, "provider-agent", certgen.Leaf{})) })
	addr := a.srv.Addr().String()
	hello := []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}
	fds := peertest.OpenFDs(t)
	for _, h := range peertest.Hangups {
		peertest.SendAndLeave(t, addr, hello, h)
	}
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	stalled.Write(hello)
	waitFor(t, "the stalled handshake timed out", func() bool { return refusals(t, a, mtls.Timeout) == 1 })
	stalled.Close()
	peertest.WaitFDs(t, fds, time.Second)
	peertest.AssertIdle(t, 300*time.Millisecond, 30*time.Millisecond)
}

// TestTLSStalledFrameCutOff: over TLS too, a consumer agent that stops in
// the middle of a frame is cut off after FrameTimeout and counted, and a
// TLS link quiet between frames is left alone.
func TestTLSStalledFrameCutOff(t *testing.T) {
	p := newTestPKI(t, "mesh-ca")
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) {
		c.TLS = loadStore(t, p.files(t, "provider-agent", certgen.Leaf{}))
		c.FrameTimeout = 200 * time.Millisecond
	})
	client := loadStore(t, p.files(t, "consumer-agent", certgen.Leaf{}))
	expectOK(t, dialTLS(t, a, client).roundTrip(1, req("hash", "hello")), "99162322")
	checkStalledFrameCutOff(t, a, func() *consumer { return dialTLS(t, a, client) })
}
