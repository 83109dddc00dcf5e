package mtls

import (
	"context"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"
)

// BenchmarkRoundTrip: one 200-byte frame to an echo server and back over
// mutual TLS on loopback, both ends served as the agents serve their links
// (Serve, Writer.Flush): two records sealed, two opened, two events, one
// per side. Most of an op is the system calls and wake-ups; allocs/op counts
// crypto/tls's and netpoll's per-record and per-event objects (see
// TestReadAllocs).
func BenchmarkRoundTrip(b *testing.B) {
	p := newPKI(b, "server")
	srv := startEcho(b, mustLoad(b, p.files), time.Second)
	c := dialClient(b, p, srv.Addr().String())
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
		out, _ := w.Malloc(len(frame))
		copy(out, frame)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		for n := 0; n < len(frame); n += <-got {
		}
	}
	for range 100 {
		round()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		round()
	}
}
