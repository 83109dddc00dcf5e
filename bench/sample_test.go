package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"testing"
	"time"
)

func TestParseGoroutineTotal(t *testing.T) {
	for in, want := range map[string]int{
		"goroutine profile: total 17\n":  17,
		"goroutine profile: total 0":     0,
		"goroutine profile: total 9\r\n": 9,
	} {
		n, err := parseGoroutineTotal([]byte(in))
		noErr(t, err)
		eq(t, in, n, want)
	}
	for _, bad := range []string{"", "goroutine profile: total \n", "goroutine profile: total -1\n",
		"goroutine profile: total 1x\n", "heap profile: 1: 2 [3: 4] @ heap/1048576\n", "goroutine 1 [running]:\n"} {
		if _, err := parseGoroutineTotal([]byte(bad)); !errors.Is(err, ErrGoroutineLine) {
			t.Errorf("%q: error %v, want ErrGoroutineLine", bad, err)
		}
	}
}

func TestScrapeGoroutines(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	body := "goroutine profile: total 42\n" + string(make([]byte, 1<<20)) // the rest is not read
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/debug/pprof/goroutine" || r.URL.Query().Get("debug") != "1" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	n, err := scrapeGoroutines(ln.Addr().String())
	noErr(t, err)
	eq(t, "goroutines", n, 42)
	body = "nonsense\n"
	if _, err := scrapeGoroutines(ln.Addr().String()); !errors.Is(err, ErrGoroutineLine) {
		t.Fatalf("error %v, want ErrGoroutineLine", err)
	}
}

func TestReadPointSelf(t *testing.T) {
	f, err := os.Open(os.DevNull) // one more descriptor, held during the read
	noErr(t, err)
	defer f.Close()
	p := readPoint(sampleTarget{name: "self", pid: os.Getpid()})
	if p.rssKiB <= 0 || p.fds < 4 || p.threads < 1 || p.goroutines < 1 {
		t.Fatalf("point %+v", p)
	}
	// A process that does not exist reads as unknown, not as zero.
	eq(t, "gone", readPoint(sampleTarget{pid: 1 << 30}), samplePoint{-1, -1, -1, -1})
}

func TestCountFDs(t *testing.T) {
	dir := t.TempDir()
	for i := range 2500 { // more than one Readdirnames batch
		noErr(t, os.WriteFile(fmt.Sprintf("%s/%d", dir, i), nil, 0o644))
	}
	n, err := countFDs(dir)
	noErr(t, err)
	eq(t, "entries", n, 2500)
	if _, err := countFDs(dir + "/missing"); err == nil {
		t.Fatal("no error for a missing directory")
	}
}

// TestSamplerBounded drives the sampler's bookkeeping through many ticks:
// the rows kept stay within maxSampleRows and evenly spaced.
func TestSamplerBounded(t *testing.T) {
	s := &sampler{stride: 1, every: time.Second}
	for tick := 0; tick < 100*maxSampleRows; tick++ {
		if tick > 0 {
			s.ticks++
			if s.ticks%s.stride != 0 {
				continue
			}
		}
		s.keep(sampleRow{at: time.Duration(tick) * time.Second})
		if len(s.rows) > maxSampleRows {
			t.Fatalf("tick %d: %d rows kept", tick, len(s.rows))
		}
	}
	if len(s.rows) < maxSampleRows/2 {
		t.Fatalf("%d rows kept, want at least %d", len(s.rows), maxSampleRows/2)
	}
	eq(t, "first row", s.rows[0].at, time.Duration(0))
	step := s.rows[1].at - s.rows[0].at
	eq(t, "step", step, time.Duration(s.stride)*time.Second)
	for i := 1; i < len(s.rows); i++ {
		if d := s.rows[i].at - s.rows[i-1].at; d != step {
			t.Fatalf("rows %d and %d are %v apart, want %v", i-1, i, d, step)
		}
	}
	if cap(s.rows) > 2*maxSampleRows {
		t.Fatalf("capacity %d grew past the bound", cap(s.rows))
	}
}

func TestSamplerRuns(t *testing.T) {
	s := startSampler(10*time.Millisecond, []sampleTarget{{name: "self", pid: os.Getpid()}, {name: "gone", pid: 1 << 30}})
	time.Sleep(120 * time.Millisecond)
	out := s.stop()
	if len(out.OffsetsSec) < 5 || len(out.Procs) != 2 {
		t.Fatalf("%d rows, %d processes", len(out.OffsetsSec), len(out.Procs))
	}
	self, gone := out.Procs[0], out.Procs[1]
	for i := range out.OffsetsSec {
		if self.RSSKiB[i] <= 0 || self.FDs[i] <= 0 || self.Threads[i] <= 0 || self.Goroutines[i] <= 0 {
			t.Fatalf("row %d of self: rss %d fds %d threads %d goroutines %d", i,
				self.RSSKiB[i], self.FDs[i], self.Threads[i], self.Goroutines[i])
		}
		eq(t, "gone rss", gone.RSSKiB[i], int64(-1))
		if i > 0 && out.OffsetsSec[i] < out.OffsetsSec[i-1] {
			t.Fatalf("offsets %v not increasing", out.OffsetsSec)
		}
	}
	eq(t, "interval", out.IntervalSec, 0.01)
	runtime.KeepAlive(s)
}

func TestTrendOf(t *testing.T) {
	ts := []float64{0, 30, 60, 90, 120}
	tr := trendOf(ts, []int64{100, -1, 104, 106, 108}) // +4 a minute, one unread
	eq(t, "ok", tr.ok, true)
	eq(t, "first", tr.first, int64(100))
	eq(t, "last", tr.last, int64(108))
	eq(t, "min", tr.min, int64(100))
	eq(t, "max", tr.max, int64(108))
	if tr.perMin < 3.99 || tr.perMin > 4.01 {
		t.Fatalf("slope %v, want 4 a minute", tr.perMin)
	}
	eq(t, "flat", trendOf(ts, []int64{5, 5, 5, 5, 5}).perMin, 0.0)
	eq(t, "one point", trendOf(ts, []int64{-1, 7, -1, -1, -1}), trend{first: 7, last: 7, min: 7, max: 7, ok: true})
	eq(t, "none", trendOf(ts, []int64{-1, -1}), trend{})
}

func FuzzParseGoroutineTotal(f *testing.F) {
	f.Add([]byte("goroutine profile: total 17\n"))
	f.Add([]byte("goroutine profile: total 99999999999999999999\n"))
	f.Add([]byte("goroutine 1 [running]:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := parseGoroutineTotal(b)
		if err != nil && n != 0 || n < 0 {
			t.Fatalf("%d, %v", n, err)
		}
	})
}
