package mtls

import (
	"context"

	"crypto/tls"
	"errors"
	"github.com/cloudwego/netpoll"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/certgen"
	"github.com/dubbomesh/dubbomesh/internal/peertest"
)

// echo sends msg on c and reads it back.
func echo(t *testing.T, c *Conn, msg string) {
	t.Helper()
	w := c.Writer()
	if _, err := w.WriteString(msg); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	c.Conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c.Conn, got); err != nil {
		t.Fatal(err)
	}
	if string(got) != msg {
		t.Fatalf("echo = %q, want %q", got, msg)
	}
}

func TestMutualTLS(t *testing.T) {
	p := newPKI(t, "server")
	srv := startEcho(t, mustLoad(t, p.files), time.Second)
	client := mustLoad(t, p.issue(t, "client", leafFor("client")))
	c, err := Dial(srv.Addr().String(), time.Second, client)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v := c.ConnectionState().Version; v != tls.VersionTLS13 {
		t.Fatalf("version %x, want TLS 1.3", v)
	}
	echo(t, c, "hello over mTLS")
	// A batch larger than a LinkBuffer node and than a TLS record.
	big := make([]byte, 100_000)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	echo(t, c, string(big))
	waitFor(t, time.Second, "server counts the connection", func() bool { return srv.Conns() == 1 })
}

func TestServerNameChecked(t *testing.T) {
	p := newPKI(t, "server")
	// The server's certificate names another host than the one dialed.
	srvFiles := p.issue(t, "elsewhere", certgen.Leaf{Name: "elsewhere", IPs: []net.IP{net.IPv4(10, 9, 8, 7)}, DNS: []string{"agent.example"}})
	srv := startEcho(t, mustLoad(t, srvFiles), time.Second)
	client := mustLoad(t, p.issue(t, "client", leafFor("client")))
	_, err := Dial(srv.Addr().String(), time.Second, client)
	var he *HandshakeError
	if !errors.As(err, &he) || he.Reason != BadName {
		t.Fatalf("Dial to a server whose certificate names another host = %v, want a HandshakeError for bad_name", err)
	}
}

// TestRefusals checks each refusal over a real socket: refused within a
// second, counted with its reason, logged once per peer however often it
// comes back, and seen by the client as a clear error.
func TestRefusals(t *testing.T) {
	p := newPKI(t, "server")
	foreign := newPKI(t, "foreign")
	past := time.Now().Add(-48 * time.Hour)
	expired := p.issue(t, "expired", certgen.Leaf{Name: "expired", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: past, NotAfter: past.Add(time.Hour)})

	cases := []struct {
		name   string
		reason Reason
		try    func(t *testing.T, addr string) error
	}{
		{"plaintext", Plaintext, func(t *testing.T, addr string) error {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write([]byte("DM\x01\x00\x00\x00\x00\x10 plain agent frame"))
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			if _, err := io.ReadAll(c); err != nil {
				return err
			}
			return io.EOF // closed by the server
		}},
		{"foreign CA", UnknownCA, func(t *testing.T, addr string) error {
			// Trusts the server, but its own certificate is another CA's.
			return dialAndRead(addr, mustLoad(t, Files{Cert: foreign.files.Cert, Key: foreign.files.Key, CA: p.files.CA}))
		}},
		{"expired", Expired, func(t *testing.T, addr string) error {
			return dialAndRead(addr, mustLoad(t, expired))
		}},
		{"no certificate", NoCert, func(t *testing.T, addr string) error {
			s := mustLoad(t, p.files)
			cfg := s.ClientConfig("127.0.0.1")
			cfg.GetClientCertificate = nil
			c, err := tls.Dial("tcp", addr, cfg)
			if err != nil {
				return err
			}
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			_, err = c.Read(make([]byte, 1))
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startEcho(t, mustLoad(t, p.files), time.Second)
			for i := range 3 {
				start := time.Now()
				err := tc.try(t, srv.Addr().String())
				if err == nil {
					t.Fatal("the client was not refused")
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatalf("the client waited for its refusal: %v", err)
				}
				waitFor(t, time.Second, "refusal counted", func() bool { return srv.refusals(tc.reason) == int64(i+1) })
				if d := time.Since(start); d > time.Second {
					t.Fatalf("refused after %v, want within 1s", d)
				}
				if i == 0 && tc.reason != Plaintext && tc.reason != NoCert { // those two do not dial with Dial
					var he *HandshakeError
					if !errors.As(err, &he) || he.Reason != tc.reason {
						t.Errorf("the client's error %v is not a HandshakeError for %s", err, tc.reason)
					}
				}
			}
			if n := srv.logLines.Load(); n != 1 {
				t.Fatalf("%d log lines for 3 refusals from one peer, want 1:\n%s", n, srv.log.String())
			}
			if srv.Conns() != 0 {
				t.Fatalf("%d refused connections left open", srv.Conns())
			}
		})
	}
}

