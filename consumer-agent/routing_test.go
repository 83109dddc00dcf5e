package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/registry"
)

// pipeline sends n echo calls, "<prefix><i>", in one write and checks the n
// answers in order.
func pipeline(t *testing.T, c *client, prefix string, n int) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		b.WriteString(post(echoForm(fmt.Sprint(prefix, i))))
	}
	c.send(b.String())
	for i := range n {
		c.expect(200, fmt.Sprint(prefix, i))
	}
}

// TestWeightedRoundRobin: weights 1:3 split 400 calls exactly 100:300. Each
// loop balances on its own, and each loop sees a multiple of 4 calls.
func TestWeightedRoundRobin(t *testing.T) {
	light, heavy := newFake(t, echoPlan), newFake(t, echoPlan)
	a := startAgent(t, Config{})
	route(t, a, snapshot(echoIface, light.endpoint(echoIface, 1), heavy.endpoint(echoIface, 3)))
	// Two connections, one on each loop.
	cs := []*client{dial(t, a), dial(t, a)}
	for j := range 4 {
		for k, c := range cs {
			pipeline(t, c, fmt.Sprintf("c%d.%d.", k, j), 50)
		}
	}
	check(t, "calls at weight 1", light.calls.Load(), int64(100))
	check(t, "calls at weight 3", heavy.calls.Load(), int64(300))
	expectMetric(t, a, "consumer_agent_responses_200_total", 400)
	w, _ := metrics.Value(a.Metrics(), "consumer_agent_upstream_weight", "service", echoIface, "agent", heavy.addr())
	check(t, "consumer_agent_upstream_weight of the heavy agent", w, 3.0)

	// New weights apply to the calls that follow.
	route(t, a, snapshot(echoIface, light.endpoint(echoIface, 1), heavy.endpoint(echoIface, 1)))
	c := dial(t, a)
	pipeline(t, c, "even", 100)
	check(t, "calls at weight 1", light.calls.Load(), int64(150))
	check(t, "calls at weight 1 (was 3)", heavy.calls.Load(), int64(350))
}

// TestEndpointRemoved: a provider agent dropped by Update gets no new calls,
// its calls in flight still complete, and its connections close after Grace.
func TestEndpointRemoved(t *testing.T) {
	hold := func(*protocol.Request) reply { return reply{act: actHold} }
	leaving, staying := newFake(t, hold), newFake(t, echoPlan)
	a := startAgent(t, Config{Grace: time.Second})
	route(t, a, snapshot(echoIface, leaving.endpoint(echoIface, 1), staying.endpoint(echoIface, 1)))

	c := dial(t, a)
	var b strings.Builder
	for i := range 10 {
		b.WriteString(post(echoForm(fmt.Sprint("before", i))))
	}
	c.send(b.String())
	leaving.waitHeld(5)
	waitFor(t, "calls at the staying agent", func() bool { return staying.calls.Load() == 5 })

	// It leaves as a provider agent does: GOAWAY, then its key goes (an
	// agent whose key goes while its connections stay healthy is kept:
	// membership_test.go).
	leaving.goAway(t, a)
	route(t, a, snapshot(echoIface, staying.endpoint(echoIface, 1)))
	c2 := dial(t, a)
	pipeline(t, c2, "after", 20)
	check(t, "calls at the removed agent", leaving.calls.Load(), int64(5))
	check(t, "calls at the staying agent", staying.calls.Load(), int64(25))

	// The removed agent's calls in flight are answered, in order.
	leaving.releaseReverse()
	for i := range 10 {
		c.expect(200, fmt.Sprint("before", i))
	}
	waitFor(t, "the removed agent's connections to close", func() bool { return leaving.open.Load() == 0 })
	staying.waitOpen(2)
	c2.send(post(echoForm("later")))
	c2.expect(200, "later")

	// Dropping the interface altogether (its last agent leaving) makes it
	// unknown.
	staying.goAway(t, a)
	a.Update(nil)
	c2.send(post(echoForm("gone")))
	c2.expectError(503, "no provider agent is registered")
}

// TestHeartbeatFromProviderAgent: the agent answers a provider agent's ping
// with a pong carrying the same id, on every connection.
func TestHeartbeatFromProviderAgent(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	f.ping(77)
	for range 2 {
		select {
		case id := <-f.pongs:
			check(t, "pong id", id, uint32(77))
		case <-time.After(5 * time.Second):
			t.Fatal("no heartbeat reply")
		}
	}
	// Calls are unaffected.
	c := dial(t, a)
	c.send(post(echoForm("x")))
	c.expect(200, "x")
}

