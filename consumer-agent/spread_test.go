package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// spreadRun drives 32 clients for d against two agents of equal weight, one
// answering after 40 ms and one after 5 ms, and returns the calls each got.
func spreadRun(t *testing.T, spread bool, d time.Duration) (slowCalls, fastCalls int64, a *Agent) {
	t.Helper()
	slow := newFake(t, func(*protocol.Request) reply { return reply{act: actEcho, delay: 40 * time.Millisecond} })
	fast := newFake(t, func(*protocol.Request) reply { return reply{act: actEcho, delay: 5 * time.Millisecond} })
	a = startAgent(t, Config{Spread: spread, EjectRatio: -1})
	route(t, a, snapshot(echoIface, slow.endpoint(echoIface, 1), fast.endpoint(echoIface, 1)))
	slow.waitOpen(2)
	fast.waitOpen(2)
	clients := startClosedLoop(t, a, 32)
	time.Sleep(d)
	check(t, "failed calls", clients.end(), int64(0))
	return slow.calls.Load(), fast.calls.Load(), a
}

// TestSpreadFollowsLoad: with spreading, the agent whose calls take longer
// gets fewer of them; without it, the round robin splits them evenly.
func TestSpreadFollowsLoad(t *testing.T) {
	s, f, _ := spreadRun(t, false, 500*time.Millisecond)
	t.Logf("round robin only: slow %d, fast %d", s, f)
	if s*10 < f*9 || f*10 < s*9 { // within 10% of each other
		t.Fatalf("round robin split %d:%d, want even", s, f)
	}
	s, f, a := spreadRun(t, true, 500*time.Millisecond)
	t.Logf("with spreading: slow %d, fast %d, spread %v", s, f, metric(t, a, "consumer_agent_spread_total"))
	// Unloaded, the fast agent takes two to three times the slow one's
	// calls; a busy machine slows the fast one too, so ask only for a split
	// well clear of round robin's even one.
	if s*4 > f*3 {
		t.Fatalf("with spreading the slow agent got %d calls against %d, want under 3/4", s, f)
	}
	if metric(t, a, "consumer_agent_spread_total") == 0 {
		t.Fatal("spread counter did not move")
	}
}

// TestSpreadKeepsOrderAtLightLoad: one client, calls one at a time: the
// round robin's order is kept exactly.
func TestSpreadKeepsOrderAtLightLoad(t *testing.T) {
	f1, f2 := newFake(t, echoPlan), newFake(t, echoPlan)
	a := startAgent(t, Config{Spread: true})
	route(t, a, snapshot(echoIface, f1.endpoint(echoIface, 1), f2.endpoint(echoIface, 3)))
	f1.waitOpen(2)
	f2.waitOpen(2)
	c := dial(t, a)
	for range 400 {
		c.send(post(echoForm("x")))
		c.expect(200, "x")
	}
	check(t, "split", fmt.Sprint(f1.calls.Load(), f2.calls.Load()), "100 300")
	expectMetric(t, a, "consumer_agent_spread_total", 0)
}
