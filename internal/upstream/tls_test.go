package upstream

import (
	"bufio"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
	"github.com/dubbomesh/dubbomesh/internal/mtls"
)

// tlsFiles issues a certificate for 127.0.0.1 from ca into dir.
func tlsFiles(t *testing.T, ca *certgen.CA, dir, name string) mtls.Files {
	t.Helper()
	p, err := ca.IssueFiles(dir, name, certgen.Leaf{Name: name, IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	if err != nil {
		t.Fatal(err)
	}
	return mtls.Files{Cert: p.Cert, Key: p.Key, CA: p.CA}
}

func loadStore(t *testing.T, f mtls.Files) *mtls.Store {
	t.Helper()
	s, err := mtls.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startTLSLineServer is startLineServer behind mutual TLS.
func startTLSLineServer(t *testing.T, s *mtls.Store) (*mtls.Server, chan string) {
	t.Helper()
	lines := make(chan string, 100)
	srv, err := mtls.Listen("127.0.0.1:0", mtls.ServerConfig{Store: s, Accept: func(c *mtls.Conn) {
		go func() {
			defer c.Close()
			r := bufio.NewScanner(c.Conn)
			for r.Scan() {
				lines <- r.Text()
				c.Conn.Write([]byte("ok:" + r.Text() + "\n"))
			}
		}()
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(time.Second) })
	return srv, lines
}

func TestDialTLS(t *testing.T) {
	ca, _ := certgen.NewCA("ca")
	dir := t.TempDir()
	srv, lines := startTLSLineServer(t, loadStore(t, tlsFiles(t, ca, dir, "server")))
	var got atomic.Int64
	c := Dial(Config{Addr: srv.Addr().String(), NewDecoder: consumeAll(&got), TLS: loadStore(t, tlsFiles(t, ca, dir, "client")),
		UserTimeout: 3 * time.Second})
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	// The TLS link's socket is tuned as a plaintext one (TuneTCP).
	if d, err := userTimeoutOf(c.Writer().Conn().(*mtls.Conn).Fd()); err != nil || d != 3*time.Second {
		t.Fatalf("TLS link: TCP_USER_TIMEOUT = %v, %v; want 3s", d, err)
	}
	w := c.Writer()
	bw := w.Lock()
	bw.WriteString("hello\n")
	w.Unlock()
	w.Flush()
	if l := <-lines; l != "hello" {
		t.Fatalf("server got %q", l)
	}
	deadline := time.Now().Add(2 * time.Second)
	for got.Load() != int64(len("ok:hello\n")) {
		if time.Now().After(deadline) {
			t.Fatalf("decoder got %d bytes", got.Load())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestDialTLSRefused: a server that refuses our certificate (another CA)
// is a dial error naming the reason, not a silent close.
func TestDialTLSRefused(t *testing.T) {
	ca, _ := certgen.NewCA("ca")
	other, _ := certgen.NewCA("other")
	dir := t.TempDir()
	srv, _ := startTLSLineServer(t, loadStore(t, tlsFiles(t, ca, dir, "server")))
	foreign := tlsFiles(t, other, dir, "client")
	foreign.CA = tlsFiles(t, ca, dir, "trust").CA // it trusts the server
	errs := make(chan error, 10)
	c := Dial(Config{Addr: srv.Addr().String(), NewDecoder: consumeAll(new(atomic.Int64)), TLS: loadStore(t, foreign),
		Heartbeat: func(w netpoll.Writer) error { _, err := w.WriteString("ping\n"); return err }, PingInterval: 100 * time.Millisecond,
		OnDialError: func(err error) { errs <- err }})
	defer c.Close()
	select {
	case err := <-errs:
		var he *mtls.HandshakeError
		if !errors.As(err, &he) || he.Reason != mtls.UnknownCA {
			t.Fatalf("dial error %v, want a HandshakeError for unknown_ca", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no dial error within 2s")
	}
	if c.Ready(100 * time.Millisecond) {
		t.Fatal("a refused connection was offered")
	}
}
