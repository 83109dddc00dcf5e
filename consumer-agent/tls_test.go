package main

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/registry"
)

// meshPKI is a CA with its files in a temp dir.
type meshPKI struct {
	ca  *certgen.CA
	dir string
}

func newMeshPKI(t testing.TB, name string) *meshPKI {
	t.Helper()
	ca, err := certgen.NewCA(name)
	if err != nil {
		t.Fatal(err)
	}
	return &meshPKI{ca: ca, dir: t.TempDir()}
}

// files issues a certificate for 127.0.0.1 (or l's names) as name's files.
func (p *meshPKI) files(t testing.TB, name string, l certgen.Leaf) mtls.Files {
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

// clientSerials records the serial number of each client certificate a
// TLS fake verified.
type clientSerials struct {
	mu   sync.Mutex
	seen []*big.Int
}

func (c *clientSerials) last() *big.Int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.seen) == 0 {
		return nil
	}
	return c.seen[len(c.seen)-1]
}

// newTLSFake is newFake behind mutual TLS with s, as a provider agent with
// --tls-* serves; it records the client certificates it accepts.
func newTLSFake(t testing.TB, p planFunc, s *mtls.Store) (*fakeAgent, *clientSerials) {
	t.Helper()
	serials := &clientSerials{}
	cfg := s.ServerConfig()
	get := cfg.GetConfigForClient
	cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		c, err := get(h)
		if err != nil {
			return nil, err
		}
		c = c.Clone()
		c.VerifyConnection = func(cs tls.ConnectionState) error {
			serials.mu.Lock()
			serials.seen = append(serials.seen, cs.PeerCertificates[0].SerialNumber)
			serials.mu.Unlock()
			return nil
		}
		return c, nil
	}
	f := newFakeOn(t, p, nil, func(ln net.Listener) net.Listener { return tls.NewListener(ln, cfg) })
	return f, serials
}

// tlsEndpoint is f's registry entry with "tls":true.
func tlsEndpoint(f *fakeAgent, iface string) registry.Endpoint {
	e := f.endpoint(iface, 1)
	e.TLS = true
	return e
}

func handshakeFailures(t testing.TB, a *Agent, r mtls.Reason) float64 {
	t.Helper()
	v, _ := metrics.Value(a.Metrics(), "consumer_agent_tls_handshake_failures_total", "reason", string(r))
	return v
}

func TestTLSCalls(t *testing.T) {
	p := newMeshPKI(t, "mesh-ca")
	f, _ := newTLSFake(t, echoPlan, loadStore(t, p.files(t, "provider-agent", certgen.Leaf{})))
	a := startAgent(t, Config{TLS: loadStore(t, p.files(t, "consumer-agent", certgen.Leaf{}))})
	route(t, a, snapshot(echoIface, tlsEndpoint(f, echoIface)))
	c := dial(t, a)
	for i := range 20 {
		c.send(post(echoForm("over mTLS")))
		c.expect(200, "over mTLS")
		_ = i
	}
	a.mu.Lock()
	ep := a.endpoints[f.addr()]
	a.mu.Unlock()
	if _, ok := ep.conns[0].Writer().Conn().(*mtls.Conn); !ok {
		t.Fatalf("the link is a %T, not a TLS connection", ep.conns[0].Writer().Conn())
	}
}

// TestTLSModeMismatch: a consumer agent does not dial a provider agent
// registered in the other mode, and says so once, clearly.
func TestTLSModeMismatch(t *testing.T) {
	p := newMeshPKI(t, "mesh-ca")
	for _, mine := range []bool{true, false} {
		var logs bytes.Buffer
		var mu sync.Mutex
		cfg := Config{Log: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))}
		if mine {
			cfg.TLS = loadStore(t, p.files(t, "consumer-agent", certgen.Leaf{}))
		}
		f := newFake(t, echoPlan)
		e := f.endpoint(echoIface, 1)
		e.TLS = !mine
		a := startAgent(t, cfg)
		for range 3 {
			a.Update(snapshot(echoIface, e))
		}
		time.Sleep(100 * time.Millisecond)
		if n := f.accepts.Load(); n != 0 {
			t.Fatalf("tls=%v: dialed a provider agent of the other mode %d times", mine, n)
		}
		if got := metric(t, a, "consumer_agent_tls_mismatched_agents"); got != 1 {
			t.Fatalf("tls=%v: mismatched agents %v, want 1", mine, got)
		}
		mu.Lock()
		out := logs.String()
		mu.Unlock()
		if n := strings.Count(out, "provider agent left out"); n != 1 || !strings.Contains(out, "--tls-cert") {
			t.Fatalf("tls=%v: want one line saying what to do, got:\n%s", mine, out)
		}
		// Readiness and the caller say where the agents went.
		c := dial(t, a)
		c.send(post(echoForm("x")))
		mode := `with "tls":true`
		if mine {
			mode = "without TLS"
		}
		c.expectError(503, "no provider agent for "+echoIface+" in this agent's mode: 1 registered "+mode+" are left out")
		if err := a.Ready(); err == nil || !strings.Contains(err.Error(), "for any service in this agent's mode: 1 registered") {
			t.Fatalf("tls=%v: Ready %v", mine, err)
		}
		// Gone from etcd: forgotten.
		a.Update(registry.Snapshot{})
		if got := metric(t, a, "consumer_agent_tls_mismatched_agents"); got != 0 {
			t.Fatalf("tls=%v: mismatched agents %v after it left, want 0", mine, got)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestTLSVerifiesProviderAgent: a provider agent whose certificate names
// another host, or comes from another CA, is not used, and the handshake
// failure is counted with its reason.
func TestTLSVerifiesProviderAgent(t *testing.T) {
	p := newMeshPKI(t, "mesh-ca")
	other := newMeshPKI(t, "other-ca")
	cases := []struct {
		name   string
		server mtls.Files
		reason mtls.Reason
	}{
		{"wrong host", p.files(t, "elsewhere", certgen.Leaf{IPs: []net.IP{net.IPv4(10, 9, 8, 7)}, DNS: []string{"agent.example"}}), mtls.BadName},
		{"other CA", other.files(t, "impostor", certgen.Leaf{}), mtls.UnknownCA},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := newTLSFake(t, echoPlan, loadStore(t, tc.server))
			a := startAgent(t, Config{TLS: loadStore(t, p.files(t, "consumer-agent", certgen.Leaf{}))})
			a.Update(snapshot(echoIface, tlsEndpoint(f, echoIface)))
			waitFor(t, "the handshake failure counted", func() bool { return handshakeFailures(t, a, tc.reason) >= 1 })
			if f.calls.Load() != 0 || a.Ready() == nil {
				t.Fatal("a provider agent that failed verification was used")
			}
		})
	}
}

