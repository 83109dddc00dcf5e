package main

import (
	"time"

	"github.com/dubbomesh/dubbomesh/lb"
	"github.com/dubbomesh/dubbomesh/protocol"
)

// Balancing by what provider agents can take. The smooth round robin sends
// each agent its weight's share of the calls, whatever becomes of them: with
// weights 1:2:3 on the race's providers, at 512 connections, it holds 256
// calls at the large one, whose pool takes 200, and the rest wait in its
// gate. So each call goes to the agent where it is expected to wait least
// (lb.PickSED), from three things the agent knows of each provider agent:
//
//   - its capacity, the calls it takes at once without making them wait,
//     from its registration ({"capacity":200}: its --max-provider-calls),
//     or less when its latency shows calls queueing sooner (measured.go);
//   - its load, as its answers report it (protocol.SetLoad: the calls at
//     its provider plus those queued in its gate, every consumer agent's),
//     plus the calls this agent sent it since that report, never less than
//     this agent's own calls in flight to it; a report is trusted fully for
//     reportFresh, less and less until reportStale, then not at all;
//   - its latency, a moving average of this agent's calls to it, from the
//     request to the answer: the plain mean of the first answers (so that
//     one slow first call over a new connection weighs little), then an
//     exponential average; it counts once latencyWarm answers are in, and
//     one not renewed for latencyStale is forgotten until latencyWarm new
//     answers are in, so that an agent that got no calls for a while is
//     tried again. It counts only for an agent that is busy (lb.Tie): one
//     that holds few calls answers the next at its own pace, whatever its
//     last calls met (a queue, a hiccup).
//
// Agents within the tie of the least expected delay are picked by the
// smooth round robin, so the weights are the prior and the tie-breaker,
// and at light load, every agent with room and none slower than the
// others, the order is exactly the round robin's. An agent at its capacity
// gets no call while another has room (each loop picks on its own, so two
// loops may each send the call that takes the last slot: an overshoot of
// at most one call per loop, which the provider agent's gate queues). A call sent elsewhere than the
// round robin's choice counts in consumer_agent_steered_total.
//
// This replaces --spread (calls in flight per unit of weight against the
// least loaded agent, with a slack), which saw only this agent's calls and
// knew nothing of the pools. --balance weights keeps the plain smooth
// round robin, for comparisons.
const (
	reportFresh  = 250 * time.Millisecond
	reportStale  = time.Second
	latencyStale = 250 * time.Millisecond
	// latencyShift makes the latency average's newest sample weigh 1/16
	// once 16 samples are in.
	latencyShift = 4
	latencyWarm  = 8
)

// tie: delays within 5% and 2 ms of the least are equal, which absorbs the
// noise of the latency averages; an agent is judged by its latency only
// when it holds half its capacity (or 64 calls when it said none), so light
// load keeps the round robin's order whatever the noise.
var tie = lb.Tie{Ratio: 0.05, Slack: float64(2 * time.Millisecond), Busy: 0.5, MinBusy: 64}

var aging = lb.Aging{Fresh: int64(reportFresh), Stale: int64(reportStale)}

// load returns what loop l knows of ep's load at the coarse clock's now,
// for lb.PickSED. Made into a func once per loop, so that picking does not
// allocate.
func (l *loop) load(ep *endpoint) lb.Load {
	now := l.a.clock.now.Load()
	n, sent := ep.inflight.total()
	ld := lb.Load{
		InFlight: ep.report.Estimate(sent, int(max(n, 0)), now, aging),
		Capacity: int(ep.capacity.Load()),
	}
	if m := int(ep.measured.Load()); m > 0 && (ld.Capacity == 0 || m < ld.Capacity) {
		ld.Capacity = m // measured.go
	}
	ld.Latency = ep.inflight.latency(now)
	return ld
}

// pick returns the provider agent of svc for a call on loop l: by shortest
// expected delay among the available ones (or by the round robin alone
// with --balance weights); when every one is sidelined or down, by the
// round robin among the connected ones.
func (l *loop) pick(svc *service) (*endpoint, bool) {
	b := svc.lb.Shard(l.idx)
	if !l.a.cfg.PlainRoundRobin {
		ep, steered, ok := b.PickSED(l.available, l.loadFn, tie)
		if steered {
			l.a.m.steered.Inc()
		}
		if ok {
			return ep, true
		}
	} else if ep, ok := b.PickFunc(l.available); ok {
		return ep, true
	}
	// Every agent is sidelined or down: try the connected ones anyway.
	return b.PickFunc(l.connected)
}

// noteLoad records the load that answer h from ep reports, if it reports
// one.
func (l *loop) noteLoad(ep *endpoint, h protocol.Header) {
	if load, ok := h.ReportedLoad(); ok {
		_, sent := ep.inflight.total()
		ep.report.Set(load, sent, l.a.clock.now.Load())
	}
}

// sample folds a call's latency d (ns), answered on loop i, into the
// loop's moving average, and records when (now).
func (f inFlight) sample(i int, d, now int64) {
	c := &f[i]
	if at := c.latAt.Load(); at != 0 && now-at >= int64(latencyStale) {
		c.latN.Store(0) // forgotten: start afresh
	}
	k := c.latN.Add(1)
	if old := c.lat.Load(); k > 1 {
		if k <= 1<<latencyShift {
			d = old + (d-old)/k
		} else {
			d = old + (d-old)>>latencyShift
		}
	}
	c.lat.Store(max(d, 1))
	c.latAt.Store(now)
}

// latency returns the average of the loops' latency averages renewed
// within latencyStale of now, in ns; 0 when none is.
func (f inFlight) latency(now int64) float64 {
	var sum, n int64
	for i := range f {
		if at := f[i].latAt.Load(); at != 0 && now-at < int64(latencyStale) && f[i].latN.Load() >= latencyWarm {
			sum += f[i].lat.Load()
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(sum) / float64(n)
}
