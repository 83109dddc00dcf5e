package batch

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

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

	// Set by Coalesce: Done wakes the flusher goroutine through kick
	// instead of flushing.
	kick  chan struct{}
	delay time.Duration
	gone  chan struct{} // closed with the connection

	// Set by Join: Done defers to the group's last handler.
	group  *Group
	queued atomic.Bool // on group's dirty list

	// Set by Spill: flushes never wait for room in the socket (spill.go).
	spill *spill
}

// Join makes the Writer leave its flushes to the last busy handler of g
// (see Group) when other handlers are busy as its last hold is released.
// Call Join at most once, before the Writer is shared, and not with
// Coalesce.
func (w *Writer) Join(g *Group) { w.group = g }

// NewWriter wraps conn. It registers a close callback that marks the Writer
// closed, so later writes are refused instead of panicking inside netpoll.
// onError, if not nil, is called (once per failure) when a flush fails; the
// connection is closed after it.
func NewWriter(conn netpoll.Connection, onError func(error)) *Writer {
	w := &Writer{id: lastID.Add(1), conn: conn, onError: onError}
	conn.AddCloseCallback(func(netpoll.Connection) error {
		w.mu.Lock()
		w.closed = true
		if w.gone != nil {
			close(w.gone)
		}
		w.mu.Unlock()
		return nil
	})
	return w
}

// Coalesce moves flushing off the goroutines that write: the Done that
// releases the last hold only wakes a flusher goroutine of the Writer's own,
// which first yields (runtime.Gosched), so that handlers already runnable
// write their frames too, then waits delay (if positive), then flushes
// everything written by then in one system call. Frames written while a
// flush is under way go out with the next one. It trades up to delay (plus a
// scheduling round) of latency for fewer system calls and fewer wake-ups on
// the peer. The flusher exits when the connection closes.
//
// Call Coalesce at most once, before the Writer is shared.
func (w *Writer) Coalesce(delay time.Duration) {
	w.kick, w.delay, w.gone = make(chan struct{}, 1), delay, make(chan struct{})
	w.mu.Lock()
	if w.closed {
		close(w.gone)
	}
	w.mu.Unlock()
	go w.flusher()
}

func (w *Writer) flusher() {
	for {
		select {
		case <-w.gone:
			return
		case <-w.kick:
		}
		runtime.Gosched()
		if w.delay > 0 {
			time.Sleep(w.delay)
		}
		// Kicks sent by now were sent after their writes, which this
		// flush carries: drop them rather than flush again for nothing.
		select {
		case <-w.kick:
		default:
		}
		w.Flush()
	}
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

// Unlock releases a Writer taken with a successful Lock or TryLock.
func (w *Writer) Unlock() { w.mu.Unlock() }

// TryLock is Lock without the wait: busy reports that another goroutine
// holds the Writer, most often a flush waiting for room in the socket, and
// the Writer is then not locked. Otherwise it returns what Lock returns,
// with the same rules.
func (w *Writer) TryLock() (bw netpoll.Writer, busy bool) {
	if !w.mu.TryLock() {
		return nil, true
	}
	if w.closed {
		w.mu.Unlock()
		return nil, false
	}
	return w.conn.Writer(), false
}

// Hold announces that the caller will write and then call Done. While any
// holder remains, flushing is left to the last one.
func (w *Writer) Hold() { w.holds.Add(1) }

// Done releases a hold; the last holder flushes what everyone wrote, or,
// after Coalesce, wakes the flusher to.
func (w *Writer) Done() {
	if w.holds.Add(-1) == 0 {
		if g := w.group; g != nil && g.busy.Load() > 1 {
			g.deferFlush(w)
			return
		}
		if w.kick == nil {
			w.Flush()
			return
		}
		select {
		case w.kick <- struct{}{}:
		default: // a flush is already due and will carry this
		}
	}
}

// Flush sends everything written so far, in one syscall when the socket
// takes it all; it waits for room in a full socket unless the Writer spills
// (Spill). A failed flush closes the connection.
func (w *Writer) Flush() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	if w.spill != nil {
		w.trySend() // spill.go; releases mu
		return
	}
	if w.conn.Writer().MallocLen() == 0 {
		w.mu.Unlock()
		return
	}
	w.flushes.Add(1) // before the system call, so a peer that read the bytes sees the count
	err := w.conn.Writer().Flush()
	w.mu.Unlock()
	if err != nil {
		w.fail(err)
	}
}

// TryFlush is Flush without the wait: it sends what the socket takes now
// and reports whether everything written so far has gone. It reports false,
// sending nothing, while another goroutine holds the Writer (that one's
// flush carries what was written), and false when the socket took only
// part: the rest goes with the next flush. A connection that cannot send
// without waiting (one without TryFlush) is flushed as Flush does. A failure is
// handled as Flush's: onError, then the connection is closed.
func (w *Writer) TryFlush() (done bool) {
	if !w.mu.TryLock() {
		return false
	}
	if w.closed {
		w.mu.Unlock()
		return false
	}
	if w.spill != nil {
		w.trySend() // releases mu
		return w.Backlog() == 0
	}
	tf, ok := w.conn.(tryFlusher)
	if !ok {
		w.mu.Unlock()
		w.Flush()
		return true
	}
	if w.conn.Writer().MallocLen() > 0 {
		w.flushes.Add(1)
	}
	_, left, err := tf.TryFlush() // also what an earlier TryFlush left
	w.mu.Unlock()
	if err != nil {
		w.fail(err)
		return false
	}
	return left == 0
}

// Flushes returns the number of flushes that carried data.
func (w *Writer) Flushes() uint64 { return w.flushes.Load() }

// Closed reports whether the connection's close callback has run.
func (w *Writer) Closed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed
}
