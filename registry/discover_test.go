package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// updates collects the snapshots that onUpdate receives.
type updates chan Snapshot

func (u updates) onUpdate(s Snapshot) { u <- s }

// waitFor reads snapshots until cond holds, failing after within.
func (u updates) waitFor(t *testing.T, within time.Duration, what string, cond func(Snapshot) bool) Snapshot {
	t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	for {
		select {
		case s := <-u:
			if cond(s) {
				return s
			}
		case <-timer.C:
			t.Fatalf("no snapshot with %s within %v", what, within)
		}
	}
}

func discover(t *testing.T, cli *clientv3.Client) (*Discovery, updates) {
	t.Helper()
	u := make(updates, 1000)
	d, err := Discover(ctxT(t, 5*time.Second), cli, u.onUpdate)
	assertNoErr(t, err, "Discover")
	t.Cleanup(d.Close)
	return d, u
}

// addrs renders a snapshot's endpoints of iface as "addr/weight ...".
func addrs(s Snapshot, iface string) string {
	var b strings.Builder
	for i, ep := range s[iface] {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s/%d", ep.Addr, ep.Weight)
		if ep.Interface != iface {
			b.WriteString("(wrong interface)")
		}
	}
	return b.String()
}

func is(iface, want string) func(Snapshot) bool {
	return func(s Snapshot) bool { return addrs(s, iface) == want }
}

func TestDiscoverSeesRegistrations(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	register(t, cli, 5, Endpoint{Interface: testIface, Addr: "10.0.0.2:30000", Weight: 5})

	d, u := discover(t, cli)
	// The initial list has been delivered by the time Discover returns.
	assertEq(t, len(u), 1, "snapshots after Discover")
	first := <-u
	assertEq(t, addrs(first, testIface), "10.0.0.2:30000/5", "initial snapshot")
	assertEq(t, addrs(d.Snapshot(), testIface), "10.0.0.2:30000/5", "Snapshot()")

	// A second registration appears, sorted by address.
	r := register(t, cli, 5,
		Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3},
		Endpoint{Interface: "other.Service", Addr: "10.0.0.1:30000", Weight: 3})
	s := u.waitFor(t, time.Second, "two endpoints", is(testIface, "10.0.0.1:30000/3 10.0.0.2:30000/5"))
	assertEq(t, addrs(s, "other.Service"), "10.0.0.1:30000/3", "other interface")

	// Close revokes the lease: both of its keys go at once.
	assertNoErr(t, r.Close(ctxT(t, 5*time.Second)), "Close")
	s = u.waitFor(t, time.Second, "the registration gone", is(testIface, "10.0.0.2:30000/5"))
	if _, ok := s["other.Service"]; ok {
		t.Fatalf("other.Service still present: %v", s)
	}
	// Snapshots handed out earlier are not modified.
	assertEq(t, addrs(first, testIface), "10.0.0.2:30000/5", "first snapshot kept")
}

func TestDiscoverSkipsBadKeysAndValues(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ctx := ctxT(t, 10*time.Second)
	for k, v := range map[string]string{
		"/dubbomesh/svc/no-port":                  "",
		"/dubbomesh/svc/10.0.0.9:1":               "garbage",
		"/dubbomesh/svc/10.0.0.8:1":               `{"weight":0}`,
		"/dubbomesh/svc/10.0.0.1:1":               "", // empty: weight 1
		"/dubbomesh/svc/10.0.0.2:1":               `{"weight":4}`,
		"/elsewhere/svc/10.0.0.3:1":               "",
		"/dubbomesh/svc/10.0.0.4:1/trailing/junk": "",
	} {
		_, err := cli.Put(ctx, k, v)
		assertNoErr(t, err, "Put")
	}
	d, u := discover(t, cli)
	assertEq(t, addrs(<-u, "svc"), "10.0.0.1:1/1 10.0.0.2:1/4", "initial")
	assertEq(t, len(d.Snapshot()), 1, "interfaces")

	// A valid key overwritten with a bad value is dropped; fixed, it returns.
	_, err := cli.Put(ctx, "/dubbomesh/svc/10.0.0.2:1", `{"weight":"x"}`)
	assertNoErr(t, err, "Put")
	u.waitFor(t, time.Second, "bad value dropped", is("svc", "10.0.0.1:1/1"))
	_, err = cli.Put(ctx, "/dubbomesh/svc/10.0.0.2:1", `{"weight":6}`)
	assertNoErr(t, err, "Put")
	u.waitFor(t, time.Second, "fixed value back", is("svc", "10.0.0.1:1/1 10.0.0.2:1/6"))

	// Puts that change nothing, and bad keys, publish nothing.
	_, err = cli.Put(ctx, "/dubbomesh/svc/10.0.0.2:1", `{"weight":6}`)
	assertNoErr(t, err, "Put")
	_, err = cli.Put(ctx, "/dubbomesh/svc/bad", "")
	assertNoErr(t, err, "Put")
	_, err = cli.Put(ctx, "/dubbomesh/svc/10.0.0.5:1", `{"weight":2}`)
	assertNoErr(t, err, "Put")
	s := <-u
	assertEq(t, addrs(s, "svc"), "10.0.0.1:1/1 10.0.0.2:1/6 10.0.0.5:1/2", "next published snapshot")
}

