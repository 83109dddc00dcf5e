package upstream

import (
	"bufio"
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

func consumeAll(got *atomic.Int64) func(*Conn, *batch.Writer, netpoll.Reader) error {
	return func(_ *Conn, _ *batch.Writer, r netpoll.Reader) error {
		got.Add(int64(r.Len()))
		r.Skip(r.Len())
		return r.Release()
	}
}

func TestDialSendReceive(t *testing.T) {
	s := startLineServer(t, "127.0.0.1:0")
	defer s.ln.Close()
	var got atomic.Int64
	c := Dial(Config{Addr: s.ln.Addr().String(), Handler: consumeAll(&got)})
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
		Handler:    consumeAll(&got),
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
		Handler:     consumeAll(&got),
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
	c := Dial(Config{Addr: s.ln.Addr().String(), Handler: consumeAll(&got), OnDown: func(*batch.Writer) { downs.Add(1) }})
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
