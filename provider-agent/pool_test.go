package main

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// TestGateLearnsThePool: a provider whose pool (3) is smaller than
// --max-provider-calls (10) refuses the calls past it; the gate's limit
// falls to the pool from those refusals, and the next burst waits in the
// agent instead: every call answered, none refused.
func TestGateLearnsThePool(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	f.pool.Store(3)
	a := newAgent(t, f, func(c *Config) { c.Loops = 1; c.MaxProviderCalls = 10 })
	c := dial(t, a)
	burst := func(first uint32) (ok, over int) {
		for i := range uint32(10) {
			c.send(first+i, req("slow", "x"))
		}
		c.flush()
		return answeredOrOverloaded(t, c, 10)
	}
	ok, over := burst(1)
	if ok < 3 || over == 0 {
		t.Fatalf("first burst: %d answered, %d overloaded; want the pool's 3 answered and refusals", ok, over)
	}
	if got := metric(t, a, "provider_agent_provider_calls_limit"); got != 3 {
		t.Fatalf("limit %v after the refusals, want the pool's 3", got)
	}
	refusals := metric(t, a, "provider_agent_threadpool_exhausted_total")
	start := time.Now()
	if ok, over := burst(100); ok != 10 || over != 0 {
		t.Fatalf("second burst: %d answered, %d overloaded; want all 10 answered", ok, over)
	}
	if got := metric(t, a, "provider_agent_threadpool_exhausted_total"); got != refusals {
		t.Fatalf("%v more refusals in the second burst, want none", got-refusals)
	}
	// Three at a time, 100 ms each: four rounds.
	if d := time.Since(start); d < 350*time.Millisecond {
		t.Fatalf("10 calls through a pool of 3 took %v, want ≥ 400ms", d)
	}
	if w := metric(t, a, "provider_agent_waiting"); w != 0 {
		t.Fatalf("%v calls still waiting", w)
	}
}

// TestGateProbesUp: the limit rises by one a probeEvery while calls wait
// at it, never past the bound, and falls again at a refusal.
func TestGateProbesUp(t *testing.T) {
	g := newGate(4, 8, 1<<20, 1)
	g.total = 4
	g.refused()
	if g.currentLimit() != 3 {
		t.Fatalf("limit %d after a refusal with 4 held, want 3", g.currentLimit())
	}
	g.mu.Lock()
	g.probeLocked(g.moved + int64(probeEvery) - 1)
	early := g.limit
	g.probeLocked(g.moved + int64(probeEvery))
	up := g.limit
	for range 5 {
		g.probeLocked(g.moved + int64(probeEvery))
	}
	top := g.limit
	g.mu.Unlock()
	if early != 3 || up != 4 || top != 4 {
		t.Fatalf("limits %d, %d, %d: want 3 before probeEvery, 4 after, never past the bound 4", early, up, top)
	}
	g.total = 1
	g.refused()
	if g.currentLimit() != 1 {
		t.Fatalf("limit %d after a refusal with 1 held, want 1 (never 0)", g.currentLimit())
	}
}

// TestFollowLimitRegisters: a limit learned from refusals is registered as
// the capacity, once it settles; a move of less than a tenth is not.
func TestFollowLimitRegisters(t *testing.T) {
	g := newGate(200, 8, 1<<20, 1)
	c := &capacitor{cap: 200}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go followLimit(ctx, g, c, slog.New(slog.DiscardHandler), 50*time.Millisecond)
	g.total = 31
	g.refused()
	g.total = 30
	g.refused() // a second refusal in the burst: one write, of the settled 29
	deadline := time.Now().Add(2 * time.Second)
	for c.Capacity() != 29 {
		if time.Now().After(deadline) {
			t.Fatalf("capacity %d, want the learned 29 registered", c.Capacity())
		}
		time.Sleep(5 * time.Millisecond)
	}
	g.mu.Lock()
	g.probeLocked(g.moved + int64(probeEvery)) // 30: a move of less than a tenth
	g.mu.Unlock()
	time.Sleep(200 * time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.set) != 1 || c.cap != 29 {
		t.Fatalf("capacities registered %v, want only [29]", c.set)
	}
}
