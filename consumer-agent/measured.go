package main

import "github.com/dubbomesh/dubbomesh/lb"

// Measured capacity. A provider agent's registered capacity is its gate's
// bound (--max-provider-calls): the threads its provider has. A provider
// whose CPU gives out first (the race's small one: 200 threads, 2,400
// calls a second at 50 ms, so 120 calls at once) queues calls long before
// its pool is full, and its agent reports no more than the calls it holds.
// So each outlier tick (outlier.go) the agent measures, for each provider
// agent, how many calls it holds without making them wait, as TCP Vegas
// does for a window, against a base: the least latency among the agents of
// its services right now (a slowdown of the whole host, or of this
// consumer agent, slows them all alike and measures nothing). While its
// latency stays within lb.WaitSlack of the base, nothing queues there and
// the bound, if one was measured, grows by a fiftieth a tick (doubling in
// about a second) until it reaches the registered capacity, where it is
// dropped; once its latency passes that, the calls it holds beyond
// load × base / latency are queueing, and the bound is cut to that, at
// most once per latency (the cut shows in its latency only after the
// calls it held have been answered). The picker (balance.go) uses the
// smaller of the registered and the measured capacity.
//
// The thresholds and the estimate are lb's (lb.Unwaited), which the
// provider agents' own measurement shares.
const (
	// measuredMinShare: an agent holding less than 1/measuredMinShare of
	// its registered capacity is not measured either. A provider whose CPU
	// gives out before its threads does so well past that (the race's
	// small one at 120 of 200); below it, latency noise (a garbage
	// collection, a loaded host) would cut a bound where no queue is, and
	// move calls off the round robin.
	measuredMinShare = 4
)

// measure updates ep's measured capacity at now from its latency and
// load, against base, the least latency among the agents of its services.
// Called by watchOutliers only, so lastCut needs no lock; the result is
// published in ep.measured for the picks.
func (a *Agent) measure(ep *endpoint, base float64, now int64) {
	lat := ep.inflight.latency(now)
	if lat <= 0 || base <= 0 {
		return // no recent answers: nothing to measure; keep the bound
	}
	n, sent := ep.inflight.total()
	load := ep.report.Estimate(sent, int(max(n, 0)), now, aging)
	cur := ep.measured.Load()
	registered := ep.capacity.Load()
	c, waits := lb.Unwaited(float64(load), lat, base)
	switch {
	case waits && int64(load) >= max(lb.MeasureMinLoad, registered/measuredMinShare):
		if now-ep.lastCut < int64(lat) {
			break // the last cut has not shown yet
		}
		if registered > 0 && c >= registered {
			c = 0
		}
		if cur == 0 || c < cur {
			ep.measured.Store(c)
			ep.lastCut = now
		}
	case cur > 0:
		c = cur + max(cur/50, 1)
		if (registered > 0 && c >= registered) || (registered == 0 && c > int64(2*max(load, lb.MeasureMinLoad))) {
			c = 0 // unbounded again, as far as is known
		}
		ep.measured.Store(c)
	}
	ep.showCapacity()
}

// showCapacity sets ep's capacity gauge to what the picker uses: the
// registered capacity, or the measured one if smaller. It runs when
// either changes: a measure, an etcd update.
func (ep *endpoint) showCapacity() {
	eff := ep.capacity.Load()
	if m := ep.measured.Load(); m > 0 && (eff == 0 || m < eff) {
		eff = m
	}
	ep.m.capacity.Set(float64(eff))
}

// measureAll measures every endpoint at now, each against the least
// latency among the agents of its services. Called by watchOutliers with
// a.mu held.
func (a *Agent) measureAll(now int64) {
	base := make(map[*endpoint]float64, len(a.endpoints))
	for _, svc := range a.services {
		least := 0.0
		for _, m := range svc.list() {
			if l := m.ep.inflight.latency(now); l > 0 && (least == 0 || l < least) {
				least = l
			}
		}
		for _, m := range svc.list() {
			if b, ok := base[m.ep]; !ok || (least > 0 && least < b) {
				base[m.ep] = least
			}
		}
	}
	for _, ep := range a.endpoints {
		a.measure(ep, base[ep], now)
	}
}
