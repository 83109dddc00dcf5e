package server

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/internal/peertest"
)

// A handler that waits for the rest of a message and returns when the peer
// has gone leaves the bytes unread; without Guard netpoll would call it
// again and again. Behind Listen it runs about once per hang-up.
func TestGuardClosesWhenPeerLeaves(t *testing.T) {
	var runs atomic.Int64
	waitForMore := func(_ context.Context, c netpoll.Connection) error {
		runs.Add(1)
		r := c.Reader()
		r.Peek(r.Len() + 1) // fails once the peer has gone; no error returned
		return nil
	}
	Configure(2)
	s, err := Listen("127.0.0.1:0", waitForMore)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(time.Second)
	peertest.Check(t, s.Addr().String(), []byte("partial"))
	if n := runs.Load(); n > int64(len(peertest.Hangups))*2 {
		t.Fatalf("the handler ran %d times for %d hang-ups", n, len(peertest.Hangups))
	}
}

// A handler's error closes its connection, even while the peer is there.
func TestGuardClosesOnError(t *testing.T) {
	bad := errors.New("bad stream")
	closed := make(chan struct{})
	h := Guard(func(_ context.Context, c netpoll.Connection) error {
		c.AddCloseCallback(func(netpoll.Connection) error { close(closed); return nil })
		return bad
	})
	Configure(2)
	s, err := Listen("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(time.Second)
	peertest.SendAndLeave(t, s.Addr().String(), []byte("x"), peertest.HalfClose)
	select {
	case <-closed:
	case <-time.After(time.Second):
		t.Fatal("the connection stayed open after the handler's error")
	}
}
