package main

import (
	"net"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/internal/server"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// agentMetrics are the consumer agent's metrics, on its own registry,
// served on --admin. Fields that are a prometheus.Counter are incremented
// as they are; the labelled families are resolved once per service
// (serviceCodes) and per provider agent (endpointMetrics), never per call.
type agentMetrics struct {
	reg *prometheus.Registry

	conns, requests                   prometheus.Counter
	badFrames, late                   prometheus.Counter
	readTimeouts, refused, idleClosed prometheus.Counter
	abandoned, stalledClients         prometheus.Counter
	steered                           prometheus.Counter
	retriesFailed, retriesSkipped     prometheus.Counter

	// responses is by service and HTTP status; unrouted holds the
	// children of service="none", for answers given before a service was
	// known (a bad request, an unknown interface).
	responses *prometheus.CounterVec
	unrouted  serviceCodes

	// By provider agent (label agent, its address).
	upErrors, upTimeouts, retries    *prometheus.CounterVec
	sidelined, ejections, dialErrors *prometheus.CounterVec
	latency                          *prometheus.HistogramVec
	capacity                         *prometheus.GaugeVec
}

// noService is the service label of answers given before a service was
// known. Interfaces come from etcd, never from the caller, so that a
// caller's typo cannot add series.
const noService = "none"

// codes are the HTTP statuses the agent answers with, each its own series
// of consumer_agent_responses_total; any other is counted as "other".
var codes = [...]int{200, 400, 404, 405, 411, 413, 431, 500, 502, 503, 504, 505}

// serviceCodes holds one service's consumer_agent_responses_total children,
// by codeIndex.
type serviceCodes [len(codes) + 1]prometheus.Counter

// codeIndex returns the index of code in serviceCodes: its place in codes
// (200 first), or the last, "other".
func codeIndex(code int) int {
	for i, c := range codes {
		if c == code {
			return i
		}
	}
	return len(codes)
}

func counter(reg *prometheus.Registry, name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	reg.MustRegister(c)
	return c
}

func counterVec(reg *prometheus.Registry, name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	reg.MustRegister(v)
	return v
}

func newAgentMetrics() *agentMetrics {
	r := metrics.NewRegistry()
	m := &agentMetrics{
		reg:            r,
		conns:          counter(r, "consumer_agent_connections_total", "Client connections accepted."),
		requests:       counter(r, "consumer_agent_requests_total", "Well-framed HTTP requests."),
		badFrames:      counter(r, "consumer_agent_bad_frames_total", "Malformed frames from provider agents."),
		late:           counter(r, "consumer_agent_late_answers_total", "Answers for calls already timed out or answered."),
		readTimeouts:   counter(r, "consumer_agent_read_timeouts_total", "Clients that went quiet mid-request or closed."),
		idleClosed:     counter(r, "consumer_agent_idle_closed_total", "Client connections closed for being idle."),
		abandoned:      counter(r, "consumer_agent_abandoned_requests_total", "Requests read whole but not called: the client had closed or reset its connection first, so no answer could reach it."),
		stalledClients: counter(r, "consumer_agent_stalled_clients_total", "Client connections closed for taking less than 64 KiB of the answers they were behind on in 5 s (answers for other clients never wait for them)."),
		steered:        counter(r, "consumer_agent_steered_total", "Calls sent elsewhere than the round robin's choice: where they were expected to wait less (load, capacity, latency)."),
		retriesFailed:  counter(r, "consumer_agent_retries_failed_total", "Calls sent again whose second attempt failed too."),
		retriesSkipped: counter(r, "consumer_agent_retries_skipped_total", "Calls refused as overloaded or unavailable and not sent again: no other available provider agent, no time left, or a frame too large to keep."),
		refused:        counter(r, "consumer_agent_refused_connections_total", "Client connections answered 503 past --max-conns."),
		responses: counterVec(r, "consumer_agent_responses_total",
			`Answers to clients, by service (interface; "none" before one was known) and HTTP status code ("other" for any status not listed).`, "service", "code"),
		upErrors: counterVec(r, "consumer_agent_upstream_errors_total",
			"Calls to the provider agent that ended in an error answer (any status) or were lost with its connection; timeouts are counted apart.", "agent"),
		upTimeouts: counterVec(r, "consumer_agent_upstream_timeouts_total",
			"Calls to the provider agent answered 504 by the consumer agent: their deadline passed with no answer.", "agent"),
		retries: counterVec(r, "consumer_agent_retries_total",
			"Calls sent again to this provider agent after another answered that no provider ran them (overloaded, unavailable).", "agent"),
		sidelined: counterVec(r, "consumer_agent_sidelined_total",
			"Failed calls that sidelined the provider agent for a while: an answer saying something about the path (overloaded, unavailable, timed out, a bad answer), or no answer by the deadline.", "agent"),
		ejections: counterVec(r, "consumer_agent_ejections_total",
			"Times the provider agent was ejected for a while for being much slower than the others.", "agent"),
		dialErrors: counterVec(r, "consumer_agent_dial_errors_total", "Failed dials to the provider agent.", "agent"),
		latency: func() *prometheus.HistogramVec {
			v := prometheus.NewHistogramVec(prometheus.HistogramOpts{
				Name:    "consumer_agent_request_duration_seconds",
				Help:    "Time from a call's arrival at the consumer agent to its end at the provider agent: answer, error, timeout or lost connection. A call sent again is observed at each agent it tried.",
				Buckets: metrics.LatencyBuckets,
			}, []string{"agent"})
			r.MustRegister(v)
			return v
		}(),
	}
	m.capacity = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "consumer_agent_agent_capacity",
		Help: "Calls the provider agent takes at once by the picker's reckoning: its registered capacity, or less as measured from its latency; 0: no bound known."}, []string{"agent"})
	r.MustRegister(m.capacity)
	m.unrouted = m.forService(noService)
	return m
}

