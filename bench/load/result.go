package load

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Result is what a generator measured over one window. It is a value the
// caller owns.
type Result struct {
	Conns    int
	Duration time.Duration // length of the window
	Correct  int64         // 200 with the right answer
	Wrong    int64         // 200 with another body
	Failed   int64         // any other status, or no answer
	IOErrors int64         // of Failed: no answer (dial, reset, timeout, malformed)
	// Statuses counts the failed calls by status; key 0 is no answer.
	Statuses map[int]int64
	// Latency holds every call's latency in microseconds, whatever its
	// outcome.
	Latency *hdrhistogram.Histogram
}

// Calls returns the number of calls completed in the window.
func (r *Result) Calls() int64 { return r.Correct + r.Wrong + r.Failed }

// QPS returns correct answers per second: like the race's score, wrong
// answers and errors do not count.
func (r *Result) QPS() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Correct) / r.Duration.Seconds()
}

// Percentiles are latency summaries.
type Percentiles struct {
	P50, P90, P99, P999, Max time.Duration
}

// Percentiles returns p50, p90, p99, p99.9 and the maximum of the window's
// latencies (zero when nothing was recorded). Values are exact to three
// significant digits.
func (r *Result) Percentiles() Percentiles {
	h := r.Latency
	if h == nil || h.TotalCount() == 0 {
		return Percentiles{}
	}
	at := func(p float64) time.Duration {
		return time.Duration(h.ValueAtPercentile(p)) * time.Microsecond
	}
	return Percentiles{P50: at(50), P90: at(90), P99: at(99), P999: at(99.9),
		Max: time.Duration(h.Max()) * time.Microsecond}
}

// Progress is a running count for a progress line.
type Progress struct {
	Elapsed                time.Duration // since the window began
	Correct, Wrong, Failed int64
}

// QPS returns correct answers per second so far.
func (p Progress) QPS() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Correct) / p.Elapsed.Seconds()
}
