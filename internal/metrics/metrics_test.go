package metrics

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/valyala/fasthttp"
)

// testRegistry returns a registry with one family of each kind the agents
// use, each with a sample.
func testRegistry() *prometheus.Registry {
	r := NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "x_total", Help: "x"})
	c.Inc()
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "calls_total", Help: "calls"}, []string{"agent"})
	v.WithLabelValues("a:1").Add(2)
	v.WithLabelValues("b:2").Add(3)
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "latency_seconds", Help: "latency", Buckets: LatencyBuckets}, []string{"agent"})
	h.WithLabelValues("a:1").Observe(0.055)
	g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "open", Help: "open"}, func() float64 { return 7 })
	r.MustRegister(c, v, h, g)
	return r
}

func get(t *testing.T, h fasthttp.RequestHandler, path string) (int, string) {
	t.Helper()
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI(path)
	h(&ctx)
	return ctx.Response.StatusCode(), string(ctx.Response.Body())
}

// TestMetricsParse reads /metrics with Prometheus's own text parser: every
// family has a # TYPE, histograms have their buckets, and the Go and
// process collectors are there.
func TestMetricsParse(t *testing.T) {
	status, body := get(t, Admin{Metrics: testRegistry()}.Handler(), "/metrics")
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	mfs, err := Check([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total", "process_open_fds"} {
		if mfs[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	if got := Sum(mfs["calls_total"]); got != 5 {
		t.Errorf("calls_total = %v, want 5", got)
	}
	if got := Sum(mfs["calls_total"], "agent", "b:2"); got != 3 {
		t.Errorf(`calls_total{agent="b:2"} = %v, want 3`, got)
	}
	if !strings.Contains(body, "# TYPE latency_seconds histogram\n") || !strings.Contains(body, `latency_seconds_bucket{agent="a:1",le="0.06"} 1`) {
		t.Errorf("histogram not exposed as expected:\n%s", body)
	}
}

func TestValue(t *testing.T) {
	r := testRegistry()
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"x_total", nil, 1},
		{"calls_total", nil, 5},
		{"calls_total", []string{"agent", "a:1"}, 2},
		{"calls_total", []string{"agent", "c:3"}, 0},
		{"latency_seconds", nil, 1},
		{"open", nil, 7},
	} {
		if v, ok := Value(r, c.name, c.labels...); !ok || v != c.want {
			t.Errorf("Value(%s %v) = %v %v, want %v", c.name, c.labels, v, ok, c.want)
		}
	}
	if _, ok := Value(r, "nope"); ok {
		t.Error("Value of a missing family reports ok")
	}
}

func TestReadyz(t *testing.T) {
	var why error
	h := Admin{Metrics: testRegistry(), Ready: func() error { return why }}.Handler()
	if status, body := get(t, h, "/readyz"); status != 200 || body != "ready\n" {
		t.Fatalf("ready: %d %q", status, body)
	}
	why = errors.New("provider 127.0.0.1:1 unreachable")
	if status, body := get(t, h, "/readyz"); status != 503 || !strings.Contains(body, "provider 127.0.0.1:1 unreachable") {
		t.Fatalf("not ready: %d %q", status, body)
	}
	if status, body := get(t, h, "/healthz"); status != 200 || body != "ok\n" {
		t.Fatalf("healthz while not ready: %d %q", status, body)
	}
	if status, _ := get(t, Admin{}.Handler(), "/readyz"); status != 200 {
		t.Fatalf("no Ready func: %d", status)
	}
	if status, _ := get(t, h, "/nope"); status != 404 {
		t.Fatalf("/nope: %d", status)
	}
}

func TestQuantile(t *testing.T) {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h", Buckets: LatencyBuckets})
	for i := 0; i < 98; i++ {
		h.Observe(0.052) // in (0.05, 0.06]
	}
	h.Observe(0.085) // in (0.08, 0.09]
	h.Observe(0.2)
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	if p50 := Quantile(0.5, m.Histogram); p50 < 0.05 || p50 > 0.06 {
		t.Errorf("p50 = %v, want within (0.05, 0.06]", p50)
	}
	if p99 := Quantile(0.99, m.Histogram); p99 < 0.08 || p99 > 0.09 {
		t.Errorf("p99 = %v, want within (0.08, 0.09]", p99)
	}
	merged := Merge(m.Histogram, m.Histogram)
	if merged.GetSampleCount() != 200 || Quantile(0.5, merged) != Quantile(0.5, m.Histogram) {
		t.Errorf("merged: count %d, p50 %v", merged.GetSampleCount(), Quantile(0.5, merged))
	}
	if !math.IsNaN(Quantile(0.5, &dto.Histogram{})) {
		t.Error("empty histogram's quantile is not NaN")
	}
}

func TestCheckRefuses(t *testing.T) {
	for _, text := range []string{
		"x_total 1\n",             // no # TYPE
		"# TYPE x counter\nx 1\n", // no # HELP
		"# HELP h h\n# TYPE h histogram\nh_sum 1\nh_count 1\n", // no bucket
		"not the format {\n",
	} {
		if _, err := Check([]byte(text)); err == nil {
			t.Errorf("Check accepts %q", text)
		}
	}
}

// TestAllocs holds the per-call operations the agents make to zero
// allocations: a counter's Inc, a labelled child's Inc and a histogram's
// Observe, all resolved in advance.
func TestAllocs(t *testing.T) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "c_total"})
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "v_total"}, []string{"agent"}).WithLabelValues("a:1")
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "h_seconds", Buckets: LatencyBuckets})
	if a := testing.AllocsPerRun(100, func() {
		c.Inc()
		v.Inc()
		h.Observe(0.05)
	}); a != 0 {
		t.Fatalf("%v allocs per call", a)
	}
}

