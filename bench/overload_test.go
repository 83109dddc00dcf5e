package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

// metricsServer serves /metrics with the consumer agent's refusal counters,
// which grow by 10 (refused) and 4 (503s) at every request.
func metricsServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	n := 0
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		fmt.Fprintf(w, "# TYPE x counter\nconsumer_agent_refused_connections_total %d\nconsumer_agent_responses_total{code=\"503\",service=\"s\"} %d\n", 10*n, 4*n)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestClassRecorderWindow(t *testing.T) {
	r := newClassRecorder(metricsServer(t))
	end := time.Now()
	r.Observe(0, load.Failed, 503, end, time.Second) // before the window: dropped
	r.begin()
	for i := range 100 {
		r.Observe(i, load.Correct, 200, end, time.Duration(i+1)*time.Millisecond)
	}
	r.Observe(1, load.Failed, 503, end, 200*time.Microsecond)
	r.Observe(2, load.Failed, 503, end, 300*time.Microsecond)
	r.Observe(3, load.Failed, 0, end, 5*time.Second)
	r.Observe(4, load.Wrong, 200, end, time.Millisecond)
	r.end()
	r.Observe(5, load.Failed, 503, end, time.Second) // after: dropped

	got := map[string]classStats{}
	for _, c := range r.classes() {
		got[c.Class] = c
	}
	eq(t, "classes", len(got), 4)
	eq(t, "ok calls", got["ok"].Calls, int64(100))
	if p := got["ok"].LatencyUs.P50; p < 49_000 || p > 51_000 {
		t.Errorf("ok p50 %dµs, want 50ms", p)
	}
	eq(t, "503 calls", got["503"].Calls, int64(2))
	eq(t, "503 max", got["503"].LatencyUs.Max, int64(300))
	eq(t, "conn calls", got["conn"].Calls, int64(1))
	eq(t, "wrong calls", got["wrong"].Calls, int64(1))
	eq(t, "refused over the window", r.growth("consumer_agent_refused_connections_total"), int64(10))
	eq(t, "503s over the window", r.growth(`consumer_agent_responses_total{code="503"}`), int64(4))
	eq(t, "missing counter", r.growth("nope"), int64(-1))

	r.begin() // a new window starts empty
	r.end()
	eq(t, "classes after a new window", len(r.classes()), 0)
}

func TestClassRecorderWithoutAdmin(t *testing.T) {
	r := newClassRecorder("")
	r.begin()
	r.end()
	eq(t, "growth", r.growth("consumer_agent_refused_connections_total"), int64(-1))
}

func TestClassRecorderObserveAllocatesNothing(t *testing.T) {
	r := newClassRecorder("")
	r.begin()
	end := time.Now()
	for name, f := range map[string]func(){
		"ok":      func() { r.Observe(3, load.Correct, 200, end, time.Millisecond) },
		"refused": func() { r.Observe(5, load.Failed, 503, end, time.Millisecond) },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("Observe (%s) allocates %v times", name, n)
		}
	}
}

func BenchmarkClassRecorderObserve(b *testing.B) {
	r := newClassRecorder("")
	r.begin()
	end := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Observe(i&511, load.Correct, 200, end, 5*time.Millisecond)
		i++
	}
}

func TestWriteOverloadTable(t *testing.T) {
	r := &overloadResults{Conns: 10000, Settings: settings{ConsumerArgs: []string{"--max-conns", "8192"}, DurationSec: 10, SampleSec: 5},
		Mesh: runStats{DurationSec: 10, QPS: 900, Calls: 1300, Correct: 900, Statuses: map[string]int64{"503": 300, "0": 60, "502": 40},
			Procs: []procCost{{Name: "consumer-agent", CPUSec: 5, PeakRSSKiB: 300 << 10}},
			Samples: &samples{IntervalSec: 5, OffsetsSec: []float64{0, 5, 10}, Procs: []procSeries{{Name: "consumer-agent",
				RSSKiB: []int64{1024, 2048, 3072}, FDs: []int64{9000, 9001, 9002}, Threads: []int64{9, 9, 9}, Goroutines: []int64{12, 12, 13}}}}},
		Classes:   []classStats{{Class: "503", Calls: 300, LatencyUs: latencyUs{P50: 250, P99: 1500}}},
		Consumer:  consumerCounts{Accepted: 310, Refused: 300, RefusedTotal: 2100, Answered503: 0},
		OpenFiles: map[string]uint64{"consumer-agent": 20000}}
	var b bytes.Buffer
	writeOverloadTable(&b, r)
	out := b.String()
	for _, want := range []string{"10000 connections to the consumer agent (--max-conns 8192)",
		"900.0   1300     900          0  300            40         60",
		"503    300   30.0  250µs", "300 refused past --max-conns (2100 since start)",
		"consumer-agent       0.50", "300.0 MiB", "20000",
		"1.0→3.0 [1.0..3.0]", "+12.00", "9000→9002 [9000..9002]"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestWriteSampleTable(t *testing.T) {
	var b bytes.Buffer
	writeSampleTable(&b, &results{Levels: []level{{Conns: 8}}})
	eq(t, "no samples, no table", b.Len(), 0)
	s := &samples{IntervalSec: 1, OffsetsSec: []float64{0, 60}, Procs: []procSeries{{Name: "ideal",
		RSSKiB: []int64{2048, 4096}, FDs: []int64{5, 5}, Threads: []int64{3, 4}, Goroutines: []int64{-1, -1}}}}
	writeSampleTable(&b, &results{Settings: settings{SampleSec: 1}, Levels: []level{{Conns: 8, Ideal: runStats{Target: "ideal", Samples: s}}}})
	out := b.String()
	for _, want := range []string{"every 1s", "ideal", "2.0→4.0 [2.0..4.0]", "+2.00", "5→5 [5..5]", "3→4 [3..4]"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}
