package batch

import (
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
	nc, sc := dialPair(t)
	w := NewWriter(nc, nil)
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
