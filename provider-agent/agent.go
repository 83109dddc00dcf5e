package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/internal/server"
	"github.com/dubbomesh/dubbomesh/internal/upstream"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// Config is the provider agent's configuration; main fills it from flags.
type Config struct {
	Listen         string
	Provider       string
	Loops          int
	Serialization  dubbo.Serialization
	DefaultTimeout time.Duration
	// FrameTimeout bounds the wait for the rest of a frame a consumer
	// agent began to send (default DefaultFrameTimeout): a peer that
	// stops mid-frame is cut off, and its buffered bytes freed.
	FrameTimeout time.Duration
	MaxInFlight  int
	// MaxProviderCalls bounds the calls the provider holds at once, over
	// all loops; past it calls wait in a queue of MaxQueue. 0 means no
	// bound.
	MaxProviderCalls int
	MaxQueue         int
	// MaxQueueBytes bounds the queue's frames in bytes as well (default
	// 64 MiB): a burst of large calls cannot hold more memory than this.
	MaxQueueBytes int
	// IdleTimeout is the quiet time after which the agent sends the
	// provider a heartbeat; default 60s.
	IdleTimeout time.Duration
	// PingInterval and PingTimeout are the liveness of the provider
	// connections (upstream.Config): a Dubbo heartbeat goes out when
	// calls are outstanding and nothing was read for PingInterval, and a
	// connection whose heartbeat goes unanswered for PingTimeout is
	// closed, failing its calls. Zero PingInterval: off.
	PingInterval, PingTimeout time.Duration
	// StallLimit, if positive, keeps a provider connection whose
	// heartbeat went unanswered while the provider's kernel acknowledged
	// it (a pause, not a death) for up to this long: it takes no new
	// call and its calls in flight run on to their deadlines
	// (upstream.Config.StallLimit). Zero: such a provider is dead at
	// PingTimeout, as any other.
	StallLimit time.Duration
	// Flush is the flush policy of the connections to the provider and of
	// those to consumer agents (batch.FlushPolicy; zero: inline).
	Flush batch.FlushPolicy
	// TLS, if set, makes the agent accept only mutual TLS 1.3 connections
	// whose client certificate chains to its CA (tls.go); nil: plaintext
	// on netpoll.
	TLS *mtls.Store
	// MaxConns bounds the consumer agent connections open at once, TLS
	// handshakes under way included (default DefaultMaxConns): past it a
	// new connection is refused (conncap.go).
	MaxConns int
	// Log receives the agent's log lines: the provider unreachable and
	// back, draining started and done, each once. Nil logs nothing.
	Log *slog.Logger
	// ParkBelow lets netpoll's idle pollers park while the process runs
	// fewer handlers a second than this (server.Park); once per process,
	// the first agent's setting holds. Zero means DefaultParkBelow;
	// negative never parks.
	ParkBelow int
	// ParkProcs is the process's GOMAXPROCS while its pollers park
	// (server.Park); once per process, like ParkBelow. Zero means
	// server.DefaultParkProcs; negative leaves GOMAXPROCS alone.
	ParkProcs int
}

// Agent is a running provider agent: a netpoll server for agent frames and,
// per event loop, one connection to the provider.
type Agent struct {
	cfg   Config
	srv   listener
	loops []*loop
	gate  *gate
	next  atomic.Uint32
	m     *agentMetrics
	// refusing is set in the second half of Drain: new calls are
	// answered StatusUnavailable (not sent, so consumer agents send them
	// elsewhere) so that those admitted can finish before the exit.
	refusing atomic.Bool
	// in holds the consumer agents' connections, for GOAWAY (goaway.go).
	in  inbound
	log *slog.Logger
	// peer is the loops' shared view of the provider: connections up,
	// reconnects, and the log of it unreachable and back.
	peer *upstream.Peer
	// open counts the consumer agent connections open; capLog limits
	// the log of those refused past MaxConns (conncap.go).
	open   atomic.Int64
	capLog *logging.Limiter
	// registered, once set by SetRegistration, says whether the agent's
	// registration is in etcd; regrants counts its lease regrants.
	registered atomic.Pointer[func() error]
	regrants   atomic.Pointer[func() uint64]
	// etcdUp, once set by SetEtcdHealth, says whether etcd answers.
	etcdUp atomic.Pointer[func() bool]
	// weigher, once set by SetWeigher, is what POST /weight changes.
	weigher atomic.Pointer[Weigher]
}

