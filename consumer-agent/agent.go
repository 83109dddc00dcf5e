package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/idle"
	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
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
	// ReadTimeout is how long a request may take to arrive whole, from its
	// first byte.
	ReadTimeout time.Duration
	// IdleTimeout closes client connections that read and answered nothing that long
	// and owe no answer.
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
	// StartWait is how long after New a request that finds no provider
	// agent to call waits for one (startup.go); default 2 s, at most
	// Timeout; negative: no wait.
	StartWait time.Duration
	// AgentIdleTimeout is the quiet time before a heartbeat to a provider
	// agent; default 60s.
	AgentIdleTimeout time.Duration
	// PingInterval and PingTimeout are the liveness of the connections to
	// provider agents (membership.go, upstream.Config): a ping when calls
	// are outstanding and nothing was read for PingInterval; no answer
	// within PingTimeout and the connection is dead. Zero PingInterval:
	// off (and no GOAWAY, which a provider agent sends only to peers whose
	// pings announce it).
	PingInterval, PingTimeout time.Duration
	// MaxConns bounds the client connections open at once; past it a new
	// connection is answered 503 and closed. Default DefaultMaxConns.
	MaxConns int
	// EjectRatio ejects a provider agent for a while when its estimated
	// latency exceeds EjectRatio times the fastest other one's (see
	// outlier.go). Zero means DefaultEjectRatio; negative turns ejection off.
	EjectRatio float64
	// ParkBelow lets netpoll's idle pollers park while the process runs
	// fewer handlers a second than this (server.Park); once per process,
	// the first agent's setting holds. Zero means DefaultParkBelow;
	// negative never parks.
	ParkBelow int
	// ParkProcs is the process's GOMAXPROCS while its pollers park
	// (server.Park); once per process, like ParkBelow. Zero means
	// server.DefaultParkProcs; negative leaves GOMAXPROCS alone.
	ParkProcs int
	// Flush is the flush policy of the connections to provider agents
	// (batch.FlushPolicy; zero: inline). Answers to clients are flushed
	// inline: each goes to a socket of its own.
	Flush batch.FlushPolicy
	// NoRetry turns off sending a call again to another provider agent
	// when the first one answers that no provider ran it (retry.go).
	NoRetry bool
	// PlainRoundRobin picks provider agents by the smooth weighted round
	// robin alone (--balance weights), not by shortest expected delay
	// (balance.go).
	PlainRoundRobin bool
	// TLS, if set, makes the links to provider agents mutual TLS 1.3
	// (tls.go), and only agents registered with "tls":true are dialed;
	// nil: plaintext netpoll links, to agents registered without it.
	TLS *mtls.Store
	// Log receives the agent's log lines: provider agents joining,
	// leaving, unreachable, sidelined, ejected and back, each change once.
	// Nil logs nothing.
	Log *slog.Logger
}

// DefaultEjectRatio is the default outlier ejection ratio.
const DefaultEjectRatio = 5

// DefaultParkBelow is the consumer agent's default --park-below: its idle
// pollers park, and it runs on --park-procs Ps, while it handles fewer
// than 30,000 events a second. Measured on the bench (docs/PERFORMANCE.md,
// "One P at light load"): it handles about 2 events per call, 500 to
// 20,000 a second from 16 to 512 connections; parked on one P it spent
// the same CPU per call as with blocking pollers on two Ps at 256
// connections and 11-20% less at 512. The bound keeps one P from
// becoming the bottleneck of a busier agent.
const DefaultParkBelow = 30000

// DefaultMaxConns is the default bound on open client connections.
const DefaultMaxConns = 16384

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
	if c.StartWait == 0 {
		c.StartWait = min(c.Timeout, maxStartWait)
	}
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.EjectRatio == 0 {
		c.EjectRatio = DefaultEjectRatio
	}
	if c.ParkBelow == 0 {
		c.ParkBelow = DefaultParkBelow
	}
	if c.ParkProcs == 0 {
		c.ParkProcs = server.DefaultParkProcs
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
	log    *slog.Logger
	clock  *clock
	// outlierSleep parks watchOutliers while no call is in flight.
	outlierSleep *idle.Sleeper
	stop         chan struct{}
	open         atomic.Int64 // client connections not yet closed, refused ones included
	discovered   atomic.Bool  // Update has run: etcd has been read once
	startUntil   int64        // UnixNano: the end of the start-up wait (startup.go)
	draining     atomic.Bool  // Drain has begun: answers close their connections (drain.go)
	closing      atomic.Bool  // Drain's last Timeout: requests are refused, not called (drain.go)

	mem membership // provider agents kept without their etcd key (membership.go)
	tls tlsState   // mode mismatches and handshake failures (tls.go)

	mu        sync.Mutex // guards endpoints and services, owned by Update
	endpoints map[string]*endpoint
	services  map[string]*service
	closed    bool
}

// inFlight returns the calls in flight on every loop.
func (a *Agent) inFlight() int {
	n := 0
	for _, l := range a.loops {
		n += l.calls.Len()
	}
	return n
}

// busy reports whether any loop has calls in flight: inFlight() > 0,
// stopping at the first (the clock asks at every tick).
func (a *Agent) busy() bool {
	for _, l := range a.loops {
		if l.calls.Len() > 0 {
			return true
		}
	}
	return false
}

