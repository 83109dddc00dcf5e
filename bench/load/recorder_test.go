package load

import (
	"sync"
	"testing"
	"time"
)

// within reports whether got is within hdr's three significant digits of want.
func within(got, want time.Duration) bool {
	d := got - want
	if d < 0 {
		d = -d
	}
	return d <= want/500+time.Microsecond
}

func TestPercentiles(t *testing.T) {
	r := newRecorder()
	r.reset(true)
	// 1..10000 ms spread over shards: p50 is 5000 ms, p99.9 is 9990 ms.
	for i := 1; i <= 10000; i++ {
		r.record(i, Correct, 200, time.Duration(i)*time.Millisecond)
	}
	c, _, h := r.freeze()
	res := Result{Correct: c.correct, Latency: h, Duration: 10 * time.Second}
	p := res.Percentiles()
	for _, x := range []struct {
		name      string
		got, want time.Duration
	}{
		{"p50", p.P50, 5000 * time.Millisecond},
		{"p90", p.P90, 9000 * time.Millisecond},
		{"p99", p.P99, 9900 * time.Millisecond},
		{"p99.9", p.P999, 9990 * time.Millisecond},
		{"max", p.Max, 10000 * time.Millisecond},
	} {
		if !within(x.got, x.want) {
			t.Errorf("%s = %v, want %v", x.name, x.got, x.want)
		}
	}
	eq(t, "qps", res.QPS(), 1000.0)
	eq(t, "empty", (&Result{}).Percentiles(), Percentiles{})
}

func TestRecorderWindow(t *testing.T) {
	r := newRecorder()
	r.reset(true)
	r.record(0, Correct, 200, time.Millisecond)
	r.record(1, Wrong, 200, time.Millisecond)
	r.record(2, Failed, 503, time.Millisecond)
	r.record(3, Failed, 0, time.Millisecond)
	r.record(4, Failed, 5000, time.Millisecond) // out of range status
	c, st, h := r.freeze()
	eq(t, "counts", c, counts{correct: 1, wrong: 1, failed: 3, ioErrors: 1})
	eq(t, "503s", st[503], int64(1))
	eq(t, "no answer", st[0], int64(1))
	eq(t, "recorded", h.TotalCount(), int64(5))
	// After freeze nothing is recorded.
	r.record(0, Correct, 200, time.Millisecond)
	eq(t, "after freeze", r.totals(), counts{correct: 1, wrong: 1, failed: 3, ioErrors: 1})
	r.reset(true)
	eq(t, "after reset", r.totals(), counts{})
}

func TestRecorderConcurrent(t *testing.T) {
	r := newRecorder()
	r.reset(true)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				r.record(g, Correct, 200, time.Duration(i)*time.Microsecond)
			}
		}()
	}
	wg.Wait()
	c, _, h := r.freeze()
	eq(t, "correct", c.correct, int64(8000))
	eq(t, "histogram", h.TotalCount(), int64(8000))
}

func BenchmarkRecord(b *testing.B) {
	r := newRecorder()
	r.reset(true)
	b.ReportAllocs()
	for b.Loop() {
		r.record(1, Correct, 200, 50*time.Millisecond)
	}
}
