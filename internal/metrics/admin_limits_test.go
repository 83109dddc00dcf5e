package metrics

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// serveAdmin serves a on a loopback port until the test ends.
func serveAdmin(t *testing.T, a Admin) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go a.Serve(ln)
	return ln.Addr().String()
}

// A client that dribbles its request is cut off after ReadTimeout, and
// connections past MaxConns are refused: the admin port cannot take the
// process's descriptors.
func TestAdminLimits(t *testing.T) {
	addr := serveAdmin(t, Admin{Metrics: prometheus.NewRegistry(), ReadTimeout: 200 * time.Millisecond})

	slow, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
	slow.SetReadDeadline(time.Now().Add(3 * time.Second))
	start := time.Now()
	io.ReadAll(slow) // until the server closes
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("a dribbling client held its connection %v", d)
	}

	// Another endpoint, whose connections are not cut while the test
	// holds them.
	addr = serveAdmin(t, Admin{Metrics: prometheus.NewRegistry(), MaxConns: 2})
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	time.Sleep(50 * time.Millisecond) // both accepted
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("past MaxConns: %v", err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("past MaxConns: %d, want 503", resp.StatusCode)
	}
	// Neither answer started fasthttp's once-a-second Date goroutine.
	if buf := make([]byte, 1<<20); bytes.Contains(buf[:runtime.Stack(buf, true)], []byte("updateServerDate")) {
		t.Error("a refusal started fasthttp's Date goroutine")
	}
}
