package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// ErrGoroutineLine is returned for a goroutine profile whose first line is
// not "goroutine profile: total N".
var ErrGoroutineLine = errors.New("bench: not a goroutine profile header")

// maxSampleRows bounds the rows a sampler keeps. When it is reached every
// other row is dropped and the sampler keeps one tick in two from then on,
// so a run of any length keeps between maxSampleRows/2 and maxSampleRows
// evenly spaced rows (plus the final one).
const maxSampleRows = 256

// sampleTarget is one process the sampler watches. admin, if set, is the
// address of an agent's admin endpoint, whose goroutine profile gives the
// goroutine count; the bench's own process counts its goroutines directly.
type sampleTarget struct {
	name  string
	pid   int
	admin string
}

// samplePoint is one process's gauges at one tick; -1 marks a value that
// could not be read (the process exited, the admin did not answer).
type samplePoint struct {
	rssKiB, fds, threads, goroutines int64
}

// sampleRow is one tick: its offset from the sampler's start and a point
// per target, in target order.
type sampleRow struct {
	at     time.Duration
	points []samplePoint
}

// sampler reads every target's RSS, open file descriptors, threads and
// goroutines at its start, every interval, and once more when stopped. It
// runs on its own goroutine; stop must be called exactly once, by one
// goroutine, and hands over what it kept.
type sampler struct {
	every   time.Duration
	targets []sampleTarget
	start   time.Time
	quit    chan struct{}
	done    chan struct{}

	// Owned by the sampling goroutine until done is closed.
	rows   []sampleRow
	stride int // keep one tick in stride
	ticks  int // ticks seen
}

// startSampler starts sampling targets every d.
func startSampler(d time.Duration, targets []sampleTarget) *sampler {
	s := &sampler{every: d, targets: targets, start: time.Now(), stride: 1,
		quit: make(chan struct{}), done: make(chan struct{})}
	s.keep(s.read(0))
	go s.loop()
	return s
}

func (s *sampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			s.rows = append(s.rows, s.read(time.Since(s.start)))
			return
		case <-t.C:
			s.ticks++
			if s.ticks%s.stride == 0 {
				s.keep(s.read(time.Since(s.start)))
			}
		}
	}
}

// keep appends r, halving the rows kept (and doubling the stride) when
// the bound is reached.
func (s *sampler) keep(r sampleRow) {
	if len(s.rows) == maxSampleRows {
		s.rows, s.stride = decimate(s.rows), s.stride*2
	}
	s.rows = append(s.rows, r)
}

// decimate keeps rows 0, 2, 4... in place.
func decimate(rows []sampleRow) []sampleRow {
	n := 0
	for i := 0; i < len(rows); i += 2 {
		rows[n] = rows[i]
		n++
	}
	clear(rows[n:])
	return rows[:n]
}

// stop takes a last reading, ends the sampling and returns the samples.
func (s *sampler) stop() *samples {
	close(s.quit)
	<-s.done
	out := &samples{IntervalSec: (s.every * time.Duration(s.stride)).Seconds()}
	for _, r := range s.rows {
		out.OffsetsSec = append(out.OffsetsSec, math.Round(r.at.Seconds()*1000)/1000)
	}
	for i, tg := range s.targets {
		ps := procSeries{Name: tg.name, PID: tg.pid}
		for _, r := range s.rows {
			p := r.points[i]
			ps.RSSKiB = append(ps.RSSKiB, p.rssKiB)
			ps.FDs = append(ps.FDs, p.fds)
			ps.Threads = append(ps.Threads, p.threads)
			ps.Goroutines = append(ps.Goroutines, p.goroutines)
		}
		out.Procs = append(out.Procs, ps)
	}
	return out
}

// read samples every target, the admin endpoints concurrently so that the
// readings are close in time.
func (s *sampler) read(at time.Duration) sampleRow {
	r := sampleRow{at: at, points: make([]samplePoint, len(s.targets))}
	var wg sync.WaitGroup
	for i, tg := range s.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.points[i] = readPoint(tg)
		}()
	}
	wg.Wait()
	return r
}

