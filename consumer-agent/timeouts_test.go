package main

import (
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// TestSlowHeadersCutOff: a request must arrive whole within ReadTimeout of
// its first byte, however steadily the client drips it.
func TestSlowHeadersCutOff(t *testing.T) {
	a, _ := echoAgent(t, Config{ReadTimeout: 300 * time.Millisecond}, echoPlan)
	c := dial(t, a)
	req := post(echoForm("drip"))
	start := time.Now()
	closed := false
	for i := 0; i < len(req) && time.Since(start) < 3*time.Second; i++ {
		if _, err := c.nc.Write([]byte{req[i]}); err != nil {
			closed = true
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !closed {
		c.expectClosed()
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("a dripping client held the connection for %v; ReadTimeout is 300ms", d)
	}
	expectMetric(t, a, "consumer_agent_read_timeouts_total", 1)
}

// TestSlowButTimelyRequestsServed: the deadline is per request, so a client
// that sends each request within ReadTimeout is served however long it
// stays.
func TestSlowButTimelyRequestsServed(t *testing.T) {
	a, _ := echoAgent(t, Config{ReadTimeout: 400 * time.Millisecond}, echoPlan)
	c := dial(t, a)
	for i := 0; i < 4; i++ {
		req := post(echoForm("ok"))
		half := len(req) / 2
		c.send(req[:half])
		time.Sleep(150 * time.Millisecond)
		c.send(req[half:])
		c.expect(200, "ok")
	}
}

// TestIdleConnectionsClosed: a connection quiet for IdleTimeout is closed,
// unless an answer is still owed on it.
func TestIdleConnectionsClosed(t *testing.T) {
	a, f := echoAgent(t, Config{IdleTimeout: 200 * time.Millisecond, Timeout: 5 * time.Second}, echoPlan)
	quiet := dial(t, a)
	quiet.send(post(echoForm("x")))
	quiet.expect(200, "x")

	f.setPlan(func(*protocol.Request) reply { return reply{act: actDrop} })
	waiting := dial(t, a)
	waiting.send(post(echoForm("never answered")))

	start := time.Now()
	quiet.expectClosed()
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("idle connection closed after %v; IdleTimeout is 200ms", d)
	}
	waiting.expectOpen() // its answer is owed: not idle
	expectMetric(t, a, "consumer_agent_idle_closed_total", 1)
}

// A connection is idle from its last answer: a slow call's answer does not
// find its connection already past the idle timeout and close it.
func TestIdleFromLastAnswer(t *testing.T) {
	a, _ := echoAgent(t, Config{IdleTimeout: 300 * time.Millisecond, Timeout: 5 * time.Second}, func(*protocol.Request) reply {
		return reply{act: actEcho, delay: 500 * time.Millisecond}
	})
	c := dial(t, a)
	for i := range 2 {
		c.send(post(echoForm("slow")))
		c.expect(200, "slow")
		time.Sleep(100 * time.Millisecond)
		c.expectOpen()
		if i == 0 {
			check(t, "idle closed", metric(t, a, "consumer_agent_idle_closed_total"), 0.0)
		}
	}
}
