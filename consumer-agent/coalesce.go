package main

import (
	"sync"
	"time"

	"github.com/dubbomesh/dubbomesh/registry"
)

// updateGap is the least time between two routing updates: a storm of
// etcd writes (a script looping over puts, a key flipped hundreds of
// times a second) is applied as its latest state at most this often,
// rather than rebuilding the routes and redialing at every write.
const updateGap = 100 * time.Millisecond

// coalesce returns an update function that applies each snapshot with
// apply, the first at once, and after that at most one per updateGap: a
// snapshot that comes sooner waits, and is replaced by any later one. It
// is safe for concurrent use; apply runs on one goroutine at a time.
func coalesce(apply func(registry.Snapshot)) func(registry.Snapshot) {
	var (
		mu      sync.Mutex
		applyMu sync.Mutex
		latest  registry.Snapshot
		pending bool
		last    time.Time
	)
	run := func(s registry.Snapshot) {
		applyMu.Lock()
		defer applyMu.Unlock()
		apply(s)
	}
	flushNow := func() {
		mu.Lock()
		s := latest
		pending, last = false, time.Now()
		mu.Unlock()
		run(s)
	}
	return func(s registry.Snapshot) {
		mu.Lock()
		latest = s
		if pending {
			mu.Unlock()
			return
		}
		wait := updateGap - time.Since(last)
		if wait <= 0 {
			last = time.Now()
			mu.Unlock()
			run(s)
			return
		}
		pending = true
		time.AfterFunc(wait, flushNow)
		mu.Unlock()
	}
}