// New starts a consumer agent listening on cfg.Listen. It routes nothing
// until Update gives it provider agents.
func New(cfg Config) (*Agent, error) {
	cfg.setDefaults()
	server.Configure(cfg.Loops)
	server.Park(cfg.ParkBelow, cfg.ParkProcs)
	a := &Agent{
		cfg:          cfg,
		m:            newAgentMetrics(),
		log:          logging.Or(cfg.Log),
		endpoints:    map[string]*endpoint{},
		services:     map[string]*service{},
		stop:         make(chan struct{}),
		clock:        newClock(),
		outlierSleep: idle.New(),
		startUntil:   time.Now().Add(cfg.StartWait).UnixNano(),
	}
	a.routes.Store(&routeTable{})
	for i := 0; i < cfg.Loops; i++ {
		a.loops = append(a.loops, newLoop(a, i))
	}
	go a.clock.run(a.stop, a.busy, a.outlierSleep.Wake)
	go a.watchOutliers(a.stop)
	a.m.register(a)
	a.startMembership()
	a.startTLS()
	srv, err := server.Listen(cfg.Listen, a.onRequest,
		netpoll.WithOnPrepare(a.onPrepare),
		netpoll.WithOnConnect(a.onConnect),
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

// Metrics returns the agent's metrics registry, Go and process collectors
// included; register more on it (main adds etcd's reachability).
func (a *Agent) Metrics() *prometheus.Registry { return a.m.reg }

// Ready reports whether the agent can serve calls: nil when some service
// has provider agents in etcd and at least one of them is connected;
// otherwise why not. It is safe for concurrent use.
func (a *Agent) Ready() error {
	rt := a.routes.Load()
	if len(rt.services) == 0 {
		return errors.New(a.noAgents(""))
	}
	known := 0
	for _, svc := range rt.services {
		for _, m := range svc.list() {
			known++
			for _, c := range m.ep.conns {
				if c.Writer() != nil {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("none of the %d provider agents known is connected", known)
}

// noAgents says why no provider agent is known for the interface iface
// ("": for any): etcd not read yet, agents left out for their TLS mode, or
// none registered.
func (a *Agent) noAgents(iface string) string {
	if !a.discovered.Load() {
		return "no provider agent known yet: etcd has not been read (consumer_agent_etcd_reachable says whether it answers)"
	}
	a.mu.Lock()
	n := a.tls.leftOut[iface]
	if iface == "" {
		n = len(a.tls.mismatched)
	}
	a.mu.Unlock()
	what := "for any service"
	if iface != "" {
		what = "for " + iface
	}
	if n > 0 {
		mode := "without TLS"
		if a.cfg.TLS == nil {
			mode = "with \"tls\":true"
		}
		return fmt.Sprintf("no provider agent %s in this agent's mode: %d registered %s are left out (consumer_agent_tls_mismatched_agents; the log says which flags to set)", what, n, mode)
	}
	if iface == "" {
		return "no provider agent known: etcd lists none for any service"
	}
	return "no provider agent is registered " + what
}

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
	close(a.stop)
	for _, l := range a.loops {
		l.close()
	}
}

// connCtx carries a connection's *httpConn in its context; refused, past
// MaxConns, has none.
type connCtx struct {
	context.Context
	hc *httpConn
}

// refused is the context of every connection past MaxConns.
var refused = &connCtx{Context: context.Background()}

// tooManyConns is the whole answer to a connection past MaxConns.
var tooManyConns = func() []byte {
	const msg = "too many connections"
	b := make([]byte, http1.ErrorSize(503, msg, http1.Close))
	http1.PutError(b, 503, msg, http1.Close)
	return b
}()

// onPrepare counts the connection and, below MaxConns, gives it an event loop
// and its HTTP state. It runs on the poller, so a refused connection is only
// marked here and answered in onConnect.
func (a *Agent) onPrepare(conn netpoll.Connection) context.Context {
	conn.SetWriteTimeout(5 * time.Second)
	a.m.conns.Inc()
	conn.AddCloseCallback(a.connClosed)
	if a.open.Add(1) > int64(a.cfg.MaxConns) {
		a.m.refused.Inc()
		return refused
	}
	l := a.loops[int(a.next.Add(1))%len(a.loops)]
	hc := newHTTPConn(l, conn, a.cfg.MaxPipeline)
	if ie, ok := conn.(netpoll.InputEnder); ok {
		// A client that shuts down its write side after its requests
		// still gets their answers (halfclose.go).
		ie.SetOnInputEnd(hc.inputEnded)
	}
	return &connCtx{Context: context.Background(), hc: hc}
}

// onConnect answers a connection refused by onPrepare with 503 and closes it
// without reading what it sent. Other connections pass through.
func (a *Agent) onConnect(ctx context.Context, conn netpoll.Connection) context.Context {
	if ctx == refused {
		w := conn.Writer()
		if _, err := w.WriteBinary(tooManyConns); err == nil {
			w.Flush()
		}
		conn.Close()
	}
	return ctx
}

// connClosed is every client connection's close callback.
func (a *Agent) connClosed(netpoll.Connection) error {
	a.open.Add(-1)
	return nil
}
