package registry

import (
	"errors"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// A key deleted or overwritten behind the registration's back is put
// again with its lease within keyCheckEvery; one another lease took is
// not taken back, and InPlace says so until it is the registration's
// again.
func TestRegistrationRepairsItsKeys(t *testing.T) {
	defer func(d time.Duration) { keyCheckEvery = d }(keyCheckEvery)
	keyCheckEvery = 100 * time.Millisecond
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3}
	r := register(t, cli, 10, ep)
	k := Key(ep.Interface, ep.Addr)
	_, lease, _ := getKey(t, cli, k)
	back := func(what string) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for {
			v, l, ok := getKey(t, cli, k)
			if ok && l == lease && v == `{"weight":3}` {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: key %q on lease %x, present %v; want it back on %x", what, v, l, ok, lease)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	_, err := cli.Delete(ctxT(t, 5*time.Second), Prefix, clientv3.WithPrefix())
	assertNoErr(t, err, "Delete")
	back("deleted")
	_, err = cli.Put(ctxT(t, 5*time.Second), k, `{"weight":1000}`)
	assertNoErr(t, err, "Put")
	back("overwritten without a lease")
	// The key is back once the put commits; the count follows it.
	deadline := time.Now().Add(time.Second)
	for r.Repairs() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if r.Repairs() != 2 {
		t.Errorf("Repairs() = %d, want 2", r.Repairs())
	}

	other, err := cli.Grant(ctxT(t, 5*time.Second), 30)
	assertNoErr(t, err, "Grant")
	_, err = cli.Put(ctxT(t, 5*time.Second), k, `{"weight":7}`, clientv3.WithLease(other.ID))
	assertNoErr(t, err, "Put with another lease")
	deadline = time.Now().Add(3 * time.Second)
	for r.InPlace() == nil {
		if time.Now().After(deadline) {
			t.Fatal("InPlace still nil with the key on another lease")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := r.InPlace(); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("InPlace = %v", err)
	}
	if v, l, _ := getKey(t, cli, k); l != other.ID || v != `{"weight":7}` {
		t.Fatalf("the other lease's key was taken back: %q on %x", v, l)
	}
	_, err = cli.Revoke(ctxT(t, 5*time.Second), other.ID)
	assertNoErr(t, err, "Revoke")
	back("released by the other lease")
	deadline = time.Now().Add(3 * time.Second)
	for r.InPlace() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("InPlace = %v after the key came back", r.InPlace())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
