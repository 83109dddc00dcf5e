package batch

import (
	"bytes"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"
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
