package batch

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"
)

// dialPair returns a netpoll connection to a std listener and the accepted
// server side.
func dialPair(t *testing.T) (netpoll.Connection, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	nc, err := netpoll.DialConnection("tcp", ln.Addr().String(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close(); sc.Close() })
	return nc, sc
}

func TestHoldsBatchFlushes(t *testing.T) {
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
	var s Set
	// One pass writes ten frames while another goroutine holds the writer
	// too: nothing may leave until both let go, then it leaves in one flush.
	w.Hold()
	for i := 0; i < 10; i++ {
		s.Add(w)
		bw := w.Lock()
		bw.WriteString("frame\n")
		w.Unlock()
	}
	if s.Len() != 1 {
		t.Fatalf("set len = %d, want 1", s.Len())
	}
	s.Flush()
	if w.Flushes() != 0 {
		t.Fatalf("flushed while held: %d", w.Flushes())
	}
	w.Done()
	if w.Flushes() != 1 {
		t.Fatalf("flushes = %d, want 1", w.Flushes())
	}
	buf := make([]byte, 60)
	sc.SetReadDeadline(time.Now().Add(time.Second))
	if _, err := io.ReadFull(sc, buf); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentWritersLoseNothing(t *testing.T) {
	for _, p := range []string{"inline", "idle", "yield", "1ms"} {
		t.Run(p, func(t *testing.T) {
			policy, err := ParseFlushPolicy(p)
			if err != nil {
				t.Fatal(err)
			}
			concurrentWriters(t, policy)
		})
	}
}

func concurrentWriters(t *testing.T, policy FlushPolicy) {
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
	policy.Apply(w)
	const goroutines, frames = 8, 500
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s Set
			for i := 0; i < frames; i++ {
				s.Add(w)
				bw := w.Lock()
				b, _ := bw.Malloc(4)
				copy(b, "abcd")
				w.Unlock()
				if i%7 == 0 {
					s.Flush()
				}
			}
			s.Flush()
		}()
	}
	got := make(chan int)
	go func() {
		n, _ := io.ReadFull(sc, make([]byte, goroutines*frames*4))
		got <- n
	}()
	wg.Wait()
	select {
	case n := <-got:
		if n != goroutines*frames*4 {
			t.Fatalf("read %d bytes", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("bytes lost: a write was never flushed")
	}
	if f := w.Flushes(); f == 0 || f > goroutines*frames {
		t.Fatalf("flushes = %d", f)
	}
}

// TestCoalesceBatchesPasses: passes that each write and let go one after
// another, within the flusher's delay, leave in one system call.
func TestCoalesceBatchesPasses(t *testing.T) {
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
	w.Coalesce(50 * time.Millisecond)
	var s Set
	for range 10 {
		s.Add(w)
		bw := w.Lock()
		bw.WriteString("frame\n")
		w.Unlock()
		s.Flush()
	}
	buf := make([]byte, 60)
	sc.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(sc, buf); err != nil {
		t.Fatal(err)
	}
	// The count moves just after the system call returns.
	for deadline := time.Now().Add(time.Second); w.Flushes() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if f := w.Flushes(); f != 1 {
		t.Fatalf("flushes = %d, want 1", f)
	}
	nc.Close()
	// After close the flusher is gone; letting go must neither block nor
	// panic.
	s.Add(w)
	s.Flush()
}

func TestParseFlushPolicy(t *testing.T) {
	for in, want := range map[string]string{"inline": "inline", "idle": "idle", "yield": "yield", "100us": "100µs", "2ms": "2ms"} {
		p, err := ParseFlushPolicy(in)
		if err != nil || p.String() != want {
			t.Errorf("ParseFlushPolicy(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, in := range []string{"", "fast", "0", "-1ms", "2s"} {
		if _, err := ParseFlushPolicy(in); !errors.Is(err, ErrFlushPolicy) {
			t.Errorf("ParseFlushPolicy(%q) error = %v", in, err)
		}
	}
}

func TestWriteAfterCloseRefused(t *testing.T) {
	nc, _ := dialPair(t)
	w := NewWriter(nc, nil)
	nc.Close()
	deadline := time.Now().Add(time.Second)
	for !w.Closed() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if bw := w.Lock(); bw != nil {
		w.Unlock()
		t.Fatal("Lock returned a writer after close")
	}
	w.Flush() // must not panic
	var s Set
	s.Add(w)
	s.Flush()
}

func TestSetAllocs(t *testing.T) {
	nc, _ := dialPair(t)
	w := NewWriter(nc, nil)
	var s Set
	s.Add(w)
	s.Flush()
	allocs := testing.AllocsPerRun(100, func() {
		s.Add(w)
		s.Add(w)
		s.Flush()
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v", allocs)
	}
}

// TryLock and TryFlush never wait: TryLock reports a Writer another
// goroutine holds; TryFlush sends what the socket takes, reports what it
// left, and sends the rest on a later call once the peer reads, whole and
// in order.
func TestTryLockTryFlush(t *testing.T) {
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
	if bw := w.Lock(); bw == nil {
		t.Fatal("writer closed")
	}
	if _, busy := w.TryLock(); !busy {
		t.Fatal("TryLock took a Writer another goroutine held")
	}
	if w.TryFlush() {
		t.Fatal("TryFlush reported done on a Writer another goroutine held")
	}
	w.Unlock()

	const size = 32 << 20 // past both sockets' buffers
	bw, busy := w.TryLock()
	if busy || bw == nil {
		t.Fatalf("TryLock of a free Writer: %v, busy %v", bw, busy)
	}
	b, err := bw.Malloc(size)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = byte(i / 4096)
	}
	w.Unlock()
	start := time.Now()
	if w.TryFlush() {
		t.Fatal("TryFlush sent 32 MiB to a peer that reads nothing")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("TryFlush took %v: it waited for the peer", d)
	}

	got := make(chan []byte)
	go func() {
		buf := make([]byte, size)
		sc.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _ := io.ReadFull(sc, buf)
		got <- buf[:n]
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !w.TryFlush() {
		if time.Now().After(deadline) {
			t.Fatal("TryFlush never sent the rest while the peer read")
		}
		time.Sleep(time.Millisecond)
	}
	buf := <-got
	if len(buf) != size {
		t.Fatalf("the peer read %d bytes, want %d", len(buf), size)
	}
	for i, c := range buf {
		if c != byte(i/4096) {
			t.Fatalf("byte %d arrived damaged or out of order", i)
		}
	}
}