// TestTLSRefusedByProviderAgent: a provider agent that refuses our
// certificate (it trusts another CA) is a counted handshake failure, not a
// silent close.
func TestTLSRefusedByProviderAgent(t *testing.T) {
	p := newMeshPKI(t, "mesh-ca")
	other := newMeshPKI(t, "other-ca")
	server := p.files(t, "provider-agent", certgen.Leaf{})
	server.CA = other.files(t, "trust", certgen.Leaf{}).CA // trusts only another CA's clients
	f, _ := newTLSFake(t, echoPlan, loadStore(t, server))
	// With liveness, as the agents run by default, a link is offered only
	// once the peer answered: a refusing one never is.
	a := startAgent(t, Config{TLS: loadStore(t, p.files(t, "consumer-agent", certgen.Leaf{})),
		PingInterval: 100 * time.Millisecond, PingTimeout: time.Second})
	a.Update(snapshot(echoIface, tlsEndpoint(f, echoIface)))
	waitFor(t, "the refusal counted", func() bool { return handshakeFailures(t, a, mtls.UnknownCA) >= 1 })
	if a.Ready() == nil {
		t.Fatal("ready with the only provider agent refusing us")
	}
}

// TestTLSRotationUnderLoad: both sides' certificates are replaced and
// reloaded while calls flow. No call fails, no link is dropped (the fake
// accepted no new connection), and a handshake made after the reload
// presents the new certificate.
func TestTLSRotationUnderLoad(t *testing.T) {
	p := newMeshPKI(t, "mesh-ca")
	serverFiles := p.files(t, "provider-agent", certgen.Leaf{})
	serverStore := loadStore(t, serverFiles)
	f, serials := newTLSFake(t, echoPlan, serverStore)
	clientFiles := p.files(t, "consumer-agent", certgen.Leaf{})
	clientStore := loadStore(t, clientFiles)
	a := startAgent(t, Config{TLS: clientStore})
	route(t, a, snapshot(echoIface, tlsEndpoint(f, echoIface)))
	f.waitOpen(2)
	// The server verifies the client's certificate after the client's
	// handshake is done: wait for it.
	waitFor(t, "the fake verified the client", func() bool { return serials.last() != nil })
	oldSerial := serials.last()
	load := startClosedLoop(t, a, 16)
	waitFor(t, "calls under way", func() bool { return f.calls.Load() > 200 })

	accepts := f.accepts.Load()
	p.files(t, "consumer-agent", certgen.Leaf{}) // the same paths, new certificates
	p.files(t, "provider-agent", certgen.Leaf{})
	if err := clientStore.Reload(); err != nil {
		t.Fatal(err)
	}
	if err := serverStore.Reload(); err != nil {
		t.Fatal(err)
	}
	before := f.calls.Load()
	waitFor(t, "calls after the reload", func() bool { return f.calls.Load() > before+200 })
	if failed := load.end(); failed != 0 {
		t.Fatalf("%d calls failed across the rotation", failed)
	}
	if n := f.accepts.Load(); n != accepts {
		t.Fatalf("%d links were dialed again during the rotation: open ones were dropped", n-accepts)
	}

	// A new provider agent: its handshakes carry the new certificate.
	f2, serials2 := newTLSFake(t, echoPlan, serverStore)
	route(t, a, snapshot(echoIface, tlsEndpoint(f, echoIface), tlsEndpoint(f2, echoIface)))
	waitFor(t, "the new fake verified the client", func() bool { return serials2.last() != nil })
	if s := serials2.last(); s == nil || s.Cmp(oldSerial) == 0 {
		t.Fatalf("a handshake after the reload presented serial %v, the old one was %v", s, oldSerial)
	}
	var served atomic.Int64
	served.Store(f2.calls.Load())
	c := dial(t, a)
	for range 10 {
		c.send(post(echoForm("after")))
		c.expect(200, "after")
	}
	if f2.calls.Load() == served.Load() {
		t.Fatal("the new provider agent took no call")
	}
}
