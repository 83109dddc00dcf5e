package registry

import (
	"errors"
	"testing"
	"time"
)

func TestSetWeightPutsAndDiscoverySeesIt(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	a := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3, Capacity: 200}
	b := Endpoint{Interface: "other.Service", Addr: "10.0.0.1:30000", Weight: 3, Capacity: 200}
	r := register(t, cli, 5, a, b)
	_, lease, _ := getKey(t, cli, Key(a.Interface, a.Addr))
	_, u := discover(t, cli)

	start := time.Now()
	inPlace, err := r.SetWeight(ctxT(t, 5*time.Second), 7)
	assertNoErr(t, err, "SetWeight")
	assertEq(t, inPlace, true, "in place")
	assertEq(t, r.Weight(), 7, "Weight")
	for _, ep := range []Endpoint{a, b} {
		val, l, ok := getKey(t, cli, Key(ep.Interface, ep.Addr))
		if !ok || l != lease {
			t.Fatalf("%s: present %v on lease %x, want the registration's %x", ep.Interface, ok, l, lease)
		}
		assertEq(t, val, `{"weight":7,"capacity":200}`, "value")
	}
	s := u.waitFor(t, time.Second, "the new weight", is(testIface, "10.0.0.1:30000/7"))
	if d := time.Since(start); d > time.Second {
		t.Fatalf("discovery saw the new weight after %v", d)
	}
	assertEq(t, s[testIface][0].Capacity, 200, "capacity kept")

	if _, err := r.SetWeight(ctxT(t, 5*time.Second), 0); !errors.Is(err, ErrBadWeight) {
		t.Fatalf("SetWeight(0) err = %v, want ErrBadWeight", err)
	}
	assertEq(t, r.Weight(), 7, "Weight after a refused SetWeight")
}

// TestSetWeightSurvivesRenewal: a registration whose lease is lost puts
// its keys again with the weight set last, never the one it started with.
func TestSetWeightSurvivesRenewal(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ep := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 2}
	key := Key(ep.Interface, ep.Addr)
	r := register(t, cli, 2, ep)
	_, err := r.SetWeight(ctxT(t, 5*time.Second), 9)
	assertNoErr(t, err, "SetWeight")
	_, lease, _ := getKey(t, cli, key)
	_, err = cli.Revoke(ctxT(t, 5*time.Second), lease)
	assertNoErr(t, err, "Revoke")
	deadline := time.Now().Add(5 * time.Second)
	for {
		val, now, ok := getKey(t, cli, key)
		if ok && now != lease {
			assertEq(t, val, `{"weight":9}`, "value after the renewal")
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not registered again within 5s of the revoke")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Set while the lease is gone: recorded, and put by the renewal.
	_, lease, _ = getKey(t, cli, key)
	_, err = cli.Revoke(ctxT(t, 5*time.Second), lease)
	assertNoErr(t, err, "second Revoke")
	_, err = r.SetWeight(ctxT(t, 5*time.Second), 4)
	assertNoErr(t, err, "SetWeight while the lease is gone")
	deadline = time.Now().Add(5 * time.Second)
	for {
		val, now, ok := getKey(t, cli, key)
		if ok && now != lease && val == `{"weight":4}` {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("key %q (present %v) within 5s, want weight 4 on a new lease", val, ok)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSetWeightAfterClose(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	r := register(t, cli, 5, Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 1})
	assertNoErr(t, r.Close(ctxT(t, 5*time.Second)), "Close")
	if _, err := r.SetWeight(ctxT(t, 5*time.Second), 2); !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("SetWeight after Close: %v, want ErrNotRegistered", err)
	}
}

// TestSetWeightKeepsTLS: a new weight keeps the registration's "tls":true,
// so a live reweight never turns a TLS agent into a plaintext one.
func TestSetWeightKeepsTLS(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	a := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3, Capacity: 200, TLS: true}
	r := register(t, cli, 5, a)
	_, err := r.SetWeight(ctxT(t, 5*time.Second), 4)
	assertNoErr(t, err, "SetWeight")
	val, _, _ := getKey(t, cli, Key(a.Interface, a.Addr))
	assertEq(t, val, `{"weight":4,"capacity":200,"tls":true}`, "value")
}

// TestSetCapacity: a measured capacity goes into the value, keeping the
// weight, and 0 takes it out again; a capacity out of range changes nothing.
func TestSetCapacity(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	a := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3}
	r := register(t, cli, 5, a)
	_, u := discover(t, cli)

	inPlace, err := r.SetCapacity(ctxT(t, 5*time.Second), 120)
	assertNoErr(t, err, "SetCapacity")
	assertEq(t, inPlace, true, "in place")
	assertEq(t, r.Capacity(), 120, "Capacity")
	val, _, _ := getKey(t, cli, Key(a.Interface, a.Addr))
	assertEq(t, val, `{"weight":3,"capacity":120}`, "value")
	u.waitFor(t, time.Second, "the capacity", func(s Snapshot) bool {
		eps := s[testIface]
		return len(eps) == 1 && eps[0].Capacity == 120 && eps[0].Weight == 3
	})

	if _, err := r.SetCapacity(ctxT(t, 5*time.Second), MaxCapacity+1); !errors.Is(err, ErrBadCapacity) {
		t.Fatalf("SetCapacity(MaxCapacity+1) err = %v, want ErrBadCapacity", err)
	}
	assertEq(t, r.Capacity(), 120, "Capacity after a refused SetCapacity")

	_, err = r.SetCapacity(ctxT(t, 5*time.Second), 0)
	assertNoErr(t, err, "SetCapacity(0)")
	val, _, _ = getKey(t, cli, Key(a.Interface, a.Addr))
	assertEq(t, val, `{"weight":3}`, "value without a capacity")
}
