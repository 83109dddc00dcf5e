package metrics

import (
	"net"
	"net/http/pprof"
	"strings"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"github.com/valyala/fasthttp/pprofhandler"
)

// Serve answers GET /metrics with s, GET /healthz with "ok" and
// /debug/pprof/ with Go's profiles (the index page and every profile under
// it) on ln, until ln fails or is closed. It blocks; run it on its own
// goroutine. The caller listens first, so that an address in use fails its
// start rather than a goroutine later.
func Serve(ln net.Listener, s *Set) error {
	return fasthttp.Serve(ln, Handler(s))
}

// pprofIndex is net/http/pprof's index page, which lists the profiles.
// fasthttp's pprofhandler answers only the profiles under /debug/pprof/: it
// refuses every path ending in a slash, the index's own path included.
var pprofIndex = fasthttpadaptor.NewFastHTTPHandlerFunc(pprof.Index)

// Handler returns the admin request handler for s.
func Handler(s *Set) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		switch path := string(ctx.Path()); {
		case path == "/metrics":
			ctx.SetContentType("text/plain; version=0.0.4")
			s.WriteTo(ctx)
		case path == "/healthz":
			ctx.SetBodyString("ok\n")
		case path == "/debug/pprof":
			ctx.Redirect("/debug/pprof/", fasthttp.StatusMovedPermanently)
		case path == "/debug/pprof/":
			pprofIndex(ctx)
		case strings.HasPrefix(path, "/debug/pprof/"):
			pprofhandler.PprofHandler(ctx)
		default:
			ctx.Error("not found\n", fasthttp.StatusNotFound)
		}
	}
}