// TestHeartbeatToIdleProviderAgent: a quiet connection to a provider agent
// is pinged after AgentIdleTimeout, and the pongs keep it open (without
// them it would be closed after three times as long).
func TestHeartbeatToIdleProviderAgent(t *testing.T) {
	_, f := echoAgent(t, Config{AgentIdleTimeout: 150 * time.Millisecond}, echoPlan)
	waitFor(t, "pings", func() bool { return f.pings.Load() >= 4 })
	check(t, "connections", f.accepts.Load(), int64(2))
}

// TestConnectionRefused: a connection-level error frame (id 0) fails the
// calls on that connection with 502; the agent redials.
func TestConnectionRefused(t *testing.T) {
	a, f := echoAgent(t, Config{}, func(*protocol.Request) reply { return reply{act: actHold} })
	c := dial(t, a)
	c.send(post(echoForm("1")) + post(echoForm("2")))
	f.waitHeld(2)
	f.refuse(protocol.StatusBadFrame, "malformed frame")
	c.expectError(502, "lost")
	c.expectError(502, "lost")
	expectMetric(t, a, "consumer_agent_responses_502_total", 2)
	if metric(t, a, "consumer_agent_bad_frames_total") < 1 {
		t.Fatal("connection-level error not counted")
	}

	f.setPlan(echoPlan)
	route(t, a, snapshot(echoIface, f.endpoint(echoIface, 1)))
	c.send(post(echoForm("3")))
	c.expect(200, "3")
}

// otherIface is the second interface of the tests that route two.
const otherIface = "com.dubbomesh.demo.OtherService"

// twoServices starts an agent with a 100 ms Grace routing echoIface and
// otherIface to one fake provider agent, and makes a call to each on c; both is
// the snapshot that routes them.
func twoServices(t *testing.T) (a *Agent, f *fakeAgent, c *client, both registry.Snapshot) {
	f = newFake(t, echoPlan)
	a = startAgent(t, Config{Grace: 100 * time.Millisecond})
	both = snapshot(echoIface, f.endpoint(echoIface, 1))
	both[otherIface] = append(both[otherIface], f.endpoint(otherIface, 1))
	route(t, a, both)
	c = dial(t, a)
	c.send(post(form(otherIface, "echo", stringType, "o")) + post(echoForm("e")))
	c.expect(200, "o")
	c.expect(200, "e")
	return a, f, c, both
}

// TestUpdateSharedEndpoint: one provider agent serving two interfaces gets
// one connection per loop, and removing one interface keeps it for the
// other.
func TestUpdateSharedEndpoint(t *testing.T) {
	a, f, c, _ := twoServices(t)
	route(t, a, snapshot(otherIface, f.endpoint(otherIface, 1)))
	c.send(post(form(otherIface, "echo", stringType, "o2")) + post(echoForm("e2")))
	c.expect(200, "o2")
	c.expectError(503, echoIface)
	time.Sleep(200 * time.Millisecond) // past Grace: nothing must be closed
	f.waitOpen(2)
	check(t, "accepts", f.accepts.Load(), int64(2))
}

// TestServiceSeriesForgotten: a service that leaves the registry loses its
// response series a grace period later, unless it is back by then; the
// others keep theirs.
func TestServiceSeriesForgotten(t *testing.T) {
	a, f, c, both := twoServices(t)
	series := func(svc string) int {
		t.Helper()
		mfs, err := a.Metrics().Gather()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, mf := range mfs {
			if mf.GetName() != "consumer_agent_responses_total" {
				continue
			}
			for _, m := range mf.GetMetric() {
				if metrics.Label(m, "service") == svc {
					n++
				}
			}
		}
		return n
	}
	check(t, "series of the echo service", series(echoIface), len(codes)+1)

	// Gone and back within the grace period: kept, still counting.
	route(t, a, snapshot(otherIface, f.endpoint(otherIface, 1)))
	route(t, a, both)
	time.Sleep(300 * time.Millisecond)
	v, _ := metrics.Value(a.Metrics(), "consumer_agent_responses_total", "service", echoIface, "code", "200")
	check(t, "200s of the echo service back within grace", v, 1.0)

	// Gone for good: forgotten; the other service keeps its series.
	route(t, a, snapshot(otherIface, f.endpoint(otherIface, 1)))
	waitFor(t, "the echo service's series to go", func() bool { return series(echoIface) == 0 })
	check(t, "series of the other service", series(otherIface), len(codes)+1)

	// Back later: counted from zero.
	route(t, a, both)
	c.send(post(echoForm("e2")))
	c.expect(200, "e2")
	v, _ = metrics.Value(a.Metrics(), "consumer_agent_responses_total", "service", echoIface, "code", "200")
	check(t, "200s of the echo service, back", v, 1.0)
	expectMetric(t, a, "consumer_agent_responses_200_total", 2)
}