// dialAndRead dials with s and reads once: in TLS 1.3 the server's
// refusal of a client certificate arrives after the client's handshake.
func dialAndRead(addr string, s *Store) error {
	c, err := Dial(addr, time.Second, s)
	if err != nil {
		return err
	}
	done := make(chan struct{})
	c.AddCloseCallback(func(_ netpoll.Connection) error { close(done); return nil })
	c.SetOnRequest(func(_ context.Context, _ netpoll.Connection) error { return nil })
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		c.Close()
		return errors.New("not closed within 2s")
	}
	if err := c.Refusal(); err != nil {
		return err
	}
	return errors.New("closed without a refusal")
}

// TestStalledHandshake: a peer that sends part of a ClientHello and stops
// is cut off at the handshake timeout; one that leaves mid-handshake is
// closed at once; neither costs CPU afterwards.
func TestStalledHandshake(t *testing.T) {
	p := newPKI(t, "server")
	srv := startEcho(t, mustLoad(t, p.files), 200*time.Millisecond)
	partial := []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}
	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(partial)
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("the stalled handshake was not closed: %v", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("stalled handshake closed after %v, want about the 200ms timeout", d)
	}
	waitFor(t, time.Second, "timeout counted", func() bool { return srv.refusals(Timeout) == 1 })

	for _, h := range peertest.Hangups {
		before := srv.refusals(Closed)
		peertest.SendAndLeave(t, srv.Addr().String(), partial, h)
		if h != peertest.HalfClose {
			waitFor(t, peertest.Closed, h.String()+": refusal counted", func() bool { return srv.refusals(Closed) == before+1 })
		}
	}
	peertest.AssertIdle(t, 300*time.Millisecond, 30*time.Millisecond)
}

// TestRotation: after Reload, new handshakes get the new certificate and
// connections already open carry on.
func TestRotation(t *testing.T) {
	p := newPKI(t, "server")
	store := mustLoad(t, p.files)
	srv := startEcho(t, store, time.Second)
	client := mustLoad(t, p.issue(t, "client", leafFor("client")))
	old, err := Dial(srv.Addr().String(), time.Second, client)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	oldSerial := old.ConnectionState().PeerCertificates[0].SerialNumber
	p.issue(t, "server", leafFor("server"))
	if err := store.Reload(); err != nil {
		t.Fatal(err)
	}
	fresh, err := Dial(srv.Addr().String(), time.Second, client)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if fresh.ConnectionState().PeerCertificates[0].SerialNumber.Cmp(oldSerial) == 0 {
		t.Fatal("a handshake after Reload presented the old certificate")
	}
	echo(t, old, "still open")
	echo(t, fresh, "new one")
}

// Peers that never finish a handshake hold at most MaxHandshakesPerHost of
// the MaxConns slots per host: 16 silent connections from 127.0.0.1 take 4
// and are refused past them (Busy), and a consumer agent's connection from
// another host (127.0.0.2) still gets in. Without the per-host bound the
// silent ones would hold all 8 slots, and it would be closed at once.
func TestSilentPeersLeaveRoom(t *testing.T) {
	p := newPKI(t, "server")
	var busy, accepted atomic.Int64
	srv, err := Listen("127.0.0.1:0", ServerConfig{
		Store:                mustLoad(t, p.files),
		HandshakeTimeout:     3 * time.Second,
		MaxConns:             8,
		MaxHandshakesPerHost: 4,
		Accept: func(c *Conn) {
			accepted.Add(1)
			c.Serve(context.Background(), func(context.Context, netpoll.Connection) error { return nil })
		},
		Refused: func(r Reason) {
			if r == Busy {
				busy.Add(1)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(time.Second) })
	for range 16 {
		c, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	waitFor(t, 2*time.Second, "the silent connections past 4 refused as busy", func() bool { return busy.Load() == 12 })

	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: time.Second}
	client := mustLoad(t, p.issue(t, "client", leafFor("client")))
	c, err := tls.DialWithDialer(d, "tcp", srv.Addr().String(), client.ClientConfig("127.0.0.1"))
	if err != nil {
		t.Fatalf("a consumer agent from another host was refused: %v", err)
	}
	defer c.Close()
	waitFor(t, 2*time.Second, "the other host's connection served", func() bool { return accepted.Load() == 1 })
}
