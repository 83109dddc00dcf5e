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
	// OnUp, if set, is called after each successful dial, before the
	// connection is offered to callers.
	OnUp func(w *batch.Writer)
	// OnDown, if set, is called once per lost connection, after it stopped
	// being offered: fail the calls that were riding on it.
	OnDown func(w *batch.Writer)
	// Heartbeat, if set, writes one heartbeat request. It is called with the
	// Writer locked when nothing was read for IdleTimeout.
	Heartbeat func(w netpoll.Writer) error
	// IdleTimeout is the quiet time before a heartbeat; default 60s. A
	// connection that has read nothing for three times as long is closed.
	IdleTimeout time.Duration
	// MinBackoff and MaxBackoff bound the delay between redials; defaults
	// 50ms and 5s.
	MinBackoff, MaxBackoff time.Duration
	// OnDialError, if set, is told about each failed dial.
	OnDialError func(err error)
	// Flush is the flush policy of each connection's Writer.
	Flush batch.FlushPolicy
}

// Conn is a connection to one upstream that heals itself. It is safe for
// concurrent use.
type Conn struct {
	cfg      Config
	cur      atomic.Pointer[batch.Writer]
	lastRead atomic.Int64
	closing  chan struct{}
	once     sync.Once
	done     chan struct{}
	dials    atomic.Uint64
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
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 50 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = 5 * time.Second
	}
	c := &Conn{cfg: cfg, closing: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// Addr returns the address this Conn dials.
func (c *Conn) Addr() string { return c.cfg.Addr }

// Writer returns the live connection's Writer, or nil while there is none.
// The Writer may close at any moment; its methods then refuse to write.
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
		ok := c.serveOne()
		if ok && time.Since(start) > 2*c.cfg.MaxBackoff {
			backoff = c.cfg.MinBackoff
		}
		// Full jitter keeps many loops from redialing in lockstep.
		d := backoff/2 + time.Duration(rand.Int64N(int64(backoff/2)+1))
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
func (c *Conn) serveOne() bool {
	nc, err := netpoll.DialConnection("tcp", c.cfg.Addr, c.cfg.DialTimeout)
	if err != nil {
		if c.cfg.OnDialError != nil {
			c.cfg.OnDialError(err)
		}
		return false
	}
	nc.SetWriteTimeout(c.cfg.WriteTimeout)
	dead := make(chan struct{})
	w := batch.NewWriter(nc, nil)
	c.cfg.Flush.Apply(w)
	nc.AddCloseCallback(func(netpoll.Connection) error {
		close(dead)
		return nil
	})
	c.lastRead.Store(time.Now().UnixNano())
	dec, set := c.cfg.NewDecoder(w)
	nc.SetOnRequest(server.Guard(func(_ context.Context, conn netpoll.Connection) error {
		c.lastRead.Store(time.Now().UnixNano())
		err := batch.Drain(conn.Reader(), set, dec)
		if err != nil && !errors.Is(err, batch.ErrWait) {
			if c.cfg.OnBadStream != nil {
				c.cfg.OnBadStream(err)
			}
		}
		return err
	}))
	if c.cfg.OnUp != nil {
		c.cfg.OnUp(w)
	}
	c.dials.Add(1)
	c.cur.Store(w)

	tick := time.NewTicker(c.cfg.IdleTimeout / 4)
	defer tick.Stop()
	for {
		select {
		case <-dead:
			c.down(w)
			return true
		case <-c.closing:
			nc.Close()
			<-dead
			c.down(w)
			return true
		case now := <-tick.C:
			idle := now.Sub(time.Unix(0, c.lastRead.Load()))
			if idle >= 3*c.cfg.IdleTimeout {
				nc.Close() // the peer stopped answering heartbeats
				continue
			}
			if idle >= c.cfg.IdleTimeout && c.cfg.Heartbeat != nil {
				if bw := w.Lock(); bw != nil {
					err := c.cfg.Heartbeat(bw)
					w.Unlock()
					if err != nil {
						nc.Close()
						continue
					}
					w.Flush()
				}
			}
		}
	}
}

func (c *Conn) down(w *batch.Writer) {
	c.cur.CompareAndSwap(w, nil)
	if c.cfg.OnDown != nil {
		c.cfg.OnDown(w)
	}
}
