package main

import (
	"log"
	"net"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
)

// agentMetrics are the consumer agent's counters, served on --admin.
type agentMetrics struct {
	set *metrics.Set

	conns, requests                   *metrics.Counter
	s200, s400, s404, s405, s41x      *metrics.Counter
	s500, s502, s503, s504, sOther    *metrics.Counter
	badFrames, late, dialErrors       *metrics.Counter
	readTimeouts, refused, idleClosed *metrics.Counter
	sidelined, ejections, spread      *metrics.Counter
	retries, retriesFailed            *metrics.Counter
	retriesSkipped                    *metrics.Counter
}

func newAgentMetrics() *agentMetrics {
	s := metrics.NewSet()
	return &agentMetrics{
		set:            s,
		conns:          s.Counter("consumer_agent_connections_total", "client connections accepted"),
		requests:       s.Counter("consumer_agent_requests_total", "well-framed HTTP requests"),
		s200:           s.Counter("consumer_agent_responses_200_total", "calls answered 200"),
		s400:           s.Counter("consumer_agent_responses_400_total", "requests answered 400"),
		s404:           s.Counter("consumer_agent_responses_404_total", "calls answered 404 (no such service, method, version or group)"),
		s405:           s.Counter("consumer_agent_responses_405_total", "requests answered 405"),
		s41x:           s.Counter("consumer_agent_responses_41x_total", "requests answered 411, 413 or 431"),
		s500:           s.Counter("consumer_agent_responses_500_total", "calls answered 500 (the provider threw)"),
		s502:           s.Counter("consumer_agent_responses_502_total", "calls answered 502"),
		s503:           s.Counter("consumer_agent_responses_503_total", "calls answered 503"),
		s504:           s.Counter("consumer_agent_responses_504_total", "calls answered 504"),
		sOther:         s.Counter("consumer_agent_responses_other_total", "answers with another status"),
		badFrames:      s.Counter("consumer_agent_bad_frames_total", "malformed frames from provider agents"),
		late:           s.Counter("consumer_agent_late_answers_total", "answers for calls already timed out"),
		dialErrors:     s.Counter("consumer_agent_dial_errors_total", "failed dials to provider agents"),
		readTimeouts:   s.Counter("consumer_agent_read_timeouts_total", "clients that went quiet mid-request"),
		idleClosed:     s.Counter("consumer_agent_idle_closed_total", "client connections closed for being idle"),
		sidelined:      s.Counter("consumer_agent_sidelined_total", "failed calls that sidelined their provider agent for a while"),
		ejections:      s.Counter("consumer_agent_ejections_total", "provider agents ejected for a while for being much slower than the others"),
		spread:         s.Counter("consumer_agent_spread_total", "calls sent to a less loaded provider agent than the round robin's choice"),
		retries:        s.Counter("consumer_agent_retries_total", "calls sent again to another provider agent after an answer saying no provider ran them (overloaded, unavailable)"),
		retriesFailed:  s.Counter("consumer_agent_retries_failed_total", "calls sent again whose second attempt failed too"),
		retriesSkipped: s.Counter("consumer_agent_retries_skipped_total", "calls refused as overloaded or unavailable and not sent again: no other available provider agent, no time left, or a frame too large to keep"),
		refused:        s.Counter("consumer_agent_refused_connections_total", "client connections answered 503 past --max-conns"),
	}
}

// status counts one answer by its HTTP status.
func (m *agentMetrics) status(code int) {
	switch code {
	case 200:
		m.s200.Inc()
	case 400:
		m.s400.Inc()
	case 404:
		m.s404.Inc()
	case 405:
		m.s405.Inc()
	case 411, 413, 431:
		m.s41x.Inc()
	case 500:
		m.s500.Inc()
	case 502:
		m.s502.Inc()
	case 503:
		m.s503.Inc()
	case 504:
		m.s504.Inc()
	default:
		m.sOther.Inc()
	}
}

func (m *agentMetrics) register(a *Agent) {
	m.set.Gauge("consumer_agent_open_connections", "client connections open, refused ones until closed", func() float64 {
		return float64(a.open.Load())
	})
	m.set.Gauge("consumer_agent_inflight", "calls waiting for provider agents", func() float64 {
		n := 0
		for _, l := range a.loops {
			n += l.calls.Len()
		}
		return float64(n)
	})
}

func serveAdmin(ln net.Listener, s *metrics.Set) {
	if err := metrics.Serve(ln, s); err != nil {
		log.Printf("admin endpoint %s: %v", ln.Addr(), err)
	}
}
