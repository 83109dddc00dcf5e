//go:build !race

// Allocation counts are only meaningful without the race detector.

package mtls

import (
	"io"
	"testing"
	"time"
)

// TestFlushAllocs: writing a frame and flushing it through TLS allocates
// nothing once the buffers have grown.
func TestFlushAllocs(t *testing.T) {
	p := newPKI(t, "server")
	srv := startEcho(t, mustLoad(t, p.files), time.Second)
	c := dialClient(t, p, srv.Addr().String())
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

// TestReadAllocs: the Conn's own pass over an arriving batch (decrypt into
// the plaintext buffer, run the handler) allocates nothing once its buffers
// have grown. What others allocate, per batch and not per call: crypto/tls
// one small object (an atLeastReader in readFromUntil) per record read
// (the Conn no longer asks it for a record netpoll does not hold whole,
// which cost one more per batch); netpoll and this test's default gopool
// runner one per event between them (the agents install internal/server's
// runner, which does not allocate). A round trip is two records and two
// events, one on each side: 4.
func TestReadAllocs(t *testing.T) {
	round := echoRoundTrip(t, 200)
	for range 100 {
		round()
	}
	allocs := testing.AllocsPerRun(500, round)
	if allocs > 4 {
		t.Fatalf("%v allocations per frame read", allocs)
	}
}
