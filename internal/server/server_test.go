package server

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"
)

// echo writes back what it reads.
func echo(_ context.Context, c netpoll.Connection) error {
	r := c.Reader()
	b, err := r.Next(r.Len())
	if err != nil {
		return err
	}
	c.Writer().WriteBinary(b)
	r.Release()
	return c.Writer().Flush()
}

func TestListenServeShutdown(t *testing.T) {
	Configure(2)
	s, err := Listen("127.0.0.1:0", echo)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("ping"))
	b := make([]byte, 4)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.ReadFull(c, b); err != nil || string(b) != "ping" {
		t.Fatalf("echo = %q, %v", b, err)
	}
	if s.Port() == 0 {
		t.Fatal("no port")
	}
	s.Shutdown(time.Second)
	if _, err := net.DialTimeout("tcp", s.Addr().String(), 200*time.Millisecond); err == nil {
		t.Fatal("still accepting after Shutdown")
	}
}

func TestListenBadAddr(t *testing.T) {
	if _, err := Listen("256.0.0.1:1", func(context.Context, netpoll.Connection) error { return nil }); err == nil {
		t.Fatal("bad address accepted")
	}
}
