package mtls

import (
	"crypto/tls"
	"io"
	"testing"
	"time"
)

// TryFlush never waits for room in the socket (batch.Writer.Spill over
// TLS): with a peer that reads nothing it sends what the socket takes and
// reports the rest, and once the peer reads, later calls send everything,
// whole and in order; a Flush meanwhile sends what a TryFlush left.
func TestTryFlushDoesNotWait(t *testing.T) {
	p := newPKI(t, "server")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", mustLoad(t, p.files).ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan *tls.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		tc := c.(*tls.Conn)
		tc.Handshake()
		accepted <- tc
	}()
	c := dialClient(t, p, ln.Addr().String())
	peer := <-accepted
	defer peer.Close()

	const size = 32 << 20 // past both sockets' buffers
	b, err := c.Writer().Malloc(size)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = byte(i / 4096)
	}
	start := time.Now()
	_, left, err := c.TryFlush()
	if err != nil {
		t.Fatal(err)
	}
	if left == 0 {
		t.Fatal("TryFlush sent 32 MiB to a peer that reads nothing")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("TryFlush took %v: it waited for the peer", d)
	}
	// More written behind what is left: it goes after it.
	tail, _ := c.Writer().Malloc(4)
	copy(tail, "tail")

	got := make(chan []byte)
	go func() {
		buf := make([]byte, size+4)
		peer.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _ := io.ReadFull(peer, buf)
		got <- buf[:n]
	}()
	deadline := time.Now().Add(10 * time.Second)
	for left > 0 || c.Writer().MallocLen() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("TryFlush never sent the rest while the peer read")
		}
		time.Sleep(time.Millisecond)
		if _, left, err = c.TryFlush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Writer().Flush(); err != nil { // nothing left: a no-op
		t.Fatal(err)
	}
	buf := <-got
	if len(buf) != size+4 || string(buf[size:]) != "tail" {
		t.Fatalf("the peer read %d bytes ending %q, want %d ending \"tail\"", len(buf), buf[max(0, len(buf)-4):], size+4)
	}
	for i, x := range buf[:size] {
		if x != byte(i/4096) {
			t.Fatalf("byte %d arrived damaged or out of order", i)
		}
	}
}