// New starts an agent: it dials the provider from every loop (in the
// background: calls fail with 502 until a connection is up) and starts
// accepting consumer agents.
func New(cfg Config) (*Agent, error) {
	if cfg.Loops < 1 {
		cfg.Loops = 1
	}
	if cfg.FrameTimeout <= 0 {
		cfg.FrameTimeout = DefaultFrameTimeout
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.DefaultTimeout <= 0 {
		cfg.DefaultTimeout = 3 * time.Second
	}
	if cfg.ParkBelow == 0 {
		cfg.ParkBelow = DefaultParkBelow
	}
	if cfg.ParkProcs == 0 {
		cfg.ParkProcs = server.DefaultParkProcs
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 8192
	}
	if cfg.MaxQueue <= 0 {
		cfg.MaxQueue = 4096
	}
	if cfg.MaxQueueBytes <= 0 {
		cfg.MaxQueueBytes = 64 << 20
	}
	if cfg.Serialization == 0 {
		cfg.Serialization = dubbo.Hessian2
	}
	server.Configure(cfg.Loops)
	server.Park(cfg.ParkBelow, cfg.ParkProcs)
	a := &Agent{cfg: cfg, m: newAgentMetrics(), log: logging.Or(cfg.Log), capLog: logging.NewLimiter(refusalLogEvery)}
	a.peer = upstream.NewPeer("provider", "provider", cfg.Provider, a.log)
	a.peer.Hold() // until it listens: a failed start logs only its error
	a.gate = newGate(cfg.MaxProviderCalls, cfg.MaxQueue, cfg.MaxQueueBytes, cfg.Loops)
	for i := 0; i < cfg.Loops; i++ {
		a.loops = append(a.loops, newLoop(a, i))
	}
	a.m.register(a)
	a.m.registerRegistry(a.etcdReachable, a.registration)
	var srv listener
	var err error
	if cfg.TLS != nil {
		srv, err = a.listenTLS()
	} else {
		srv, err = server.Listen(cfg.Listen, a.onRequest,
			netpoll.WithOnPrepare(a.onPrepare),
			netpoll.WithOnConnect(a.onConnect),
		)
	}
	if err != nil {
		a.peer.Closing()
		a.closeLoops()
		return nil, err
	}
	a.srv = srv
	a.peer.Start()
	return a, nil
}

// Port returns the TCP port the agent listens on.
func (a *Agent) Port() int { return a.srv.Port() }

// Metrics returns the agent's metrics registry, Go and process collectors
// included.
func (a *Agent) Metrics() *prometheus.Registry { return a.m.reg }

// SetEtcdHealth makes reachable (registry.Health.Reachable) the source of
// the provider_agent_etcd_reachable gauge, 0 until it is called. Call it
// before the first registration, which may wait for etcd.
func (a *Agent) SetEtcdHealth(reachable func() bool) {
	a.etcdUp.Store(&reachable)
}

// SetRegistration makes inPlace (registry.Registration.InPlace) the judge
// of the registration part of Ready, and of the registered gauge; regrants
// feeds the regrants counter. Until it is called, the agent is not ready
// (not registered yet) and the gauge and counter read 0.
func (a *Agent) SetRegistration(inPlace func() error, regrants func() uint64) {
	a.regrants.Store(&regrants)
	a.registered.Store(&inPlace)
}

// etcdReachable reports what SetEtcdHealth's function says; false before.
func (a *Agent) etcdReachable() bool {
	p := a.etcdUp.Load()
	return p != nil && (*p)()
}

// registration reports whether the registration is in place, and its
// lease regrants; false and 0 before SetRegistration.
func (a *Agent) registration() (inPlace bool, regrants uint64) {
	if p := a.regrants.Load(); p != nil {
		regrants = (*p)()
	}
	if p := a.registered.Load(); p != nil {
		inPlace = (*p)() == nil
	}
	return inPlace, regrants
}

// Ready reports whether the agent can serve: nil while a connection to
// the provider is up and not read-only (its graceful shutdown), it is not
// draining, and it has registered and its registration is in etcd, or
// etcd is unreachable (SetEtcdHealth), when consumer agents route by what
// they last saw; otherwise why not. It is safe for concurrent use.
func (a *Agent) Ready() error {
	if a.refusing.Load() {
		return errors.New("draining: new calls are refused")
	}
	suspended, stalled := 0, 0
	for _, l := range a.loops {
		if l.up.Suspended() {
			suspended++
		}
		if l.up.Stalled() {
			stalled++
		}
	}
	if suspended == len(a.loops) {
		return fmt.Errorf("provider %s is shutting down (a read-only event): no new call until it is back", a.cfg.Provider)
	}
	if stalled == len(a.loops) {
		return fmt.Errorf("provider %s stalled: its host acknowledges, it answers nothing (a pause?); no new call until it answers", a.cfg.Provider)
	}
	if !a.peer.Reachable() {
		return fmt.Errorf("provider %s unreachable", a.cfg.Provider)
	}
	p := a.registered.Load()
	if p == nil {
		return errors.New("not registered in etcd yet")
	}
	err := (*p)()
	if up := a.etcdUp.Load(); err != nil && up != nil && !(*up)() {
		// etcd is away, for every agent alike: consumer agents route
		// by what they last saw, and this agent serves them. Going
		// unready would take a whole fleet out of its load balancers
		// at once; provider_agent_registered still says 0.
		return nil
	}
	return err
}

// InFlight returns the number of calls waiting for the provider.
func (a *Agent) InFlight() int {
	n := 0
	for _, l := range a.loops {
		n += l.calls.Len()
	}
	return n
}

// Load returns the agent's load as its answers report it: the calls its
// provider holds plus those waiting in the gate for a provider thread,
// which are the calls in flight (InFlight). It is safe for concurrent use
// and does not allocate.
func (a *Agent) Load() int { return a.InFlight() }

// Drain keeps serving until no call has been in flight for a short while
// (consumer agents take a moment to see the deregistration), or until
// timeout. A consumer agent that has not seen it by half the timeout (its
// etcd watch may be reconnecting) still sends calls; from then on they are
// refused as unavailable, which it sends to another agent, so that the calls
// admitted can finish in the other half. It returns the calls still in
// flight.
func (a *Agent) Drain(timeout time.Duration) int {
	const quiet = 300 * time.Millisecond
	deadline := time.Now().Add(timeout)
	stopAdmitting := time.Now().Add(timeout / 2)
	idleSince := time.Now()
	for time.Now().Before(deadline) {
		if !a.refusing.Load() && time.Now().After(stopAdmitting) {
			a.refusing.Store(true)
			a.log.Info("draining: refusing new calls", "in_flight", a.InFlight())
		}
		if a.InFlight() > 0 {
			idleSince = time.Now()
		} else if time.Since(idleSince) >= quiet {
			return 0
		}
		time.Sleep(10 * time.Millisecond)
	}
	return a.InFlight()
}

// Close fails the calls left (StatusLost), closes the provider
// connections, then stops accepting and closes the consumer connections.
func (a *Agent) Close() {
	// Loops first, so that the failures reach the consumer agents before
	// their connections close.
	a.peer.Closing()
	a.closeLoops()
	a.srv.Shutdown(time.Second)
}

func (a *Agent) closeLoops() {
	for _, l := range a.loops {
		l.close()
	}
}

// DefaultFrameTimeout is Config.FrameTimeout's default: a whole frame of the
// largest size (16 MiB) crosses a 10 Mbit/s link within it.
const DefaultFrameTimeout = 30 * time.Second

// inConn is the state of one consumer agent's connection. Its handler runs
// on one goroutine at a time; w is shared with the loop's provider
// connection, which writes the answers.
type inConn struct {
	loop *loop
	w    *batch.Writer
	p    pass
	// behind is signalled as the peer reads answers it was behind on
	// (backlog.go).
	behind chan struct{}
	// goAwayOK is set when the peer's ping announced GOAWAY; goneAway
	// once one was sent (goaway.go).
	goAwayOK, goneAway atomic.Bool
}

// connCtx carries the *inConn in the connection's context.
type connCtx struct {
	context.Context
	c *inConn
}

func (a *Agent) onPrepare(conn netpoll.Connection) context.Context {
	if a.open.Add(1) > int64(a.cfg.MaxConns) && a.cfg.TLS == nil {
		a.open.Add(-1)
		return a.refuseConn(conn)
	}
	l := a.loops[int(a.next.Add(1))%len(a.loops)]
	c := &inConn{loop: l, p: pass{a: a}, behind: make(chan struct{}, 1)}
	c.w = batch.NewWriter(conn, func(err error) {
		if errors.Is(err, batch.ErrStalledPeer) {
			a.m.stalledPeers.Inc()
		}
	})
	a.cfg.Flush.Apply(c.w)
	c.w.Spill(peerWriteTimeout, c.caughtUp)
	conn.SetWriteTimeout(5 * time.Second)
	conn.SetReadTimeout(a.cfg.FrameTimeout)
	upstream.TuneTCP(conn, upstream.DefaultUserTimeout)
	a.m.conns.Inc()
	a.in.add(c)
	// A close callback, not netpoll's OnDisconnect, which runs only when
	// the peer hangs up: a connection the agent closes itself (a bad
	// frame, a refused version) is forgotten too.
	conn.AddCloseCallback(func(netpoll.Connection) error {
		a.m.disconnects.Inc()
		a.open.Add(-1)
		a.in.remove(c)
		return nil
	})
	return &connCtx{Context: context.Background(), c: c}
}
