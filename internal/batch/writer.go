package batch

import (
	"sync"
	"sync/atomic"

	"github.com/cloudwego/netpoll"
)

// Writer is the write side of one netpoll connection, shared by many
// goroutines. It is safe for concurrent use; the zero value is not usable,
// call NewWriter.
type Writer struct {
	id      uint64
	conn    netpoll.Connection
	mu      sync.Mutex
	closed  bool // guarded by mu
	holds   atomic.Int32
	flushes atomic.Uint64
	onError func(error)
}

// NewWriter wraps conn. It registers a close callback that marks the Writer
// closed, so later writes are refused instead of panicking inside netpoll.
// onError, if not nil, is called (once per failure) when a flush fails; the
// connection is closed after it.
func NewWriter(conn netpoll.Connection, onError func(error)) *Writer {
	w := &Writer{id: lastID.Add(1), conn: conn, onError: onError}
	conn.AddCloseCallback(func(netpoll.Connection) error {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		return nil
	})
	return w
}

var lastID atomic.Uint64

// ID returns a number unique to this Writer in the process, never 0. Callers
// use it to tag the calls riding on the connection.
func (w *Writer) ID() uint64 { return w.id }

// Conn returns the wrapped connection.
func (w *Writer) Conn() netpoll.Connection { return w.conn }

// Lock takes the Writer for exclusive use and returns the connection's
// netpoll.Writer, or nil if the connection is closed. After a nil return the
// Writer is not locked. Otherwise the caller writes (Malloc, WriteBinary...)
// and must call Unlock; it must not Flush: flushing is done by Done or Flush.
func (w *Writer) Lock() netpoll.Writer {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	return w.conn.Writer()
}

// Unlock releases a Writer taken with a successful Lock.
func (w *Writer) Unlock() { w.mu.Unlock() }

// Hold announces that the caller will write and then call Done. While any
// holder remains, flushing is left to the last one.
func (w *Writer) Hold() { w.holds.Add(1) }

// Done releases a hold; the last holder flushes what everyone wrote.
func (w *Writer) Done() {
	if w.holds.Add(-1) == 0 {
		w.Flush()
	}
}

// Flush sends everything written so far, in one syscall when the socket
// takes it all. A failed flush closes the connection.
func (w *Writer) Flush() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	if w.conn.Writer().MallocLen() == 0 {
		w.mu.Unlock()
		return
	}
	err := w.conn.Writer().Flush()
	w.mu.Unlock()
	w.flushes.Add(1)
	if err != nil {
		if w.onError != nil {
			w.onError(err)
		}
		w.conn.Close()
	}
}

// Flushes returns the number of flushes that carried data.
func (w *Writer) Flushes() uint64 { return w.flushes.Load() }

// Closed reports whether the connection's close callback has run.
func (w *Writer) Closed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed
}
