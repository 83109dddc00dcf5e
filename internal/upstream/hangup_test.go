package upstream

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/internal/peertest"
)

// frameDecoder takes frames of a 1-byte length and that many bytes, as the
// agents' decoders take theirs: a frame cut short makes it wait.
type frameDecoder struct {
	set   batch.Set
	calls *atomic.Int64
}

func (d *frameDecoder) Decode(buf []byte) (used, need int, err error) {
	d.calls.Add(1)
	for used < len(buf) {
		n := 1 + int(buf[used])
		if len(buf)-used < n {
			return used, n, nil
		}
		used += n
	}
	return used, 0, nil
}

// An upstream that leaves mid-frame (FIN, RST, half-close) has the
// connection closed at once and redialed, and the process stays idle:
// netpoll would otherwise run the handler forever on the unread bytes.
func TestPeerLeavesMidFrame(t *testing.T) {
	for _, h := range peertest.Hangups {
		t.Run(h.String(), func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			// The first connection gets one whole frame and part of
			// the next, then the listener's side leaves as h says; the
			// redial is held open in silence.
			left := make(chan error, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				tc := c.(*net.TCPConn)
				tc.Write([]byte{2, 'o', 'k', 9, 'p', 'a'})
				time.Sleep(20 * time.Millisecond)
				switch h {
				case peertest.FIN:
					tc.Close()
				case peertest.RST:
					tc.SetLinger(0)
					tc.Close()
				case peertest.HalfClose:
					tc.CloseWrite()
					tc.SetReadDeadline(time.Now().Add(peertest.Closed))
					_, err := tc.Read(make([]byte, 1))
					left <- err
				}
				held, err := ln.Accept()
				if err == nil {
					defer held.Close()
					time.Sleep(5 * time.Second)
				}
			}()
			var calls atomic.Int64
			c := Dial(Config{
				Addr:       ln.Addr().String(),
				MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
				NewDecoder: func(*batch.Writer) (batch.Decoder, *batch.Set) {
					d := &frameDecoder{calls: &calls}
					return d, &d.set
				},
			})
			defer c.Close()
			// The close must come within peertest.Closed; the redial
			// that shows it gets as long again (its backoff and dial).
			deadline := time.Now().Add(2 * peertest.Closed)
			for c.Dials() < 2 {
				if time.Now().After(deadline) {
					t.Fatalf("the connection was not closed and redialed within %v of the peer leaving", 2*peertest.Closed)
				}
				time.Sleep(time.Millisecond)
			}
			if h == peertest.HalfClose {
				if err := <-left; err == nil {
					t.Fatal("the peer read bytes, want the close")
				} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Fatal("the upstream did not close its side after the peer's half-close")
				}
			}
			n := calls.Load()
			peertest.AssertIdle(t, time.Second, peertest.Spin)
			if again := calls.Load(); again != n {
				t.Fatalf("the decoder ran %d more times after the close", again-n)
			}
		})
	}
}
