package main

import (
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol"
	"github.com/dubbomesh/dubbomesh/registry"
)

// livenessCfg turns on pings with short timings for tests.
func livenessCfg() Config {
	return Config{PingInterval: 20 * time.Millisecond, PingTimeout: 100 * time.Millisecond}
}

// freezer is a TCP proxy in front of a fake agent that can be frozen as
// SIGSTOP freezes a process: its kernel still completes connections, but
// nothing is read or answered until it thaws.
type freezer struct {
	ln     net.Listener
	to     string
	frozen atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newFreezer(t *testing.T, to string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &freezer{ln: ln, to: to}
	t.Cleanup(p.close)
	go func() {
		for {
			p.wait()
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", to)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go p.pipe(c, up)
			go p.pipe(up, c)
		}
	}()
	return p
}

func (p *freezer) wait() {
	for p.frozen.Load() {
		time.Sleep(time.Millisecond)
	}
}

func (p *freezer) pipe(from, to net.Conn) {
	b := make([]byte, 32<<10)
	for {
		p.wait()
		n, err := from.Read(b)
		p.wait()
		if n > 0 {
			if _, err := to.Write(b[:n]); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	from.Close()
	to.Close()
}

func (p *freezer) close() {
	p.frozen.Store(false)
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *freezer) addr() string { return p.ln.Addr().String() }

// goAway sends a GOAWAY on each of f's connections, as a provider agent
// leaving on SIGTERM does, and waits until a, connected to f from each of
// its loops, has seen them all.
func (f *fakeAgent) goAway(t testing.TB, a *Agent) {
	t.Helper()
	g := make([]byte, protocol.GoAwaySize("bye"))
	protocol.PutGoAway(g, "bye")
	before := metric(t, a, "consumer_agent_goaways_total")
	f.each(func(c *fakeConn) { c.write(g) })
	expectMetric(t, a, "consumer_agent_goaways_total", before+float64(len(a.loops)))
}

// A provider agent whose key vanished from etcd while its connections stay
// healthy keeps its share; once its connections fail too, it is dropped.
func TestKeyGoneAgentKept(t *testing.T) {
	fa, fb := newFake(t, echoPlan), newFake(t, echoPlan)
	a := startAgent(t, livenessCfg())
	route(t, a, snapshot(echoIface, fa.endpoint(echoIface, 1), fb.endpoint(echoIface, 1)))
	a.Update(snapshot(echoIface, fb.endpoint(echoIface, 1))) // a's lease expired
	expectMetric(t, a, "consumer_agent_orphaned_agents", 1)
	c := dial(t, a)
	before := fa.calls.Load()
	for range 20 {
		c.send(post(echoForm("x")))
		c.expect(200, "x")
	}
	if n := fa.calls.Load() - before; n < 5 {
		t.Fatalf("the agent whose key vanished got %d of 20 calls, want its share", n)
	}
	fa.close() // and now its connections fail too
	waitFor(t, "the agent to be dropped", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.endpoints[fa.addr()] == nil
	})
	expectMetric(t, a, "consumer_agent_orphaned_agents", 0)
	for range 10 {
		c.send(post(echoForm("y")))
		c.expect(200, "y")
	}
	// Its key coming back brings it back: new agents come from etcd.
	a.Update(snapshot(echoIface, fb.endpoint(echoIface, 1), fa.endpoint(echoIface, 1)))
	a.mu.Lock()
	back := a.endpoints[fa.addr()] != nil
	a.mu.Unlock()
	if !back {
		t.Fatal("an agent listed in etcd again was not dialed")
	}
}

// A GOAWAY stops new calls to that agent at once, while its key is still
// registered; its calls in flight are answered; once its key is gone it is
// dropped.
func TestGoAwayStopsNewCalls(t *testing.T) {
	fa, fb := newFake(t, func(*protocol.Request) reply { return reply{act: actHold} }), newFake(t, echoPlan)
	a := startAgent(t, livenessCfg())
	route(t, a, snapshot(echoIface, fa.endpoint(echoIface, 1)))
	held := dial(t, a)
	held.send(post(echoForm("held")))
	fa.waitHeld(1)
	route(t, a, snapshot(echoIface, fa.endpoint(echoIface, 1), fb.endpoint(echoIface, 1)))
	fa.goAway(t, a)
	c := dial(t, a)
	calls := fa.calls.Load()
	for range 20 {
		c.send(post(echoForm("x")))
		c.expect(200, "x")
	}
	if n := fa.calls.Load() - calls; n != 0 {
		t.Fatalf("the agent that sent GOAWAY got %d new calls", n)
	}
	fa.releaseReverse()
	held.expect(200, "held")
	a.Update(snapshot(echoIface, fb.endpoint(echoIface, 1))) // it deregistered
	a.mu.Lock()
	gone := a.endpoints[fa.addr()] == nil
	a.mu.Unlock()
	if !gone {
		t.Fatal("an agent that went away and left etcd is still routed")
	}
}

// A frozen provider agent (SIGSTOP: its kernel still accepts) is found dead
// within PingInterval + PingTimeout of the calls it leaves unanswered: only
// the calls in flight on it fail, none after, and it takes calls again
// once it thaws.
func TestFrozenAgentFoundDead(t *testing.T) {
	fa, fb := newFake(t, echoPlan), newFake(t, echoPlan)
	pa := newFreezer(t, fa.addr())
	a := startAgent(t, livenessCfg())
	route(t, a, snapshot(echoIface,
		registry.Endpoint{Interface: echoIface, Addr: pa.addr(), Weight: 1}, fb.endpoint(echoIface, 1)))
	const clients = 8
	load := startClosedLoop(t, a, clients)
	time.Sleep(100 * time.Millisecond)
	pa.frozen.Store(true)
	time.Sleep(time.Second)
	failedInFault := load.failed.Load()
	time.Sleep(time.Second)
	if later := load.failed.Load() - failedInFault; later != 0 {
		t.Errorf("%d calls failed more than a second after the freeze", later)
	}
	if failedInFault > clients {
		t.Errorf("%d calls failed, want at most the %d in flight", failedInFault, clients)
	}
	before := fa.calls.Load()
	pa.frozen.Store(false)
	waitFor(t, "the thawed agent to take calls", func() bool { return fa.calls.Load() > before+10 })
	if failed := load.end(); failed > clients {
		t.Fatalf("%d calls failed in all, want at most %d", failed, clients)
	}
	if got := metric(t, a, "consumer_agent_ping_timeouts_total"); got < 1 {
		t.Fatalf("ping_timeouts_total = %v", got)
	}
	t.Logf("%d calls failed at the freeze", failedInFault)
}

// A key gone and put again at once (etcd restarted, the agents registered
// again) is not logged; one gone past orphanGrace is, once, and so is its
// return.
func TestKeyGoneLoggedAfterGrace(t *testing.T) {
	var logs logBuffer
	cfg := livenessCfg()
	cfg.Log = slog.New(slog.NewTextHandler(&logs, nil))
	fa, fb := newFake(t, echoPlan), newFake(t, echoPlan)
	a := startAgent(t, cfg)
	both := snapshot(echoIface, fa.endpoint(echoIface, 1), fb.endpoint(echoIface, 1))
	route(t, a, both)
	a.Update(snapshot(echoIface, fb.endpoint(echoIface, 1)))
	a.Update(both)
	time.Sleep(orphanGrace + 500*time.Millisecond)
	if out := logs.String(); strings.Contains(out, "key is") {
		t.Fatalf("a key back at once was logged:\n%s", out)
	}
	a.Update(snapshot(echoIface, fb.endpoint(echoIface, 1)))
	waitFor(t, "the key's loss to be logged", func() bool { return strings.Contains(logs.String(), "key is gone from etcd") })
	a.Update(both)
	out := logs.String()
	if strings.Count(out, "key is gone from etcd") != 1 || strings.Count(out, "key is back in etcd") != 1 {
		t.Fatalf("want one line each:\n%s", out)
	}
}
