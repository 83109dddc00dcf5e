package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cloudwego/netpoll"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// sendAll writes frame on every connection the fake accepted.
func (f *fakeProvider) sendAll(frame []byte) int {
	f.mu.Lock()
	conns := make([]*fakeConn, 0, len(f.conns))
	for fc := range f.conns {
		conns = append(conns, fc)
	}
	f.mu.Unlock()
	for _, fc := range conns {
		fc.write(frame)
	}
	return len(conns)
}

// ping writes a consumer agent's ping, announcing GOAWAY or not.
func (c *consumer) ping(id uint32, goAwayOK bool) {
	b := make([]byte, protocol.HeaderSize)
	if goAwayOK {
		protocol.PutPing(b, id)
	} else {
		protocol.PutHeartbeat(b, id, false)
	}
	c.writeRaw(b)
}

// A provider's read-only event: the calls it holds are answered, the
// connection gets no new call (refused as unavailable, which consumer
// agents send elsewhere) until the provider closes it and is dialed again.
func TestReadOnlyEventSuspendsConnection(t *testing.T) {
	serializations(t, func(t *testing.T, s dubbo.Serialization) {
		f := startFake(t, "127.0.0.1:0")
		a := newAgent(t, f, func(c *Config) { c.Serialization = s; c.Loops = 1 })
		c := dial(t, a)
		expectOK(t, c.roundTrip(1, req("hash", "a")), "97")

		c.send(2, req("slow", "a")) // held by the provider across the event
		c.flush()
		waitFor(t, "the slow call to reach the provider", func() bool { return f.calls.Load() >= 2 })
		ev := make([]byte, dubbo.ReadOnlySize(s))
		dubbo.PutReadOnly(ev, 99, s)
		if f.sendAll(ev) != 1 {
			t.Fatal("want one provider connection")
		}
		waitFor(t, "the read-only event", func() bool { return metric(t, a, "provider_agent_readonly_events_total") == 1 })
		c.send(3, req("hash", "a"))
		c.flush()
		got := c.collect(2)
		expectOK(t, got[2], "97")
		expectError(t, got[3], protocol.StatusUnavailable, "is shutting down (a read-only event)")
		if n := f.calls.Load(); n != 2 {
			t.Fatalf("the provider got %d calls, want 2: none after its read-only event", n)
		}
		if err := a.Ready(); err == nil || !strings.Contains(err.Error(), "is shutting down (a read-only event)") {
			t.Fatalf("Ready: %v, want the read-only event named", err)
		}

		f.dropConns() // the provider restarts
		waitUp(t, a)
		expectOK(t, c.roundTrip(4, req("hash", "a")), "97")
	})
}

// GOAWAY goes to the peers that announced it, at once, and to those that
// announce it later, before the answer to their ping; calls that still
// arrive are served.
func TestGoAway(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	knows, old := dial(t, a), dial(t, a)
	knows.ping(5, true)
	old.ping(6, false)
	if p := knows.next(); !p.h.IsReply() || p.h.ID != 5 {
		t.Fatalf("got %+v, want the pong", p.h)
	}
	if p := old.next(); !p.h.IsReply() || p.h.ID != 6 {
		t.Fatalf("got %+v, want the pong", p.h)
	}
	if n := a.GoAway(); n != 1 {
		t.Fatalf("GoAway told %d connections, want 1", n)
	}
	if g := knows.next(); g.h.Kind != protocol.KindGoAway || g.body != goAwayReason {
		t.Fatalf("got %+v %q, want a GOAWAY", g.h, g.body)
	}
	if g, err := old.nextErr(200 * time.Millisecond); err == nil {
		t.Fatalf("a peer that did not announce GOAWAY got %+v", g.h)
	}
	if a.GoAway() != 0 {
		t.Fatal("a second GoAway told a connection again")
	}
	expectOK(t, knows.roundTrip(7, req("hash", "a")), "97")
	expectOK(t, old.roundTrip(8, req("hash", "a")), "97")

	late := dial(t, a)
	late.ping(9, true)
	if g := late.next(); g.h.Kind != protocol.KindGoAway {
		t.Fatalf("a connection opened while leaving got %+v first, want a GOAWAY before the pong", g.h)
	}
	if p := late.next(); !p.h.IsReply() || p.h.ID != 9 {
		t.Fatalf("got %+v, want the pong after the GOAWAY", p.h)
	}
	if got := metric(t, a, "provider_agent_goaways_total"); got != 2 {
		t.Fatalf("goaways_total = %v, want 2", got)
	}
}

// With liveness, a provider that stops answering while calls are
// outstanding is found dead within PingInterval + PingTimeout: its calls
// fail at once (Lost) and the connection is redialed; a new connection
// gets no call before the provider answers a heartbeat.
func TestProviderPingTimeout(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, func(c *Config) {
		c.Loops = 1
		c.PingInterval = 20 * time.Millisecond
		c.PingTimeout = 100 * time.Millisecond
	})
	c := dial(t, a)
	expectOK(t, c.roundTrip(1, req("hash", "a")), "97")
	f.mute.Store(true)
	start := time.Now()
	c.send(2, req("hang", "a"))
	c.flush()
	expectError(t, c.next(), protocol.StatusLost, "lost")
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the call failed %v after it was sent, want well within a second", d)
	}
	if got := metric(t, a, "provider_agent_ping_timeouts_total"); got < 1 {
		t.Fatalf("ping_timeouts_total = %v", got)
	}
	// Redialed, but not offered while the provider answers no heartbeat.
	waitFor(t, "a new provider connection", func() bool { return f.accepted.Load() >= 2 })
	time.Sleep(150 * time.Millisecond)
	expectError(t, c.roundTrip(3, req("hash", "a")), protocol.StatusUnavailable, "unreachable")
	f.mute.Store(false)
	waitUp(t, a)
	expectOK(t, c.roundTrip(4, req("hash", "a")), "97")
}

// Consumer agents' sockets get TCP_USER_TIMEOUT and keepalive.
func TestAcceptedSocketsTuned(t *testing.T) {
	f := startFake(t, "127.0.0.1:0")
	a := newAgent(t, f, nil)
	c := dial(t, a)
	expectOK(t, c.roundTrip(1, req("hash", "a")), "97")
	a.in.mu.Lock()
	defer a.in.mu.Unlock()
	if len(a.in.conns) != 1 {
		t.Fatalf("%d inbound connections tracked, want 1", len(a.in.conns))
	}
	for ic := range a.in.conns {
		fd := ic.w.Conn().(netpoll.Conn).Fd()
		ut, err := syscall.GetsockoptInt(fd, syscall.IPPROTO_TCP, 0x12)
		ka, err2 := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
		if err != nil || err2 != nil || ut != 5000 || ka != 1 {
			t.Fatalf("TCP_USER_TIMEOUT %d (%v), SO_KEEPALIVE %d (%v); want 5000 and 1", ut, err, ka, err2)
		}
	}
}
