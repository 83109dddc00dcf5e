package upstream

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
	"github.com/dubbomesh/dubbomesh/internal/server"
)

// Config describes one upstream connection.
type Config struct {
	// Addr is the host:port to dial.
	Addr string
	// DialTimeout bounds each dial; default 1s.
	DialTimeout time.Duration
	// WriteTimeout bounds a flush that the socket cannot take at once;
	// default 5s.
	WriteTimeout time.Duration
	// NewDecoder returns the batch decoder for a new connection and the Set
	// its passes write to; both belong to that connection. Each read is
	// handed to it with batch.Drain, one pass at a time, and the Set is
	// flushed after each pass. w is the connection's Writer, so that the
	// decoder can answer the peer, e.g. a heartbeat.
	NewDecoder func(w *batch.Writer) (batch.Decoder, *batch.Set)
	// OnBadStream, if set, is told when the decoder rejected the stream;
	// the connection is then closed.
	OnBadStream func(err error)
	// OnUp, if set, is called for each connection just before it is
	// offered to callers: at once after the dial without liveness, after
	// the peer's answer to the dial's ping with it. A connection that is
	// never offered (its peer answered nothing, or sent a GOAWAY first)
	// gets no OnUp, but still its OnDown.
	OnUp func(w *batch.Writer)
	// OnDown, if set, is called once per lost connection, after it stopped
	// being offered: fail the calls that were riding on it.
	OnDown func(w *batch.Writer)
	// Heartbeat, if set, writes one heartbeat request (a ping). It is
	// called with the Writer locked: when nothing was read for IdleTimeout,
	// and for liveness (see PingInterval).
	Heartbeat func(w netpoll.Writer) error
	// IdleTimeout is the quiet time before a heartbeat; default 60s. A
	// connection that has read nothing for three times as long is closed.
	IdleTimeout time.Duration
	// PingInterval turns on liveness under traffic (liveness.go): while
	// Busy reports calls outstanding and nothing has been read for
	// PingInterval, a ping goes out, and a new connection is offered only
	// after the peer's first answer to a ping. Zero: off. It needs
	// Heartbeat.
	PingInterval time.Duration
	// PingTimeout is how long a ping may go unanswered (nothing read)
	// before the connection is declared dead and closed; default
	// 4 × PingInterval.
	PingTimeout time.Duration
	// Busy reports whether calls are outstanding on the connection. It is
	// called from the Conn's own goroutine, a few times per PingInterval;
	// nil means never busy (pings only at dial).
	Busy func() bool
	// OnPingTimeout, if set, is told each time a connection is declared
	// dead because a ping (or the first one, at dial) went unanswered.
	OnPingTimeout func()
	// StallLimit, if positive, tolerates a peer whose host is up but
	// whose process answers nothing (a stop-the-world pause): when a ping
	// times out and the peer's kernel has acknowledged everything sent,
	// the connection is stalled rather than dead. It then takes no new
	// call, its calls in flight run on to their deadlines, and it is
	// probed every PingInterval; the first answer ends the stall. It is
	// declared dead as usual once its host stops acknowledging for
	// PingTimeout, or when the stall has lasted StallLimit (stall.go).
	// Zero: off, a ping unanswered for PingTimeout is death.
	StallLimit time.Duration
	// OnStall, if set, is told when a connection stalls (true) and when
	// its peer answers again (false), from the Conn's goroutine.
	OnStall func(stalled bool)
	// SuspendLimit bounds how long a suspended connection (Suspend) with
	// nothing outstanding stays open waiting for its peer to close it;
	// after that it is closed and redialed. Default 30s.
	SuspendLimit time.Duration
	// UserTimeout is the socket's TCP_USER_TIMEOUT (how long sent data may
	// stay unacknowledged before the kernel drops the connection), also
	// bounding its TCP keepalive; default DefaultUserTimeout. See TuneTCP.
	UserTimeout time.Duration
	// MinBackoff and MaxBackoff bound the delay between redials; defaults
	// 50ms and 5s.
	MinBackoff, MaxBackoff time.Duration
	// OnDialError, if set, is told about each failed dial.
	OnDialError func(err error)
	// Flush is the flush policy of each connection's Writer.
	Flush batch.FlushPolicy
	// TLS, if set, makes each dial a mutual TLS one (mtls.Dial) with its
	// current certificate and CA: after the handshake the connection runs
	// on netpoll with crypto/tls over it (mtls.Conn), through the same
	// decoder and Writer. A failed handshake, and a peer's refusal of our certificate
	// before it sent anything, go to OnDialError as an
	// *mtls.HandshakeError.
	TLS *mtls.Store
}

