package main

import (
	"net"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/load"
)

func TestServeWithLatency(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const latency = 30 * time.Millisecond
	go serve(ln, latency)

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rr := load.NewResponseReader(c, 4096)
	params := load.NewParams(5)
	scratch := make([]byte, 0, 16)
	for i := 0; i < 5; i++ {
		p := params.Append(nil)
		start := time.Now()
		if _, err := c.Write(load.AppendRequest(nil, ln.Addr().String(), p)); err != nil {
			t.Fatal(err)
		}
		resp, err := rr.Read()
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < latency {
			t.Fatalf("answered after %v, want at least %v", d, latency)
		}
		if o := load.Check(resp.Status, resp.Body, p, scratch); o != load.Correct {
			t.Fatalf("call %d: %v (%d %q)", i, o, resp.Status, resp.Body)
		}
	}
}

func TestServeGrowsForLargeRequests(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serve(ln, 0)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := make([]byte, 100<<10) // far past the initial buffer
	for i := range p {
		p[i] = 'a' + byte(i%26)
	}
	go c.Write(load.AppendRequest(nil, "x", p))
	resp, err := load.NewResponseReader(c, 4096).Read()
	if err != nil {
		t.Fatal(err)
	}
	if o := load.Check(resp.Status, resp.Body, p, make([]byte, 0, 16)); o != load.Correct {
		t.Fatalf("%v (%d %q)", o, resp.Status, resp.Body)
	}
}
