package main

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/registry"
)

// A storm of snapshots is applied as its first at once, then its latest
// within updateGap; nothing in between, and nothing lost.
func TestCoalesce(t *testing.T) {
	var applied atomic.Int64
	var last atomic.Pointer[registry.Snapshot]
	update := coalesce(func(s registry.Snapshot) {
		applied.Add(1)
		last.Store(&s)
	})
	snap := func(w int) registry.Snapshot {
		return registry.Snapshot{echoIface: {{Interface: echoIface, Addr: "10.0.0.1:30000", Weight: w}}}
	}
	update(snap(1))
	if applied.Load() != 1 {
		t.Fatal("the first snapshot was not applied at once")
	}
	for w := 2; w <= 1000; w++ {
		update(snap(w))
	}
	deadline := time.Now().Add(2 * time.Second)
	for (*last.Load())[echoIface][0].Weight != 1000 {
		if time.Now().After(deadline) {
			t.Fatalf("the latest snapshot was not applied: weight %d", (*last.Load())[echoIface][0].Weight)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := applied.Load(); n > 3 {
		t.Fatalf("%d updates applied for a storm of 1000 within one gap", n)
	}
}
