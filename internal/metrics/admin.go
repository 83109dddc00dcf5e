package metrics

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/logging"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"github.com/valyala/fasthttp/pprofhandler"
)

// Admin is what an agent's admin endpoint serves. Its fields are read by
// every request and must not change once Serve or Handler has it.
type Admin struct {
	// Metrics is served on /metrics in the Prometheus text format.
	Metrics prometheus.Gatherer
	// Ready, if set, says whether the agent can serve: nil, or the
	// reason it cannot, which /readyz answers with status 503. It is
	// called on the admin server's goroutines and must be safe for
	// concurrent use. Unset, /readyz answers like /healthz.
	Ready func() error
	// Routes, if set, serves more paths: each key is an exact path (e.g.
	// "/weight"), each handler runs on the admin server's goroutines and
	// must be safe for concurrent use. They cannot replace the paths
	// above.
	Routes map[string]fasthttp.RequestHandler
	// ReadTimeout and MaxConns override AdminReadTimeout and
	// AdminMaxConns when positive.
	ReadTimeout time.Duration
	MaxConns    int
}

// ContentType is the content type of /metrics: the Prometheus text format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Serve answers a's requests on ln (see Handler) until ln fails or is
// closed. It blocks; run it on its own goroutine. The caller listens
// first, so that an address in use fails its start rather than a goroutine
// later.
func (a Admin) Serve(ln net.Listener) error {
	readTimeout, conns := a.ReadTimeout, a.MaxConns
	if readTimeout <= 0 {
		readTimeout = AdminReadTimeout
	}
	if conns <= 0 {
		conns = AdminMaxConns
	}
	s := &fasthttp.Server{
		Handler: a.Handler(),
		// fasthttp's Date header comes from a goroutine that, from the
		// first response on, wakes every second for the rest of the
		// process, and fasthttp lets no handler set one of its own: an
		// idle agent scraped by Prometheus would wake for it. Admin
		// answers carry no Date (README, "Observability").
		NoDefaultDate: true,
		// The worker pool's sweep of idle workers wakes every this long.
		MaxIdleWorkerDuration: time.Minute,
		// A client that dribbles its request (a slowloris) or holds
		// connections open is cut off, and the connections are bounded:
		// the admin port shares the process's descriptors with the
		// data ports. Scrapers keep their connection between scrapes
		// (IdleTimeout); pprof profiles may take long to write, so
		// writes have no bound.
		ReadTimeout: readTimeout,
		IdleTimeout: AdminIdleTimeout,
		Concurrency: conns,
		Logger:      adminLogger{},
		// fasthttp's own answer to a broken or late request would reset
		// the header, and with it NoDefaultDate (see Error).
		ErrorHandler: requestError,
	}
	return s.Serve(ln)
}

// requestError answers a request fasthttp could not read, as its default
// handler does but through Error.
func requestError(ctx *fasthttp.RequestCtx, err error) {
	var small *fasthttp.ErrSmallBuffer
	var ne net.Error
	switch {
	case errors.As(err, &small):
		Error(ctx, "request header too large\n", fasthttp.StatusRequestHeaderFieldsTooLarge)
	case errors.As(err, &ne) && ne.Timeout():
		Error(ctx, "request timeout\n", fasthttp.StatusRequestTimeout)
	default:
		Error(ctx, "malformed request\n", fasthttp.StatusBadRequest)
	}
}

// The admin endpoint's bounds: a request must arrive whole within
// AdminReadTimeout, a kept-alive connection may wait AdminIdleTimeout for
// its next request, and at most AdminMaxConns connections are served at
// once (past it fasthttp answers 503 and closes). Admin's fields may set
// the first and the last.
const (
	AdminReadTimeout = 10 * time.Second
	AdminIdleTimeout = 2 * time.Minute
	AdminMaxConns    = 256
)

// adminLogger sends fasthttp's own lines (a client's broken request, the
// connection limit reached) to the process's log, at most one a
// adminLogEvery, instead of printing them raw on stderr.
type adminLogger struct{}

// adminLogEvery bounds adminLogger.
const adminLogEvery = 10 * time.Second

var adminLogLimit = logging.NewLimiter(adminLogEvery)

func (adminLogger) Printf(format string, args ...any) {
	if ok, repeated := adminLogLimit.Allow("admin"); ok {
		slog.Warn("admin endpoint", "line", logging.Clip(fmt.Sprintf(format, args...), 200), "repeated", repeated)
	}
}

// pprofIndex is net/http/pprof's index page, which lists the profiles.
// fasthttp's pprofhandler answers only the profiles under /debug/pprof/: it
// refuses every path ending in a slash, the index's own path included.
var pprofIndex = fasthttpadaptor.NewFastHTTPHandlerFunc(pprof.Index)

// Handler returns the admin request handler for a:
//
//   - GET /metrics: every metric of a.Metrics, with # HELP and # TYPE;
//   - GET /healthz: 200 "ok" while the process runs;
//   - GET /readyz: 200 "ready" when a.Ready says so, else 503 with the
//     reason;
//   - /debug/pprof/: the index of Go's profiles, and each profile under it;
//   - each path of a.Routes: its handler.
func (a Admin) Handler() fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		switch path := string(ctx.Path()); {
		case path == "/metrics":
			serveMetrics(ctx, a.Metrics)
		case path == "/healthz":
			ctx.SetContentType("text/plain; charset=utf-8")
			ctx.SetBodyString("ok\n")
		case path == "/readyz":
			ctx.SetContentType("text/plain; charset=utf-8")
			if a.Ready != nil {
				if err := a.Ready(); err != nil {
					ctx.SetStatusCode(fasthttp.StatusServiceUnavailable)
					ctx.SetBodyString("not ready: " + err.Error() + "\n")
					return
				}
			}
			ctx.SetBodyString("ready\n")
		case path == "/debug/pprof":
			ctx.Redirect("/debug/pprof/", fasthttp.StatusMovedPermanently)
		case path == "/debug/pprof/":
			pprofIndex(ctx)
		case strings.HasPrefix(path, "/debug/pprof/"):
			pprofhandler.PprofHandler(ctx)
		case a.Routes[path] != nil:
			a.Routes[path](ctx)
		default:
			Error(ctx, "not found\n", fasthttp.StatusNotFound)
		}
	}
}

// Error answers ctx with status and the text msg, keeping the headers set
// before (an Allow). Use it rather than fasthttp's RequestCtx.Error, which
// resets the response header and with it the server's NoDefaultDate: one
// error answer would start the once-a-second Date goroutine (see Serve).
func Error(ctx *fasthttp.RequestCtx, msg string, status int) {
	ctx.ResetBody()
	ctx.SetStatusCode(status)
	ctx.SetContentType("text/plain; charset=utf-8")
	ctx.SetBodyString(msg)
}

// serveMetrics answers /metrics. A collector that fails makes the scrape
// fail (500), as promhttp does by default: a partial scrape would read as
// counters gone missing.
func serveMetrics(ctx *fasthttp.RequestCtx, g prometheus.Gatherer) {
	if g == nil {
		Error(ctx, "no metrics\n", fasthttp.StatusNotFound)
		return
	}
	mfs, err := g.Gather()
	if err != nil {
		Error(ctx, "error gathering metrics: "+err.Error()+"\n", fasthttp.StatusInternalServerError)
		return
	}
	ctx.SetContentType(ContentType)
	if err := writeFamilies(ctx, mfs); err != nil {
		Error(ctx, "error encoding metrics: "+err.Error()+"\n", fasthttp.StatusInternalServerError)
	}
}
