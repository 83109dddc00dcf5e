package metrics

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestSetWrite(t *testing.T) {
	s := NewSet()
	c := s.Counter("calls_total", "calls")
	s.Gauge("inflight", "calls in flight", func() float64 { return 3 })
	c.Inc()
	c.Add(2)
	var b strings.Builder
	s.WriteTo(&b)
	want := "# HELP calls_total calls\ncalls_total 3\n# HELP inflight calls in flight\ninflight 3\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
	if v, ok := s.Value("calls_total"); !ok || v != 3 {
		t.Fatalf("Value = %v %v", v, ok)
	}
}

func TestHandler(t *testing.T) {
	s := NewSet()
	s.Counter("x_total", "x").Inc()
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/metrics")
	Handler(s)(&ctx)
	if !strings.Contains(string(ctx.Response.Body()), "x_total 1") {
		t.Fatalf("body %q", ctx.Response.Body())
	}
	ctx.Request.SetRequestURI("/nope")
	ctx.Response.Reset()
	Handler(s)(&ctx)
	if ctx.Response.StatusCode() != 404 {
		t.Fatalf("status %d", ctx.Response.StatusCode())
	}
}

func TestCounterAllocs(t *testing.T) {
	var c Counter
	if a := testing.AllocsPerRun(100, c.Inc); a != 0 {
		t.Fatalf("allocs %v", a)
	}
}

func TestHandlerPprof(t *testing.T) {
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/debug/pprof/cmdline")
	Handler(NewSet())(&ctx)
	if ctx.Response.StatusCode() != 200 {
		t.Fatalf("status %d", ctx.Response.StatusCode())
	}
}

func TestHandlerPprofIndex(t *testing.T) {
	var ctx fasthttp.RequestCtx
	ctx.Request.SetRequestURI("/debug/pprof/")
	Handler(NewSet())(&ctx)
	body := string(ctx.Response.Body())
	if ctx.Response.StatusCode() != 200 || !strings.Contains(body, "goroutine") || !strings.Contains(body, "heap") {
		t.Fatalf("status %d, body %q", ctx.Response.StatusCode(), body)
	}
	ctx.Request.SetRequestURI("/debug/pprof")
	ctx.Response.Reset()
	Handler(NewSet())(&ctx)
	if ctx.Response.StatusCode() != 301 || !strings.HasSuffix(string(ctx.Response.Header.Peek("Location")), "/debug/pprof/") {
		t.Fatalf("/debug/pprof: status %d, Location %q", ctx.Response.StatusCode(), ctx.Response.Header.Peek("Location"))
	}
}

// TestServe runs the admin endpoint on a real socket: the index of the
// profiles, a profile under it, /metrics and /healthz.
func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSet()
	s.Counter("x_total", "x").Inc()
	done := make(chan error, 1)
	go func() { done <- Serve(ln, s) }()
	base := "http://" + ln.Addr().String()
	for path, want := range map[string]string{
		"/debug/pprof/":                  "goroutine",
		"/debug/pprof":                   "goroutine", // redirected
		"/debug/pprof/goroutine?debug=1": "goroutine profile:",
		"/metrics":                       "x_total 1",
		"/healthz":                       "ok",
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
	}
	ln.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve still running 5 s after its listener closed")
	}
}