func TestHandlerPprof(t *testing.T) {
	if status, _ := get(t, Admin{}.Handler(), "/debug/pprof/cmdline"); status != 200 {
		t.Fatalf("status %d", status)
	}
}

func TestHandlerPprofIndex(t *testing.T) {
	status, body := get(t, Admin{}.Handler(), "/debug/pprof/")
	if status != 200 || !strings.Contains(body, "goroutine") || !strings.Contains(body, "heap") {
		t.Fatalf("status %d, body %q", status, body)
	}
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/debug/pprof")
	Admin{}.Handler()(&ctx)
	if ctx.Response.StatusCode() != 301 || !strings.HasSuffix(string(ctx.Response.Header.Peek("Location")), "/debug/pprof/") {
		t.Fatalf("/debug/pprof: status %d, Location %q", ctx.Response.StatusCode(), ctx.Response.Header.Peek("Location"))
	}
}

// TestServe runs the admin endpoint on a real socket: the index of the
// profiles, a profile under it, /metrics, /healthz and /readyz.
func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Admin{Metrics: testRegistry(), Ready: func() error { return nil }}.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	for path, want := range map[string]string{
		"/debug/pprof/":                  "goroutine",
		"/debug/pprof":                   "goroutine", // redirected
		"/debug/pprof/goroutine?debug=1": "goroutine profile:",
		"/metrics":                       "x_total 1",
		"/healthz":                       "ok",
		"/readyz":                        "ready",
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body %.200q; want 200 with %q", path, resp.StatusCode, body, want)
		}
		if path == "/metrics" && resp.Header.Get("Content-Type") != ContentType {
			t.Errorf("/metrics Content-Type %q", resp.Header.Get("Content-Type"))
		}
	}
	// Nor does an error answer: fasthttp's RequestCtx.Error would reset
	// the header and turn the Date on again.
	resp, err := http.Get(base + "/nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Date") != "" {
		t.Errorf("GET /nope: %d, Date %q; want 404 without a Date", resp.StatusCode, resp.Header.Get("Date"))
	}
	// fasthttp's Date header would start a goroutine that wakes every
	// second for good.
	if buf := make([]byte, 1<<20); bytes.Contains(buf[:runtime.Stack(buf, true)], []byte("updateServerDate")) {
		t.Error("serving started fasthttp's once-a-second Date goroutine")
	}
	ln.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still running 5 s after its listener closed")
	}
}

// TestRegistryGOMAXPROCS checks the Go collector exposes the Ps the
// process runs on, the gauge the agents' --park-procs is read from.
func TestRegistryGOMAXPROCS(t *testing.T) {
	got, ok := Value(NewRegistry(), "go_sched_gomaxprocs_threads")
	if !ok {
		t.Fatal("no go_sched_gomaxprocs_threads")
	}
	if got != float64(runtime.GOMAXPROCS(0)) {
		t.Fatalf("go_sched_gomaxprocs_threads = %v, want %d", got, runtime.GOMAXPROCS(0))
	}
}
