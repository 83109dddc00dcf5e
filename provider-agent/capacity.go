package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dubbomesh/dubbomesh/internal/tick"
	"github.com/dubbomesh/dubbomesh/lb"
)

// Measured capacity. An agent with --max-provider-calls has its bound to
// register: the provider's threads. One without (--max-provider-calls 0)
// registers what it measures its provider takes, once it has seen the
// provider queue: each second it reads the provider-time histogram, and by
// Little's law the calls answered in that second and their summed time give
// both the calls the provider held on average (summed time over the second)
// and their mean latency. Against a base, the least mean latency of the
// last minute, lb.Unwaited tells whether calls wait inside the provider
// (at a load of at least lb.MeasureMinLoad) and how many it holds without
// waiting, with the thresholds consumer agents measure by. The figure grows
// by a tenth a second while the provider holds nearly that many without
// waiting, and goes to etcd when it moves by a tenth or more, at most
// every capacityPuts seconds. Consumer agents still measure their own and
// use the smaller (consumer-agent/measured.go).
const (
	measureWindow = 60 // seconds of mean latencies the base is the least of
	capacityPuts  = 5
)

// capacityMeter turns per-second samples of the provider's answers into a
// capacity. It belongs to one goroutine.
type capacityMeter struct {
	lats     [measureWindow]float64 // mean latency (ns) of each second seen, a ring
	n        int                    // seconds seen
	measured int                    // 0: not measured
}

// observe takes one sample: calls answered in dt seconds, taking sum
// seconds in all, and returns the capacity measured so far (0: none).
func (m *capacityMeter) observe(calls uint64, sum, dt float64) int {
	if calls < lb.MeasureMinLoad || sum <= 0 || dt <= 0 {
		return m.measured
	}
	lat := sum / float64(calls) * 1e9 // nanoseconds, as lb.Unwaited takes
	load := sum / dt
	m.lats[m.n%measureWindow] = lat
	m.n++
	base := lat
	for _, l := range m.lats[:min(m.n, measureWindow)] {
		base = min(base, l)
	}
	n, waits := lb.Unwaited(load, lat, base)
	switch {
	case waits && load >= lb.MeasureMinLoad:
		m.measured = int(n)
	case m.measured > 0 && load >= 0.9*float64(m.measured):
		m.measured += max(m.measured/10, 1)
	}
	return m.measured
}

// Capacitor is what the meter changes: a *registry.Registration. Its
// methods must be safe for concurrent use.
type Capacitor interface {
	SetCapacity(ctx context.Context, capacity int) (inPlace bool, err error)
	Capacity() int
}

// measureCapacity samples h (the provider-time histogram) every period (a
// second in the agent; on the process's grid, never over less than half a
// period: tick.Window) until ctx ends, and registers the capacity measured
// through c, at most once every capacityPuts periods. For an agent with no
// bound of its own only.
func measureCapacity(ctx context.Context, h prometheus.Histogram, c Capacitor, lg *slog.Logger, every time.Duration) {
	var m capacityMeter
	t := time.NewTimer(tick.Window(time.Now(), every))
	defer t.Stop()
	lastCount, lastSum := histogramTotals(h)
	last := time.Now()
	var put time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			t.Reset(tick.Window(now, every))
			count, sum := histogramTotals(h)
			got := m.observe(count-lastCount, sum-lastSum, now.Sub(last).Seconds())
			lastCount, lastSum, last = count, sum, now
			reg := c.Capacity()
			if got == reg || now.Sub(put) < capacityPuts*every || !movedEnough(reg, got) {
				continue
			}
			put = now
			if err := setCapacity(ctx, c, got); err != nil {
				lg.Warn("measured capacity recorded but not yet in etcd", "capacity", got, "was", reg, "err", err)
				continue
			}
			lg.Info("measured capacity registered", "capacity", got, "was", reg)
		}
	}
}

// setCapacity registers capacity n through c, waiting for etcd at most
// weightTimeout.
func setCapacity(ctx context.Context, c Capacitor, n int) error {
	ctx, cancel := context.WithTimeout(ctx, weightTimeout)
	defer cancel()
	_, err := c.SetCapacity(ctx, n)
	return err
}

// movedEnough reports whether a capacity moved from reg to got by a tenth
// or more: smaller moves are not worth a write to etcd.
func movedEnough(reg, got int) bool {
	d := got - reg
	return reg == 0 || 10*max(d, -d) >= reg
}

// histogramTotals returns h's count and sum so far.
func histogramTotals(h prometheus.Histogram) (uint64, float64) {
	var d dto.Metric
	if err := h.Write(&d); err != nil || d.Histogram == nil {
		return 0, 0
	}
	return d.Histogram.GetSampleCount(), d.Histogram.GetSampleSum()
}
