package load

import (
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// refusal is what the consumer agent writes to a connection past its
// --max-conns before closing it unread.
const refusal = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Content-Length: 20\r\nConnection: close\r\n\r\ntoo many connections"

// refusingServer accepts connections and, while refuse says so for the
// connection's number (from 0), answers refusal and closes it without
// reading; other connections are served by serveCheap. It returns the
// address and the count of accepted connections.
func refusingServer(t *testing.T, refuse func(n int64) bool) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	noErr(t, err)
	t.Cleanup(func() { ln.Close() })
	var accepted atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if refuse(accepted.Add(1) - 1) {
				c.Write([]byte(refusal))
				c.Close()
				continue
			}
			go serveCheap(c)
		}
	}()
	return ln.Addr().String(), &accepted
}

func TestGeneratorBacksOffRefusals(t *testing.T) {
	addr, accepted := refusingServer(t, func(int64) bool { return true })
	const conns, window = 8, 600 * time.Millisecond
	g, err := Start(Config{Addr: addr, Conns: conns})
	noErr(t, err)
	time.Sleep(window)
	res := g.Stop()
	begin := time.Now()
	g.Close()
	if d := time.Since(begin); d > 300*time.Millisecond {
		t.Errorf("Close took %v while connections were pausing", d)
	}
	if res.Failed == 0 || res.Correct != 0 || res.Wrong != 0 {
		t.Fatalf("failed %d correct %d wrong %d", res.Failed, res.Correct, res.Wrong)
	}
	// The server closes unread, which may reset a connection before its
	// answer is read; most refusals must still count as 503s.
	if res.Statuses[503] < res.Failed/2 {
		t.Fatalf("statuses %v of %d failed, want mostly 503", res.Statuses, res.Failed)
	}
	// Pauses of 5-10, 10-20, 20-40... ms: about 7 refusals per connection
	// in 600 ms. Without them each connection would be refused thousands
	// of times.
	if n := accepted.Load(); n > conns*12 {
		t.Fatalf("%d connections accepted by a refusing server in %v: the generator spins", n, window)
	}
}

func TestGeneratorRecoversAfterRefusal(t *testing.T) {
	// The first two connections are refused, every later one served.
	addr, _ := refusingServer(t, func(n int64) bool { return n < 2 })
	res := run(t, Config{Addr: addr, Conns: 1}, 400*time.Millisecond)
	if res.Correct == 0 {
		t.Fatalf("correct %d failed %d %v: no recovery after refusals", res.Correct, res.Failed, res.Statuses)
	}
}