// forService resolves the response counters of service name.
func (m *agentMetrics) forService(name string) serviceCodes {
	var sc serviceCodes
	for i, code := range codes {
		sc[i] = m.responses.WithLabelValues(name, strconv.Itoa(code))
	}
	sc[len(codes)] = m.responses.WithLabelValues(name, "other")
	return sc
}

// forgetService deletes the response series of service name, gone for
// good. A call of it still in flight then counts into a child no scrape
// reads.
func (m *agentMetrics) forgetService(name string) {
	for _, code := range codes {
		m.responses.DeleteLabelValues(name, strconv.Itoa(code))
	}
	m.responses.DeleteLabelValues(name, "other")
}

// status counts one answer of service svc (nil: none known) by its HTTP
// status. It does not allocate.
func (m *agentMetrics) status(svc *service, code int) {
	if svc == nil {
		m.unrouted[codeIndex(code)].Inc()
		return
	}
	svc.codes[codeIndex(code)].Inc()
}

// endpointMetrics are one provider agent's children of the labelled
// families, resolved when its endpoint is made.
type endpointMetrics struct {
	errors, timeouts, retries, sidelined, ejections, dialErrors prometheus.Counter
	latency                                                     prometheus.Observer
	capacity                                                    prometheus.Gauge
}

// forEndpoint resolves the children of provider agent addr.
func (m *agentMetrics) forEndpoint(addr string) endpointMetrics {
	return endpointMetrics{
		errors:     m.upErrors.WithLabelValues(addr),
		timeouts:   m.upTimeouts.WithLabelValues(addr),
		retries:    m.retries.WithLabelValues(addr),
		sidelined:  m.sidelined.WithLabelValues(addr),
		ejections:  m.ejections.WithLabelValues(addr),
		dialErrors: m.dialErrors.WithLabelValues(addr),
		latency:    m.latency.WithLabelValues(addr),
		capacity:   m.capacity.WithLabelValues(addr),
	}
}

// forget deletes the series of provider agent addr, gone for good.
func (m *agentMetrics) forget(addr string) {
	for _, v := range []*prometheus.CounterVec{m.upErrors, m.upTimeouts, m.retries, m.sidelined, m.ejections, m.dialErrors} {
		v.DeleteLabelValues(addr)
	}
	m.latency.DeleteLabelValues(addr)
	m.capacity.DeleteLabelValues(addr)
}

// observe records a call to ep that arrived at start (UnixNano) and ended
// now.
func (e *endpoint) observe(start int64) (d, now int64) {
	now = time.Now().UnixNano()
	if d = now - start; d >= 0 {
		e.m.latency.Observe(float64(d) / 1e9)
	}
	return d, now
}

// fail records a call to ep that failed at now for status s, a reason that
// says something about the path (protocol.Status.PathFault, or
// StatusTimeout for a call the sweep expired): it counts against the agent
// and sidelines it.
func (e *endpoint) fail(now int64, s protocol.Status) {
	e.m.sidelined.Inc()
	e.health.why.Store(int32(s))
	e.health.fail(now)
}

// register adds the metrics read from the agent's state at each scrape.
func (m *agentMetrics) register(a *Agent) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "consumer_agent_open_connections",
		Help: "Client connections open, refused ones until closed.",
	}, func() float64 { return float64(a.open.Load()) }))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "consumer_agent_inflight",
		Help: "Calls waiting for provider agents.",
	}, func() float64 { return float64(a.inFlight()) }))
	m.reg.MustRegister(stateCollector{a})
	m.reg.MustRegister(server.Collectors("consumer_agent")...)
}

