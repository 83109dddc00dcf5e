package main

import (
	"strconv"
	"testing"
	"time"
)

// TestMaxConns: past MaxConns a new connection is answered 503 at once and
// closed, whether or not it sent a request; the connections already open
// keep working, and once one closes a new one is served again.
func TestMaxConns(t *testing.T) {
	const max = 3
	a, _ := echoAgent(t, Config{MaxConns: max}, echoPlan)
	var open []*client
	for i := range max {
		c := dial(t, a)
		c.send(post(echoForm("open" + strconv.Itoa(i))))
		c.expect(200, "open"+strconv.Itoa(i))
		open = append(open, c)
	}
	expectMetric(t, a, "consumer_agent_open_connections", max)

	for i, sends := range []bool{false, true} {
		c := dial(t, a)
		start := time.Now()
		if sends {
			c.send(post(echoForm("refused")))
		}
		resp := c.expectError(503, "too many connections")
		if d := time.Since(start); d > time.Second {
			t.Errorf("refusal took %v", d)
		}
		check(t, "Connection: close", resp.Close, true)
		c.expectClosed()
		expectMetric(t, a, "consumer_agent_refused_connections_total", float64(i+1))
	}
	// Refused connections stop counting once closed.
	expectMetric(t, a, "consumer_agent_open_connections", max)
	expectMetric(t, a, "consumer_agent_responses_200_total", max)

	for i, c := range open {
		c.send(post(echoForm("still" + strconv.Itoa(i))))
		c.expect(200, "still"+strconv.Itoa(i))
	}
	open[0].nc.Close()
	expectMetric(t, a, "consumer_agent_open_connections", max-1)
	c := dial(t, a)
	c.send(post(echoForm("again")))
	c.expect(200, "again")
	expectMetric(t, a, "consumer_agent_open_connections", max)
	expectMetric(t, a, "consumer_agent_refused_connections_total", 2)
	expectMetric(t, a, "consumer_agent_connections_total", max+3)
}

// TestMaxConnsDefault: an unset MaxConns means DefaultMaxConns.
func TestMaxConnsDefault(t *testing.T) {
	var cfg Config
	cfg.setDefaults()
	check(t, "MaxConns", cfg.MaxConns, DefaultMaxConns)
}
