package main

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// Outlier ejection: a provider agent that has become slow (its provider's
// latency rose, its queue grew) keeps receiving its weight's share of the
// calls, and they pile up behind it. Each endpoint therefore counts its calls
// in flight and the calls sent to it, and every outlierEvery the agent
// estimates each endpoint's latency by Little's law: calls in flight divided
// by calls sent per unit of time. Unlike an average of answered calls, this
// sees the latency of calls not yet answered: a stalled agent shows at once,
// not one slow answer later.
//
// An endpoint whose latency exceeds EjectRatio times the fastest other one's,
// and by at least ejectMinExtra, with at least ejectMinInFlight calls in
// flight, for ejectAfter ticks in a row (a stall shorter than that, a
// garbage collection or a scheduling hiccup, is not an outlier; one tick is
// enough for an endpoint back from an ejection), is ejected: sidelined for
// ejectBase, doubling with each ejection in a row up to ejectMax. When the
// time is up it takes calls again; if it is still slow it is ejected again
// as soon as its estimate shows it. At most half of a service's endpoints are
// ejected at once. An endpoint sent fewer than ejectMinRate calls per tick,
// or sent calls for fewer than warmTicks ticks since it was first sent one
// (after the start or its last ejection), is neither judged nor a yardstick;
// nor is one whose last answer was a failure. Nor is one whose answers
// report its load while the picker balances by it (balance.go). The rate average starts afresh
// at an ejection and is corrected for its start (as Adam corrects its
// moments), so that an endpoint back from an ejection is judged on its first
// ticks of traffic without its latency being overstated; ticks with nothing
// sent (bursty traffic) simply lower the average.
const (
	outlierEvery     = 20 * time.Millisecond
	ejectMinInFlight = 16
	ejectMinRate     = 0.5 // calls sent per outlierEvery
	ejectMinExtra    = 20 * time.Millisecond
	ejectAfter       = 3
	ejectBase        = 500 * time.Millisecond
	ejectMax         = 4 * time.Second
	// ejectForget: an endpoint not ejected for this long starts again at
	// ejectBase.
	ejectForget = 10 * time.Second
	// rateWeight is the weight of the newest tick in the sent-rate average.
	rateWeight = 0.25
	warmTicks  = 2
)

// inFlight counts one endpoint's calls in flight, sharded by event loop so
// that loops do not share a cache line. Its methods are safe for concurrent
// use and do not allocate.
type inFlight []paddedCount

type paddedCount struct {
	n     atomic.Int64  // in flight
	sent  atomic.Uint64 // ever sent
	lat   atomic.Int64  // answers' latency, a moving average in ns (balance.go)
	latAt atomic.Int64  // when lat was last renewed (UnixNano); 0: never
	latN  atomic.Int64  // samples in lat
	_     [24]byte
}

func newInFlight(loops int) inFlight { return make(inFlight, loops) }

// add counts a call sent by loop i.
func (f inFlight) add(i int) {
	f[i].n.Add(1)
	f[i].sent.Add(1)
}

// done counts a call of loop i answered, failed or expired.
func (f inFlight) done(i int) { f[i].n.Add(-1) }

// total returns the calls in flight and the calls ever sent, over all loops.
func (f inFlight) total() (n int64, sent uint64) {
	for i := range f {
		n += f[i].n.Load()
		sent += f[i].sent.Load()
	}
	return n, sent
}

// ejection is one endpoint's ejection record, touched only by the outlier
// goroutine.
type ejection struct {
	n        int     // ejections in a row
	until    int64   // UnixNano the current one ends
	lastSent uint64  // calls sent as of the last tick
	avg      float64 // calls sent per tick, a moving average from 0
	rate     float64 // avg corrected for its start
	latency  float64 // estimated latency in ticks, when known
	known    bool    // latency is an estimate (enough calls were sent)
	active   int     // ticks since the first call sent after the start or the last ejection
	suspect  int     // ticks in a row judged slow
}

// watchOutliers judges the endpoints of each service every outlierEvery
// until stop is closed. After outlierIdleTicks ticks with no call in
// flight or sent, no ejection and no sideline in force, it forgets the
// rate estimates (as after an ejection: the next calls warm them up again)
// and sleeps on a.outlierSleep until the clock, woken by a call, wakes it.
func (a *Agent) watchOutliers(stop <-chan struct{}) {
	t := time.NewTicker(outlierEvery)
	defer t.Stop()
	idle := 0
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			at := now.UnixNano()
			quiet := true
			a.mu.Lock()
			for _, ep := range a.endpoints {
				if !ep.estimate() {
					quiet = false
				}
			}
			a.measureAll(now.UnixNano()) // measured.go
			for _, svc := range a.services {
				a.ejectOutliers(svc, at)
			}
			for _, ep := range a.endpoints {
				ep.logRotation(at)
				if ep.eject.until > at || !ep.health.usable(at) {
					quiet = false
				}
			}
			if quiet {
				idle++
			} else {
				idle = 0
			}
			if idle < outlierIdleTicks {
				a.mu.Unlock()
				continue
			}
			for _, ep := range a.endpoints {
				e := &ep.eject
				e.active, e.avg, e.rate, e.latency, e.known, e.suspect = 0, 0, 0, 0, false, 0
			}
			a.mu.Unlock()
			t.Stop()
			if !a.outlierSleep.Sleep(stop, a.busy) {
				return
			}
			idle = 0
			t.Reset(outlierEvery)
		}
	}
}

