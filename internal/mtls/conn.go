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
)

// Conn is a netpoll.Connection over TLS, so that a TLS link runs the same
// handlers (batch.Drain under server.Guard) and the same batch.Writer as a
// plaintext one, on the same event loops.
//
// The handshake runs on Go's standard net.Conn (Dial, Server); then the
// socket moves to netpoll (toNetpoll) and crypto/tls runs over a transport
// on the netpoll connection. Reading: when netpoll has read ciphertext, the
// handler that Serve installed decrypts every whole record buffered,
// without blocking, into the plaintext buffer that Reader returns, then runs
// the handler given to Serve; a handler waiting in its Reader for the rest
// of a frame waits on netpoll for more ciphertext. Writing: Writer buffers
// frames in a LinkBuffer and Flush encrypts everything buffered (as few
// TLS records as the bytes need) into netpoll's output buffer and sends it
// in one system call, under the write timeout. No goroutine of the Conn's
// own waits in Go's poller, so one set of pollers wakes for every socket.
//
// As with netpoll, the Reader belongs to the handler and the Writer to one
// goroutine at a time (batch.Writer locks it); Close, IsActive and
// AddCloseCallback are safe for concurrent use. The embedded tls.Conn may
// be read and written directly (blocking, as a net.Conn) by a user that
// does not Serve, as tests do.
//
// The close callbacks run once, after the connection closed (by either
// side) and the handler returned.
type Conn struct {
	*tls.Conn
	t  *transport
	nc netpoll.Connection
	r  plainReader
	w  writer

	closing  atomic.Bool // Close was called
	closed   atomic.Bool // the close callbacks are under way or ran
	started  atomic.Bool
	readOnce atomic.Bool // something was decrypted
	refusal  atomic.Pointer[error]

	mu        sync.Mutex
	callbacks []netpoll.CloseCallback
	done      chan struct{} // closed once the callbacks ran
}

var (
	_ netpoll.Connection = (*Conn)(nil)
	_ netpoll.Conn       = (*Conn)(nil) // Fd: socket options (upstream.TuneTCP)
)

// newConn moves the socket of tc, whose handshake over t is complete, to
// netpoll and wraps it. raw is t's handshake connection; it is closed in
// every case (the socket lives on in the Conn). On error tc is unusable.
func newConn(tc *tls.Conn, t *transport, raw net.Conn) (*Conn, error) {
	nc, err := toNetpoll(raw)
	if err != nil {
		return nil, err
	}
	t.moveTo(nc)
	c := &Conn{Conn: tc, t: t, nc: nc, done: make(chan struct{})}
	c.r = plainReader{LinkBuffer: netpoll.NewLinkBuffer(), c: c}
	c.w = writer{LinkBuffer: netpoll.NewLinkBuffer(), c: c}
	nc.AddCloseCallback(func(netpoll.Connection) error {
		c.closed.Store(true)
		t.markClosed()
		c.runCallbacks()
		return nil
	})
	return c, nil
}

// Reader returns the connection's plaintext reader, for its handler only.
func (c *Conn) Reader() netpoll.Reader { return &c.r }

// Writer returns the connection's writer; one goroutine at a time.
func (c *Conn) Writer() netpoll.Writer { return &c.w }

// TryFlush is the Writer's Flush without the wait for room in the socket
// (batch.Writer.Spill): it encrypts everything buffered and sends what the
// socket takes now; left is the ciphertext it did not take, which the next
// TryFlush or Flush sends. Like the Writer, one goroutine at a time.
func (c *Conn) TryFlush() (sent, left int, err error) {
	if _, err := c.w.seal(); err != nil {
		return 0, 0, &net.OpError{Op: "write", Net: "tls", Err: err}
	}
	return c.t.trySend()
}

// Fd returns the socket's descriptor, owned by the Conn: for socket
// options only.
func (c *Conn) Fd() int { return c.nc.(netpoll.Conn).Fd() }

// IsActive reports whether the connection is still open.
func (c *Conn) IsActive() bool { return !c.closed.Load() && c.nc.IsActive() }

// Close closes the connection (after a close_notify alert, unless a write
// is under way); netpoll then runs the close callbacks. It is safe to call
// more than once, from any goroutine.
func (c *Conn) Close() error {
	if c.closing.Swap(true) {
		return nil
	}
	err := c.Conn.Close()
	c.nc.Close() // if tls.Conn.Close gave up before closing the transport
	return err
}

