package mtls

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
)

// pki is a CA and the files of one certificate it issued, in a temp dir.
type pki struct {
	ca    *certgen.CA
	dir   string
	files Files
}

// newPKI makes a CA and a certificate for 127.0.0.1 named name.
func newPKI(t testing.TB, name string) *pki {
	t.Helper()
	ca, err := certgen.NewCA(name + "-ca")
	if err != nil {
		t.Fatal(err)
	}
	p := &pki{ca: ca, dir: t.TempDir()}
	p.files = p.issue(t, name, certgen.Leaf{Name: name, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	return p
}

// issue writes a certificate for l, signed by p's CA, as name's files.
func (p *pki) issue(t testing.TB, name string, l certgen.Leaf) Files {
	t.Helper()
	paths, err := p.ca.IssueFiles(p.dir, name, l)
	if err != nil {
		t.Fatal(err)
	}
	return Files{Cert: paths.Cert, Key: paths.Key, CA: paths.CA}
}

func mustLoad(t testing.TB, f Files) *Store {
	t.Helper()
	s, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// echoServer is a TLS Server whose connections echo what they read.
type echoServer struct {
	*Server
	refused  sync.Map // Reason -> *atomic.Int64
	logLines atomic.Int64
	log      bytes.Buffer
	logMu    sync.Mutex
}

func (e *echoServer) refusals(r Reason) int64 {
	v, ok := e.refused.Load(r)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

// lockedWriter counts the lines written to it.
type lineCounter struct{ e *echoServer }

func (l lineCounter) Write(p []byte) (int, error) {
	l.e.logMu.Lock()
	defer l.e.logMu.Unlock()
	l.e.logLines.Add(int64(bytes.Count(p, []byte("\n"))))
	return l.e.log.Write(p)
}

func startEcho(t testing.TB, s *Store, timeout time.Duration) *echoServer {
	t.Helper()
	e := &echoServer{}
	srv, err := Listen("127.0.0.1:0", ServerConfig{
		Store:            s,
		HandshakeTimeout: timeout,
		Accept: func(c *Conn) {
			c.Serve(context.Background(), func(_ context.Context, conn netpoll.Connection) error {
				r := conn.Reader()
				b, err := r.Next(r.Len())
				if err != nil {
					return err
				}
				w := conn.Writer()
				out, err := w.Malloc(len(b))
				if err != nil {
					return err
				}
				copy(out, b)
				r.Release()
				return w.Flush()
			})
		},
		Refused: func(r Reason) {
			v, _ := e.refused.LoadOrStore(r, new(atomic.Int64))
			v.(*atomic.Int64).Add(1)
		},
		Log: slog.New(slog.NewTextHandler(lineCounter{e}, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Server = srv
	t.Cleanup(func() { srv.Shutdown(time.Second) })
	return e
}

// waitFor polls cond every few milliseconds for up to d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// leafFor is a certificate for 127.0.0.1 named name, valid now.
func leafFor(name string) certgen.Leaf {
	return certgen.Leaf{Name: name, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}}
}

// dialClient dials addr with a client certificate for 127.0.0.1 issued by
// p's CA, and closes the connection when the test ends (closing it earlier
// is fine: Close may be called more than once).
func dialClient(t testing.TB, p *pki, addr string) *Conn {
	t.Helper()
	c, err := Dial(addr, time.Second, mustLoad(t, p.issue(t, "client", leafFor("client"))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// echoRoundTrip starts an echo server and a served client, and returns a
// round trip: a frame of size bytes written and flushed, and its echo read
// back whole by the client's handler.
func echoRoundTrip(tb testing.TB, size int) func() {
	tb.Helper()
	p := newPKI(tb, "server")
	srv := startEcho(tb, mustLoad(tb, p.files), time.Second)
	c := dialClient(tb, p, srv.Addr().String())
	got := make(chan int, 1)
	c.Serve(context.Background(), func(_ context.Context, conn netpoll.Connection) error {
		r := conn.Reader()
		n := r.Len()
		r.Skip(n)
		r.Release()
		got <- n
		return nil
	})
	frame := make([]byte, size)
	w := c.Writer()
	return func() {
		b, err := w.Malloc(len(frame))
		if err != nil {
			tb.Fatal(err)
		}
		copy(b, frame)
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		for n := 0; n < len(frame); n += <-got {
		}
	}
}
