package upstream

import (
	"bufio"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// lineServer answers every line it reads with "ok:<line>".
type lineServer struct {
	ln    net.Listener
	lines chan string
}

func startLineServer(t *testing.T, addr string) *lineServer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &lineServer{ln: ln, lines: make(chan string, 100)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewScanner(c)
				for r.Scan() {
					s.lines <- r.Text()
					c.Write([]byte("ok:" + r.Text() + "\n"))
				}
			}()
		}
	}()
	return s
}

// counter is a decoder that takes every byte and counts them.
type counter struct {
	got *atomic.Int64
	set batch.Set
}

func (c *counter) Decode(buf []byte) (used, need int, err error) {
	c.got.Add(int64(len(buf)))
	return len(buf), 0, nil
}

func consumeAll(got *atomic.Int64) func(*batch.Writer) (batch.Decoder, *batch.Set) {
	return func(*batch.Writer) (batch.Decoder, *batch.Set) {
		c := &counter{got: got}
		return c, &c.set
	}
}

func TestDialSendReceive(t *testing.T) {
	s := startLineServer(t, "127.0.0.1:0")
	defer s.ln.Close()
	var got atomic.Int64
	c := Dial(Config{Addr: s.ln.Addr().String(), NewDecoder: consumeAll(&got)})
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	w := c.Writer()
	bw := w.Lock()
	bw.WriteString("hello\n")
	w.Unlock()
	w.Flush()
	if l := <-s.lines; l != "hello" {
		t.Fatalf("server read %q", l)
	}
	deadline := time.Now().Add(2 * time.Second)
	for got.Load() != int64(len("ok:hello\n")) {
		if time.Now().After(deadline) {
			t.Fatalf("handler read %d bytes", got.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRedialAfterPeerDies(t *testing.T) {
	s := startLineServer(t, "127.0.0.1:0")
	addr := s.ln.Addr().String()
	var got atomic.Int64
	var downs atomic.Int32
	c := Dial(Config{
		Addr:       addr,
		NewDecoder: consumeAll(&got),
		OnDown:     func(*batch.Writer) { downs.Add(1) },
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 50 * time.Millisecond,
	})
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	// Kill the listener and the accepted connection by closing the
	// listener and sending a line the server will answer before we close.
	s.ln.Close()
	w := c.Writer()
	w.Conn().Close()
	deadline := time.Now().Add(2 * time.Second)
	for downs.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("OnDown not called")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if c.Ready(100 * time.Millisecond) {
		t.Fatal("ready with no server")
	}
	s2 := startLineServer(t, addr)
	defer s2.ln.Close()
	if !c.Ready(3 * time.Second) {
		t.Fatal("did not redial")
	}
	if c.Dials() != 2 {
		t.Fatalf("dials = %d", c.Dials())
	}
}

func TestIdleHeartbeat(t *testing.T) {
	s := startLineServer(t, "127.0.0.1:0")
	defer s.ln.Close()
	var got atomic.Int64
	c := Dial(Config{
		Addr:        s.ln.Addr().String(),
		NewDecoder:  consumeAll(&got),
		IdleTimeout: 40 * time.Millisecond,
		Heartbeat: func(w netpoll.Writer) error {
			_, err := w.WriteString("ping\n")
			return err
		},
	})
	defer c.Close()
	select {
	case l := <-s.lines:
		if l != "ping" {
			t.Fatalf("got %q", l)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no heartbeat on an idle connection")
	}
}

func TestCloseRunsOnDown(t *testing.T) {
	s := startLineServer(t, "127.0.0.1:0")
	defer s.ln.Close()
	var got atomic.Int64
	var downs atomic.Int32
	c := Dial(Config{Addr: s.ln.Addr().String(), NewDecoder: consumeAll(&got), OnDown: func(*batch.Writer) { downs.Add(1) }})
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	c.Close()
	if downs.Load() != 1 {
		t.Fatalf("downs = %d", downs.Load())
	}
	if c.Writer() != nil {
		t.Fatal("writer offered after Close")
	}
}

// refuser rejects whatever the peer sends.
type refuser struct{ set batch.Set }

var errRefused = errors.New("refused")

func (r *refuser) Decode([]byte) (int, int, error) { return 0, 0, errRefused }

func TestBadStreamClosesAndRedials(t *testing.T) {
	s := startLineServer(t, "127.0.0.1:0")
	defer s.ln.Close()
	var bad atomic.Int32
	c := Dial(Config{
		Addr: s.ln.Addr().String(),
		NewDecoder: func(*batch.Writer) (batch.Decoder, *batch.Set) {
			r := &refuser{}
			return r, &r.set
		},
		OnBadStream: func(err error) {
			if errors.Is(err, errRefused) {
				bad.Add(1)
			}
		},
		MinBackoff: 10 * time.Millisecond,
		MaxBackoff: 20 * time.Millisecond,
	})
	defer c.Close()
	if !c.Ready(2 * time.Second) {
		t.Fatal("not ready")
	}
	w := c.Writer()
	bw := w.Lock()
	bw.WriteString("x\n") // the server answers; the decoder refuses it
	w.Unlock()
	w.Flush()
	deadline := time.Now().Add(3 * time.Second)
	for bad.Load() == 0 || c.Dials() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("bad streams %d, dials %d: want the connection closed and redialed", bad.Load(), c.Dials())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
