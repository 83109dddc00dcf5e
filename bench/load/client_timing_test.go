package load

import (
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// These benchmarks compare the two candidate clients on the same server and
// the same calls: raw (this package's worker) and fasthttp's HostClient with
// MaxConns = conns and MaxIdemponentCallAttempts = 1. Both run in this
// process beside the same minimal server (cheapServer), so the difference in
// cpu-ns/op (user + system CPU of the whole process per call) is the
// difference between the clients.
const timingConns = 16

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// drive runs b.N calls split over timingConns goroutines, each calling
// newCall() once for its own call function, and reports cpu-ns/op.
func drive(b *testing.B, newCall func() func() bool) {
	var wg sync.WaitGroup
	per := b.N/timingConns + 1
	calls := make([]func() bool, timingConns)
	for i := range calls {
		calls[i] = newCall()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuNow()
	for i := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < per; n++ {
				if !calls[i]() {
					b.Error("bad answer")
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(cpuNow()-cpu)/float64(per*timingConns), "cpu-ns/op")
}

func BenchmarkClientRaw(b *testing.B) {
	addr := cheapServer(b)
	g := &Generator{cfg: Config{Addr: addr, Conns: timingConns, Timeout: 10 * time.Second}, rec: newRecorder()}
	g.rec.reset(true)
	id := 0
	drive(b, func() func() bool {
		id++
		w := &worker{g: g, id: id, params: NewParams(uint64(id)), param: make([]byte, 0, MaxParamLen),
			req: make([]byte, 0, 4096), scratch: make([]byte, 0, 16), rr: NewResponseReader(nil, 16<<10)}
		return func() bool {
			if w.conn == nil && !w.dial() {
				return false
			}
			w.call()
			return w.conn != nil
		}
	})
	c := g.rec.totals()
	if c.failed+c.wrong > 0 {
		b.Fatalf("counts %+v", c)
	}
}

func BenchmarkClientFasthttp(b *testing.B) {
	addr := cheapServer(b)
	hc := &fasthttp.HostClient{Addr: addr, MaxConns: timingConns, MaxIdemponentCallAttempts: 1,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	rec := newRecorder()
	rec.reset(true)
	id := 0
	drive(b, func() func() bool {
		id++
		params := NewParams(uint64(id))
		param := make([]byte, 0, MaxParamLen)
		body := make([]byte, 0, 4096)
		scratch := make([]byte, 0, 16)
		req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		req.SetRequestURI("http://" + addr + "/")
		req.Header.SetMethod("POST")
		req.Header.SetContentType("application/x-www-form-urlencoded")
		return func() bool {
			param = params.Append(param[:0])
			body = append(append(body[:0], formPrefix...), param...) // alphanumeric: no escaping
			req.SetBodyRaw(body)
			start := time.Now()
			if err := hc.Do(req, resp); err != nil {
				return false
			}
			// Record as the raw worker does, so only the clients differ.
			o := Check(resp.StatusCode(), resp.Body(), param, scratch)
			rec.record(id, o, resp.StatusCode(), time.Since(start))
			return o == Correct
		}
	})
}
