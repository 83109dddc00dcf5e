package registry

import (
	"context"
	"errors"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

const testIface = "com.alibaba.dubbo.performance.demo.provider.IHelloService"

// getKey returns the value and lease of key, or ok false if it is absent.
func getKey(t *testing.T, cli *clientv3.Client, key string) (val string, lease clientv3.LeaseID, ok bool) {
	t.Helper()
	resp, err := cli.Get(ctxT(t, 5*time.Second), key)
	assertNoErr(t, err, "Get")
	if len(resp.Kvs) == 0 {
		return "", 0, false
	}
	return string(resp.Kvs[0].Value), clientv3.LeaseID(resp.Kvs[0].Lease), true
}

func register(t *testing.T, cli *clientv3.Client, ttl int64, eps ...Endpoint) *Registration {
	t.Helper()
	r, err := Register(ctxT(t, 5*time.Second), cli, eps, ttl)
	assertNoErr(t, err, "Register")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r.Close(ctx)
	})
	return r
}

func TestRegisterPutsKeysOnOneLease(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	a := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3}
	b := Endpoint{Interface: "other.Service", Addr: "10.0.0.1:30000", Weight: 3}
	register(t, cli, 5, a, b)

	va, la, ok := getKey(t, cli, Key(a.Interface, a.Addr))
	if !ok {
		t.Fatal("key a missing")
	}
	assertEq(t, va, `{"weight":3}`, "value")
	_, lb, ok := getKey(t, cli, Key(b.Interface, b.Addr))
	if !ok {
		t.Fatal("key b missing")
	}
	if la == 0 || la != lb {
		t.Fatalf("leases %x and %x, want one shared lease", la, lb)
	}
	ttl, err := cli.TimeToLive(ctxT(t, 5*time.Second), la)
	assertNoErr(t, err, "TimeToLive")
	assertEq(t, ttl.GrantedTTL, int64(5), "granted TTL")
}

func TestRegisterRejectsBadEndpoints(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ctx := ctxT(t, 5*time.Second)
	if _, err := Register(ctx, cli, nil, 5); !errors.Is(err, ErrBadEndpoint) {
		t.Errorf("no endpoints: err = %v", err)
	}
	if _, err := Register(ctx, cli, []Endpoint{{Interface: "s", Addr: "nope", Weight: 1}}, 5); !errors.Is(err, ErrBadEndpoint) {
		t.Errorf("bad addr: err = %v", err)
	}
	if _, err := Register(ctx, cli, []Endpoint{{Interface: "s", Addr: "h:1", Weight: 0}}, 5); !errors.Is(err, ErrBadWeight) {
		t.Errorf("bad weight: err = %v", err)
	}
}

func TestRegisterKeepAlivePastTTL(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 1}
	register(t, cli, 2, ep)
	_, lease, _ := getKey(t, cli, Key(ep.Interface, ep.Addr))
	time.Sleep(3 * time.Second) // 1.5 TTLs
	_, now, ok := getKey(t, cli, Key(ep.Interface, ep.Addr))
	if !ok {
		t.Fatal("key expired although its lease is kept alive")
	}
	assertEq(t, now, lease, "lease (kept alive, not re-granted)")
}

func TestRegisterRecoversRevokedLease(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 2}
	key := Key(ep.Interface, ep.Addr)
	register(t, cli, 2, ep)
	_, lease, _ := getKey(t, cli, key)

	_, err := cli.Revoke(ctxT(t, 5*time.Second), lease)
	assertNoErr(t, err, "Revoke")
	if _, _, ok := getKey(t, cli, key); ok {
		t.Fatal("key still present right after revoke")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		val, now, ok := getKey(t, cli, key)
		if ok {
			if now == lease {
				t.Fatalf("key back on the revoked lease %x", lease)
			}
			assertEq(t, val, `{"weight":2}`, "value")
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("not registered again within 5s of the revoke")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRegisterCloseRevokes(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 1}
	r := register(t, cli, 10, ep)
	_, lease, _ := getKey(t, cli, Key(ep.Interface, ep.Addr))
	assertNoErr(t, r.Close(ctxT(t, 5*time.Second)), "Close")
	assertNoErr(t, r.Close(ctxT(t, 5*time.Second)), "second Close")
	if _, _, ok := getKey(t, cli, Key(ep.Interface, ep.Addr)); ok {
		t.Fatal("key present after Close")
	}
	ttl, err := cli.TimeToLive(ctxT(t, 5*time.Second), lease)
	assertNoErr(t, err, "TimeToLive")
	if ttl.TTL != -1 {
		t.Fatalf("lease TTL after Close = %d, want -1 (gone)", ttl.TTL)
	}
}

func TestRegisterGivesUpWhenCtxEnds(t *testing.T) {
	e := newEtcd(t)
	cli := newClient(t, e.Endpoints())
	e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Register(ctx, cli, []Endpoint{{Interface: "s", Addr: "h:1", Weight: 1}}, 5)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Register took %v to give up", d)
	}
}

// TestRegisterTLS: an agent that accepts only mutual TLS says so in its
// value, and discovery hands it on.
func TestRegisterTLS(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 2, TLS: true}
	register(t, cli, 5, ep)
	v, _, ok := getKey(t, cli, Key(ep.Interface, ep.Addr))
	if !ok {
		t.Fatal("key missing")
	}
	assertEq(t, v, `{"weight":2,"tls":true}`, "value")
	got := make(chan Snapshot, 1)
	d, err := Discover(ctxT(t, 5*time.Second), cli, func(s Snapshot) {
		select {
		case got <- s:
		default:
		}
	})
	assertNoErr(t, err, "Discover")
	defer d.Close()
	s := <-got
	if eps := s[testIface]; len(eps) != 1 || eps[0] != ep {
		t.Fatalf("discovered %+v, want %+v", eps, ep)
	}
}