// Conn is a connection to one upstream that heals itself. It is safe for
// concurrent use.
type Conn struct {
	cfg     Config
	cur     atomic.Pointer[batch.Writer] // the connection offered to callers
	link    atomic.Pointer[link]         // the live connection, offered or not
	suspect atomic.Bool                  // a liveness ping is unanswered (liveness.go)
	deaths  int                          // offered links in a row declared dead (probation.go); run's own
	closing chan struct{}
	once    sync.Once
	done    chan struct{}
	dials   atomic.Uint64
	// resting: the checks sleep until the next heartbeat is due, nothing
	// being outstanding; kick (one token) wakes them (Active).
	resting atomic.Bool
	kick    chan struct{}
}

// Dial starts maintaining a connection to cfg.Addr and returns at once; the
// first dial happens in the background. Use Ready to wait for it.
func Dial(cfg Config) *Conn {
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 60 * time.Second
	}
	if cfg.Heartbeat == nil {
		cfg.PingInterval = 0
	}
	if cfg.PingInterval > 0 && cfg.PingTimeout <= 0 {
		cfg.PingTimeout = 4 * cfg.PingInterval
	}
	if cfg.SuspendLimit <= 0 {
		cfg.SuspendLimit = 30 * time.Second
	}
	if cfg.UserTimeout <= 0 {
		cfg.UserTimeout = DefaultUserTimeout
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 50 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = 5 * time.Second
	}
	c := &Conn{cfg: cfg, closing: make(chan struct{}), done: make(chan struct{}), kick: make(chan struct{}, 1)}
	go c.run()
	return c
}

// Addr returns the address this Conn dials.
func (c *Conn) Addr() string { return c.cfg.Addr }

// Writer returns the live connection's Writer, or nil while there is none to
// send on: down, not yet answered a ping (with liveness), or suspended. The
// Writer may close at any moment; its methods then refuse to write.
func (c *Conn) Writer() *batch.Writer { return c.cur.Load() }

// Dials returns how many connections have been established.
func (c *Conn) Dials() uint64 { return c.dials.Load() }

