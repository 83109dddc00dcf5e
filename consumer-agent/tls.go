package main

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/registry"
)

// Mutual TLS with provider agents (Config.TLS). Each loop's link to a
// provider agent is then dialed with crypto/tls (upstream.Config.TLS): the
// agent's certificate must chain to --tls-ca and name the host it
// registered (an IP SAN for an address, a DNS name for a name), and this
// agent's certificate is presented. The link runs through the same answer
// decoder and batch.Writer as a netpoll one.
//
// Plaintext and TLS agents do not mix by mistake: a provider agent with
// TLS registers "tls":true, and a consumer agent dials only the agents
// whose registration matches its own mode. Each agent left out is logged
// once, with what to change, and counted in
// consumer_agent_tls_mismatched_agents; it is not dialed, so the mismatch
// is a clear line at once rather than refused connections and timeouts.

// tlsState is the Agent's record of the mode mismatches, guarded by
// Agent.mu, and its handshake failure counters.
type tlsState struct {
	mismatched map[string]bool // agents left out, by address
	leftOut    map[string]int  // agents left out, by interface
	failures   map[mtls.Reason]prometheus.Counter
}

// startTLS registers the TLS metrics. New calls it once.
func (a *Agent) startTLS() {
	t := &a.tls
	t.mismatched = map[string]bool{}
	a.m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "consumer_agent_tls_mismatched_agents",
		Help: "Provider agents left out because their registration's \"tls\" does not match this agent's mode (--tls-cert).",
	}, func() float64 {
		a.mu.Lock()
		defer a.mu.Unlock()
		return float64(len(t.mismatched))
	}))
	vec := counterVec(a.m.reg, "consumer_agent_tls_handshake_failures_total",
		"Dials to provider agents whose TLS handshake failed or was refused, by reason: plaintext, unknown_ca, expired, no_certificate, bad_name, timeout, closed, other.", "reason")
	t.failures = map[mtls.Reason]prometheus.Counter{}
	for _, r := range mtls.Reasons {
		if r != mtls.Busy { // a server's refusal before the handshake: the dial sees it closed
			t.failures[r] = vec.WithLabelValues(string(r))
		}
	}
	if s := a.cfg.TLS; s != nil {
		a.m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "consumer_agent_tls_cert_expiry_timestamp_seconds", Help: "When the agent's current TLS certificate expires (Unix time).",
		}, func() float64 { return float64(s.NotAfter().Unix()) }))
		a.m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "consumer_agent_tls_loads_total", Help: "TLS certificate generations loaded: 1 at start, one more per successful reload (SIGHUP).",
		}, func() float64 { return float64(s.Loads()) }))
	}
}

// dialFailed counts a failed TLS handshake with a provider agent.
func (a *Agent) dialFailed(err error) {
	var he *mtls.HandshakeError
	if errors.As(err, &he) {
		if c := a.tls.failures[he.Reason]; c != nil { // nil in an Agent built without New
			c.Inc()
		}
	}
}

// matchTLS returns s without the provider agents whose registration's
// "tls" differs from this agent's mode, logging each newly left out. s is
// not modified. Called with a.mu held.
func (a *Agent) matchTLS(s registry.Snapshot) registry.Snapshot {
	mine := a.cfg.TLS != nil
	if a.tls.mismatched == nil { // an Agent built without New, in tests
		a.tls.mismatched = map[string]bool{}
	}
	seen := map[string]bool{}
	a.tls.leftOut = map[string]int{}
	for iface, eps := range s {
		for _, e := range eps {
			if e.TLS == mine {
				continue
			}
			a.tls.leftOut[iface]++
			seen[e.Addr] = true
			if a.tls.mismatched[e.Addr] {
				continue
			}
			a.tls.mismatched[e.Addr] = true
			if mine {
				a.log.Error("provider agent left out: it registered without \"tls\":true (plaintext) and this consumer agent speaks only mutual TLS; start it with --tls-cert, --tls-key and --tls-ca",
					"agent", e.Addr, "service", iface)
			} else {
				a.log.Error("provider agent left out: it registered \"tls\":true (mutual TLS only) and this consumer agent has no TLS; start this agent with --tls-cert, --tls-key and --tls-ca",
					"agent", e.Addr, "service", iface)
			}
		}
	}
	for addr := range a.tls.mismatched {
		if !seen[addr] {
			delete(a.tls.mismatched, addr)
		}
	}
	if len(seen) == 0 {
		return s
	}
	out := registry.Snapshot{}
	for iface, eps := range s {
		var kept []registry.Endpoint
		for _, e := range eps {
			if e.TLS == mine {
				kept = append(kept, e)
			}
		}
		if len(kept) > 0 {
			out[iface] = kept
		}
	}
	return out
}