func TestDiscoverRelistsAfterCompaction(t *testing.T) {
	cli := newClient(t, newEtcd(t).Endpoints())
	ctx := ctxT(t, 20*time.Second)

	// Between the first list and its watch, write a lot and compact it all
	// away, so the watch starts at a compacted revision and must re-list.
	var lists atomic.Int32
	testHookAfterList = func() {
		if lists.Add(1) != 1 {
			return
		}
		for i := 0; i < 200; i++ {
			_, err := cli.Put(ctx, Key("svc", fmt.Sprintf("10.0.%d.%d:1", i/100, i%100)), EncodeValue(1+i%3))
			assertNoErr(t, err, "Put")
		}
		_, err := cli.Delete(ctx, Key("svc", "10.0.0.0:1"))
		assertNoErr(t, err, "Delete")
		resp, err := cli.Get(ctx, "anything")
		assertNoErr(t, err, "Get")
		_, err = cli.Compact(ctx, resp.Header.Revision)
		assertNoErr(t, err, "Compact")
	}
	t.Cleanup(func() { testHookAfterList = nil })

	d, u := discover(t, cli)
	assertEq(t, len(<-u), 0, "initial snapshot size")
	s := u.waitFor(t, 5*time.Second, "199 endpoints", func(s Snapshot) bool { return len(s["svc"]) == 199 })
	// The hook runs just after the list's snapshot is published.
	for deadline := time.Now().Add(time.Second); lists.Load() < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("lists = %d, want a re-list", lists.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !slices.IsSortedFunc(s["svc"], func(a, b Endpoint) int { return strings.Compare(a.Addr, b.Addr) }) {
		t.Fatal("endpoints not sorted by Addr")
	}
	for _, ep := range s["svc"] {
		var i, j int
		fmt.Sscanf(ep.Addr, "10.0.%d.%d:1", &i, &j)
		if i*100+j == 0 {
			t.Fatal("deleted endpoint 10.0.0.0:1 present")
		}
		assertEq(t, ep.Weight, 1+(i*100+j)%3, "weight of "+ep.Addr)
	}

	// And the watch that followed the re-list works.
	_, err := cli.Delete(ctx, Key("svc", "10.0.0.1:1"))
	assertNoErr(t, err, "Delete")
	u.waitFor(t, time.Second, "198 endpoints", func(s Snapshot) bool { return len(s["svc"]) == 198 })
	assertEq(t, len(d.Snapshot()["svc"]), 198, "Snapshot()")
}

func TestDiscoverKeepsSnapshotWhileEtcdDown(t *testing.T) {
	dir := t.TempDir()
	e, err := StartEmbedded(dir)
	assertNoErr(t, err, "StartEmbedded")
	t.Cleanup(func() { e.Close() })
	addr := strings.TrimPrefix(e.Endpoints()[0], "http://")
	cli := newClient(t, e.Endpoints())
	r := register(t, cli, 10, Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3})
	d, u := discover(t, cli)
	<-u

	start := time.Now()
	e.Close()
	t.Logf("etcd closed in %v", time.Since(start))
	time.Sleep(500 * time.Millisecond)
	assertEq(t, addrs(d.Snapshot(), testIface), "10.0.0.1:30000/3", "Snapshot() while etcd is down")
	for len(u) > 0 {
		if s := <-u; addrs(s, testIface) != "10.0.0.1:30000/3" {
			t.Fatalf("published %v while etcd was down", s)
		}
	}

	e2, err := StartEmbeddedAt(dir, addr)
	assertNoErr(t, err, "StartEmbeddedAt")
	t.Cleanup(e2.Close)
	start = time.Now()
	cli2 := newClient(t, e2.Endpoints())
	_, err = cli2.Put(ctxT(t, 5*time.Second), Key(testIface, "10.0.0.2:30000"), EncodeValue(5))
	assertNoErr(t, err, "Put")
	u.waitFor(t, 10*time.Second, "the new endpoint", is(testIface, "10.0.0.1:30000/3 10.0.0.2:30000/5"))
	t.Logf("caught up %v after restart", time.Since(start))
	// The registration outlived the outage: its lease survives a restart.
	assertEq(t, addrs(d.Snapshot(), testIface), "10.0.0.1:30000/3 10.0.0.2:30000/5", "after restart")

	// Close everything holding streams open before etcd, which otherwise
	// waits for them to end.
	d.Close()
	assertNoErr(t, r.Close(ctxT(t, 5*time.Second)), "Registration.Close")
	cli.Close()
	cli2.Close()
}