// Closed returns a channel closed once the connection closed and its close
// callbacks ran.
func (c *Conn) Closed() <-chan struct{} { return c.done }

// SetReadTimeout bounds each wait of the handler's Reader for plaintext it
// asked for and netpoll has not read yet, as on a netpoll connection: a
// peer that stops in the middle of a frame fails the read. Zero means no
// bound. It shares netpoll's timeout with the transport's read deadline
// (a direct read of the embedded tls.Conn): the latest setting wins.
func (c *Conn) SetReadTimeout(d time.Duration) error {
	return c.nc.SetReadTimeout(max(d, 0))
}

// SetIdleTimeout sets the socket's TCP keepalive, as netpoll's does.
func (c *Conn) SetIdleTimeout(d time.Duration) error {
	return c.nc.SetIdleTimeout(max(d, 0))
}

// SetWriteTimeout bounds each Flush's wait for room in the socket; zero
// means none.
func (c *Conn) SetWriteTimeout(d time.Duration) error {
	return c.nc.SetWriteTimeout(max(d, 0))
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

// Serve makes netpoll run h with ctx each time plaintext has arrived, on
// netpoll's handler goroutines (counted in batch.Handlers where the process
// installed internal/server's runner), until the connection closes. An
// error from h closes the connection (h should be wrapped in server.Guard,
// as every handler is). Serve returns at once.
func (c *Conn) Serve(ctx context.Context, h netpoll.OnRequest) error {
	if c.started.Swap(true) {
		return ErrServing
	}
	c.nc.SetOnRequest(func(context.Context, netpoll.Connection) error {
		return c.onRequest(ctx, h)
	})
	if !c.nc.IsActive() {
		// Closed by the peer before there was a handler: netpoll leaves
		// the close callbacks to us.
		c.Close()
	}
	return nil
}

// onRequest decrypts what netpoll read and hands the plaintext to h, for as
// long as h makes progress on it.
func (c *Conn) onRequest(ctx context.Context, h netpoll.OnRequest) error {
	if err := c.decrypt(); err != nil {
		c.noteRefusal(err)
		c.Close()
		return err
	}
	for n := c.r.Len(); n > 0 && c.IsActive(); n = c.r.Len() {
		c.readOnce.Store(true)
		if err := h(ctx, c); err != nil {
			c.Close()
			return err
		}
		if c.r.Len() >= n {
			return nil // h waits for more: it comes with the next event
		}
	}
	return nil
}

// decryptBlock is the room offered to plaintext when the record it comes
// from is not known yet.
const decryptBlock = 8 << 10

// decrypt moves the plaintext of every whole record netpoll has read into
// the plaintext buffer, without waiting, and hands the start of a record cut
// short to crypto/tls, so that netpoll holds no unread byte when it returns
// (or netpoll would run the handler again and again for it). Each whole
// record is read into room the size of its body, so that small records
// share the buffer's nodes, and crypto/tls is not called when netpoll holds
// nothing. The handler's goroutine only.
func (c *Conn) decrypt() error {
	c.t.nonblock = true
	defer func() { c.t.nonblock = false }()
	b := c.r.LinkBuffer
	more := false // the last Read filled its room: crypto/tls may hold the rest
	for {
		room, whole := c.t.wholeRecord()
		switch {
		case whole:
		case more || c.nc.Reader().Len() > 0:
			room = decryptBlock
		default:
			return nil
		}
		buf, err := b.Malloc(room)
		if err != nil {
			return err
		}
		n, err := c.Conn.Read(buf)
		b.MallocAck(n)
		b.Flush()
		if err == errWouldBlock {
			return nil
		}
		if err != nil {
			return err
		}
		more = n == len(buf)
	}
}

// wait decrypts until the plaintext buffer holds n bytes, waiting on
// netpoll for ciphertext as needed. The handler's goroutine only.
func (c *Conn) wait(n int) error {
	for c.r.LinkBuffer.Len() < n {
		if err := c.decrypt(); err != nil {
			return err
		}
		if c.r.LinkBuffer.Len() >= n {
			return nil
		}
		// Everything netpoll held went into crypto/tls: wait for more.
		if _, err := c.nc.Reader().Peek(1); err != nil {
			return err
		}
	}
	return nil
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
