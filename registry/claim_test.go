package registry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// A second agent advertising an address a live agent holds fails with a
// clear error, after waiting the holder's lease out once, and takes
// nothing from it; the holder's key stays on its lease.
func TestRegisterRefusesKeyOfLiveAgent(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 1}
	first := register(t, cli, 1, ep)
	_, lease, _ := getKey(t, cli, Key(ep.Interface, ep.Addr))

	start := time.Now()
	second := Endpoint{Interface: testIface, Addr: ep.Addr, Weight: 7}
	r, err := Register(ctxT(t, 10*time.Second), cli, []Endpoint{second}, 1)
	if err == nil {
		r.Close(ctxT(t, time.Second))
		t.Fatal("a second agent took the key of a live one")
	}
	var te *TakenError
	if !errors.As(err, &te) || !errors.Is(err, ErrKeyTaken) || !te.Live || te.Lease != lease {
		t.Fatalf("err = %v, want a live TakenError naming lease %x", err, int64(lease))
	}
	if !strings.Contains(err.Error(), "--advertise") {
		t.Fatalf("the message does not say what to do: %v", err)
	}
	t.Logf("refused after %v: %v", time.Since(start).Round(time.Millisecond), err)
	val, l, ok := getKey(t, cli, Key(ep.Interface, ep.Addr))
	if !ok || l != lease || val != `{"weight":1}` {
		t.Fatalf("the holder's key is now %q on lease %x (present %v)", val, int64(l), ok)
	}
	if err := first.InPlace(); err != nil {
		t.Fatalf("the first agent lost its registration: %v", err)
	}
}

// An agent restarted within its TTL after a kill -9 finds its own old key
// held by the dead lease; it waits that lease out and registers.
func TestRegisterWaitsOutDeadHolder(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.2:30000", Weight: 2}
	grant, err := cli.Grant(ctxT(t, 5*time.Second), 2)
	assertNoErr(t, err, "Grant")
	_, err = cli.Put(ctxT(t, 5*time.Second), Key(ep.Interface, ep.Addr), EncodeValue(1), clientv3.WithLease(grant.ID))
	assertNoErr(t, err, "Put")

	start := time.Now()
	r := register(t, cli, 5, ep)
	_ = r
	val, l, ok := getKey(t, cli, Key(ep.Interface, ep.Addr))
	if !ok || l == grant.ID || val != `{"weight":2}` {
		t.Fatalf("key %q on lease %x (present %v), want ours", val, int64(l), ok)
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Fatalf("registered %v after start, want within the dead lease's TTL and two seconds", d)
	}
}

// A key put by hand without a lease is not held by anyone: it is claimed.
func TestRegisterClaimsLeaselessKey(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.3:30000", Weight: 4}
	_, err := cli.Put(ctxT(t, 5*time.Second), Key(ep.Interface, ep.Addr), "")
	assertNoErr(t, err, "Put")
	register(t, cli, 5, ep)
	if val, l, ok := getKey(t, cli, Key(ep.Interface, ep.Addr)); !ok || l == 0 || val != `{"weight":4}` {
		t.Fatalf("key %q on lease %x (present %v), want ours", val, int64(l), ok)
	}
}

// Registering again after losing the keep-alive of a lease that is still
// alive ends that lease rather than waiting for it, and deregistering
// deletes only our own keys.
func TestRegisterAgainReplacesOwnLease(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	mine := Endpoint{Interface: testIface, Addr: "10.0.0.4:30000", Weight: 1}
	theirs := register(t, cli, 5, Endpoint{Interface: "other.Service", Addr: "10.0.0.5:30000", Weight: 1})
	_ = theirs
	old, err := cli.Grant(ctxT(t, 5*time.Second), 30)
	assertNoErr(t, err, "Grant")
	_, err = cli.Put(ctxT(t, 5*time.Second), Key(mine.Interface, mine.Addr), EncodeValue(1), clientv3.WithLease(old.ID))
	assertNoErr(t, err, "Put")

	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	r := &Registration{cli: cli, eps: []Endpoint{mine}, ttl: 5, lease: old.ID, stop: stop, done: make(chan struct{})}
	start := time.Now()
	if _, err := r.register(ctxT(t, 5*time.Second), runCtx); err != nil {
		t.Fatalf("register again: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v: it waited for its own old lease", d)
	}
	if _, l, ok := getKey(t, cli, Key(mine.Interface, mine.Addr)); !ok || l != r.lease || l == old.ID {
		t.Fatalf("key on lease %x (present %v), want the new lease %x", int64(l), ok, int64(r.lease))
	}
	close(r.done)
	assertNoErr(t, r.Close(ctxT(t, 5*time.Second)), "Close")
	if _, _, ok := getKey(t, cli, Key(mine.Interface, mine.Addr)); ok {
		t.Fatal("our key survived Close")
	}
	if _, _, ok := getKey(t, cli, Key("other.Service", "10.0.0.5:30000")); !ok {
		t.Fatal("Close deleted another agent's key")
	}
}