func TestDiscoverGivesUpWhenCtxEnds(t *testing.T) {
	e := newEtcd(t)
	cli := newClient(t, e.Endpoints())
	e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	called := false
	_, err := Discover(ctx, cli, func(Snapshot) { called = true })
	if err == nil || ctx.Err() == nil {
		t.Fatalf("err = %v, want the context's error", err)
	}
	if called {
		t.Fatal("onUpdate called without a list")
	}
}

// TestDiscoverAfterEtcdLostItsData: etcd restarted on an empty data dir at
// the same address (its data lost, a new cluster, its revision back at the
// start). clientv3 resumes the watch from the old revision, which the new
// history has not reached, so the watch alone would stay silent; the
// reset check lists again and the view follows the new etcd.
func TestDiscoverAfterEtcdLostItsData(t *testing.T) {
	defer func(d time.Duration) { resetCheckEvery = d }(resetCheckEvery)
	resetCheckEvery = 500 * time.Millisecond
	e, err := StartEmbedded(t.TempDir())
	assertNoErr(t, err, "StartEmbedded")
	t.Cleanup(func() { e.Close() })
	addr := strings.TrimPrefix(e.Endpoints()[0], "http://")
	cli := newClient(t, e.Endpoints())
	for i := range 20 { // a history longer than the new etcd's
		_, err := cli.Put(ctxT(t, 5*time.Second), Key(testIface, "10.0.0.1:30000"), EncodeValue(1+i%3))
		assertNoErr(t, err, "Put")
	}
	d, u := discover(t, cli)
	u.waitFor(t, 5*time.Second, "the first endpoint", is(testIface, "10.0.0.1:30000/2"))

	e.Close()
	e2, err := StartEmbeddedAt(t.TempDir(), addr)
	assertNoErr(t, err, "StartEmbeddedAt on an empty dir")
	t.Cleanup(e2.Close)
	cli2 := newClient(t, e2.Endpoints())
	start := time.Now()
	_, err = cli2.Put(ctxT(t, 5*time.Second), Key(testIface, "10.0.0.2:30000"), EncodeValue(5))
	assertNoErr(t, err, "Put")
	u.waitFor(t, 3*resetCheckEvery+5*time.Second, "the new etcd's endpoint alone", is(testIface, "10.0.0.2:30000/5"))
	t.Logf("followed the new etcd %v after its first put", time.Since(start))
	if d.Resets() != 1 {
		t.Errorf("Resets() = %d, want 1", d.Resets())
	}
	// And its later changes, through the new watch.
	_, err = cli2.Put(ctxT(t, 5*time.Second), Key(testIface, "10.0.0.3:30000"), EncodeValue(7))
	assertNoErr(t, err, "Put")
	u.waitFor(t, 5*time.Second, "a later put", is(testIface, "10.0.0.2:30000/5 10.0.0.3:30000/7"))

	d.Close()
	cli.Close()
	cli2.Close()
}
