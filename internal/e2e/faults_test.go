package e2e

import (
	"context"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/registry"
)

// The fault matrix of docs/RELIABILITY.md ("Faults under load"), one test per
// row, each with closed-loop load running through the whole mesh.

const (
	// faultConns is the load's connection count: enough to keep every
	// agent busy, small enough for a 2-core CI machine.
	faultConns = 64
	// faultLatency is each call's time in the reference provider.
	faultLatency = 10 * time.Millisecond
	// hangBound is the longest a call may take in any fault test: the
	// consumer agent's default deadline (3 s) plus a margin. Past it a
	// call counts as hung.
	hangBound = 4 * time.Second
	// stopWithin bounds how long the load takes to stop once cancelled.
	stopWithin = 15 * time.Second
	// providerDownFor is how long a killed provider stays down.
	providerDownFor = 2 * time.Second
	// etcdDownFor is how long etcd stays down (30 s in the issue; shorter
	// here to keep CI short, and still past a third of the lease TTL).
	etcdDownFor = 5 * time.Second
)

func skipFaultInShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fault test under load")
	}
}

// assertNoHang fails the test if any call of s took hangBound or longer.
func assertNoHang(t *testing.T, s loadTally, what string) {
	t.Helper()
	if s.maxLat >= hangBound {
		t.Errorf("%s: a call took %v (bound %v): %v", what, s.maxLat, hangBound, s)
	}
}

// onlyStatus fails the test unless every failure of s has status want.
func onlyStatus(t *testing.T, s loadTally, want int, what string) {
	t.Helper()
	if s.failed != s.statuses[want] {
		t.Errorf("%s: failures other than %d: %v", what, want, s)
	}
}

// Row 1: kill -9 of a provider agent. Only the calls in flight on it fail,
// with 502; nothing fails after that, and nothing hangs.
func TestFaultKillProviderAgent(t *testing.T) {
	skipFaultInShort(t)
	c := newCluster(t, "hessian2", faultLatency, 1, 1, 1)
	c.waitRoutable()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := recordLoad(ctx, c.httpAddr, faultConns, param(101))
	c.waitAllServe()
	time.Sleep(500 * time.Millisecond)

	victim, others := c.agents[0], c.agents[1:]
	killAt := time.Now()
	if err := victim.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	before := make([]float64, len(others))
	for i, a := range others {
		before[i] = metric(t, a.admin, "provider_agent_requests_total")
	}
	time.Sleep(3 * time.Second)
	cancel()
	rec.wait(t, stopWithin)

	pre := rec.between(time.Time{}, killAt)
	burst := rec.between(killAt, killAt.Add(time.Second))
	later := rec.between(killAt.Add(time.Second), time.Time{})
	t.Logf("before the kill: %v", pre)
	t.Logf("1 s after the kill: %v", burst)
	t.Logf("from 1 s after the kill on: %v", later)
	t.Logf("%d calls failed on the killed agent (%d connections)", burst.failed, faultConns)
	if pre.failed != 0 || pre.ok == 0 {
		t.Errorf("before the kill: %v", pre)
	}
	if burst.failed > faultConns {
		t.Errorf("%d calls failed in the second after the kill, more than the %d in flight at most", burst.failed, faultConns)
	}
	onlyStatus(t, burst, 502, "after the kill")
	if later.failed != 0 || later.ok == 0 {
		t.Errorf("calls still fail after the kill: %v", later)
	}
	assertNoHang(t, rec.all(), "kill -9 of a provider agent")
	for i, a := range others {
		if got := metric(t, a.admin, "provider_agent_requests_total"); got <= before[i] {
			t.Errorf("agent %s got no traffic after the kill", a.addr)
		}
	}
}

