package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

func TestProviderClosesMidCall(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	for i := range 5 {
		c.send(uint32(i+1), req("hang", "x"))
	}
	c.send(6, req("die", "x")) // the provider closes the connection on this one
	c.flush()
	got := c.collect(6)
	for id := uint32(1); id <= 6; id++ {
		expectError(t, got[id], protocol.StatusLost, "lost mid-call")
	}
	if n := metric(t, a, "provider_agent_lost_total"); n != 6 {
		t.Fatalf("lost_total = %v, want 6", n)
	}
	if n := a.InFlight(); n != 0 {
		t.Fatalf("%d calls still in flight", n)
	}
	// The loop redials and the same consumer connection is served again.
	waitFor(t, "a call to succeed after the redial", func() bool {
		a := c.roundTrip(7, req("hash", "a"))
		return a.h.Kind == protocol.KindResponse && a.body == "97"
	})
}

func TestProviderDownAndBack(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	expectOK(t, c.roundTrip(1, req("hash", "a")), "97")

	f.stop()
	waitFor(t, "the agent to see the provider gone", func() bool {
		for _, l := range a.loops {
			if l.up.Writer() != nil {
				return false
			}
		}
		return true
	})
	for id := uint32(2); id < 12; id++ {
		start := time.Now()
		got := c.roundTrip(id, req("hash", "a"))
		if took := time.Since(start); took > 500*time.Millisecond {
			t.Fatalf("refusal took %v, want it at once", took)
		}
		expectError(t, got, protocol.StatusUnavailable, "unreachable")
	}
	if n := metric(t, a, "provider_agent_unavailable_total"); n != 10 {
		t.Fatalf("unavailable_total = %v, want 10", n)
	}
	waitFor(t, "failed redials", func() bool { return metric(t, a, "provider_agent_dial_errors_total") > 0 })

	f.restart(t) // same port
	id := uint32(100)
	waitFor(t, "a call to succeed after the provider came back", func() bool {
		id++
		got := c.roundTrip(id, req("hash", "b"))
		if got.h.Kind == protocol.KindError {
			expectError(t, got, protocol.StatusUnavailable, "")
			return false
		}
		expectOK(t, got, "98")
		return true
	})
	waitUp(t, a)
	for i, l := range a.loops {
		if d := l.up.Dials(); d != 2 {
			t.Errorf("loop %d dialed %d connections, want 2", i, d)
		}
	}
}

func TestProviderHeartbeatAnswered(t *testing.T) {
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		f := startFake(t, "127.0.0.1:0")
		a := newAgent(t, f, func(c *Config) { c.Serialization = s })
		n := f.ping(77, s)
		if n != 2 {
			t.Fatalf("the provider has %d connections, want one per loop", n)
		}
		var pongs []dubbo.Header
		waitFor(t, "heartbeat replies", func() bool {
			_, pongs = f.heartbeats()
			return len(pongs) == n
		})
		for _, h := range pongs {
			if h.Flag != dubbo.FlagEvent|byte(s) || h.Status != dubbo.StatusOK || h.ID != 77 {
				t.Errorf("heartbeat reply flag %#x status %d id %d, want flag %#x status 20 id 77",
					h.Flag, h.Status, h.ID, dubbo.FlagEvent|byte(s))
			}
		}
		if got := metric(t, a, "provider_agent_heartbeats_answered_total"); got != 2 {
			t.Fatalf("heartbeats_answered_total = %v, want 2", got)
		}
		// Calls still flow on the same connections.
		expectOK(t, dial(t, a).roundTrip(1, req("hash", "a")), "97")
		if got := f.accepted.Load(); got != 2 {
			t.Fatalf("%d provider connections accepted, want 2", got)
		}
	})
}

