package main

import (
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/internal/server"
)

// Mutual TLS with consumer agents (Config.TLS). The listener is then
// crypto/tls's, not netpoll's: each handshake runs on a goroutine of its
// own, bounded by mtls.DefaultHandshakeTimeout, and a connection that
// passes moves to netpoll and is served through the same onPrepare,
// onRequest (batch decode) and batch.Writer (batch flush) as a plaintext
// one, its records decrypted by netpoll's handlers (mtls.Conn).
// A peer that fails (plaintext, another CA, an expired certificate, no
// certificate, a stalled handshake) is closed, counted in
// provider_agent_tls_refused_total by reason and logged once per host and
// reason per mtls.RefusalLogEvery.

// listener is what the agent needs of its listener, netpoll's or TLS's.
type listener interface {
	Addr() net.Addr
	Port() int
	Shutdown(timeout time.Duration)
}

// listenTLS starts the TLS listener of a.cfg.TLS on a.cfg.Listen.
func (a *Agent) listenTLS() (listener, error) {
	refused := a.m.registerTLS(a.cfg.TLS)
	return mtls.Listen(a.cfg.Listen, mtls.ServerConfig{
		Store: a.cfg.TLS,
		Accept: func(c *mtls.Conn) {
			c.Serve(a.onPrepare(c), server.Guard(a.onRequest))
		},
		Refused:   func(r mtls.Reason) { refused[r].Inc() },
		Log:       a.log,
		MaxConns:  a.cfg.MaxConns,
		OverLimit: a.connRefused,
	})
}

// registerTLS adds the TLS metrics and returns the refusal counters by
// reason, resolved once.
func (m *agentMetrics) registerTLS(s *mtls.Store) map[mtls.Reason]prometheus.Counter {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "provider_agent_tls_refused_total",
		Help: "Consumer agent connections refused in the TLS handshake, by reason: plaintext, unknown_ca, expired, no_certificate, timeout, closed, busy (closed before the handshake: its host had 32 under way), other.",
	}, []string{"reason"})
	m.reg.MustRegister(vec)
	out := map[mtls.Reason]prometheus.Counter{}
	for _, r := range mtls.Reasons {
		if r != mtls.BadName { // a client's check of the server's name
			out[r] = vec.WithLabelValues(string(r))
		}
	}
	out[mtls.BadName] = out[mtls.Other]
	m.gauge("provider_agent_tls_cert_expiry_timestamp_seconds", "When the agent's current TLS certificate expires (Unix time).",
		func() float64 { return float64(s.NotAfter().Unix()) })
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "provider_agent_tls_loads_total",
		Help: "TLS certificate generations loaded: 1 at start, one more per successful reload (SIGHUP).",
	}, func() float64 { return float64(s.Loads()) }))
	return out
}
