package e2e

import (
	"context"
	"fmt"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Issue 10's rows that fit on one host: a frozen provider agent, a
// provider's graceful (read-only) restart, and etcd cut from the provider
// agents past their lease TTL. internal/e2e/multihost_test.go runs them,
// and a black-holed host, across network namespaces.

// Row: a provider agent frozen with SIGSTOP (its kernel still accepts
// connections and takes their bytes). Only the calls in flight on it fail,
// all within about a second and a half (ping interval and timeout); none
// after 2 s; it takes traffic again within 5 s of SIGCONT.
func TestFaultFrozenAgent(t *testing.T) {
	skipFaultInShort(t)
	c := newCluster(t, "hessian2", faultLatency, 1, 1, 1)
	c.waitRoutable()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := recordLoad(ctx, c.httpAddr, faultConns, param(301))
	c.waitAllServe()
	time.Sleep(500 * time.Millisecond)

	victim := c.agents[0]
	before := metric(t, victim.admin, "provider_agent_requests_total")
	stopAt := time.Now()
	if err := victim.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer victim.cmd.Process.Signal(syscall.SIGCONT)
	time.Sleep(3 * time.Second)
	victim.cmd.Process.Signal(syscall.SIGCONT)
	back := waitCounter(t, victim.admin, "provider_agent_requests_total", before+100, 5*time.Second)
	time.Sleep(500 * time.Millisecond)
	cancel()
	rec.wait(t, stopWithin)

	pre := rec.between(time.Time{}, stopAt)
	fault := rec.between(stopAt, stopAt.Add(2*time.Second))
	later := rec.between(stopAt.Add(2*time.Second), time.Time{})
	t.Logf("before the freeze: %v", pre)
	t.Logf("2 s from the freeze: %v", fault)
	t.Logf("after: %v", later)
	t.Logf("the thawed agent served 100 calls %v after SIGCONT", back.Round(time.Millisecond))
	if pre.failed != 0 || pre.ok == 0 {
		t.Errorf("before the freeze: %v", pre)
	}
	if fault.failed > faultConns {
		t.Errorf("%d calls failed at the freeze, more than the %d in flight at most", fault.failed, faultConns)
	}
	onlyStatus(t, fault, 502, "at the freeze")
	if later.failed != 0 || later.ok == 0 {
		t.Errorf("calls failed 2 s or more after the freeze: %v", later)
	}
	assertNoHang(t, rec.all(), "a frozen provider agent")
	if got := metric(t, c.adminAddr, "consumer_agent_ping_timeouts_total"); got < 1 {
		t.Errorf("consumer_agent_ping_timeouts_total = %v, want the frozen agent's connections declared dead", got)
	}
}

// Row: a provider restarted gracefully behind its agent (SIGTERM: the
// read-only event, drain, exit; then started again on its address), each
// of the three in turn. No call fails: the agent sends the provider
// nothing after the event, and the calls it refuses meanwhile as
// unavailable are sent to other agents by the consumer agent.
func TestFaultProviderReadOnlyRestart(t *testing.T) {
	skipFaultInShort(t)
	c := newCluster(t, "hessian2", faultLatency, 1, 1, 1)
	c.waitRoutable()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := recordLoad(ctx, c.httpAddr, faultConns, param(302))
	c.waitAllServe()
	time.Sleep(300 * time.Millisecond)
	start := time.Now()
	for i := range c.providers {
		before := metric(t, c.agents[i].admin, "provider_agent_readonly_events_total")
		if err := c.providers[i].stop(t, syscall.SIGTERM, 10*time.Second); err != nil {
			t.Fatalf("provider %d: %v", i, err)
		}
		if got := metric(t, c.agents[i].admin, "provider_agent_readonly_events_total"); got < before+2 {
			t.Errorf("agent %d saw %v read-only events, want one per loop", i, got-before)
		}
		c.providers[i] = startProvider(t, c.providers[i].name, c.provAddrs[i], faultLatency, 200)
		served := metric(t, c.agents[i].admin, "provider_agent_ok_total")
		d := waitCounter(t, c.agents[i].admin, "provider_agent_ok_total", served+50, 10*time.Second)
		t.Logf("provider %d restarted; its agent served again %v after", i, d.Round(time.Millisecond))
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	rec.wait(t, stopWithin)
	all, during := rec.all(), rec.between(start, time.Time{})
	t.Logf("during the restarts: %v", during)
	if all.failed != 0 || during.ok == 0 {
		t.Errorf("calls failed across the rolling restart: %v", all)
	}
	assertNoHang(t, all, "a provider's read-only restart")
}

// Row: etcd cut from every provider agent for longer than their lease TTL
// (a proxy they reach etcd through is closed; the consumer agent still
// reaches etcd and sees their keys expire). The consumer agent keeps using
// them while their connections are healthy: no call fails.
func TestFaultEtcdCutFromAgents(t *testing.T) {
	skipFaultInShort(t)
	const ttl = 2
	c, _ := newMesh(t, meshSpec{latency: faultLatency, threads: 200, weights: nil})
	px := newCutProxy(t, c.etcd.Endpoints()[0][len("http://"):])
	direct := c.endpoints
	c.endpoints = "http://" + px.addr()
	for i := range 3 {
		pa := freeAddr(t)
		c.providers = append(c.providers, startProvider(t, fmt.Sprintf("provider%d", i), pa, faultLatency, 200))
		c.provAddrs = append(c.provAddrs, pa)
		c.addAgent(i, 1, "--ttl", fmt.Sprint(ttl))
	}
	c.endpoints = direct // newMesh's consumer agent reaches etcd directly
	c.waitRoutable()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := recordLoad(ctx, c.httpAddr, faultConns, param(303))
	c.waitAllServe()
	time.Sleep(300 * time.Millisecond)

	cutAt := time.Now()
	px.cut()
	// The keys expire within the TTL (and etcd's lease check).
	waitGauge(t, c.adminAddr, "consumer_agent_orphaned_agents", 3, time.Duration(ttl+5)*time.Second)
	orphanedAfter := time.Since(cutAt)
	time.Sleep(2 * time.Second)
	for _, a := range c.agents {
		before := metric(t, a.admin, "provider_agent_requests_total")
		waitCounter(t, a.admin, "provider_agent_requests_total", before+10, 2*time.Second)
	}
	healAt := time.Now()
	px.heal()
	waitGauge(t, c.adminAddr, "consumer_agent_orphaned_agents", 0, 15*time.Second)
	t.Logf("keys gone %v after the cut; back %v after the heal", orphanedAfter.Round(time.Millisecond), time.Since(healAt).Round(time.Millisecond))
	cancel()
	rec.wait(t, stopWithin)
	all, during := rec.all(), rec.between(cutAt, healAt)
	t.Logf("while etcd was cut: %v", during)
	if all.failed != 0 || during.ok == 0 {
		t.Errorf("calls failed with etcd cut from the provider agents: %v", all)
	}
	assertNoHang(t, all, "etcd cut from the provider agents")
}

// waitGauge polls a metric until it equals want, failing after within.
func waitGauge(t *testing.T, admin, name string, want float64, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := metric(t, admin, name)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s at %s is %v after %v, want %v", name, admin, got, within, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cutProxy forwards TCP connections to one address until cut: then it
// closes them all and refuses new ones (its port stays reserved) until
// healed.
type cutProxy struct {
	t     *testing.T
	ln    net.Listener
	to    string
	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

func newCutProxy(t *testing.T, to string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{t: t, ln: ln, to: to}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", to)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go pipe(c, up)
			go pipe(up, c)
		}
	}()
	return p
}

func pipe(from, to net.Conn) {
	b := make([]byte, 32<<10)
	for {
		n, err := from.Read(b)
		if n > 0 {
			if _, werr := to.Write(b[:n]); werr != nil {
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

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) heal() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
