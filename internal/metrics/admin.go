package metrics

import (
	"strings"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/pprofhandler"
)

// Serve answers GET /metrics with s, GET /healthz with "ok" and
// /debug/pprof/ with Go's profiles on addr, until the listener fails. It
// blocks; run it on its own goroutine.
func Serve(addr string, s *Set) error {
	return fasthttp.ListenAndServe(addr, Handler(s))
}

// Handler returns the admin request handler for s.
func Handler(s *Set) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/metrics":
			ctx.SetContentType("text/plain; version=0.0.4")
			s.WriteTo(ctx)
		case "/healthz":
			ctx.SetBodyString("ok\n")
		default:
			if strings.HasPrefix(string(ctx.Path()), "/debug/pprof/") {
				pprofhandler.PprofHandler(ctx)
				return
			}
			ctx.Error("not found\n", fasthttp.StatusNotFound)
		}
	}
}
