package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/protocol"
)

func TestDrainWaitsForCalls(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	for i := range 10 {
		c.send(uint32(i+1), req("slow", "x")) // answered after 100 ms
	}
	c.flush()
	waitFor(t, "the calls to reach the provider", func() bool { return a.InFlight() == 10 })
	start := time.Now()
	if left := a.Drain(5 * time.Second); left != 0 {
		t.Fatalf("Drain left %d calls", left)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Fatalf("Drain returned after %v, before the calls and the quiet period were over", took)
	}
	got := c.collect(10)
	for id := uint32(1); id <= 10; id++ {
		expectOK(t, got[id], "120")
	}
}

// TestDrainRefusesLate: a call that still arrives in the second half of a
// drain (its consumer agent has not seen the deregistration) is refused as
// unavailable, which a consumer agent may send elsewhere; one admitted
// before is answered.
func TestDrainRefusesLate(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	c.send(1, req("slow", "x")) // answered after 100 ms
	c.flush()
	waitFor(t, "the call to reach the provider", func() bool { return a.InFlight() == 1 })
	done := make(chan int)
	go func() { done <- a.Drain(600 * time.Millisecond) }()
	expectOK(t, c.collect(1)[1], "120") // admitted, answered during the drain
	time.Sleep(400 * time.Millisecond)  // past half the timeout
	got := c.roundTrip(2, req("hash", "a"))
	expectError(t, got, protocol.StatusUnavailable, "shutting down")
	if left := <-done; left != 0 {
		t.Fatalf("Drain left %d calls", left)
	}
}

func TestDrainGivesUp(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := startAgent(t, f, func(c *Config) { c.DefaultTimeout = time.Minute })
	c := dial(t, a)
	c.send(1, req("hang", "x"))
	c.send(2, req("hang", "y"))
	c.flush()
	waitFor(t, "the calls to reach the provider", func() bool { return a.InFlight() == 2 })
	start := time.Now()
	if left := a.Drain(200 * time.Millisecond); left != 2 {
		t.Fatalf("Drain returned %d, want the 2 calls still in flight", left)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Drain took %v past its 200ms timeout", took)
	}
	// Close fails what is left.
	a.Close()
	got := c.collect(2)
	expectError(t, got[1], protocol.StatusLost, "")
	expectError(t, got[2], protocol.StatusLost, "")
}

func TestMetricsMove(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	before := metric(t, a, "provider_agent_connections_total")
	c := dial(t, a)
	for i := range 20 {
		c.send(uint32(i+1), req("hash", "x"))
	}
	c.send(21, req("boom", "x"))
	c.flush()
	c.collect(21)
	h := req("hang", "x")
	h.Timeout = 20
	c.roundTrip(22, h)
	c.c.Close()
	waitFor(t, "the disconnect", func() bool { return metric(t, a, "provider_agent_disconnects_total") == 1 })

	for name, want := range map[string]float64{
		"provider_agent_connections_total": before + 1,
		"provider_agent_requests_total":    22,
		"provider_agent_ok_total":          20,
		"provider_agent_exceptions_total":  1,
		"provider_agent_timeouts_total":    1,
		"provider_agent_inflight":          0,
		"provider_agent_bad_frames_total":  0,
	} {
		if got := metric(t, a, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	var out bytes.Buffer
	if err := metrics.WriteText(&out, a.Metrics()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\nprovider_agent_ok_total 20\n") {
		t.Fatalf("exposition lacks the ok counter:\n%s", out.String())
	}
}
