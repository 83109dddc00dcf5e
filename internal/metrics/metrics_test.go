package metrics

import (
	"strings"
	"testing"

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