// outlierIdleTicks: quiet ticks before watchOutliers sleeps.
const outlierIdleTicks = 10

// estimate updates the endpoint's sent rate and latency estimate, once per
// tick. It reports whether the endpoint is quiet: no call in flight and
// none sent since the last tick.
func (ep *endpoint) estimate() (quiet bool) {
	e := &ep.eject
	n, sent := ep.inflight.total()
	d := sent - e.lastSent
	e.lastSent = sent
	e.latency, e.known = 0, false
	quiet = n == 0 && d == 0
	if e.active == 0 && d == 0 {
		return quiet // no call sent since the start or the last ejection
	}
	e.active++
	e.avg += rateWeight * (float64(d) - e.avg)
	e.rate = e.avg
	if e.active < 32 {
		e.rate /= 1 - math.Pow(1-rateWeight, float64(e.active))
	}
	if e.active >= warmTicks && e.rate >= ejectMinRate {
		e.latency, e.known = float64(max(n, 0))/e.rate, true
	}
	return quiet
}

// ejectOutliers ejects the slow endpoints of svc at now, from the estimates
// of this tick. Called with a.mu held.
func (a *Agent) ejectOutliers(svc *service, now int64) {
	ratio := a.cfg.EjectRatio
	ms := svc.list()
	if ratio <= 0 || len(ms) < 2 {
		return
	}
	ejected := 0
	for _, m := range ms {
		if m.ep.eject.until > now {
			ejected++
		}
	}
	minExtra := float64(ejectMinExtra) / float64(outlierEvery)
	for _, m := range ms {
		if ejected >= len(ms)/2 {
			return
		}
		e := &m.ep.eject
		if e.until > now || !e.known {
			e.suspect = 0
			continue
		}
		if n, _ := m.ep.inflight.total(); n < ejectMinInFlight {
			e.suspect = 0
			continue
		}
		// An agent that reports its load is balanced by the picker
		// (balance.go), which sends it fewer calls as its latency grows
		// or its slots fill, and none while it is full: its calls wait
		// because other consumer agents' calls fill it too, which no
		// estimate of this agent's own calls can tell from slowness. It
		// is judged again once its answers stop (a stall: the report
		// ages), and always with --balance weights. Back from an
		// ejection it has had no calls, hence no answers: its report's
		// age counts from its return, or its first calls, not yet
		// answered, would eject it again and again, however healthy.
		if at := m.ep.report.At(); at != 0 && !a.cfg.PlainRoundRobin && now-max(at, e.until) < int64(reportFresh) {
			e.suspect = 0
			continue
		}
		// The fastest other endpoint's latency. One whose last answer was a
		// failure is no yardstick: refusing a call is quicker than serving
		// it, and must not make a healthy agent look slow beside it.
		best, found := 0.0, false
		for _, o := range ms {
			if oe := &o.ep.eject; o.ep != m.ep && oe.until <= now && oe.known && o.ep.health.fails.Load() == 0 && (!found || oe.latency < best) {
				best, found = oe.latency, true
			}
		}
		if !found || e.latency <= ratio*best || e.latency-best < minExtra {
			e.suspect = 0
			continue
		}
		// Back from an ejection, one slow tick is enough: it was slow
		// before, and each tick it takes calls costs them.
		onProbation := e.n > 0 && now-e.until <= int64(ejectForget)
		if e.suspect++; e.suspect < ejectAfter && !onProbation {
			continue
		}
		e.suspect = 0
		if now-e.until > int64(ejectForget) {
			e.n = 0
		}
		d := min(ejectBase<<min(e.n, 3), ejectMax)
		e.n++
		e.until = now + int64(d)
		// It gets no calls while ejected: its rate starts afresh when it
		// gets them again.
		latency := e.latency
		e.active, e.avg, e.rate, e.latency, e.known = 0, 0, 0, 0, false
		m.ep.health.sideline(e.until)
		ejected++
		m.ep.m.ejections.Inc()
		tick := float64(outlierEvery)
		m.ep.inRotation = false
		m.ep.rotation.Set(false, "provider agent ejected", "agent", m.ep.addr, "for", d,
			"latency", time.Duration(latency*tick).Round(time.Millisecond), "fastest_other", time.Duration(best*tick).Round(time.Millisecond))
	}
}

// logRotation logs the endpoint leaving rotation (sidelined by a failure)
// and coming back, from its state at now; an ejection logs itself. Called
// by watchOutliers each tick: a sideline lasts at least sidelineMin, more
// than a tick, so none goes unseen. The Switch folds an agent that flaps.
func (ep *endpoint) logRotation(now int64) {
	usable := ep.health.usable(now)
	if usable == ep.inRotation {
		return
	}
	ep.inRotation = usable
	if usable {
		ep.rotation.Set(true, "provider agent back in rotation", "agent", ep.addr)
		return
	}
	ep.rotation.Set(false, "provider agent sidelined", "agent", ep.addr,
		"reason", protocol.Status(ep.health.why.Load()).String(), "failures_in_a_row", ep.health.fails.Load())
}
