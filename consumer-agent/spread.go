package main

// Spreading: smooth weighted round robin sends each provider agent its
// weight's share of the calls, whatever happens to them after. When one
// agent's calls take longer (its provider near its CPU capacity, a queue
// in its agent), the calls in flight pile up there: at 512 connections the
// race's weights put 197 calls on providers of 200 threads, and a little
// pile-up makes calls wait for a thread. So the agent checks the round
// robin's choice against the calls in flight: if it holds more calls per
// unit of weight than the least loaded available agent, by spreadSlack and
// spreadMargin calls, the call goes to that one instead. At light load the
// margin keeps the round robin's order exactly; under load the calls in
// flight follow the weights.
const (
	spreadSlack  = 1.1
	spreadMargin = 8
)

// spread returns the endpoint a call picked by round robin (ep, usable on
// loop l) should go to. It reads the endpoints' in-flight counters; it
// does not allocate.
func (l *loop) spread(svc *service, ep *endpoint) *endpoint {
	ms := svc.list()
	if len(ms) < 2 {
		return ep
	}
	mine, myWeight := int64(-1), 0
	var best *endpoint
	var bestLoad float64 // calls in flight per unit of weight
	for _, m := range ms {
		n, _ := m.ep.inflight.total()
		if m.ep == ep {
			mine, myWeight = n, m.weight
			continue
		}
		if load := float64(n) / float64(m.weight); (best == nil || load < bestLoad) && l.available(m.ep) {
			best, bestLoad = m.ep, load
		}
	}
	// Would ep hold more than its weight's share at best's load, with
	// slack, by more than the margin?
	if best != nil && mine >= 0 && float64(mine) > bestLoad*spreadSlack*float64(myWeight)+spreadMargin {
		l.a.m.spread.Inc()
		return best
	}
	return ep
}
