package e2e

import (
	"context"
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
	m := &leaderMesh{cluster: &cluster{t: t, endpoints: strings.Join(ec.Endpoints(), ","), ser: "hessian2"}, etcd: ec}
	m.startMesh(meshSpec{latency: latency, threads: 200, weights: weights})
	return m
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
