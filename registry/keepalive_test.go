package registry

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// keepLease answers every ttl/3, closes its channel once the lease is
// revoked, and stops with its context.
func TestKeepLease(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	grant, err := cli.Grant(ctxT(t, 5*time.Second), 3)
	assertNoErr(t, err, "Grant")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ka := keepLease(ctx, cli, grant.ID, grant.TTL)
	select {
	case resp, ok := <-ka:
		if !ok || resp.ID != grant.ID {
			t.Fatalf("answer %v (open %v), want one for lease %x", resp, ok, grant.ID)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("no keep-alive answer within a TTL")
	}
	_, err = cli.Revoke(ctxT(t, 5*time.Second), grant.ID)
	assertNoErr(t, err, "Revoke")
	if !closedWithin(ka, 3*time.Second) {
		t.Fatal("channel still open a TTL after the lease was revoked")
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	grant2, err := cli.Grant(ctxT(t, 5*time.Second), 30)
	assertNoErr(t, err, "Grant")
	ka2 := keepLease(ctx2, cli, grant2.ID, grant2.TTL)
	cancel2()
	select {
	case _, ok := <-ka2:
		if ok {
			t.Fatal("an answer after the context ended")
		}
	case <-time.After(time.Second):
		t.Fatal("keepLease did not stop with its context")
	}
}

// closedWithin drains ch and reports whether it closed within d.
func closedWithin(ch <-chan *clientv3.LeaseKeepAliveResponse, d time.Duration) bool {
	deadline := time.After(d)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return true
			}
		case <-deadline:
			return false
		}
	}
}
