package registry

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/freeport"
)

// TestConnectWaitsForEtcd: with a user, etcd's client logs in before it is
// returned, so NewClient fails while etcd is away (an agent starting then
// would exit). Connect waits for etcd instead, and the client it returns
// works; a password etcd refuses is an error at once, without retries.
func TestConnectWaitsForEtcd(t *testing.T) {
	s := startSecureEtcd(t)
	addr, err := freeport.Addr()
	assertNoErr(t, err, "freeport")
	// Long enough for etcd's bcrypt check of the password under -race.
	short := func(c *clientv3.Config) { c.DialTimeout = 3 * time.Second }
	opts := []ClientOption{WithTLS(mustTLS(t, s.client)), WithAuth(testAgentUser, testAgentPassword), short}

	if cli, err := NewClient("https://"+addr, opts...); err == nil {
		cli.Close()
		t.Fatal("NewClient with a user returned a client while etcd was away")
	}
	type result struct {
		cli *clientv3.Client
		err error
	}
	done := make(chan result, 1)
	go func() {
		cli, err := Connect(ctxT(t, 30*time.Second), nil, "https://"+addr, opts...)
		done <- result{cli, err}
	}()
	time.Sleep(3500 * time.Millisecond) // a failed try at least
	select {
	case r := <-done:
		t.Fatalf("Connect returned while etcd was away: %v", r.err)
	default:
	}
	// etcd comes up at addr (a proxy to the embedded member).
	proxy(t, addr, s.e.Endpoints()[0][len("https://"):])
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Connect did not return once etcd was up")
	}
	assertNoErr(t, r.err, "Connect")
	defer r.cli.Close()
	_, err = r.cli.Put(ctxT(t, 5*time.Second), Key(testIface, "10.0.0.7:1"), `{"weight":1}`)
	assertNoErr(t, err, "Put with the connected client")

	// A signal while it waits (the agent's stop) ends it at once, not at the
	// end of the login under way (3 s here).
	ctx, cancel := context.WithCancel(context.Background())
	cancelled := make(chan error, 1)
	away, err := freeport.Addr()
	assertNoErr(t, err, "freeport")
	go func() {
		_, err := Connect(ctx, nil, "https://"+away, opts...)
		cancelled <- err
	}()
	time.Sleep(200 * time.Millisecond)
	stop := time.Now()
	cancel()
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) || time.Since(stop) > time.Second {
			t.Fatalf("Connect returned %v %v after its context ended, want context.Canceled at once", err, time.Since(stop))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Connect went on after its context ended")
	}

	start := time.Now()
	bad := []ClientOption{WithTLS(mustTLS(t, s.client)), WithAuth(testAgentUser, "wrong")}
	_, err = Connect(ctxT(t, 30*time.Second), nil, s.e.Endpoints()[0], bad...)
	if !errors.Is(rpctypes.Error(err), rpctypes.ErrAuthFailed) {
		t.Fatalf("Connect with a wrong password: %v, want authentication failed", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("a refused password took %v: it was retried", d)
	}
}

// proxy forwards connections to addr to target until the test ends.
func proxy(t *testing.T, addr, target string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	assertNoErr(t, err, "Listen")
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				u, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer u.Close()
				go io.Copy(u, c)
				io.Copy(c, u)
			}()
		}
	}()
}