func TestAgentSendsHeartbeat(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.IdleTimeout = 100 * time.Millisecond })
	var pings []dubbo.Header
	waitFor(t, "a heartbeat from each loop", func() bool {
		pings, _ = f.heartbeats()
		return len(pings) >= 2
	})
	for _, h := range pings {
		if want := dubbo.FlagRequest | dubbo.FlagTwoWay | dubbo.FlagEvent | byte(dubbo.Hessian2); h.Flag != want {
			t.Errorf("heartbeat flag %#x, want %#x", h.Flag, want)
		}
	}
	if got := metric(t, a, "provider_agent_heartbeats_sent_total"); got < 2 {
		t.Fatalf("heartbeats_sent_total = %v, want 2 or more", got)
	}
	// Answered heartbeats keep the connections: no redial.
	time.Sleep(500 * time.Millisecond)
	if got := f.accepted.Load(); got != 2 {
		t.Fatalf("%d provider connections accepted, want 2", got)
	}
}

func TestSilentProviderReplaced(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	f.mute.Store(true)
	a := newAgent(t, f, func(c *Config) { c.IdleTimeout = 50 * time.Millisecond })
	// Nothing is read for 3×IdleTimeout: the agent gives up on the
	// connections and dials new ones.
	waitFor(t, "fresh provider connections", func() bool { return f.accepted.Load() >= 4 })
	f.mute.Store(false)
	waitUp(t, a)
	waitFor(t, "a call to succeed", func() bool {
		got := dial(t, a).roundTrip(1, req("hash", "a"))
		return got.h.Kind == protocol.KindResponse && got.body == "97"
	})
}

// TestAnswerLeavesReleasedBodyAlone is the regression test for a scratch
// buffer that adopted a string answer's text, which aliases the read
// buffer: the next answer was then rendered into memory the reader had
// already released (and netpoll may have handed to another connection).
func TestAnswerLeavesReleasedBodyAlone(t *testing.T) {
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		f := startFake(t, "127.0.0.1:0")
		a := newAgent(t, f, func(c *Config) { c.Serialization = s; c.Loops = 1 })
		l := a.loops[0]
		in, peer := pipeWriter(t)
		p := new(pass)

		answer := func(id uint32, v dubbo.Value) []byte {
			cid, ok := l.calls.Add(call{in: in, id: id}, 0, 0)
			if !ok {
				t.Fatal("table full")
			}
			frame := dubbo.AppendResponse(nil, &dubbo.Response{ID: int64(cid), Serialization: s, Status: dubbo.StatusOK, Value: v})
			h, body, _, err := dubbo.Next(frame)
			if err != nil {
				t.Fatal(err)
			}
			l.answer(p, h, body)
			return frame
		}
		first := answer(1, dubbo.Value{Type: dubbo.TypeString, Bytes: []byte("a string answer of some length")})
		for i := range first {
			first[i] = 0xEE // the reader released the bytes and they were reused
		}
		answer(2, dubbo.Value{Type: dubbo.TypeInt, Int: 7})
		for i, b := range first {
			if b != 0xEE {
				t.Fatalf("byte %d of a released body was overwritten with %q", i, b)
			}
		}
		p.set.Flush()
		got := peer.collect(2)
		expectOK(t, got[1], "a string answer of some length")
		expectOK(t, got[2], "7")
	})
}

// A storm of heartbeats from the provider (a bug) is answered once a read
// pass, not once each, and calls keep flowing.
func TestProviderHeartbeatStorm(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) { c.Loops = 1 })
	s := dubbo.Hessian2
	one := make([]byte, dubbo.HeartbeatSize(s))
	dubbo.PutHeartbeat(one, 5, s, false)
	storm := bytes.Repeat(one, 10000)
	if n := f.sendAll(storm); n != 1 {
		t.Fatalf("%d provider connections, want 1", n)
	}
	expectOK(t, dial(t, a).roundTrip(1, req("hash", "a")), "97")
	got := metric(t, a, "provider_agent_heartbeats_answered_total")
	if got < 1 || got > 1000 {
		t.Fatalf("heartbeats_answered_total = %v for 10,000 in one write; want one a pass", got)
	}
	t.Logf("10,000 heartbeats answered %v times", got)
}
