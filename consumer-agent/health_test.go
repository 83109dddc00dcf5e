package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

func TestHealthBackoff(t *testing.T) {
	var h health
	now := time.Now().UnixNano()
	if !h.usable(now) {
		t.Fatal("fresh endpoint sidelined")
	}
	h.fail(now)
	if h.usable(now + int64(sidelineMin) - 1) {
		t.Fatal("usable during the first pause")
	}
	if !h.usable(now + int64(sidelineMin)) {
		t.Fatal("still sidelined after the first pause")
	}
	for range 20 {
		h.fail(now)
	}
	if h.usable(now+int64(sidelineMax)-1) || !h.usable(now+int64(sidelineMax)) {
		t.Fatal("pause not capped at sidelineMax")
	}
	h.ok()
	h.fail(now)
	if !h.usable(now + int64(sidelineMin)) {
		t.Fatal("a success did not reset the backoff")
	}
}

// TestSidelineFailingAgent: a provider agent answering "overloaded" stops
// getting calls, except probes, while its healthy peer takes the rest; once
// it recovers it gets its share again.
func TestSidelineFailingAgent(t *testing.T) {
	over := func(*protocol.Request) reply {
		return reply{act: actFail, status: protocol.StatusOverloaded, msg: "busy"}
	}
	sick, well := newFake(t, over), newFake(t, echoPlan)
	a := startAgent(t, Config{NoRetry: true}) // sidelining alone; retry_test.go covers both
	route(t, a, snapshot(echoIface, sick.endpoint(echoIface, 1), well.endpoint(echoIface, 1)))
	c := dial(t, a)
	const n = 200
	failed := 0
	for i := range n {
		c.send(post(echoForm(fmt.Sprint("x", i))))
		resp, _ := c.read()
		if resp.StatusCode == 503 {
			failed++
		}
	}
	// Without sidelining half would fail; with it, only probes reach the
	// sick agent: one per pause, and the pauses double up to 1 s.
	if failed > 20 {
		t.Fatalf("%d of %d calls failed: the failing agent was not sidelined", failed, n)
	}
	check(t, "answered", int64(failed)+well.calls.Load(), int64(n))
	if v := metric(t, a, "consumer_agent_sidelined_total"); v != float64(failed) {
		t.Fatalf("sidelined %v, want %d", v, failed)
	}

	sick.setPlan(echoPlan)
	deadline := time.Now().Add(3 * time.Second)
	before := sick.calls.Load()
	for sick.calls.Load() < before+10 {
		if time.Now().After(deadline) {
			t.Fatal("the recovered agent did not get its share back")
		}
		c.send(post(echoForm("again")))
		c.expect(200, "again")
	}
}

// TestAllSidelinedStillServed: when every agent is sidelined, calls still go
// to the connected ones rather than failing outright.
func TestAllSidelinedStillServed(t *testing.T) {
	f := newFake(t, func(*protocol.Request) reply {
		return reply{act: actFail, status: protocol.StatusUnavailable, msg: "provider down"}
	})
	a := startAgent(t, Config{})
	route(t, a, snapshot(echoIface, f.endpoint(echoIface, 1)))
	c := dial(t, a)
	for range 5 {
		c.send(post(echoForm("x")))
		c.expectError(502, "provider down")
	}
	check(t, "calls reaching the only agent", f.calls.Load(), int64(5))
}
