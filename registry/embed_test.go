package registry

import (
	"context"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

func assertEq[V comparable](t *testing.T, got, want V, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func assertNoErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// newEtcd starts an embedded etcd in a fresh temp dir, closed at cleanup.
func newEtcd(t *testing.T) *Embedded {
	t.Helper()
	e, err := StartEmbedded(t.TempDir())
	assertNoErr(t, err, "StartEmbedded")
	t.Cleanup(e.Close)
	return e
}

// newClient connects to endpoints, closed at cleanup (before an etcd
// started earlier in the test).
func newClient(t *testing.T, endpoints []string) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   endpoints,
		DialTimeout: 2 * time.Second,
		Logger:      zap.NewNop(),
	})
	assertNoErr(t, err, "clientv3.New")
	t.Cleanup(func() { cli.Close() })
	return cli
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestStartEmbeddedServes(t *testing.T) {
	start := time.Now()
	e := newEtcd(t)
	if d := time.Since(start); d > time.Second {
		t.Errorf("start took %v, want < 1s", d)
	}
	eps := e.Endpoints()
	if len(eps) != 1 || !strings.HasPrefix(eps[0], "http://127.0.0.1:") {
		t.Fatalf("Endpoints = %v", eps)
	}
	cli := newClient(t, eps)
	ctx := ctxT(t, 5*time.Second)
	_, err := cli.Put(ctx, "k", "v")
	assertNoErr(t, err, "Put")
	resp, err := cli.Get(ctx, "k")
	assertNoErr(t, err, "Get")
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "v" {
		t.Fatalf("Get = %v", resp.Kvs)
	}
}

func TestStartEmbeddedAtSameDirAndAddr(t *testing.T) {
	dir := t.TempDir()
	e, err := StartEmbedded(dir)
	assertNoErr(t, err, "StartEmbedded")
	addr := strings.TrimPrefix(e.Endpoints()[0], "http://")
	cli, err := clientv3.New(clientv3.Config{Endpoints: e.Endpoints(), DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	assertNoErr(t, err, "clientv3.New")
	_, err = cli.Put(ctxT(t, 5*time.Second), "k", "kept")
	assertNoErr(t, err, "Put")
	cli.Close()
	e.Close()
	e.Close() // twice is fine

	e2, err := StartEmbeddedAt(dir, addr)
	assertNoErr(t, err, "StartEmbeddedAt")
	t.Cleanup(e2.Close)
	assertEq(t, e2.Endpoints()[0], "http://"+addr, "endpoint")
	resp, err := newClient(t, e2.Endpoints()).Get(ctxT(t, 5*time.Second), "k")
	assertNoErr(t, err, "Get")
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "kept" {
		t.Fatalf("data not kept across restart: %v", resp.Kvs)
	}
}

func TestStartEmbeddedBadAddr(t *testing.T) {
	if _, err := StartEmbeddedAt(t.TempDir(), "no-port"); err == nil {
		t.Fatal("StartEmbeddedAt with a bad address succeeded")
	}
}
