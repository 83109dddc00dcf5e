package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/lb"
)

// second is one sample of capacityMeter.observe over a whole second: the
// provider held load calls on average, each taking lat seconds.
func second(m *capacityMeter, load, lat float64) int {
	return m.observe(uint64(load/lat), load, 1)
}

func TestCapacityMeter(t *testing.T) {
	var m capacityMeter
	if got := second(&m, 10, 0.0625); got != 0 {
		t.Fatalf("below measureMinLoad: %d, want 0", got)
	}
	for range 5 {
		if got := second(&m, 100, 0.0625); got != 0 {
			t.Fatalf("no queue: %d, want 0", got)
		}
	}
	// 160 calls held, each 125 ms against a 62.5 ms base: 80 are served,
	// the rest wait.
	if got := second(&m, 160, 0.125); got != 80 {
		t.Fatalf("queueing: %d, want 80", got)
	}
	// Within the slack nothing waits: a load near the bound lets it grow.
	if got := second(&m, 75, 0.0625); got != 88 {
		t.Fatalf("no queue near the bound: %d, want 88", got)
	}
	// A light load says nothing about the bound.
	if got := second(&m, 30, 0.0625); got != 88 {
		t.Fatalf("light load: %d, want 88", got)
	}
	// Queueing again cuts it, never below lb.MeasureFloor.
	if got := second(&m, 20, 1); got != lb.MeasureFloor {
		t.Fatalf("deep queue: %d, want %d", got, lb.MeasureFloor)
	}
	// No answers in a second: nothing to judge.
	if got := m.observe(0, 0, 1); got != lb.MeasureFloor {
		t.Fatalf("no answers: %d, want %d", got, lb.MeasureFloor)
	}
}

func TestMovedEnough(t *testing.T) {
	for _, c := range []struct {
		reg, got int
		want     bool
	}{
		{0, 50, true}, {100, 110, true}, {100, 90, true}, {100, 109, false}, {100, 91, false}, {100, 0, true},
	} {
		if got := movedEnough(c.reg, c.got); got != c.want {
			t.Errorf("movedEnough(%d, %d) = %v, want %v", c.reg, c.got, got, c.want)
		}
	}
}

// capacitor records what measureCapacity registers.
type capacitor struct {
	mu  sync.Mutex
	cap int
	set []int
}

func (c *capacitor) SetCapacity(_ context.Context, n int) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cap = n
	c.set = append(c.set, n)
	return true, nil
}

func (c *capacitor) Capacity() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cap
}

// TestMeasureCapacityRegisters drives the meter through a real histogram,
// with 20 ms periods: a provider answering in 10 ms registers nothing; one
// whose answers take 40 ms at the same pace is queueing, and a capacity
// under the calls it held is registered.
func TestMeasureCapacityRegisters(t *testing.T) {
	const every = 20 * time.Millisecond
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "t", Buckets: prometheus.DefBuckets})
	c := &capacitor{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		measureCapacity(ctx, h, c, slog.New(slog.NewTextHandler(io.Discard, nil)), every)
		close(done)
	}()
	defer func() { cancel(); <-done }()

	// 100 answers per period: 10 ms each holds 50 calls on average.
	feed := func(lat float64, periods int) {
		for range periods {
			for range 100 {
				h.Observe(lat)
			}
			time.Sleep(every)
		}
	}
	feed(0.010, 15)
	if got := c.Capacity(); got != 0 {
		t.Fatalf("no queue: registered %d, want nothing", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.Capacity() == 0 && time.Now().Before(deadline) {
		feed(0.040, 5)
	}
	got := c.Capacity()
	// 40 ms at that pace is about 200 calls held, of which about 50 are
	// served at the 10 ms base; timer jitter moves both.
	if got < lb.MeasureFloor || got > 120 {
		t.Fatalf("queueing: registered %d, want a capacity in [%d, 120] (registered: %v)", got, lb.MeasureFloor, c.set)
	}
}
