package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestClientThatDoesNotRead: a client that pipelines calls with large
// answers and reads none of them holds up only itself. Another client on
// the same loop gets its answers at once, the provider agent is not taken
// for dead (its pongs are read), reading from the client that does not read
// pauses, and after clientWriteTimeout it is closed and counted.
func TestClientThatDoesNotRead(t *testing.T) {
	a, f := echoAgent(t, Config{}, echoPlan)
	big := strings.Repeat("a", 64<<10)
	var b strings.Builder
	const sent = 400 // past the pipeline (128) and the 1 MiB of answers unread
	for range sent {
		b.WriteString(post(echoForm(big)))
	}
	slow := dial(t, a)
	go slow.nc.Write([]byte(b.String())) // blocks once the agent stops reading; ends with the connection
	waitFor(t, "the slow client's calls", func() bool { return f.calls.Load() >= 20 })

	// Two more clients: the agent's two loops take connections in turn,
	// so one of them shares the loop of the client that does not read.
	fast := []*client{dial(t, a), dial(t, a)}
	start := time.Now()
	for i := range 50 {
		c := fast[i%2]
		c.send(post(echoForm(fmt.Sprint(i))))
		c.expect(200, fmt.Sprint(i))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("50 calls of other clients took %v behind the one that does not read", d)
	}
	t.Logf("calls made: %d of %d sent by the client that does not read", f.calls.Load()-50, sent)
	if n := f.calls.Load(); n >= sent+50 { // the others' 50 included
		t.Fatalf("all %d calls made: reading from the client that does not read never paused", n)
	}

	deadline := time.Now().Add(clientWriteTimeout + 5*time.Second)
	for metric(t, a, "consumer_agent_stalled_clients_total") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the client that reads nothing was not closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// What the agent had sent is still in the socket; after it, the end.
	slow.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, slow.br); err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the connection of the client that reads nothing was not closed: %v", err)
	}
	check(t, "ping timeouts", metric(t, a, "consumer_agent_ping_timeouts_total"), 0.0)
	for _, c := range fast {
		c.send(post(echoForm("after")))
		c.expect(200, "after")
	}
}
