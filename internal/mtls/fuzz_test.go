package mtls

import (
	"io"
	"net"
	"testing"
	"time"
)

// FuzzHandshake sends arbitrary first bytes to a TLS listener and leaves
// (half-close): the server must close its side at once (garbage) or at the
// handshake timeout (a handshake left halfway), never hang or spin, and
// count the refusal. The seed corpus (testdata/fuzz/FuzzHandshake) holds an
// agent frame, an HTTP request, a partial ClientHello and noise.
func FuzzHandshake(f *testing.F) {
	p := newPKI(f, "server")
	srv := startEcho(f, mustLoad(f, p.files), 200*time.Millisecond)
	addr := srv.Addr().String()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if len(data) > 0 {
			c.Write(data)
		}
		c.(*net.TCPConn).CloseWrite()
		start := time.Now()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		// The server may answer with an alert before it closes.
		if _, err := io.Copy(io.Discard, c); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the server kept the connection open for 2s after %d bytes and a half-close", len(data))
			}
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("closed after %v", d)
		}
	})
}