// stateCollector reads the per-agent and per-service state at scrape time,
// under the agent's mutex.
type stateCollector struct{ a *Agent }

var (
	descUpCalls = prometheus.NewDesc("consumer_agent_upstream_requests_total",
		"Calls sent to the provider agent, retries included.", []string{"agent"}, nil)
	descUpInFlight = prometheus.NewDesc("consumer_agent_upstream_in_flight",
		"Calls sent to the provider agent and not yet ended.", []string{"agent"}, nil)
	descUpConns = prometheus.NewDesc("consumer_agent_upstream_connections",
		"Connections to the provider agent (one per event loop), by state: up or down.", []string{"agent", "state"}, nil)
	descUpReconnects = prometheus.NewDesc("consumer_agent_upstream_reconnects_total",
		"Connections to the provider agent made again after one was lost.", []string{"agent"}, nil)
	descUpAvailable = prometheus.NewDesc("consumer_agent_upstream_available",
		"1 when the provider agent takes new calls, 0 while it is sidelined or ejected.", []string{"agent"}, nil)
	descUpWeight = prometheus.NewDesc("consumer_agent_upstream_weight",
		"The weight the agent applies to the provider agent for the service, as etcd last gave it.", []string{"service", "agent"}, nil)
	descEndpoints = prometheus.NewDesc("consumer_agent_endpoints",
		"Provider agents registered in etcd for the service.", []string{"service"}, nil)
)

func (c stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUpCalls, descUpInFlight, descUpConns, descUpReconnects, descUpAvailable, descUpWeight, descEndpoints} {
		ch <- d
	}
}

// Collect builds the metrics under the agent's mutex and sends them after
// releasing it: a send may wait for the registry to read what was sent
// before, and the registry reads by evaluating each metric, some of which
// (consumer_agent_tls_mismatched_agents) take the mutex. Holding it across
// the sends deadlocked a scrape once the metrics outgrew the registry's
// channel (about 100 provider agents known).
func (c stateCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.metrics() {
		ch <- m
	}
}

// metrics returns the per-agent and per-service metrics, read under a.mu.
func (c stateCollector) metrics() []prometheus.Metric {
	a := c.a
	now := time.Now().UnixNano()
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]prometheus.Metric, 0, 7*len(a.endpoints)+2*len(a.services))
	for addr, ep := range a.endpoints {
		n, sent := ep.inflight.total()
		up := ep.peer.Up()
		avail := 0.0
		if ep.health.usable(now) {
			avail = 1
		}
		out = append(out,
			prometheus.MustNewConstMetric(descUpCalls, prometheus.CounterValue, float64(sent), addr),
			prometheus.MustNewConstMetric(descUpInFlight, prometheus.GaugeValue, float64(max(n, 0)), addr),
			prometheus.MustNewConstMetric(descUpConns, prometheus.GaugeValue, float64(up), addr, "up"),
			prometheus.MustNewConstMetric(descUpConns, prometheus.GaugeValue, float64(len(ep.conns)-up), addr, "down"),
			prometheus.MustNewConstMetric(descUpReconnects, prometheus.CounterValue, float64(ep.peer.Reconnects()), addr),
			prometheus.MustNewConstMetric(descUpAvailable, prometheus.GaugeValue, avail, addr))
	}
	for name, svc := range a.services {
		ms := svc.list()
		out = append(out, prometheus.MustNewConstMetric(descEndpoints, prometheus.GaugeValue, float64(len(ms)), name))
		for _, m := range ms {
			out = append(out, prometheus.MustNewConstMetric(descUpWeight, prometheus.GaugeValue, float64(m.weight), name, m.ep.addr))
		}
	}
	return out
}

// registerEtcd adds consumer_agent_etcd_reachable, read from reachable.
func registerEtcd(reg *prometheus.Registry, reachable func() bool) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "consumer_agent_etcd_reachable",
		Help: "1 while etcd answers the agent's probe (a read every second), else 0.",
	}, func() float64 {
		if reachable() {
			return 1
		}
		return 0
	}))
}

// registerResets adds consumer_agent_etcd_resets_total, read from resets.
func registerResets(reg *prometheus.Registry, resets func() uint64) {
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "consumer_agent_etcd_resets_total",
		Help: "Times etcd turned out to have lost its data or been replaced under the watch (another cluster ID, or its revision gone back); each is followed by a new list.",
	}, func() float64 { return float64(resets()) }))
}

// serveAdmin serves the admin endpoint on ln until it fails.
func (a *Agent) serveAdmin(ln net.Listener) {
	if err := (metrics.Admin{Metrics: a.m.reg, Ready: a.Ready}).Serve(ln); err != nil {
		a.log.Error("admin endpoint failed", "addr", ln.Addr().String(), "err", err)
	}
}
