package main

import (
	"log"
	"net"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
)

// agentMetrics are the provider agent's counters, served on --admin.
type agentMetrics struct {
	set *metrics.Set

	conns, disconnects                   *metrics.Counter
	requests, ok, exceptions             *metrics.Counter
	badFrames, badRequests, badResponses *metrics.Counter
	unavailable, overloaded, exhausted   *metrics.Counter
	timeouts, lost, late, providerErrors *metrics.Counter
	heartbeatsSent, heartbeatsAnswered   *metrics.Counter
	dialErrors, queued, cutShort         *metrics.Counter
	tooLarge                             *metrics.Counter
	pingTimeouts, readOnly, goAways      *metrics.Counter
}

func newAgentMetrics() *agentMetrics {
	s := metrics.NewSet()
	return &agentMetrics{
		set:                s,
		conns:              s.Counter("provider_agent_connections_total", "consumer agent connections accepted"),
		disconnects:        s.Counter("provider_agent_disconnects_total", "consumer agent connections closed"),
		requests:           s.Counter("provider_agent_requests_total", "calls received from consumer agents"),
		ok:                 s.Counter("provider_agent_ok_total", "calls answered with a value or null"),
		exceptions:         s.Counter("provider_agent_exceptions_total", "calls the provider answered with an exception"),
		badFrames:          s.Counter("provider_agent_bad_frames_total", "malformed or unexpected agent frames"),
		badRequests:        s.Counter("provider_agent_bad_requests_total", "calls refused: bad request body or arguments"),
		badResponses:       s.Counter("provider_agent_bad_responses_total", "undecodable frames from the provider"),
		unavailable:        s.Counter("provider_agent_unavailable_total", "calls refused: no connection to the provider"),
		overloaded:         s.Counter("provider_agent_overloaded_total", "calls refused: in-flight table full"),
		exhausted:          s.Counter("provider_agent_threadpool_exhausted_total", "calls the provider refused with status 100"),
		timeouts:           s.Counter("provider_agent_timeouts_total", "calls past their deadline"),
		lost:               s.Counter("provider_agent_lost_total", "calls failed because the provider connection died"),
		late:               s.Counter("provider_agent_late_answers_total", "answers for calls already timed out"),
		providerErrors:     s.Counter("provider_agent_provider_errors_total", "answers with another non-20 status"),
		heartbeatsSent:     s.Counter("provider_agent_heartbeats_sent_total", "heartbeats sent to the provider"),
		heartbeatsAnswered: s.Counter("provider_agent_heartbeats_answered_total", "provider heartbeats answered"),
		dialErrors:         s.Counter("provider_agent_dial_errors_total", "failed dials to the provider"),
		queued:             s.Counter("provider_agent_queued_total", "calls that waited for a provider thread"),
		cutShort:           s.Counter("provider_agent_cut_short_total", "consumer agent connections closed mid-frame"),
		tooLarge:           s.Counter("provider_agent_results_too_large_total", "answers whose JSON exceeds the agent protocol's body limit"),
		pingTimeouts:       s.Counter("provider_agent_ping_timeouts_total", "provider connections closed because a heartbeat went unanswered while calls were outstanding"),
		readOnly:           s.Counter("provider_agent_readonly_events_total", "read-only events from the provider (a graceful shutdown): that connection gets no new call"),
		goAways:            s.Counter("provider_agent_goaways_total", "GOAWAY frames sent to consumer agents on leaving"),
	}
}

func (m *agentMetrics) register(a *Agent) {
	m.set.Gauge("provider_agent_inflight", "calls waiting for the provider", func() float64 { return float64(a.InFlight()) })
	m.set.Gauge("provider_agent_waiting", "calls queued for a provider thread", func() float64 {
		return float64(a.gate.waiting())
	})
}

func serveAdmin(ln net.Listener, s *metrics.Set) {
	if err := metrics.Serve(ln, s); err != nil {
		log.Printf("admin endpoint %s: %v", ln.Addr(), err)
	}
}
