package mtls

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"
)

// A socket moved to netpoll has no addresses in netpoll's eyes: a write
// that times out there (a peer that never reads) is an error, not a panic
// in naming the peer (netpoll patch, peer_name.go). A hostile-peer trial
// crashed both agents so, over TLS.
func TestMovedSocketWriteTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c // never read
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer := <-accepted
	defer peer.Close()
	nc, err := toNetpoll(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetWriteTimeout(100 * time.Millisecond)
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := nc.Writer().WriteBinary(chunk); err != nil {
			t.Fatal(err)
		}
		err := nc.Writer().Flush()
		if err != nil {
			if !netpollTimeout(err) {
				t.Fatalf("flush: %v, want a write timeout", err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no write timeout after 10 s of writes nobody reads")
		}
	}
}

func netpollTimeout(err error) bool {
	return errors.Is(err, netpoll.ErrWriteTimeout) || strings.Contains(err.Error(), "write timeout")
}
