package main

import (
	"strings"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
)

// holdSlow holds the calls whose argument is "slow" and echoes the others.
func holdSlow(r *protocol.Request) reply {
	if len(r.Args) == 1 && string(r.Args[0]) == "slow" {
		return reply{act: actHold}
	}
	return reply{act: actEcho}
}

// TestDrain: once draining, calls in flight are answered, requests on
// kept-alive and new connections are served with Connection: close and
// their connections closed, and Drain returns once nothing is in flight.
func TestDrain(t *testing.T) {
	a, f := echoAgent(t, Config{}, holdSlow)
	held := dial(t, a)
	held.send(post(echoForm("slow")))
	f.waitHeld(1)
	kept := dial(t, a)
	kept.send(post(echoForm("before")))
	if resp := kept.expect(200, "before"); resp.Close {
		t.Fatal("Connection: close before draining")
	}

	done := make(chan int, 1)
	go func() { done <- a.Drain(10 * time.Second) }()
	waitFor(t, "draining", a.draining.Load)
	kept.send(post(echoForm("during")))
	if resp := kept.expect(200, "during"); !resp.Close {
		t.Fatal("an answer while draining lacks Connection: close")
	}
	kept.expectClosed()
	fresh := dial(t, a)
	fresh.send(post(echoForm("new")))
	if resp := fresh.expect(200, "new"); !resp.Close {
		t.Fatal("a new connection's answer while draining lacks Connection: close")
	}
	fresh.expectClosed()

	select {
	case n := <-done:
		t.Fatalf("Drain returned %d with a call in flight", n)
	case <-time.After(200 * time.Millisecond):
	}
	released := time.Now()
	f.releaseReverse()
	held.expect(200, "slow")
	select {
	case n := <-done:
		if n != 0 {
			t.Fatalf("Drain returned %d, want 0", n)
		}
		if d := time.Since(released); d < drainQuiet || d > drainQuiet+time.Second {
			t.Fatalf("Drain returned %v after the last answer, want about %v", d, drainQuiet)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Drain did not return once nothing was in flight")
	}
}

// TestDrainTimeout: a call still in flight when the timeout passes is
// counted in Drain's result.
func TestDrainTimeout(t *testing.T) {
	a, f := echoAgent(t, Config{}, holdSlow)
	c := dial(t, a)
	c.send(post(echoForm("slow")))
	f.waitHeld(1)
	start := time.Now()
	if n := a.Drain(100 * time.Millisecond); n != 1 {
		t.Fatalf("Drain = %d, want 1", n)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Drain took %v with a 100ms timeout", d)
	}
	f.releaseReverse()
}

// TestDrainRefusesLate: a client that keeps calling through a drain is
// served until the last call timeout before the drain's end, then answered
// 503 without a call, so that no call is in flight when the agent exits.
func TestDrainRefusesLate(t *testing.T) {
	a, f := echoAgent(t, Config{Timeout: 300 * time.Millisecond}, holdSlow)
	start := time.Now()
	done := make(chan int, 1)
	go func() { done <- a.Drain(time.Second) }()
	waitFor(t, "draining", a.draining.Load)
	served, refused := 0, 0
	for refused == 0 {
		if time.Since(start) > 3*time.Second {
			t.Fatal("no request refused during the drain's last call timeout")
		}
		c := dial(t, a)
		c.send(post(echoForm("x")))
		resp, body := c.read()
		switch {
		case resp.StatusCode == 200:
			served++
		case resp.StatusCode == 503 && strings.Contains(body, "the call was not made"):
			refused++
			if d := time.Since(start); d < 600*time.Millisecond {
				t.Fatalf("refused %v into a 1 s drain with a 300 ms call timeout", d)
			}
		default:
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
		if !resp.Close {
			t.Fatal("an answer while draining lacks Connection: close")
		}
		c.expectClosed()
	}
	if served == 0 {
		t.Fatal("nothing served at the drain's start")
	}
	calls := f.calls.Load()
	if n := <-done; n != 0 {
		t.Fatalf("Drain returned %d calls in flight", n)
	}
	check(t, "calls made after the first refusal", f.calls.Load(), calls)
}
