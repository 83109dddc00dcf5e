package idle

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSleepUntilWake(t *testing.T) {
	s := New()
	stop := make(chan struct{})
	woke := make(chan bool)
	go func() { woke <- s.Sleep(stop, func() bool { return false }) }()
	for !s.Asleep() {
		time.Sleep(time.Millisecond)
	}
	select {
	case <-woke:
		t.Fatal("Sleep returned without a Wake")
	case <-time.After(20 * time.Millisecond):
	}
	s.Wake()
	if !<-woke {
		t.Fatal("Sleep reported stop after a Wake")
	}
	if s.Asleep() {
		t.Fatal("still asleep after Wake")
	}
}

func TestSleepStops(t *testing.T) {
	s := New()
	stop := make(chan struct{})
	close(stop)
	if s.Sleep(stop, nil) {
		t.Fatal("Sleep reported a Wake after stop")
	}
	if s.Asleep() {
		t.Fatal("asleep after stop")
	}
}

func TestSleepBusyReturnsAtOnce(t *testing.T) {
	s := New()
	if !s.Sleep(make(chan struct{}), func() bool { return true }) {
		t.Fatal("busy Sleep reported stop")
	}
	if s.Asleep() {
		t.Fatal("asleep after a busy Sleep")
	}
}

// TestNoLostWake races work arriving (a counter, then Wake) with the
// goroutine going to sleep (checking the counter in busy): every piece of
// work must be seen, however the two interleave.
func TestNoLostWake(t *testing.T) {
	s := New()
	stop := make(chan struct{})
	var work, seen atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			seen.Store(work.Load())
			if !s.Sleep(stop, func() bool { return work.Load() != seen.Load() }) {
				return
			}
		}
	}()
	for i := 1; i <= 20000; i++ {
		work.Add(1)
		s.Wake()
		if i%100 == 0 {
			deadline := time.Now().Add(5 * time.Second)
			for seen.Load() != int64(i) {
				if time.Now().After(deadline) {
					t.Fatalf("work %d never seen (seen %d)", i, seen.Load())
				}
				time.Sleep(10 * time.Microsecond)
			}
		}
	}
	close(stop)
	wg.Wait()
}

func TestWakeAllocatesNothing(t *testing.T) {
	s := New()
	if n := testing.AllocsPerRun(1000, s.Wake); n != 0 {
		t.Fatalf("Wake allocates %v times", n)
	}
}
