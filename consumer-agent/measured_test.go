package main

import (
	"testing"
	"time"
)

// measureFixture is outlierFixture's service of three endpoints, each
// registered with capacity 200, in the agent's maps for measureAll.
func measureFixture() (*Agent, []*endpoint) {
	a, svc := outlierFixture(0, 3)
	a.services = map[string]*service{svc.name: svc}
	a.endpoints = map[string]*endpoint{}
	var eps []*endpoint
	for _, m := range svc.list() {
		m.ep.capacity.Store(200)
		a.endpoints[m.ep.addr] = m.ep
		eps = append(eps, m.ep)
	}
	return a, eps
}

// hold gives ep load calls in flight over its loops, answered in ms
// milliseconds as of now (enough answers for the average to count).
func hold(ep *endpoint, load int64, ms float64, now int64) {
	spread(ep.inflight, load)
	for i := range ep.inflight {
		ep.inflight[i].latN.Store(0)
		for range 2 * latencyWarm {
			ep.inflight.sample(i, int64(ms*float64(time.Millisecond)), now)
		}
	}
}

// TestMeasuredCapacity: an agent whose latency passes the quickest's by
// the slack is cut to the calls it serves without making them wait, once
// per latency; it grows back while its latency is back, and the bound is
// dropped at the registered capacity. A light load, or no recent answers,
// measures nothing.
func TestMeasuredCapacity(t *testing.T) {
	const tick = int64(outlierEvery)
	a, eps := measureFixture()
	small, medium, large := eps[0], eps[1], eps[2]
	now := int64(1e15)
	set := func(smallLoad int64, smallMs float64) {
		hold(small, smallLoad, smallMs, now)
		hold(medium, 200, 50, now)
		hold(large, 200, 50, now)
	}

	// 150 calls at 70 ms against the others' 50: 150 × 50 / 70 of them
	// are served without waiting.
	set(150, 70)
	a.measureAll(now)
	check(t, "small cut", small.measured.Load(), int64(107))
	check(t, "medium not measured", medium.measured.Load(), int64(0))
	check(t, "large not measured", large.measured.Load(), int64(0))
	check(t, "gauge", metric(t, a, "consumer_agent_agent_capacity"), float64(107+200+200))

	// Within a latency of the cut its answers cannot show it yet: no
	// second cut, however slow they still are.
	now += tick
	set(140, 80)
	a.measureAll(now)
	check(t, "cut again within a latency", small.measured.Load(), int64(107))
	// A latency later they can.
	now += int64(70 * time.Millisecond)
	set(140, 80)
	a.measureAll(now)
	check(t, "cut a latency later", small.measured.Load(), int64(87))

	// Latency back within the slack: a fiftieth (at least one) a tick.
	now += tick
	set(87, 52)
	a.measureAll(now)
	check(t, "grows back", small.measured.Load(), int64(88))
	// Up to the registered capacity, where the bound is dropped.
	for i := 0; small.measured.Load() != 0; i++ {
		if i == 200 {
			t.Fatalf("bound %d after 200 ticks of no queue, want dropped", small.measured.Load())
		}
		now += tick
		set(min(small.measured.Load(), 200), 52)
		a.measureAll(now)
	}
	check(t, "gauge once dropped", metric(t, a, "consumer_agent_agent_capacity"), float64(3*200))

	// A light load is not judged: 40 calls, under a quarter of 200.
	now += tick
	set(40, 90)
	a.measureAll(now)
	check(t, "light load", small.measured.Load(), int64(0))

	// No answers for latencyStale: nothing to measure, the bound kept.
	small.measured.Store(120)
	now += int64(latencyStale)
	hold(medium, 200, 50, now)
	hold(large, 200, 50, now)
	a.measureAll(now)
	check(t, "no recent answers", small.measured.Load(), int64(120))
}

// The capacity gauge shows the registered capacities as soon as etcd gives
// them, before any call, and follows their changes.
func TestCapacityGaugeBeforeCalls(t *testing.T) {
	f1, f2 := newFake(t, echoPlan), newFake(t, echoPlan)
	a := startAgent(t, Config{})
	route(t, a, snapshot(echoIface, f1.endpointCap(echoIface, 1, 7), f2.endpointCap(echoIface, 1, 9)))
	check(t, "gauge before any call", metric(t, a, "consumer_agent_agent_capacity"), float64(7+9))
	route(t, a, snapshot(echoIface, f1.endpointCap(echoIface, 1, 5), f2.endpointCap(echoIface, 1, 9)))
	check(t, "gauge after a change", metric(t, a, "consumer_agent_agent_capacity"), float64(5+9))
}
