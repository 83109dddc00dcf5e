package main

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/metrics"
	"github.com/dubbomesh/dubbomesh/internal/server"
	"github.com/dubbomesh/dubbomesh/protocol/http1"
)

// Config is the consumer agent's configuration; main fills it from flags.
type Config struct {
	Listen string
	Loops  int
	// Timeout is the deadline of each call.
	Timeout time.Duration
	// Limits bounds request headers and bodies.
	Limits http1.Limits
	// ReadTimeout bounds the wait for the rest of a request that has begun
	// to arrive.
	ReadTimeout time.Duration
	// IdleTimeout closes client connections idle that long.
	IdleTimeout time.Duration
	// MaxPipeline bounds the requests one connection may have in flight;
	// reading from it pauses at the bound.
	MaxPipeline int
	// MaxInFlight bounds the calls in flight per event loop; past it calls
	// are answered 503.
	MaxInFlight int
	// Grace is how long the connections to a deregistered provider agent
	// stay open for the calls in flight on them.
	Grace time.Duration
	// AgentIdleTimeout is the quiet time before a heartbeat to a provider
	// agent; default 60s.
	AgentIdleTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.Loops < 1 {
		c.Loops = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = 3 * time.Second
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 5 * time.Minute
	}
	if c.MaxPipeline <= 0 {
		c.MaxPipeline = 128
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 16384
	}
	if c.Grace <= 0 {
		c.Grace = c.Timeout + time.Second
	}
}

// Agent is a running consumer agent: an HTTP server on netpoll and, per event
// loop, one connection to every provider agent.
type Agent struct {
	cfg    Config
	srv    *server.Server
	loops  []*loop
	next   atomic.Uint32
	routes atomic.Pointer[routeTable]
	m      *agentMetrics

	mu        sync.Mutex // guards endpoints and services, owned by Update
	endpoints map[string]*endpoint
	services  map[string]*service
	closed    bool
}

// New starts a consumer agent listening on cfg.Listen. It routes nothing
// until Update gives it provider agents.
func New(cfg Config) (*Agent, error) {
	cfg.setDefaults()
	server.Configure(cfg.Loops)
	a := &Agent{
		cfg:       cfg,
		m:         newAgentMetrics(),
		endpoints: map[string]*endpoint{},
		services:  map[string]*service{},
	}
	a.routes.Store(&routeTable{})
	for i := 0; i < cfg.Loops; i++ {
		a.loops = append(a.loops, newLoop(a, i))
	}
	a.m.register(a)
	srv, err := server.Listen(cfg.Listen, a.onRequest,
		netpoll.WithOnPrepare(a.onPrepare),
		netpoll.WithIdleTimeout(cfg.IdleTimeout),
		netpoll.WithReadTimeout(cfg.ReadTimeout),
	)
	if err != nil {
		a.closeLoops()
		return nil, err
	}
	a.srv = srv
	return a, nil
}

// Addr returns the address the agent listens on.
func (a *Agent) Addr() net.Addr { return a.srv.Addr() }

// Metrics returns the agent's counters.
func (a *Agent) Metrics() *metrics.Set { return a.m.set }

// Close stops accepting, closes every connection and fails the calls left.
func (a *Agent) Close() {
	a.srv.Shutdown(time.Second)
	a.mu.Lock()
	a.closed = true
	eps := a.endpoints
	a.endpoints = map[string]*endpoint{}
	a.mu.Unlock()
	for _, ep := range eps {
		ep.close()
	}
	a.closeLoops()
}

func (a *Agent) closeLoops() {
	for _, l := range a.loops {
		l.close()
	}
}

// connCtx carries a connection's *httpConn in its context.
type connCtx struct {
	context.Context
	hc *httpConn
}

func (a *Agent) onPrepare(conn netpoll.Connection) context.Context {
	l := a.loops[int(a.next.Add(1))%len(a.loops)]
	conn.SetWriteTimeout(5 * time.Second)
	a.m.conns.Inc()
	return &connCtx{Context: context.Background(), hc: newHTTPConn(l, conn, a.cfg.MaxPipeline)}
}
