package main

import (
	"testing"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// TestAnswersReportLoad: every answer carries the agent's load, the calls
// at the provider plus those queued in the gate, the answered call not
// counted; an idle agent reports 0, and errors report too.
func TestAnswersReportLoad(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 1; c.MaxProviderCalls = 2 })
	c := dial(t, a)
	ans := c.roundTrip(1, req("hash", "a"))
	expectOK(t, ans, "97")
	if load, ok := ans.h.ReportedLoad(); !ok || load != 0 {
		t.Fatalf("idle agent's answer reports %d, %v; want 0, true", load, ok)
	}
	// Six slow calls through 2 threads: 2 at the provider, 4 queued. The
	// first answers leave with 5 still in flight, the last with 0.
	const n = 6
	for i := uint32(10); i < 10+n; i++ {
		c.send(i, req("slow", "x"))
	}
	c.flush()
	seen := map[int]int{}
	for range n {
		ans := c.next()
		if ans.h.Kind != protocol.KindResponse {
			t.Fatalf("id %d: %v %v %q", ans.h.ID, ans.h.Kind, ans.h.Status, ans.body)
		}
		load, ok := ans.h.ReportedLoad()
		if !ok {
			t.Fatalf("answer %d carries no load", ans.h.ID)
		}
		seen[load]++
	}
	for load := range n {
		if seen[load] != 1 {
			t.Fatalf("loads reported %v, want each of 0..5 once", seen)
		}
	}
	// An error answer reports too.
	ans = c.roundTrip(20, req("boom"))
	if ans.h.Kind != protocol.KindError {
		t.Fatalf("boom: %v %q", ans.h.Kind, ans.body)
	}
	if _, ok := ans.h.ReportedLoad(); !ok {
		t.Fatal("the error frame carries no load")
	}
}