// Ready waits up to d for a live connection and reports whether there is one.
func (c *Conn) Ready(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if w := c.cur.Load(); w != nil && !w.Closed() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Suspend stops offering w, if it is this Conn's live connection, until the
// connection closes: the peer asked for no new calls on it (a provider's
// read-only event, an agent's GOAWAY). Calls outstanding on it go on, and
// pings watch it while they do. A connection dialed after it closes is
// offered as usual. A suspended connection with nothing outstanding for
// SuspendLimit is closed and redialed. Suspend reports whether w was live.
func (c *Conn) Suspend(w *batch.Writer) bool {
	l := c.link.Load()
	if l == nil || l.w != w {
		return false
	}
	l.suspended.Store(true)
	c.cur.CompareAndSwap(w, nil)
	return true
}

// Suspect reports whether a ping sent because calls were outstanding and
// nothing was read for PingInterval is still unanswered: the peer may be
// gone. Callers that can choose should send new calls elsewhere until it
// clears (the peer answers) or the connection is declared dead. One atomic
// load; safe for concurrent use.
func (c *Conn) Suspect() bool { return c.suspect.Load() }

// Stalled reports whether the live connection is stalled: its peer's host
// acknowledges, its process answers nothing (Config.StallLimit).
func (c *Conn) Stalled() bool {
	l := c.link.Load()
	return l != nil && l.stallSince.Load() != 0
}

// Suspended reports whether the live connection is suspended.
func (c *Conn) Suspended() bool {
	l := c.link.Load()
	return l != nil && l.suspended.Load()
}

// Close stops redialing, closes the live connection and waits for the
// maintenance goroutine to end. OnDown runs for the last connection.
func (c *Conn) Close() {
	c.once.Do(func() { close(c.closing) })
	<-c.done
}

func (c *Conn) run() {
	defer close(c.done)
	backoff := c.cfg.MinBackoff
	for {
		select {
		case <-c.closing:
			return
		default:
		}
		start := time.Now()
		ok, timedOut := c.serveOne()
		if ok && time.Since(start) > 2*c.cfg.MaxBackoff {
			backoff = c.cfg.MinBackoff
		}
		// Full jitter keeps many loops from redialing in lockstep.
		d := backoff/2 + time.Duration(rand.Int64N(int64(backoff/2)+1))
		if p := c.probation(ok && timedOut, time.Since(start)); p > d {
			d = p
		}
		select {
		case <-c.closing:
			return
		case <-time.After(d):
		}
		if backoff *= 2; backoff > c.cfg.MaxBackoff {
			backoff = c.cfg.MaxBackoff
		}
	}
}

// serveOne dials once and, on success, serves the connection until it dies.
// It reports whether the connection was offered to callers, and whether it
// was declared dead for a ping unanswered.
func (c *Conn) serveOne() (offered, timedOut bool) {
	nc, err := c.dial()
	if err != nil {
		if c.cfg.OnDialError != nil {
			c.cfg.OnDialError(err)
		}
		return false, false
	}
	TuneTCP(nc, c.cfg.UserTimeout)
	nc.SetWriteTimeout(c.cfg.WriteTimeout)
	dead := make(chan struct{})
	w := batch.NewWriter(nc, nil)
	c.cfg.Flush.Apply(w)
	nc.AddCloseCallback(func(netpoll.Connection) error {
		close(dead)
		return nil
	})
	l := &link{w: w, dialed: time.Now().UnixNano()}
	l.lastRead.Store(l.dialed - 1) // older than the dial's ping
	l.quietSince = l.dialed
	c.link.Store(l)
	dec, set := c.cfg.NewDecoder(w)
	nc.SetOnRequest(server.Guard(func(_ context.Context, conn netpoll.Connection) error {
		l.lastRead.Store(time.Now().UnixNano())
		if c.suspect.Load() { // anything read answers the ping
			c.suspect.Store(false)
		}
		err := batch.Drain(conn.Reader(), set, dec)
		if err != nil && !errors.Is(err, batch.ErrWait) {
			if c.cfg.OnBadStream != nil {
				c.cfg.OnBadStream(err)
			}
			return err
		}
		// With liveness the first read answers the dial's ping; a GOAWAY
		// or read-only event in that read has suspended it already.
		if !l.offered.Load() && c.cfg.PingInterval > 0 {
			c.offer(l)
		}
		return err
	}))
	c.dials.Add(1)
	if c.cfg.PingInterval > 0 {
		// The peer must answer before anything is sent.
		if !c.ping(l, l.dialed) {
			nc.Close()
		}
	} else {
		c.offer(l)
	}

	every := c.tickEvery()
	tick := time.NewTimer(every)
	defer tick.Stop()
	for {
		select {
		case <-dead:
			c.refused(nc)
			c.down(l)
			return l.offered.Load(), l.timedOut
		case <-c.closing:
			nc.Close()
			<-dead
			c.down(l)
			return l.offered.Load(), l.timedOut
		case <-c.kick:
			// A call went out while the checks rested: nothing was
			// outstanding until now.
			l.quietSince = time.Now().UnixNano()
			tick.Reset(every)
		case t := <-tick.C:
			now := t.UnixNano()
			if !c.check(l, now) {
				nc.Close()
			}
			tick.Reset(c.rest(l, now, every))
		}
	}
}

// dial connects to the peer: with netpoll, or with mutual TLS when
// Config.TLS is set.
func (c *Conn) dial() (netpoll.Connection, error) {
	if c.cfg.TLS == nil {
		return netpoll.DialConnection("tcp", c.cfg.Addr, c.cfg.DialTimeout)
	}
	mc, err := mtls.Dial(c.cfg.Addr, c.cfg.DialTimeout, c.cfg.TLS)
	if err != nil {
		return nil, err
	}
	return mc, nil
}

// refused reports a TLS peer's refusal of our certificate, which in TLS
// 1.3 arrives as the first read (after the connection may have been
// offered, without liveness), as the dial error it is.
func (c *Conn) refused(nc netpoll.Connection) {
	mc, ok := nc.(*mtls.Conn)
	if !ok || c.cfg.OnDialError == nil {
		return
	}
	if err := mc.Refusal(); err != nil {
		c.cfg.OnDialError(err)
	}
}

// Active tells the Conn that a call went out on it. Its checks rest while
// nothing is outstanding, waking only for the idle heartbeat; Active wakes
// them, so that liveness watches the call. Call it for every call sent; it
// is one atomic load while the checks are awake, and allocates nothing.
func (c *Conn) Active() {
	if c.resting.Load() && c.resting.CompareAndSwap(true, false) {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// rest returns how long the checks may wait after the one at now: every,
// or, with nothing outstanding, no ping unanswered and the connection not
// suspended, until the idle heartbeat is due (Active ends the rest early).
func (c *Conn) rest(l *link, now int64, every time.Duration) time.Duration {
	if l.pingSent.Load() != 0 || l.suspended.Load() || !l.offered.Load() {
		return every
	}
	d := time.Duration(l.lastRead.Load() + int64(c.cfg.IdleTimeout) - now)
	if d <= every {
		return every
	}
	c.resting.Store(true)
	if c.cfg.Busy != nil && c.cfg.Busy() {
		// A call went out meanwhile; its Active may have seen the checks
		// awake.
		if !c.resting.CompareAndSwap(true, false) {
			<-c.kick // its Active won: take the token
		}
		return every
	}
	return d
}

// offer makes l the connection callers send on, unless it was suspended.
func (c *Conn) offer(l *link) {
	if !l.offered.CompareAndSwap(false, true) || l.suspended.Load() {
		return
	}
	if c.cfg.OnUp != nil {
		c.cfg.OnUp(l.w)
	}
	c.cur.Store(l.w)
	if l.suspended.Load() { // Suspend ran between the check and the store
		c.cur.CompareAndSwap(l.w, nil)
	}
}

func (c *Conn) down(l *link) {
	c.suspect.Store(false)
	c.cur.CompareAndSwap(l.w, nil)
	c.link.CompareAndSwap(l, nil)
	if c.cfg.OnDown != nil {
		c.cfg.OnDown(l.w)
	}
}
