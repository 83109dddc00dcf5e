package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/registry"
)

// TestScrapeWithManyAgents: with more per-agent series than the registry's
// channel holds, a scrape must not wait on the agent's mutex while the
// registry evaluates a gauge that takes it (it deadlocked the agent at
// about 100 agents known).
func TestScrapeWithManyAgents(t *testing.T) {
	a := startAgent(t, Config{})
	var eps []registry.Endpoint
	for i := range 300 {
		eps = append(eps, registry.Endpoint{Interface: echoIface, Addr: fmt.Sprintf("127.0.0.1:%d", 1+i), Weight: 1})
	}
	a.Update(snapshot(echoIface, eps...))
	done := make(chan error, 1)
	go func() {
		for range 5 {
			if _, err := a.Metrics().Gather(); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a scrape hung")
	}
	// The mutex is free: updates and the watchers can take it.
	a.mu.Lock()
	a.mu.Unlock()
}
