package main

import (
	"github.com/valyala/fasthttp"

	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/internal/server"
)

// agentMetrics are the provider agent's metrics, on its own registry,
// served on --admin. Each field is a metric resolved at start: call sites
// increment or observe it as it is, without allocating.
type agentMetrics struct {
	reg *prometheus.Registry

	conns, disconnects                   prometheus.Counter
	requests, ok, exceptions             prometheus.Counter
	badFrames, badRequests, badResponses prometheus.Counter
	unavailable, overloaded, exhausted   prometheus.Counter
	timeouts, lost, late, providerErrors prometheus.Counter
	heartbeatsSent, heartbeatsAnswered   prometheus.Counter
	dialErrors, queued, cutShort         prometheus.Counter
	stalledPeers                         prometheus.Counter
	tooLarge                             prometheus.Counter
	pingTimeouts, readOnly, goAways      prometheus.Counter
	stalls                               prometheus.Counter
	gateRefused, refusedConns            prometheus.Counter
	// weightChanges counts POST /weight by outcome: applied, pending
	// (recorded, not yet in etcd), refused.
	weightChanges *prometheus.CounterVec

	// providerTime is each answered call's time from its arrival to the
	// provider's answer; queueWait the time a call waited for a provider
	// thread in the gate's queue.
	providerTime, queueWait prometheus.Histogram
}

func newAgentMetrics() *agentMetrics {
	r := metrics.NewRegistry()
	c := func(name, help string) prometheus.Counter {
		v := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		r.MustRegister(v)
		return v
	}
	h := func(name, help string) prometheus.Histogram {
		v := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: metrics.LatencyBuckets})
		r.MustRegister(v)
		return v
	}
	return &agentMetrics{
		reg:                r,
		conns:              c("provider_agent_connections_total", "Consumer agent connections accepted."),
		disconnects:        c("provider_agent_disconnects_total", "Consumer agent connections closed."),
		requests:           c("provider_agent_requests_total", "Calls received from consumer agents."),
		ok:                 c("provider_agent_ok_total", "Calls answered with a value or null."),
		exceptions:         c("provider_agent_exceptions_total", "Calls the provider answered with an exception."),
		badFrames:          c("provider_agent_bad_frames_total", "Malformed or unexpected agent frames."),
		badRequests:        c("provider_agent_bad_requests_total", "Calls refused: bad request body or arguments."),
		badResponses:       c("provider_agent_bad_responses_total", "Undecodable frames from the provider."),
		unavailable:        c("provider_agent_unavailable_total", "Calls refused: no connection to the provider, or draining."),
		overloaded:         c("provider_agent_overloaded_total", "Calls refused as overloaded: in-flight table full, or the gate's queue full."),
		exhausted:          c("provider_agent_threadpool_exhausted_total", "Calls the provider refused with status 100."),
		timeouts:           c("provider_agent_timeouts_total", "Calls past their deadline."),
		lost:               c("provider_agent_lost_total", "Calls failed because the provider connection died."),
		late:               c("provider_agent_late_answers_total", "Answers for calls already timed out."),
		providerErrors:     c("provider_agent_provider_errors_total", "Answers with another non-20 status."),
		heartbeatsSent:     c("provider_agent_heartbeats_sent_total", "Heartbeats sent to the provider."),
		heartbeatsAnswered: c("provider_agent_heartbeats_answered_total", "Provider heartbeats answered."),
		dialErrors:         c("provider_agent_dial_errors_total", "Failed dials to the provider."),
		queued:             c("provider_agent_queued_total", "Calls that waited in the gate's queue for a provider thread."),
		cutShort:           c("provider_agent_cut_short_total", "Consumer agent connections closed mid-frame."),
		stalledPeers:       c("provider_agent_stalled_peers_total", "Consumer agent connections closed for taking less than 64 KiB of the answers they were behind on in 5 s, by the agent or by the kernel (answers on other connections never wait for them)."),
		tooLarge:           c("provider_agent_results_too_large_total", "Answers whose JSON exceeds the agent protocol's body limit, or whose Dubbo frame exceeds 8 MiB (dropped as it arrives; the connection stays)."),
		pingTimeouts:       c("provider_agent_ping_timeouts_total", "Provider connections closed because a heartbeat went unanswered while calls were outstanding."),
		stalls:             c("provider_agent_provider_stalls_total", "Provider connections stalled: a heartbeat unanswered while the provider's kernel acknowledged it (a pause); no new call until it answers, at most --stall-limit."),
		readOnly:           c("provider_agent_readonly_events_total", "Read-only events from the provider (a graceful shutdown): that connection gets no new call."),
		goAways:            c("provider_agent_goaways_total", "GOAWAY frames sent to consumer agents on leaving."),
		gateRefused:        c("provider_agent_gate_refused_total", "Calls refused as overloaded because the gate's queue was full."),
		refusedConns:       c("provider_agent_refused_connections_total", "Consumer agent connections refused past --max-conns (over TLS, before the handshake)."),
		providerTime: h("provider_agent_provider_duration_seconds",
			"Time from a call's arrival at the provider agent to the provider's answer, any wait in the gate's queue included."),
		queueWait: h("provider_agent_queue_wait_seconds", "Time calls waited in the gate's queue for a provider thread."),
		weightChanges: func() *prometheus.CounterVec {
			v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "provider_agent_weight_changes_total",
				Help: "POST /weight requests by outcome: applied (etcd holds it), pending (recorded, put by the next registration), refused."}, []string{"outcome"})
			r.MustRegister(v)
			for _, outcome := range []string{"applied", "pending", "refused"} {
				v.WithLabelValues(outcome) // every series from the start
			}
			return v
		}(),
	}
}

