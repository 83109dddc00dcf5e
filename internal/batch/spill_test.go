package batch

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"
)

// writeChunks writes n chunks of size bytes, chunk i filled with byte i, and
// flushes after each.
func writeChunks(t *testing.T, w *Writer, n, size int) {
	t.Helper()
	for i := range n {
		bw := w.Lock()
		if bw == nil {
			t.Fatal("writer closed")
		}
		b, err := bw.Malloc(size)
		if err != nil {
			t.Fatal(err)
		}
		for j := range b {
			b[j] = byte(i)
		}
		w.Unlock()
		w.Flush()
	}
}

// TestSpillDoesNotWait: with a peer that reads nothing, Flush returns at
// once with the rest spilled, writers go on writing behind it, and once the
// peer reads, everything arrives whole and in order and FlushThen runs.
func TestSpillDoesNotWait(t *testing.T) {
	nc, sc := dialPair(t)
	var progress atomic.Int32
	w := NewWriter(nc, nil)
	w.Spill(5*time.Second, func() { progress.Add(1) })

	const n, size = 64, 256 << 10 // 16 MiB: far past the socket buffers
	start := time.Now()
	writeChunks(t, w, n, size)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("writing took %v: flushes waited for the peer", d)
	}
	if w.Backlog() == 0 {
		t.Fatal("no backlog with a peer that reads nothing")
	}
	ran := make(chan struct{})
	w.FlushThen(func() { close(ran) })
	select {
	case <-ran:
		t.Fatal("FlushThen ran before the peer read")
	case <-time.After(100 * time.Millisecond):
	}

	got := make([]byte, n*size)
	sc.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(sc, got); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if c := got[i*size : (i+1)*size]; !bytes.Equal(c, bytes.Repeat([]byte{byte(i)}, size)) {
			t.Fatalf("chunk %d arrived damaged or out of order", i)
		}
	}
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("FlushThen did not run once all was sent")
	}
	if b := w.Backlog(); b != 0 {
		t.Fatalf("backlog %d after the peer read everything", b)
	}
	if progress.Load() == 0 {
		t.Fatal("progress never called")
	}
	if w.Closed() {
		t.Fatal("closed a connection whose peer read")
	}
}

// TestSpillStalledPeer: a peer that reads nothing for the timeout has its
// connection closed, with ErrStalledPeer, and FlushThen's f runs then.
func TestSpillStalledPeer(t *testing.T) {
	nc, _ := dialPair(t)
	failed := make(chan error, 1)
	w := NewWriter(nc, func(err error) { failed <- err })
	w.Spill(300*time.Millisecond, nil)
	writeChunks(t, w, 32, 256<<10)
	ran := make(chan struct{})
	w.FlushThen(func() { close(ran) })
	select {
	case err := <-failed:
		if !errors.Is(err, ErrStalledPeer) {
			t.Fatalf("onError got %v, want ErrStalledPeer", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a peer that read nothing was kept")
	}
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("FlushThen did not run when the connection ended")
	}
	if !w.Closed() {
		t.Fatal("connection not closed")
	}
}

// TestSpillNothingLeft: FlushThen with everything sent runs f at once.
func TestSpillNothingLeft(t *testing.T) {
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
	w.Spill(time.Second, nil)
	writeChunks(t, w, 1, 10)
	ran := false
	w.FlushThen(func() { ran = true })
	if !ran {
		t.Fatal("FlushThen did not run at once")
	}
	buf := make([]byte, 10)
	sc.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := io.ReadFull(sc, buf); err != nil {
		t.Fatal(err)
	}
}

// trickleConn is a connection whose socket takes step bytes at each
// TryFlush, as a peer that reads a little now and then: only TryFlush,
// Writer (MallocLen), AddCloseCallback, IsActive and Close are real.
type trickleConn struct {
	netpoll.Connection
	mu     sync.Mutex
	left   int // bytes buffered unsent
	step   int
	closed bool
	w      trickleWriter
}

type trickleWriter struct {
	netpoll.Writer
	c *trickleConn
}

func (w trickleWriter) MallocLen() int { w.c.mu.Lock(); defer w.c.mu.Unlock(); return w.c.left }

func (c *trickleConn) Writer() netpoll.Writer                       { return c.w }
func (c *trickleConn) AddCloseCallback(netpoll.CloseCallback) error { return nil }
func (c *trickleConn) IsActive() bool                               { c.mu.Lock(); defer c.mu.Unlock(); return !c.closed }
func (c *trickleConn) Close() error                                 { c.mu.Lock(); c.closed = true; c.mu.Unlock(); return nil }

func (c *trickleConn) TryFlush() (sent, left int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sent = min(c.step, c.left)
	c.left -= sent
	return sent, c.left, nil
}

// TestSpillTrickleReader: a peer that takes some of its backlog at every
// try, but less than minProgress in the timeout, is cut all the same, so
// that a byte now and then does not hold the backlog's memory for good;
// one that takes minProgress in each timeout is kept until it has it all.
func TestSpillTrickleReader(t *testing.T) {
	for _, tc := range []struct {
		name string
		step int
		cut  bool
	}{
		{"one byte a try", 1, true},
		{"4 KiB a try", 4 << 10, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &trickleConn{left: 8 << 20, step: tc.step}
			c.w.c = c
			failed := make(chan error, 1)
			w := NewWriter(c, func(err error) { failed <- err })
			w.Spill(300*time.Millisecond, nil)
			ran := make(chan struct{})
			w.FlushThen(func() { close(ran) })
			select {
			case err := <-failed:
				if !tc.cut || !errors.Is(err, ErrStalledPeer) {
					t.Fatalf("onError got %v", err)
				}
			case <-ran:
				if tc.cut {
					t.Fatal("a peer taking a byte at a time was kept to the end")
				}
			case <-time.After(30 * time.Second):
				t.Fatal("the spill neither ended nor gave up")
			}
		})
	}
}
