package mtls

import (
	"context"
	"encoding/binary"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/peertest"
)

// TestDataRightAfterHandshake: a client that writes the moment its
// handshake ends (its first record may reach the server with its Finished)
// is answered every time: nothing read past the handshake is stranded in
// crypto/tls when the socket moves to netpoll.
func TestDataRightAfterHandshake(t *testing.T) {
	p := newPKI(t, "server")
	srv := startEcho(t, mustLoad(t, p.files), time.Second)
	client := mustLoad(t, p.issue(t, "client", leafFor("client")))
	for i := range 30 {
		c, err := Dial(srv.Addr().String(), time.Second, client)
		if err != nil {
			t.Fatal(err)
		}
		w := c.Writer()
		w.WriteString("ping")
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		c.Conn.SetReadDeadline(time.Now().Add(time.Second))
		got := make([]byte, 4)
		if _, err := io.ReadFull(c.Conn, got); err != nil || string(got) != "ping" {
			t.Fatalf("dial %d: echo %q, %v", i, got, err)
		}
		c.Close()
	}
}

// TestHandlerWaitsMidFrame: a handler that asks its Reader for a frame
// larger than what has arrived waits for the rest, which comes in many
// records and two flushes; and frames written back through the Writer
// arrive whole.
func TestHandlerWaitsMidFrame(t *testing.T) {
	p := newPKI(t, "server")
	got := make(chan int, 4)
	srv, err := Listen("127.0.0.1:0", ServerConfig{Store: mustLoad(t, p.files), Accept: func(c *Conn) {
		c.Serve(context.Background(), func(_ context.Context, conn netpoll.Connection) error {
			r := conn.Reader()
			for r.Len() > 0 {
				h, err := r.Next(4)
				if err != nil {
					return err
				}
				n := int(binary.BigEndian.Uint32(h))
				body, err := r.Next(n) // waits for the rest of the frame
				if err != nil {
					return err
				}
				sum := 0
				for _, b := range body {
					sum += int(b)
				}
				r.Release()
				got <- sum
				w := conn.Writer()
				out, _ := w.Malloc(4)
				binary.BigEndian.PutUint32(out, uint32(sum))
				if err := w.Flush(); err != nil {
					return err
				}
			}
			return nil
		})
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(time.Second)
	c := dialClient(t, p, srv.Addr().String())
	const size = 200_000
	frame := make([]byte, 4+size)
	binary.BigEndian.PutUint32(frame, size)
	want := 0
	for i := range size {
		frame[4+i] = byte(i)
		want += int(byte(i))
	}
	w := c.Writer()
	w.WriteBinary(frame[:4+size/3])
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	select {
	case s := <-got:
		t.Fatalf("handler finished a frame from a third of it: %d", s)
	default:
	}
	w.WriteBinary(frame[4+size/3:])
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != want {
			t.Fatalf("handler summed %d, want %d", s, want)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the handler never got the whole frame")
	}
	c.Conn.SetReadDeadline(time.Now().Add(time.Second))
	ans := make([]byte, 4)
	if _, err := io.ReadFull(c.Conn, ans); err != nil || int(binary.BigEndian.Uint32(ans)) != want {
		t.Fatalf("answer %v, %v", ans, err)
	}
}

// TestPeerCloseRunsCallbacks: when the peer goes, the close callbacks run
// (once) and Closed is closed.
func TestPeerCloseRunsCallbacks(t *testing.T) {
	p := newPKI(t, "server")
	srv := startEcho(t, mustLoad(t, p.files), time.Second)
	c := dialClient(t, p, srv.Addr().String())
	calls := make(chan struct{}, 2)
	c.AddCloseCallback(func(netpoll.Connection) error { calls <- struct{}{}; return nil })
	c.Serve(context.Background(), func(context.Context, netpoll.Connection) error { return nil })
	waitFor(t, time.Second, "server holds the connection", func() bool { return srv.Conns() == 1 })
	srv.Shutdown(time.Second)
	select {
	case <-c.Closed():
	case <-time.After(2 * time.Second):
		t.Fatal("peer close: Closed not closed")
	}
	if c.IsActive() {
		t.Fatal("IsActive after the peer closed")
	}
	c.Close()
	time.Sleep(20 * time.Millisecond)
	if len(calls) != 1 {
		t.Fatalf("close callback ran %d times", len(calls))
	}
}

// TestPartialRecordCostsNothing: a peer that sends the first bytes of a
// TLS record after its handshake and then stops, or leaves, costs no CPU:
// the partial record waits in crypto/tls (netpoll holds no unread byte, so
// it does not run the handler again and again), and the connection closes
// when the peer goes. The spinning-peer class of bug, on a TLS link.
func TestPartialRecordCostsNothing(t *testing.T) {
	for _, how := range []string{"stays", "FIN", "RST"} {
		t.Run(how, func(t *testing.T) {
			p := newPKI(t, "server")
			accepted := make(chan *Conn, 1)
			handled := make(chan struct{}, 1)
			srv, err := Listen("127.0.0.1:0", ServerConfig{Store: mustLoad(t, p.files), Accept: func(c *Conn) {
				accepted <- c
				c.Serve(context.Background(), func(_ context.Context, conn netpoll.Connection) error {
					select {
					case handled <- struct{}{}:
					default:
					}
					return nil // consumes nothing: the record never completes
				})
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown(time.Second)
			c := dialClient(t, p, srv.Addr().String())
			sc := <-accepted
			// An application-data record announcing 256 bytes, with 10 of them.
			partial := append([]byte{0x17, 0x03, 0x03, 0x01, 0x00}, make([]byte, 10)...)
			if _, err := syscall.Write(c.Fd(), partial); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
			select {
			case <-handled:
				t.Fatal("the handler ran with no whole record decrypted")
			default:
			}
			if how == "stays" {
				peertest.AssertIdle(t, 300*time.Millisecond, 30*time.Millisecond)
				return
			}
			if how == "RST" {
				if err := syscall.SetsockoptLinger(c.Fd(), syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1}); err != nil {
					t.Fatal(err)
				}
				c.Close()
			} else if err := syscall.Shutdown(c.Fd(), syscall.SHUT_WR); err != nil {
				t.Fatal(err)
			}
			select {
			case <-sc.Closed():
			case <-time.After(time.Second):
				t.Fatalf("the server kept the connection a second after the peer's %s", how)
			}
			peertest.AssertIdle(t, 300*time.Millisecond, 30*time.Millisecond)
		})
	}
}