// Row 2: SIGTERM to a provider agent. e2e_test.go stops one agent under
// load; this is the stronger case of a rolling restart: each of three
// agents in turn is replaced by a new one and sent SIGTERM once the new one
// takes traffic, three deregister-and-drain cycles under load. No call
// fails.
func TestFaultRollingSIGTERM(t *testing.T) {
	skipFaultInShort(t)
	c := newCluster(t, "hessian2", faultLatency, 1, 1, 1)
	c.waitRoutable()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := recordLoad(ctx, c.httpAddr, faultConns, param(102))
	c.waitAllServe()
	time.Sleep(300 * time.Millisecond)

	for i := 0; i < 3; i++ {
		old := c.agents[i]
		repl := c.addAgent(i, old.weight)
		waitCounter(t, repl.admin, "provider_agent_requests_total", 0, 10*time.Second)
		began := time.Now()
		if err := old.stop(t, syscall.SIGTERM, 15*time.Second); err != nil {
			t.Errorf("agent %s exited with %v after SIGTERM", old.addr, err)
		}
		t.Logf("agent %d drained and exited %v after SIGTERM", i, time.Since(began).Round(time.Millisecond))
	}
	time.Sleep(500 * time.Millisecond)
	cancel()
	rec.wait(t, stopWithin)

	all := rec.all()
	t.Logf("rolling restart of 3 agents: %v", all)
	if all.failed != 0 || all.ok == 0 {
		t.Errorf("calls failed during the rolling restart: %v", all)
	}
	assertNoHang(t, all, "rolling SIGTERM")
	for _, a := range c.agents[3:] {
		if metric(t, a.admin, "provider_agent_requests_total") == 0 {
			t.Errorf("replacement agent %s got no traffic", a.addr)
		}
	}
}

// Row 3: a provider killed behind its agent. Calls routed there are refused
// fast ("unavailable") and the other agents are unaffected; when the provider
// comes back on the same address, its agent reconnects (with backoff) and
// serves again.
//
// The consumer agent sends a refused call once more to another agent (it
// never reached a provider) and sidelines the victim, so only the calls in
// flight at the kill, whose fate is unknown, fail, with 502.
func TestFaultKillProvider(t *testing.T) {
	skipFaultInShort(t)
	c := newCluster(t, "hessian2", faultLatency, 1, 1, 1)
	c.waitRoutable()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := recordLoad(ctx, c.httpAddr, faultConns, param(103))
	c.waitAllServe()
	time.Sleep(300 * time.Millisecond)

	victim, others := c.agents[0], c.agents[1:]
	reqs0, fails0 := make([]float64, len(others)), make([]float64, len(others))
	for i, a := range others {
		reqs0[i] = metric(t, a.admin, "provider_agent_requests_total")
		fails0[i] = agentFailures(t, a)
	}
	unavail0 := metric(t, victim.admin, "provider_agent_unavailable_total")
	killAt := time.Now()
	if err := c.providers[0].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-c.providers[0].done
	time.Sleep(providerDownFor)

	restartAt := time.Now()
	startProvider(t, "provider0-again", c.provAddrs[0], faultLatency, 200)
	// Recovered: a 200 ms interval in which the victim answered calls and
	// refused none for want of a provider connection.
	var recoveredAt time.Time
	unavail, ok := metric(t, victim.admin, "provider_agent_unavailable_total"), metric(t, victim.admin, "provider_agent_ok_total")
	for recoveredAt.IsZero() {
		if time.Since(restartAt) > 15*time.Second {
			t.Fatalf("agent did not serve again within 15 s of the provider's restart")
		}
		time.Sleep(200 * time.Millisecond)
		u, o := metric(t, victim.admin, "provider_agent_unavailable_total"), metric(t, victim.admin, "provider_agent_ok_total")
		if u == unavail && o > ok {
			recoveredAt = time.Now()
		}
		unavail, ok = u, o
	}
	time.Sleep(1500 * time.Millisecond)
	cancel()
	rec.wait(t, stopWithin)

	pre := rec.between(time.Time{}, killAt)
	down := rec.between(killAt, recoveredAt)
	after := rec.between(recoveredAt.Add(500*time.Millisecond), time.Time{})
	t.Logf("before the kill: %v", pre)
	t.Logf("provider down %v, until its agent served again: %v", recoveredAt.Sub(killAt).Round(time.Millisecond), down)
	t.Logf("agent served again %v after the provider restarted", recoveredAt.Sub(restartAt).Round(time.Millisecond))
	t.Logf("from 0.5 s after recovery on: %v", after)
	if pre.failed != 0 || pre.ok == 0 {
		t.Errorf("before the kill: %v", pre)
	}
	// The victim refused calls for want of its provider: the fault took
	// effect. The consumer sends those calls again to another agent (they
	// never reached a provider), so only the calls in flight at the kill,
	// whose fate is unknown, may fail.
	if refused := metric(t, victim.admin, "provider_agent_unavailable_total") - unavail0; refused == 0 {
		t.Errorf("the victim refused no call while its provider was down: the fault did not take effect")
	}
	if down.failed > faultConns {
		t.Errorf("%d calls failed while the provider was down; only the %d that could be in flight at the kill may", down.failed, faultConns)
	}
	onlyStatus(t, down, 502, "provider down")
	if down.maxFailLat >= time.Second {
		t.Errorf("a failure took %v, want < 1s (fail fast)", down.maxFailLat)
	}
	if after.failed != 0 || after.ok == 0 {
		t.Errorf("after recovery: %v", after)
	}
	assertNoHang(t, rec.all(), "provider killed")
	for i, a := range others {
		reqs := metric(t, a.admin, "provider_agent_requests_total") - reqs0[i]
		fails := agentFailures(t, a) - fails0[i]
		if reqs == 0 || fails != 0 {
			t.Errorf("neighbour agent %s: %v calls, %v failed, while another agent's provider was down", a.addr, reqs, fails)
		}
	}
}