// gauge registers a gauge read from fn at each scrape.
func (m *agentMetrics) gauge(name, help string, fn func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}

// oneIf turns a condition into a gauge's 0 or 1.
func oneIf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (m *agentMetrics) register(a *Agent) {
	m.gauge("provider_agent_inflight", "Calls waiting for the provider, queued ones included: the load its answers report.", func() float64 { return float64(a.InFlight()) })
	m.gauge("provider_agent_weight", "The weight registered now (0 before registration); POST /weight changes it.", func() float64 {
		if p := a.weigher.Load(); p != nil {
			return float64((*p).Weight())
		}
		return 0
	})
	m.gauge("provider_agent_waiting", "Calls in the gate's queue, waiting for a provider thread.", func() float64 { return float64(a.gate.waiting()) })
	m.gauge("provider_agent_provider_calls", "Calls the provider holds (sent, not yet answered), as the gate counts them; 0 without --max-provider-calls.",
		func() float64 { return float64(a.gate.held()) })
	m.gauge("provider_agent_provider_calls_limit", "The gate's bound on the calls the provider holds: --max-provider-calls, or less once the provider refused calls for want of a thread (it rises by one every 5 s while calls wait at it); 0: none.",
		func() float64 { return float64(a.gate.currentLimit()) })
	m.gauge("provider_agent_open_connections", "Consumer agent connections open.", func() float64 { return float64(a.open.Load()) })
	m.gauge("provider_agent_provider_up", "1 while at least one connection to the provider is up.", func() float64 { return oneIf(a.peer.Reachable()) })
	m.gauge("provider_agent_draining", "1 once new calls are refused while draining.", func() float64 { return oneIf(a.refusing.Load()) })
	m.reg.MustRegister(providerConns{a})
	m.reg.MustRegister(server.Collectors("provider_agent")...)
}

// providerConns reports the connections to the provider at each scrape.
type providerConns struct{ a *Agent }

var (
	descProviderConns = prometheus.NewDesc("provider_agent_provider_connections",
		"Connections to the provider (one per event loop), by state: up or down.", []string{"state"}, nil)
	descProviderReconnects = prometheus.NewDesc("provider_agent_provider_reconnects_total",
		"Connections to the provider made again after one was lost.", nil, nil)
)

func (c providerConns) Describe(ch chan<- *prometheus.Desc) {
	ch <- descProviderConns
	ch <- descProviderReconnects
}

func (c providerConns) Collect(ch chan<- prometheus.Metric) {
	up := c.a.peer.Up()
	ch <- prometheus.MustNewConstMetric(descProviderConns, prometheus.GaugeValue, float64(up), "up")
	ch <- prometheus.MustNewConstMetric(descProviderConns, prometheus.GaugeValue, float64(len(c.a.loops)-up), "down")
	ch <- prometheus.MustNewConstMetric(descProviderReconnects, prometheus.CounterValue, float64(c.a.peer.Reconnects()))
}

// registerRegistry adds the etcd and registration metrics: etcd reachable
// (from its probe), the registration in place, and the lease's regrants.
func (m *agentMetrics) registerRegistry(etcd func() bool, reg func() (inPlace bool, regrants uint64)) {
	m.gauge("provider_agent_etcd_reachable", "1 while etcd answers the agent's probe (a read every second), else 0.", func() float64 { return oneIf(etcd()) })
	m.gauge("provider_agent_registered", "1 while the agent's registration is in etcd: its lease confirmed within its TTL.", func() float64 {
		ok, _ := reg()
		return oneIf(ok)
	})
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "provider_agent_lease_regrants_total",
		Help: "Times the lease was lost (etcd unreachable past the TTL, or revoked) and a new one granted, the keys put again.",
	}, func() float64 {
		_, n := reg()
		return float64(n)
	}))
}

// observeSince records in h the time since at (UnixNano).
func observeSince(h prometheus.Observer, at int64) {
	if d := time.Now().UnixNano() - at; d >= 0 {
		h.Observe(float64(d) / 1e9)
	}
}

// serveAdmin serves the admin endpoint on ln until it fails.
func (a *Agent) serveAdmin(ln net.Listener) {
	if err := a.admin().Serve(ln); err != nil {
		a.log.Error("admin endpoint failed", "addr", ln.Addr().String(), "err", err)
	}
}

// admin returns what the admin endpoint serves: metrics, readiness, and
// POST /weight (reweight.go).
func (a *Agent) admin() metrics.Admin {
	return metrics.Admin{Metrics: a.m.reg, Ready: a.Ready, Routes: map[string]fasthttp.RequestHandler{"/weight": a.serveWeight}}
}
