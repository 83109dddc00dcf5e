package main

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// TestBalanceKeepsOrderAtLightLoad: one client, calls one at a time: the
// round robin's order is kept exactly, capacities and reports or not.
func TestBalanceKeepsOrderAtLightLoad(t *testing.T) {
	plan := func(*protocol.Request) reply { return reply{act: actEcho, report: true, load: 1} }
	f1, f2 := newFake(t, plan), newFake(t, echoPlan)
	a := startAgent(t, Config{})
	route(t, a, snapshot(echoIface, f1.endpointCap(echoIface, 1, 200), f2.endpoint(echoIface, 3)))
	f1.waitOpen(2)
	f2.waitOpen(2)
	c := dial(t, a)
	for range 400 {
		c.send(post(echoForm("x")))
		c.expect(200, "x")
	}
	check(t, "split", fmt.Sprint(f1.calls.Load(), f2.calls.Load()), "100 300")
	expectMetric(t, a, "consumer_agent_steered_total", 0)
}

// balanceRun drives n clients for d against two agents and returns the
// calls each got.
func balanceRun(t *testing.T, cfg Config, n int, d time.Duration, f1, f2 *fakeAgent, w1, c1, w2, c2 int) (int64, int64, *Agent) {
	t.Helper()
	cfg.EjectRatio = -1
	a := startAgent(t, cfg)
	route(t, a, snapshot(echoIface, f1.endpointCap(echoIface, w1, c1), f2.endpointCap(echoIface, w2, c2)))
	f1.waitOpen(2)
	f2.waitOpen(2)
	clients := startClosedLoop(t, a, n)
	time.Sleep(d)
	check(t, "failed calls", clients.end(), int64(0))
	return f1.calls.Load(), f2.calls.Load(), a
}

// concurrency answers after delay and tracks the calls held at once.
type concurrency struct {
	now, peak atomic.Int64
}

func (c *concurrency) plan(delay time.Duration) planFunc {
	return func(*protocol.Request) reply {
		n := c.now.Add(1)
		for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
		}
		// Released as its answer is written, never later: the consumer
		// agent can send the slot's next call only once it has read it.
		return reply{act: actEcho, delay: delay, sent: func() { c.now.Add(-1) }}
	}
}

// TestBalanceRespectsCapacity: weights 5:1 would hold about 13 of 16
// calls at the first agent, whose capacity is 4: it never gets more than
// that while the other has room, and the other takes the rest.
func TestBalanceRespectsCapacity(t *testing.T) {
	var c1, c2 concurrency
	f1, f2 := newFake(t, c1.plan(20*time.Millisecond)), newFake(t, c2.plan(20*time.Millisecond))
	n1, n2, a := balanceRun(t, Config{}, 16, 500*time.Millisecond, f1, f2, 5, 4, 1, 100)
	t.Logf("capacity 4 at weight 5: %d calls (peak %d at once), %d at weight 1 (peak %d); steered %v",
		n1, c1.peak.Load(), n2, c2.peak.Load(), metric(t, a, "consumer_agent_steered_total"))
	// Each loop picks on its own: two may each send the last free slot's
	// call at once.
	if p := c1.peak.Load(); p > 4+int64(len(a.loops))-1 {
		t.Fatalf("the agent of capacity 4 held %d calls at once (%d loops)", p, len(a.loops))
	}
	if n1 >= n2 {
		t.Fatalf("split %d:%d, want the capacity-4 agent to take fewer", n1, n2)
	}
	// The plain round robin, for contrast, piles calls there.
	var c3, c4 concurrency
	f3, f4 := newFake(t, c3.plan(20*time.Millisecond)), newFake(t, c4.plan(20*time.Millisecond))
	balanceRun(t, Config{PlainRoundRobin: true}, 16, 300*time.Millisecond, f3, f4, 5, 4, 1, 100)
	if p := c3.peak.Load(); p <= 4 {
		t.Fatalf("round robin alone held only %d calls at once at weight 5 of 6", p)
	}
}

// TestBalanceAvoidsSlowAgent: equal weights, one agent answering after 40
// ms and one after 5 ms, 128 clients: once the slow one holds 64 calls (it
// said no capacity) it is judged by its latency and gets far fewer calls.
func TestBalanceAvoidsSlowAgent(t *testing.T) {
	slow := newFake(t, func(*protocol.Request) reply { return reply{act: actEcho, delay: 40 * time.Millisecond} })
	fast := newFake(t, func(*protocol.Request) reply { return reply{act: actEcho, delay: 5 * time.Millisecond} })
	s, f, a := balanceRun(t, Config{}, 128, 500*time.Millisecond, slow, fast, 1, 0, 1, 0)
	t.Logf("slow %d, fast %d, steered %v", s, f, metric(t, a, "consumer_agent_steered_total"))
	if s*4 > f {
		t.Fatalf("the slow agent got %d calls against %d, want under a quarter", s, f)
	}
	if metric(t, a, "consumer_agent_steered_total") == 0 {
		t.Fatal("steered counter did not move")
	}
}

// TestBalanceFollowsReportedLoad: an agent that reports itself full (other
// consumer agents' calls) gets no calls while the other has room; once its
// report is stale it is tried again, and it takes calls again as soon as
// it reports room.
func TestBalanceFollowsReportedLoad(t *testing.T) {
	var full atomic.Bool
	full.Store(true)
	busy := newFake(t, func(*protocol.Request) reply {
		load := 1
		if full.Load() {
			load = 50
		}
		return reply{act: actEcho, report: true, load: load}
	})
	idle := newFake(t, func(*protocol.Request) reply { return reply{act: actEcho, report: true, load: 0} })
	a := startAgent(t, Config{EjectRatio: -1})
	route(t, a, snapshot(echoIface, busy.endpointCap(echoIface, 1, 10), idle.endpointCap(echoIface, 1, 10)))
	busy.waitOpen(2)
	idle.waitOpen(2)
	c := dial(t, a)
	call := func(n int) {
		for range n {
			c.send(post(echoForm("x")))
			c.expect(200, "x")
		}
	}
	call(4) // every agent answers once on each loop: both have reported
	before := busy.calls.Load()
	call(100)
	if got := busy.calls.Load() - before; got > 2 {
		t.Fatalf("the full agent got %d of 100 calls while its report was fresh", got)
	}
	// Stale: it is tried again, and its next answer says it has room.
	time.Sleep(reportStale + 50*time.Millisecond)
	full.Store(false)
	before = busy.calls.Load()
	call(100)
	if got := busy.calls.Load() - before; got < 40 {
		t.Fatalf("after its report went stale and it reported room, the agent got %d of 100 calls", got)
	}
}
