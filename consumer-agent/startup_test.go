package main

import (
	"testing"
	"time"
)

// TestStartWait: a request that arrives before the agent has read etcd
// waits for a provider agent to call instead of failing; once the start-up
// wait is over, one with nowhere to go fails at once.
func TestStartWait(t *testing.T) {
	f := newFake(t, echoPlan)
	a := startAgent(t, Config{StartWait: time.Second})
	c := dial(t, a)
	c.send(post(echoForm("early")))
	time.Sleep(100 * time.Millisecond)
	route(t, a, snapshot(echoIface, f.endpoint(echoIface, 1)))
	c.expect(200, "early")

	time.Sleep(time.Until(time.Unix(0, a.startUntil)))
	start := time.Now()
	c.send(post(form("com.dubbomesh.demo.Unknown", "echo", stringType, "x")))
	c.expectError(503, "no provider agent is registered")
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("a request with nowhere to go took %v after the start-up wait", d)
	}
}
