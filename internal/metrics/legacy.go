// The hand-written Set, until both agents are on Prometheus registries.

package metrics

import (
	"fmt"
	"net"
	"strings"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/pprofhandler"
	"io"
	"sort"
	"sync"
	"sync/atomic"
)

// Counter is a monotonically increasing count. The zero value is ready to
// use and safe for concurrent use.
type Counter struct{ v atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Load returns the count.
func (c *Counter) Load() uint64 { return c.v.Load() }

// Set is a named group of counters and gauges. Register everything at start
// up; Write may run concurrently with counter updates.
type Set struct {
	mu     sync.Mutex
	names  []string
	values map[string]func() float64
	help   map[string]string
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{values: map[string]func() float64{}, help: map[string]string{}}
}

// Counter registers a new counter under name and returns it.
func (s *Set) Counter(name, help string) *Counter {
	c := new(Counter)
	s.add(name, help, func() float64 { return float64(c.Load()) })
	return c
}

// Gauge registers fn, read each time the set is written.
func (s *Set) Gauge(name, help string, fn func() float64) { s.add(name, help, fn) }

func (s *Set) add(name, help string, fn func() float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.values[name]; dup {
		panic("metrics: duplicate name " + name)
	}
	s.names = append(s.names, name)
	sort.Strings(s.names)
	s.values[name] = fn
	s.help[name] = help
}

// Value returns the current value of name and whether it exists.
func (s *Set) Value(name string) (float64, bool) {
	s.mu.Lock()
	fn, ok := s.values[name]
	s.mu.Unlock()
	if !ok {
		return 0, false
	}
	return fn(), true
}

// WriteTo writes every metric in the Prometheus text format, sorted by name.
func (s *Set) WriteTo(w io.Writer) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var total int64
	for _, name := range s.names {
		n, err := fmt.Fprintf(w, "# HELP %s %s\n%s %v\n", name, s.help[name], name, s.values[name]())
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Serve answers GET /metrics with s, GET /healthz with "ok" and
// /debug/pprof/ with Go's profiles (the index page and every profile under
// it) on ln, until ln fails or is closed. It blocks; run it on its own
// goroutine. The caller listens first, so that an address in use fails its
// start rather than a goroutine later.
func Serve(ln net.Listener, s *Set) error {
	return fasthttp.Serve(ln, Handler(s))
}

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