// readPoint reads one target's gauges.
func readPoint(tg sampleTarget) samplePoint {
	p := samplePoint{rssKiB: -1, fds: -1, threads: -1, goroutines: -1}
	dir := filepath.Join("/proc", strconv.Itoa(tg.pid))
	if b, err := os.ReadFile(filepath.Join(dir, "status")); err == nil {
		if st, err := parseStatus(b); err == nil {
			p.rssKiB, p.threads = int64(st.rssKiB), int64(st.threads)
		}
	}
	if n, err := countFDs(filepath.Join(dir, "fd")); err == nil {
		p.fds = int64(n)
	}
	switch {
	case tg.pid == os.Getpid():
		p.goroutines = int64(runtime.NumGoroutine())
	case tg.admin != "":
		if n, err := scrapeGoroutines(tg.admin); err == nil {
			p.goroutines = int64(n)
		}
	}
	return p
}

// countFDs counts the entries of a /proc/<pid>/fd directory.
func countFDs(dir string) (int, error) {
	f, err := os.Open(dir)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	for {
		names, err := f.Readdirnames(1024)
		n += len(names)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// scrapeGoroutines reads the goroutine count from the first line of an
// admin endpoint's /debug/pprof/goroutine?debug=1, and no more of it.
func scrapeGoroutines(admin string) (int, error) {
	resp, err := adminClient.Get("http://" + admin + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return 0, fmt.Errorf("bench: goroutine profile of %s: status %d", admin, resp.StatusCode)
	}
	line, err := bufio.NewReaderSize(io.LimitReader(resp.Body, 128), 128).ReadSlice('\n')
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrGoroutineLine, line)
	}
	return parseGoroutineTotal(line)
}

// parseGoroutineTotal parses "goroutine profile: total N" (with or without
// its line end), the first line of a debug=1 goroutine profile.
func parseGoroutineTotal(line []byte) (int, error) {
	const prefix = "goroutine profile: total "
	rest, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r\n"), []byte(prefix))
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrGoroutineLine, line)
	}
	n, err := strconv.Atoi(string(rest))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %q", ErrGoroutineLine, line)
	}
	return n, nil
}

// samples is what a sampler kept over a phase; it is written as JSON.
// Values of -1 could not be read.
type samples struct {
	IntervalSec float64      `json:"interval_s"` // between kept ticks; grows when thinned
	OffsetsSec  []float64    `json:"t_s"`        // each row's time from the phase's start
	Procs       []procSeries `json:"processes"`
}

// procSeries is one process's gauges at every kept tick.
type procSeries struct {
	Name       string  `json:"name"`
	PID        int     `json:"pid"`
	RSSKiB     []int64 `json:"rss_kib"`
	FDs        []int64 `json:"fds"`
	Threads    []int64 `json:"threads"`
	Goroutines []int64 `json:"goroutines"` // -1 for processes without an admin endpoint
}

// trend summarizes one gauge's curve: the first, last, lowest and highest
// readable values and the least-squares slope per minute. ok is false when
// no value could be read.
type trend struct {
	first, last, min, max int64
	perMin                float64
	ok                    bool
}

// trendOf summarizes vs taken at offsets ts (seconds), skipping -1s.
func trendOf(ts []float64, vs []int64) trend {
	var tr trend
	var n, st, sv, stt, stv float64
	for i, v := range vs {
		if v < 0 || i >= len(ts) {
			continue
		}
		if !tr.ok {
			tr = trend{first: v, min: v, max: v, ok: true}
		}
		tr.last, tr.min, tr.max = v, min(tr.min, v), max(tr.max, v)
		t, fv := ts[i]/60, float64(v)
		n, st, sv, stt, stv = n+1, st+t, sv+fv, stt+t*t, stv+t*fv
	}
	if d := n*stt - st*st; n >= 2 && d > 0 {
		tr.perMin = (n*stv - st*sv) / d
	}
	return tr
}
