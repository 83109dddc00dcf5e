package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/dubbomesh/dubbomesh/registry"
)

// Helpers for TestFaultEtcdLeaderLoss (leader_test.go): a mesh whose etcd is
// a three-member cluster in the test process, every agent given all three
// endpoints.

// leaderMesh is a cluster (with its etcd field nil) registering in an
// EmbeddedCluster.
type leaderMesh struct {
	*cluster
	etcd *registry.EmbeddedCluster
	eps  string // every member's client URL, comma-separated, for --etcd
}

// newLeaderMesh starts a members-member etcd cluster, one reference provider
// and one provider agent per weight, and a consumer agent.
func newLeaderMesh(t *testing.T, members int, latency time.Duration, weights ...int) *leaderMesh {
	t.Helper()
	ec, err := registry.StartEmbeddedCluster(t.TempDir(), members)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ec.Close)
	m := &leaderMesh{cluster: &cluster{t: t, ser: "hessian2"}, etcd: ec, eps: strings.Join(ec.Endpoints(), ",")}
	for i := range weights {
		pa := freeAddr(t)
		m.providers = append(m.providers, startProvider(t, fmt.Sprintf("provider%d", i), pa, latency, 200))
		m.provAddrs = append(m.provAddrs, pa)
	}
	for i, w := range weights {
		m.addAgent(i, w)
	}
	m.httpAddr, m.adminAddr = freeAddr(t), freeAddr(t)
	m.consumer = start(t, "consumer-agent", "consumer-agent", "--listen", m.httpAddr, "--admin", m.adminAddr,
		"--etcd", m.eps, "--loops", "2")
	waitListening(t, m.httpAddr)
	waitListening(t, m.adminAddr)
	return m
}

// addAgent starts a provider agent in front of provider i, registering in
// every member of the etcd cluster. It shadows cluster.addAgent, which
// knows only a single-member etcd.
func (m *leaderMesh) addAgent(i, weight int) *agentProc {
	t := m.t
	addr, admin := freeAddr(t), freeAddr(t)
	p := start(t, fmt.Sprintf("provider-agent%d-%d", i, len(m.agents)), "provider-agent",
		"--listen", addr, "--advertise", addr, "--admin", admin, "--provider", m.provAddrs[i],
		"--etcd", m.eps, "--weight", strconv.Itoa(weight), "--serialization", m.ser, "--loops", "2")
	a := &agentProc{proc: p, addr: addr, admin: admin, weight: weight}
	m.agents = append(m.agents, a)
	waitListening(t, admin)
	return a
}

// client returns an etcd client of every member, closed at cleanup.
func (m *leaderMesh) client() *clientv3.Client {
	t := m.t
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: m.etcd.Endpoints(), DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// agentLease returns the lease of a's key, 0 if the key is absent.
func agentLease(t *testing.T, cli *clientv3.Client, a *agentProc) clientv3.LeaseID {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, registry.Key(helloService, a.addr))
	if err != nil {
		t.Fatalf("get %s's key: %v", a.addr, err)
	}
	if len(resp.Kvs) == 0 {
		return 0
	}
	return clientv3.LeaseID(resp.Kvs[0].Lease)
}

// waitNewLeader polls the cluster until a member other than old leads, and
// returns it and how long that took.
func (m *leaderMesh) waitNewLeader(old int, within time.Duration) (int, time.Duration) {
	t := m.t
	t.Helper()
	start := time.Now()
	for {
		if l := m.etcd.Leader(); l >= 0 && l != old {
			return l, time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("no new leader within %v of stopping m%d", within, old)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
