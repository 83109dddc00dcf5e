//go:build !race

// Allocation counts are only meaningful without the race detector.

package mtls

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"
)

// TestFlushAllocs: writing a frame and flushing it through TLS allocates
// nothing once the buffers have grown.
func TestFlushAllocs(t *testing.T) {
	p := newPKI(t, "server")
	srv := startEcho(t, mustLoad(t, p.files), time.Second)
	c, err := Dial(srv.Addr().String(), time.Second, mustLoad(t, p.issue(t, "client", leafFor("client"))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go io.Copy(io.Discard, c.Conn) // the echoes
	frame := make([]byte, 200)
	w := c.Writer()
	allocs := testing.AllocsPerRun(500, func() {
		b, err := w.Malloc(len(frame))
		if err != nil {
			t.Fatal(err)
		}
		copy(b, frame)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per frame flushed", allocs)
	}
}

// TestReadAllocs: the reader goroutine's pass over an arriving batch
// allocates nothing of its own once its buffers have grown. crypto/tls
// allocates one small object per record it reads (an atLeastReader in
// readFromUntil), so a round trip, a record read by the server and one by
// the client, costs two: per batch, not per call.
func TestReadAllocs(t *testing.T) {
	p := newPKI(t, "server")
	srv := startEcho(t, mustLoad(t, p.files), time.Second)
	c, err := Dial(srv.Addr().String(), time.Second, mustLoad(t, p.issue(t, "client", leafFor("client"))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got := make(chan int, 1)
	c.Serve(context.Background(), func(_ context.Context, conn netpoll.Connection) error {
		r := conn.Reader()
		n := r.Len()
		r.Skip(n)
		r.Release()
		got <- n
		return nil
	})
	frame := make([]byte, 200)
	w := c.Writer()
	round := func() {
		b, _ := w.Malloc(len(frame))
		copy(b, frame)
		w.Flush()
		for n := 0; n < len(frame); n += <-got {
		}
	}
	for range 100 {
		round()
	}
	allocs := testing.AllocsPerRun(500, round)
	if allocs > 2 {
		t.Fatalf("%v allocations per frame read", allocs)
	}
}