// agentFailures sums a provider agent's counters of calls it failed.
func agentFailures(t *testing.T, a *agentProc) float64 {
	t.Helper()
	var n float64
	for _, name := range []string{"unavailable", "lost", "timeouts", "threadpool_exhausted", "overloaded",
		"bad_responses", "provider_errors", "exceptions", "bad_requests"} {
		n += metric(t, a.admin, "provider_agent_"+name+"_total")
	}
	return n
}

// Row 4: etcd stopped for etcdDownFor. No call fails while it is down, and
// afterwards registration works again: the agents' keys are back and a new
// provider agent registers and takes traffic.
func TestFaultEtcdDown(t *testing.T) {
	skipFaultInShort(t)
	c, etcdDir := newMesh(t, meshSpec{latency: faultLatency, threads: 200, weights: []int{1, 1}})
	c.waitRoutable()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := recordLoad(ctx, c.httpAddr, faultConns, param(104))
	c.waitAllServe()
	time.Sleep(300 * time.Millisecond)

	// Close refuses new connections at once but lets open streams (the
	// agents' watches and keep-alives) run for etcd's request timeout,
	// about 5 s, before cutting them: etcd is down once Close returns.
	closeAt := time.Now()
	c.etcd.Close()
	stopAt := time.Now()
	time.Sleep(etcdDownFor)
	c.restartEtcd(etcdDir)
	upAt := time.Now()
	t.Logf("etcd took %v to close, was down %v", stopAt.Sub(closeAt).Round(time.Millisecond), upAt.Sub(stopAt).Round(time.Millisecond))

	cli, err := clientv3.New(clientv3.Config{Endpoints: c.etcd.Endpoints(), DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	registered := func(a *agentProc) bool {
		gctx, gcancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer gcancel()
		resp, err := cli.Get(gctx, registry.Key(helloService, a.addr))
		return err == nil && len(resp.Kvs) > 0
	}
	for _, a := range c.agents {
		for !registered(a) {
			if time.Since(upAt) > 15*time.Second {
				t.Fatalf("agent %s not registered within 15 s of etcd's restart", a.addr)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("etcd back; existing registrations present %v later", time.Since(upAt).Round(time.Millisecond))

	joinAt := time.Now()
	joined := c.addAgent(0, 1)
	for !registered(joined) {
		if time.Since(joinAt) > 15*time.Second {
			t.Fatalf("new agent not registered within 15 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	regd := time.Since(joinAt)
	took := waitCounter(t, joined.admin, "provider_agent_requests_total", 0, 15*time.Second)
	t.Logf("new agent registered %v after start, took traffic %v after that", regd.Round(time.Millisecond), took.Round(time.Millisecond))
	time.Sleep(500 * time.Millisecond)
	cancel()
	rec.wait(t, stopWithin)

	during := rec.between(closeAt, upAt)
	all := rec.all()
	t.Logf("from Close to restart: %v", during)
	t.Logf("whole run: %v", all)
	if during.ok == 0 {
		t.Errorf("no call succeeded while etcd was down: %v", during)
	}
	if all.failed != 0 {
		t.Errorf("calls failed around the etcd outage: %v", all)
	}
	assertNoHang(t, all, "etcd down")
}

// Row 5: the provider's thread pool exhausted (Dubbo status 100). With no
// bound in the agent (--max-provider-calls 0), 32 connections against a
// provider with 4 threads get 503s, counted by the consumer agent and by the
// provider agent; with the bound matching the provider (4) the excess waits
// in the agent and nothing fails.
func TestFaultThreadPoolExhausted(t *testing.T) {
	skipFaultInShort(t)
	const conns, threads, phaseFor = 32, 4, 2 * time.Second
	c, _ := newMesh(t, meshSpec{latency: faultLatency, threads: threads, weights: []int{1},
		agentArgs: []string{"--max-provider-calls", "0"}})
	c.waitRoutable()

	type phase struct {
		load                       loadTally
		c503, exhausted, queued    float64
		overloaded, agentRequested float64
	}
	run := func(a *agentProc, seed uint64) phase {
		counters := func() phase {
			return phase{
				c503:           metric(t, c.adminAddr, "consumer_agent_responses_503_total"),
				exhausted:      metric(t, a.admin, "provider_agent_threadpool_exhausted_total"),
				queued:         metric(t, a.admin, "provider_agent_queued_total"),
				overloaded:     metric(t, a.admin, "provider_agent_overloaded_total"),
				agentRequested: metric(t, a.admin, "provider_agent_requests_total"),
			}
		}
		before := counters()
		ctx, cancel := context.WithTimeout(context.Background(), phaseFor)
		defer cancel()
		rec := recordLoad(ctx, c.httpAddr, conns, param(seed))
		<-ctx.Done()
		rec.wait(t, stopWithin)
		after := counters()
		return phase{
			load:           rec.all(),
			c503:           after.c503 - before.c503,
			exhausted:      after.exhausted - before.exhausted,
			queued:         after.queued - before.queued,
			overloaded:     after.overloaded - before.overloaded,
			agentRequested: after.agentRequested - before.agentRequested,
		}
	}

	unbounded := run(c.agents[0], 105)
	t.Logf("--max-provider-calls 0: %v; consumer 503s %v, agent threadpool_exhausted %v, calls %v",
		unbounded.load, unbounded.c503, unbounded.exhausted, unbounded.agentRequested)
	n503 := unbounded.load.statuses[503]
	if n503 == 0 {
		t.Errorf("no 503 with %d connections against %d threads and no bound in the agent: %v", conns, threads, unbounded.load)
	}
	onlyStatus(t, unbounded.load, 503, "--max-provider-calls 0")
	if unbounded.load.ok == 0 {
		t.Errorf("no call succeeded: %v", unbounded.load)
	}
	if unbounded.c503 != float64(n503) {
		t.Errorf("consumer_agent_responses_503_total grew by %v, the load saw %d 503s", unbounded.c503, n503)
	}
	if unbounded.exhausted != float64(n503) {
		t.Errorf("provider_agent_threadpool_exhausted_total grew by %v, the load saw %d 503s", unbounded.exhausted, n503)
	}
	assertNoHang(t, unbounded.load, "--max-provider-calls 0")

	// The same provider behind an agent whose bound matches its threads.
	if err := c.agents[0].stop(t, syscall.SIGTERM, 15*time.Second); err != nil {
		t.Errorf("agent exited with %v after SIGTERM", err)
	}
	bounded := c.addAgent(0, 1, "--max-provider-calls", "4")
	c.waitRoutable()
	held := run(bounded, 106)
	t.Logf("--max-provider-calls 4: %v; consumer 503s %v, agent threadpool_exhausted %v, queued %v, calls %v",
		held.load, held.c503, held.exhausted, held.queued, held.agentRequested)
	if held.load.failed != 0 || held.load.ok == 0 {
		t.Errorf("--max-provider-calls 4: %v", held.load)
	}
	if held.c503 != 0 || held.exhausted != 0 || held.overloaded != 0 {
		t.Errorf("--max-provider-calls 4: consumer 503s %v, threadpool_exhausted %v, overloaded %v; want 0",
			held.c503, held.exhausted, held.overloaded)
	}
	if held.queued == 0 {
		t.Errorf("no call waited in the agent with %d connections against %d threads", conns, threads)
	}
	assertNoHang(t, held.load, "--max-provider-calls 4")
}
