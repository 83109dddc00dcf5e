package main

import "time"

// Measured capacity. A provider agent's registered capacity is its gate's
// bound (--max-provider-calls): the threads its provider has. A provider
// whose CPU gives out first (the race's small one: 200 threads, 2,400
// calls a second at 50 ms, so 120 calls at once) queues calls long before
// its pool is full, and its agent reports no more than the calls it holds.
// So each outlier tick (outlier.go) the agent measures, for each provider
// agent, how many calls it holds without making them wait, as TCP Vegas
// does for a window: while the agent's latency stays within measuredSlack
// of the least it has shown lately (its base), nothing queues there and the
// bound, if one was measured, grows by a fiftieth a tick (doubling in
// about a second) until it reaches the registered capacity, where it is
// dropped; once the latency passes that, the calls it holds beyond
// load × base / latency are queueing, and the bound is set to that. The
// picker (balance.go) uses the smaller of the registered and the measured
// capacity. The base creeps up by measuredDrift a tick, so that an agent
// that became slower for good is measured against what it is now, within
// seconds rather than never.
const (
	measuredSlack    = 1.05
	measuredSlackAbs = float64(time.Millisecond)
	measuredDrift    = 1.0002 // per tick: about 1% a second
	// measuredMinLoad: an agent holding fewer calls is not measured; its
	// latency is too noisy to judge and it is far from any bound.
	measuredMinLoad = 16
	measuredFloor   = 8 // the smallest measured capacity
)

// measure updates ep's measured capacity from its latency and load at
// now. Called by watchOutliers only, so base needs no lock; the result is
// published in ep.measured for the picks.
func (a *Agent) measure(ep *endpoint, now int64) {
	lat := ep.inflight.latency(now)
	if lat <= 0 {
		return // no recent answers: nothing to measure; keep the bound
	}
	if ep.base == 0 || lat < ep.base {
		ep.base = lat
	} else {
		ep.base *= measuredDrift
	}
	n, sent := ep.inflight.total()
	load := ep.report.Estimate(sent, int(max(n, 0)), now, aging)
	cur := ep.measured.Load()
	registered := ep.capacity.Load()
	switch {
	case load >= measuredMinLoad && lat > ep.base*measuredSlack+measuredSlackAbs:
		c := max(int64(float64(load)*ep.base/lat), measuredFloor)
		if registered > 0 && c >= registered {
			c = 0
		}
		ep.measured.Store(c)
	case cur > 0:
		c := cur + max(cur/50, 1)
		if (registered > 0 && c >= registered) || (registered == 0 && c > int64(2*max(load, measuredMinLoad))) {
			c = 0 // unbounded again, as far as is known
		}
		ep.measured.Store(c)
	}
	eff := registered
	if m := ep.measured.Load(); m > 0 && (eff == 0 || m < eff) {
		eff = m
	}
	ep.m.capacity.Set(float64(eff))
}
