package server

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestWorkersKeepABurst runs a burst of handlers that are all running at
// once, as a poller hands out the events of a busy epoll_wait on one P,
// then a second burst of the same size: the second must run on the workers
// the first left parked, without starting a goroutine (a new one grows its
// stack again to the handler's depth).
func TestWorkersKeepABurst(t *testing.T) {
	const burst = 512
	w := newWorkers()
	runBurst := func() {
		t.Helper()
		var started, done sync.WaitGroup
		gate := make(chan struct{})
		started.Add(burst)
		done.Add(burst)
		for range burst {
			w.run(context.Background(), func() {
				started.Done()
				<-gate
				done.Done()
			})
		}
		started.Wait()
		close(gate)
		done.Wait()
		for deadline := time.Now().Add(5 * time.Second); w.nidle.Load() < burst; {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d workers parked", w.nidle.Load(), burst)
			}
			time.Sleep(time.Millisecond)
		}
		// A worker counts itself idle just before it waits on the
		// channel; give the last ones time to get there.
		time.Sleep(50 * time.Millisecond)
	}
	runBurst()
	if n := w.started.Load(); n != burst {
		t.Fatalf("the first burst started %d workers, want %d", n, burst)
	}
	runBurst()
	// Without reuse the second burst would start 512; a worker the race
	// detector's scheduling keeps from its receive a moment longer may
	// still cost a start, and only that.
	if n := w.started.Load() - burst; n > burst/32 {
		t.Fatalf("the second burst started %d workers, want at most %d", n, burst/32)
	}
}
