package main

import (
	"sync"
	"testing"
	"time"
)

func TestLimiterThreads(t *testing.T) {
	l := newLimiter(3, 0)
	for i := range 3 {
		if !l.acquire() {
			t.Fatalf("acquire %d refused with %d of 3 threads busy", i, i)
		}
	}
	if l.acquire() {
		t.Fatal("acquire succeeded with every thread busy")
	}
	if got := l.inFlight(); got != 3 {
		t.Fatalf("inFlight = %d after a refusal, want 3", got)
	}
	l.release()
	if !l.acquire() {
		t.Fatal("acquire refused after a release")
	}
}

func TestLimiterThreadsConcurrent(t *testing.T) {
	const threads, goroutines, rounds = 8, 16, 2000
	l := newLimiter(threads, 0)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		held     int
		maxHeld  int
		accepted int
	)
	for range goroutines {
		wg.Go(func() {
			for range rounds {
				if !l.acquire() {
					continue
				}
				mu.Lock()
				held++
				maxHeld = max(maxHeld, held)
				accepted++
				mu.Unlock()
				mu.Lock()
				held--
				mu.Unlock()
				l.release()
			}
		})
	}
	wg.Wait()
	if maxHeld > threads {
		t.Fatalf("%d calls held threads at once, limit %d", maxHeld, threads)
	}
	if accepted == 0 || l.inFlight() != 0 {
		t.Fatalf("accepted %d, inFlight %d at the end", accepted, l.inFlight())
	}
}

func TestLimiterUnlimitedCapacity(t *testing.T) {
	l := newLimiter(10, 0)
	for _, now := range []int64{0, 5, 5, 1e9} {
		if got := l.start(now); got != now {
			t.Fatalf("start(%d) = %d, want no queueing", now, got)
		}
	}
}

func TestLimiterCapacityQueues(t *testing.T) {
	l := newLimiter(100, 20) // 20 calls/s: one 50 ms slot each
	const slot = int64(50 * time.Millisecond)
	// Ten calls arriving together start one slot apart.
	for i := range int64(10) {
		if got, want := l.start(0), i*slot; got != want {
			t.Fatalf("call %d starts at %d, want %d", i, got, want)
		}
	}
	// A call arriving after the queue drained starts at once...
	late := 20 * slot
	if got := l.start(late); got != late {
		t.Fatalf("call after idle starts at %d, want %d", got, late)
	}
	// ...and unused slots are not saved up.
	if got := l.start(late); got != late+slot {
		t.Fatalf("second call after idle starts at %d, want %d", got, late+slot)
	}
}

func TestLimiterCapacityRate(t *testing.T) {
	// Calls arriving faster than the capacity are admitted at the capacity.
	l := newLimiter(100, 2400)
	var last int64
	for i := range 2400 {
		last = l.start(int64(i) * int64(100*time.Microsecond)) // 10,000 calls/s offered
	}
	if d := time.Duration(last); d < 990*time.Millisecond || d > time.Second {
		t.Fatalf("the 2400th call starts at %v, want just under 1s", d)
	}
}

func TestLimiterAllocs(t *testing.T) {
	l := newLimiter(4, 1000)
	n := testing.AllocsPerRun(100, func() {
		if l.acquire() {
			l.start(0)
			l.release()
		}
	})
	if n != 0 {
		t.Fatalf("limiter allocates %v times per call", n)
	}
}

func BenchmarkLimiter(b *testing.B) {
	l := newLimiter(200, 2400)
	b.ReportAllocs()
	for b.Loop() {
		if l.acquire() {
			l.start(0)
			l.release()
		}
	}
}
