package mtls

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// Conn is a netpoll.Connection over a TLS connection whose handshake is
// done, so that a TLS link runs the same handlers (batch.Drain under
// server.Guard) and the same batch.Writer as a netpoll one.
//
// Reading: one goroutine of the Conn's own, started by SetOnRequest or
// Serve, waits for bytes and then runs the handler, as netpoll's poller
// would; the handler's Reader hands out what the TLS records decrypted to,
// and waiting in it for the rest of a frame reads more. Writing: Writer
// buffers frames in a netpoll LinkBuffer and Flush encrypts everything
// buffered as one write (as few TLS records as the bytes need), under the
// write timeout. As with netpoll, the Reader belongs to the handler and the
// Writer to one goroutine at a time (batch.Writer locks it); Close, IsActive
// and AddCloseCallback are safe for concurrent use.
//
// The close callbacks run once, on the reader goroutine, after the
// connection closed (by either side) and the handler returned.
type Conn struct {
	*tls.Conn
	r netpoll.Reader
	w writer

	writeTimeout atomic.Int64 // ns; 0: none
	closed       atomic.Bool
	started      atomic.Bool
	readOnce     atomic.Bool // something was read
	refusal      atomic.Pointer[error]

	mu        sync.Mutex
	callbacks []netpoll.CloseCallback
	done      chan struct{} // closed once the callbacks ran
}

var _ netpoll.Connection = (*Conn)(nil)

// NewConn wraps tc, whose handshake is complete. The Conn owns tc from now
// on.
func NewConn(tc *tls.Conn) *Conn {
	c := &Conn{Conn: tc, done: make(chan struct{})}
	c.r = netpoll.NewReader(tc)
	c.w = writer{LinkBuffer: netpoll.NewLinkBuffer(), c: c}
	return c
}

// Reader returns the connection's reader, for its handler only.
func (c *Conn) Reader() netpoll.Reader { return c.r }

// Writer returns the connection's writer; one goroutine at a time.
func (c *Conn) Writer() netpoll.Writer { return &c.w }

// IsActive reports whether the connection is still open.
func (c *Conn) IsActive() bool { return !c.closed.Load() }

// Close closes the connection; the reader goroutine then runs the close
// callbacks. It is safe to call more than once, from any goroutine.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	err := c.Conn.Close()
	if !c.started.Load() {
		c.runCallbacks() // no reader goroutine will
	}
	return err
}

// Closed returns a channel closed once the connection closed and its close
// callbacks ran.
func (c *Conn) Closed() <-chan struct{} { return c.done }

// SetReadTimeout is not supported: agent links are watched by pings and
// TCP timeouts instead.
func (c *Conn) SetReadTimeout(time.Duration) error { return errors.ErrUnsupported }

// SetIdleTimeout is not supported, as SetReadTimeout.
func (c *Conn) SetIdleTimeout(time.Duration) error { return errors.ErrUnsupported }

// SetWriteTimeout bounds each Flush (to between half of d and d, see
// writer); zero means none. Call it before the Writer is in use.
func (c *Conn) SetWriteTimeout(d time.Duration) error {
	c.writeTimeout.Store(int64(d))
	if d <= 0 {
		c.w.deadline = 0
		c.Conn.SetWriteDeadline(time.Time{})
	}
	return nil
}

// AddCloseCallback adds a callback run once after the connection closed.
// Added after that, it runs at once.
func (c *Conn) AddCloseCallback(cb netpoll.CloseCallback) error {
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		cb(c)
		return nil
	default:
	}
	c.callbacks = append(c.callbacks, cb)
	c.mu.Unlock()
	return nil
}

func (c *Conn) runCallbacks() {
	c.mu.Lock()
	select {
	case <-c.done:
		c.mu.Unlock()
		return
	default:
	}
	cbs := c.callbacks
	c.callbacks = nil
	close(c.done)
	c.mu.Unlock()
	for i := len(cbs) - 1; i >= 0; i-- { // netpoll runs the latest first
		cbs[i](c)
	}
}

// SetOnRequest starts serving the connection with h and a background
// context; see Serve. It can be called once.
func (c *Conn) SetOnRequest(h netpoll.OnRequest) error {
	return c.Serve(context.Background(), h)
}

// ErrServing is returned by Serve and SetOnRequest on a Conn already served.
var ErrServing = errors.New("mtls: connection already served")

// Serve starts the reader goroutine: each time bytes arrive it runs h with
// ctx, counted in batch.Handlers as netpoll's handlers are, until the
// connection closes. An error from h closes the connection (h should be
// wrapped in server.Guard, as every handler is). Serve returns at once.
func (c *Conn) Serve(ctx context.Context, h netpoll.OnRequest) error {
	if c.started.Swap(true) {
		return ErrServing
	}
	if c.closed.Load() {
		c.runCallbacks()
		return nil
	}
	go c.serve(ctx, h)
	return nil
}

func (c *Conn) serve(ctx context.Context, h netpoll.OnRequest) {
	defer c.runCallbacks()
	for {
		// Blocks until the next record arrives; reads past the first
		// byte fill the buffer with what the record holds.
		if _, err := c.r.Peek(1); err != nil {
			c.noteRefusal(err)
			c.Close()
			return
		}
		c.readOnce.Store(true)
		batch.Handlers.Enter()
		err := h(ctx, c)
		batch.Handlers.Leave()
		if err != nil || c.closed.Load() {
			c.Close()
			return
		}
	}
}

// noteRefusal records err, which ended the connection before anything was
// read, if it is the peer's TLS alert: in TLS 1.3 a client learns that the
// server refused its certificate only on its first read.
func (c *Conn) noteRefusal(err error) {
	if c.readOnce.Load() || !isRemoteAlert(err) {
		return
	}
	var e error = &HandshakeError{Addr: c.RemoteAddr().String(), Reason: Classify(err), Err: err}
	c.refusal.Store(&e)
}

// Refusal returns the peer's refusal of the handshake (a *HandshakeError)
// when that is what closed the connection before anything was read, else
// nil. Read it once Closed is closed.
func (c *Conn) Refusal() error {
	if p := c.refusal.Load(); p != nil {
		return *p
	}
	return nil
}

// writer is a Conn's netpoll.Writer: frames go into a LinkBuffer and Flush
// writes them out through TLS in one Write, so that a batch becomes as few
// records as its size needs. A batch spread over several buffer nodes is
// gathered by the LinkBuffer into its own reused peek buffer.
//
// The write deadline is moved only when less than half the write timeout
// is left of it, not at every Flush: setting a deadline costs a timer
// update in the runtime, and a flush still gets between half the timeout
// and all of it.
type writer struct {
	*netpoll.LinkBuffer
	c        *Conn
	deadline int64 // UnixNano of the write deadline set; 0: none
}

// Flush writes everything buffered, bounded by the write timeout.
func (w *writer) Flush() error {
	if err := w.LinkBuffer.Flush(); err != nil {
		return err
	}
	n := w.LinkBuffer.Len()
	if n == 0 {
		return nil
	}
	out, err := w.LinkBuffer.Peek(n)
	if err != nil {
		return err
	}
	if d := w.c.writeTimeout.Load(); d > 0 {
		if now := time.Now(); w.deadline-now.UnixNano() < d/2 {
			w.deadline = now.UnixNano() + d
			w.c.Conn.SetWriteDeadline(time.Unix(0, w.deadline))
		}
	}
	_, err = w.c.Conn.Write(out)
	w.LinkBuffer.Skip(n)
	w.LinkBuffer.Release()
	if err != nil {
		return &net.OpError{Op: "write", Net: "tls", Err: err}
	}
	return nil
}
