package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/registry"
)

// leaderLoadAfter is how long the load runs on after the leader is stopped.
const leaderLoadAfter = 5 * time.Second

// Row 6: a three-member etcd cluster loses its leader, stopped as if its
// process had been killed, under load. Every agent is given all three
// endpoints. No call fails; the other two elect a new leader; a provider
// agent started after the loss registers and takes traffic (so the
// consumer agent's watch survived the loss, or was re-established); and the
// keys the agents registered before the loss are still there, on the same
// leases, more than one lease TTL (10 s, the agents' default) after it: the
// keep-alives moved to the surviving members.
func TestFaultEtcdLeaderLoss(t *testing.T) {
	skipFaultInShort(t)
	m := newLeaderMesh(t, 3, faultLatency, 1, 1)
	m.waitRoutable()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := recordLoad(ctx, m.httpAddr, faultConns, param(107))
	m.waitAllServe()
	time.Sleep(300 * time.Millisecond)

	cli := m.client()
	leases := make([]int64, len(m.agents))
	for i, a := range m.agents {
		if leases[i] = int64(agentLease(t, cli, a)); leases[i] == 0 {
			t.Fatalf("agent %s not registered", a.addr)
		}
	}
	old := m.etcd.Leader()
	if old < 0 {
		t.Fatal("no leader before the fault")
	}
	stopAt := time.Now()
	m.etcd.Stop(old)
	leader, elected := m.waitNewLeader(old, 10*time.Second)

	joinAt := time.Now()
	joined := m.addAgent(0, 1)
	up := time.Since(joinAt) // its admin endpoint listens
	for agentLease(t, cli, joined) == 0 {
		if time.Since(joinAt) > 15*time.Second {
			t.Fatal("agent started after the loss not registered within 15 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	registered := time.Since(joinAt)
	waitCounter(t, joined.admin, "provider_agent_requests_total", 0, 15*time.Second)
	served := time.Since(joinAt)

	time.Sleep(time.Until(stopAt.Add(leaderLoadAfter)))
	cancel()
	rec.wait(t, stopWithin)
	loadEnd := time.Now()

	// Past one TTL after the loss, every key is still on its first lease.
	time.Sleep(time.Until(stopAt.Add(registry.DefaultTTL*time.Second + time.Second)))
	checkedAt := time.Since(stopAt)
	for i, a := range m.agents[:len(leases)] {
		if now := int64(agentLease(t, cli, a)); now != leases[i] {
			t.Errorf("agent %s: key on lease %x %v after the loss, want %x (kept alive)", a.addr, now, checkedAt.Round(time.Millisecond), leases[i])
		}
	}
	if agentLease(t, cli, joined) == 0 {
		t.Errorf("agent started after the loss no longer registered %v after the loss", checkedAt.Round(time.Millisecond))
	}
	if l := m.etcd.Leader(); l < 0 || l == old {
		t.Errorf("Leader() = %d at the end, want a member other than the stopped m%d", l, old)
	}

	pre := rec.between(time.Time{}, stopAt)
	after := rec.between(stopAt, time.Time{})
	all := rec.all()
	t.Logf("before the loss: %v", pre)
	t.Logf("%v after stopping leader m%d (%v of load): %v", leaderLoadAfter, old, loadEnd.Sub(stopAt).Round(time.Millisecond), after)
	t.Logf("m%d elected leader %v after the stop", leader, elected.Round(time.Millisecond))
	t.Logf("agent started after the loss: up %v, registered %v and took traffic %v after its start",
		up.Round(time.Millisecond), registered.Round(time.Millisecond), served.Round(time.Millisecond))
	t.Logf("keys checked %v after the loss: %d agents on their first leases, the new agent registered", checkedAt.Round(time.Millisecond), len(leases))
	if pre.failed != 0 || pre.ok == 0 {
		t.Errorf("before the loss: %v", pre)
	}
	if all.failed != 0 || after.ok == 0 {
		t.Errorf("calls failed around the leader loss: %v", all)
	}
	assertNoHang(t, all, "etcd leader loss")
}
