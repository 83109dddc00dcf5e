package metrics

import (
	"github.com/valyala/fasthttp"
)

// Serve answers GET /metrics with s and GET /healthz with "ok" on addr,
// until the listener fails. It blocks; run it on its own goroutine.
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
			ctx.Error("not found\n", fasthttp.StatusNotFound)
		}
	}
}
