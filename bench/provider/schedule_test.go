package main

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// completion records what the scheduler handed over.
type completion struct {
	due, at int64
	batch   int
}

func startScheduler(t *testing.T) (*scheduler, func() []completion) {
	t.Helper()
	var (
		mu   sync.Mutex
		got  []completion
		nbat int
	)
	s := newScheduler(newClock(), nil)
	s.complete = func(batch []*call) {
		at := s.clk.now()
		mu.Lock()
		nbat++
		for _, c := range batch {
			got = append(got, completion{due: c.due, at: at, batch: nbat})
		}
		mu.Unlock()
	}
	go s.run()
	t.Cleanup(s.stop)
	return s, func() []completion {
		mu.Lock()
		defer mu.Unlock()
		return append([]completion(nil), got...)
	}
}

func TestSchedulerCompletesInDueOrderNeverEarly(t *testing.T) {
	s, got := startScheduler(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 300
	// Every call is added before the first is due, so completions must
	// come in due order.
	base := s.clk.now() + int64(100*time.Millisecond)
	for range n {
		s.add(&call{due: base + int64(rng.IntN(80))*int64(time.Millisecond)})
	}
	cs := waitCompletions(got, n)
	if len(cs) != n {
		t.Fatalf("%d of %d calls completed", len(cs), n)
	}
	for i, c := range cs {
		if c.at < c.due {
			t.Fatalf("call %d completed %v early", i, time.Duration(c.due-c.at))
		}
		if i > 0 && c.due < cs[i-1].due {
			t.Fatalf("call %d (due %d) completed after a later one (due %d)", i, c.due, cs[i-1].due)
		}
	}
	if s.pending() != 0 {
		t.Fatalf("%d calls still pending", s.pending())
	}
}

func TestSchedulerBatchesCallsDueTogether(t *testing.T) {
	s, got := startScheduler(t)
	due := s.clk.now() + int64(20*time.Millisecond)
	for range 50 {
		s.add(&call{due: due})
	}
	cs := waitCompletions(got, 50)
	if len(cs) != 50 {
		t.Fatalf("%d of 50 calls completed", len(cs))
	}
	for _, c := range cs {
		if c.batch != cs[0].batch {
			t.Fatalf("calls due together completed in batches %d and %d", cs[0].batch, c.batch)
		}
	}
}

func TestSchedulerEarlierCallWakes(t *testing.T) {
	s, got := startScheduler(t)
	now := s.clk.now()
	s.add(&call{due: now + int64(time.Hour)})
	s.add(&call{due: now + int64(10*time.Millisecond)})
	cs := waitCompletions(got, 1)
	if len(cs) != 1 || cs[0].due != now+int64(10*time.Millisecond) {
		t.Fatalf("completed %+v, want only the 10ms call", cs)
	}
	if late := time.Duration(cs[0].at - cs[0].due); late > time.Second {
		t.Fatalf("the 10ms call completed %v late: the timer kept waiting for the 1h call", late)
	}
}

// waitCompletions polls got until n calls completed or 3 s passed.
func waitCompletions(got func() []completion, n int) []completion {
	deadline := time.Now().Add(3 * time.Second)
	for len(got()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return got()
}

func TestSchedulerHeapAllocs(t *testing.T) {
	s := newScheduler(newClock(), nil)
	calls := make([]*call, 64)
	for i := range calls {
		calls[i] = &call{due: int64(i * 7 % 64)}
	}
	fill := func() {
		s.mu.Lock()
		for _, c := range calls {
			s.push(c)
		}
		for len(s.heap) > 0 {
			s.pop()
		}
		s.mu.Unlock()
	}
	fill() // grow the heap once
	if n := testing.AllocsPerRun(100, fill); n != 0 {
		t.Fatalf("heap push/pop allocates %v times per round", n)
	}
}

func BenchmarkSchedulerHeap(b *testing.B) {
	s := newScheduler(newClock(), nil)
	calls := make([]*call, 256)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range calls {
		calls[i] = &call{due: rng.Int64N(1e9)}
	}
	s.mu.Lock()
	for _, c := range calls {
		s.push(c)
	}
	b.ReportAllocs()
	for b.Loop() { // one completion and one arrival at 256 calls in flight
		c := s.pop()
		c.due += 1e9
		s.push(c)
	}
	s.mu.Unlock()
}
