package registry

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// newCluster starts an n-member embedded cluster, closed at cleanup.
func newCluster(t *testing.T, n int) *EmbeddedCluster {
	t.Helper()
	start := time.Now()
	c, err := StartEmbeddedCluster(t.TempDir(), n)
	assertNoErr(t, err, "StartEmbeddedCluster")
	t.Cleanup(c.Close)
	t.Logf("%d-member cluster started in %v, leader m%d", n, time.Since(start).Round(time.Millisecond), c.Leader())
	return c
}

// newAgentClient connects to endpoints as the agents do (NewClient),
// closed at cleanup.
func newAgentClient(t *testing.T, endpoints []string) *clientv3.Client {
	t.Helper()
	cli, err := NewClient(strings.Join(endpoints, ","))
	assertNoErr(t, err, "NewClient")
	t.Cleanup(func() { cli.Close() })
	return cli
}

// waitLeader polls c.Leader until it is not -1 and not old, and returns it
// and how long that took.
func waitLeader(t *testing.T, c *EmbeddedCluster, old int, within time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	for {
		if l := c.Leader(); l >= 0 && l != old {
			return l, time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("no leader other than m%d within %v", old, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// assertRefused fails unless nothing accepts connections at the host of
// endpoint (http://host:port).
func assertRefused(t *testing.T, endpoint string) {
	t.Helper()
	u, err := url.Parse(endpoint)
	assertNoErr(t, err, "url.Parse")
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		conn.Close()
		t.Fatalf("%s still accepts connections", endpoint)
	}
}

func TestEmbeddedClusterElectsLeader(t *testing.T) {
	c := newCluster(t, 3)
	if l := c.Leader(); l < 0 || l > 2 {
		t.Fatalf("Leader() = %d", l)
	}
	eps := c.Endpoints()
	if len(eps) != 3 || eps[0] == eps[1] || eps[1] == eps[2] || eps[0] == eps[2] {
		t.Fatalf("Endpoints = %v, want 3 distinct", eps)
	}
	eps[0] = "changed"
	if c.Endpoints()[0] == "changed" {
		t.Fatal("Endpoints returned the cluster's own slice")
	}
	_, err := newClient(t, c.Endpoints()[:1]).Put(ctxT(t, 5*time.Second), "k", "v")
	assertNoErr(t, err, "Put via m0")
	for i, ep := range c.Endpoints() {
		resp, err := newClient(t, []string{ep}).Get(ctxT(t, 5*time.Second), "k")
		assertNoErr(t, err, "Get")
		if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "v" {
			t.Fatalf("Get via m%d = %v", i, resp.Kvs)
		}
	}
}

// Register and Discover keep working, through clients given every
// endpoint, when the leader is lost: a new leader is elected, a key
// registered after the loss reaches a watcher that started before it, and
// the lease of a key registered before keeps being renewed past its TTL.
//
// The clients first know only the leader, so that the keep-alive and the
// watch streams start on it, and then every endpoint: the loss cuts both
// streams, not just the idle connections of a client whose streams happen
// to be on a follower.
func TestEmbeddedClusterLeaderLoss(t *testing.T) {
	const ttl = 2
	logs := captureSlog(t)
	c := newCluster(t, 3)
	old := c.Leader()
	provider := newAgentClient(t, c.Endpoints()[old:old+1])
	consumer := newAgentClient(t, c.Endpoints()[old:old+1])
	before := Endpoint{Interface: testIface, Addr: "10.0.0.1:30000", Weight: 3}
	after := Endpoint{Interface: testIface, Addr: "10.0.0.2:30000", Weight: 5}
	register(t, provider, ttl, before)
	_, u := discover(t, consumer)
	u.waitFor(t, 5*time.Second, "the first endpoint", func(s Snapshot) bool {
		return addrs(s, testIface) == "10.0.0.1:30000/3"
	})
	_, lease, ok := getKey(t, provider, Key(before.Interface, before.Addr))
	if !ok {
		t.Fatal("first key missing")
	}

	provider.SetEndpoints(c.Endpoints()...)
	consumer.SetEndpoints(c.Endpoints()...)

	stopAt := time.Now()
	c.Stop(old)
	assertRefused(t, c.Endpoints()[old])
	leader, took := waitLeader(t, c, old, 5*time.Second)
	t.Logf("stopped leader m%d; m%d elected %v later", old, leader, took.Round(time.Millisecond))

	regAt := time.Now()
	register(t, provider, ttl, after)
	u.waitFor(t, 5*time.Second, "the endpoint registered after the loss", func(s Snapshot) bool {
		return addrs(s, testIface) == "10.0.0.1:30000/3 10.0.0.2:30000/5"
	})
	t.Logf("endpoint registered after the loss seen by the watcher %v after Register began", time.Since(regAt).Round(time.Millisecond))

	// Past 1.5 TTLs after the loss, the first key is still on its lease.
	time.Sleep(time.Until(stopAt.Add(ttl * 1500 * time.Millisecond)))
	_, now, ok := getKey(t, provider, Key(before.Interface, before.Addr))
	if !ok {
		t.Fatalf("key registered before the loss expired %v after it", time.Since(stopAt).Round(time.Millisecond))
	}
	assertEq(t, now, lease, "lease of the key registered before the loss (kept alive, not re-granted)")
	if _, _, ok := getKey(t, provider, Key(after.Interface, after.Addr)); !ok {
		t.Fatal("key registered after the loss expired")
	}
	if l := c.Leader(); l < 0 || l == old {
		t.Fatalf("Leader() = %d at the end, want a running member", l)
	}
	t.Logf("registry log during the loss:\n%s", logs)
}

// captureSlog sends the default slog logger to a buffer until the test
// ends, and returns the buffer. Tests that use it must not run in parallel.
func captureSlog(t *testing.T) *syncBuffer {
	t.Helper()
	b := new(syncBuffer)
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(b, nil)))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return b
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A stopped member restarted on its data and ports catches up on what was
// written while it was down; a cluster that lost its quorum has no leader
// until a member comes back.
func TestEmbeddedClusterRestartRejoins(t *testing.T) {
	c := newCluster(t, 3)
	cli := newClient(t, c.Endpoints())
	old := c.Leader()
	c.Stop(old)
	c.Stop(old) // twice is fine
	waitLeader(t, c, old, 5*time.Second)
	_, err := cli.Put(ctxT(t, 5*time.Second), "written-while-down", "yes")
	assertNoErr(t, err, "Put")

	start := time.Now()
	assertNoErr(t, c.Restart(old), "Restart")
	t.Logf("m%d rejoined %v after Restart", old, time.Since(start).Round(time.Millisecond))
	if err := c.Restart(old); !errors.Is(err, ErrEmbedded) {
		t.Fatalf("Restart of a running member: err = %v", err)
	}
	resp, err := newClient(t, c.Endpoints()[old:old+1]).Get(ctxT(t, 5*time.Second), "written-while-down")
	assertNoErr(t, err, "Get via the restarted member")
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "yes" {
		t.Fatalf("restarted member has %v", resp.Kvs)
	}

	// Two of three down: no quorum, no leader.
	a, b := (old+1)%3, (old+2)%3
	c.Stop(a)
	c.Stop(b)
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if l := c.Leader(); l != -1 {
			t.Fatalf("Leader() = %d with two of three members stopped", l)
		}
	}
	assertNoErr(t, c.Restart(a), "Restart with the quorum lost")
	if l, _ := waitLeader(t, c, -1, 5*time.Second); l == b {
		t.Fatalf("stopped member m%d is leader", b)
	}
	_, err = cli.Put(ctxT(t, 5*time.Second), "k", "after quorum is back")
	assertNoErr(t, err, "Put once the quorum is back")
}

func TestEmbeddedClusterClose(t *testing.T) {
	dir := t.TempDir()
	c, err := StartEmbeddedCluster(dir, 3)
	assertNoErr(t, err, "StartEmbeddedCluster")
	c.Stop(1)
	c.Close()
	c.Close() // twice is fine
	for _, ep := range c.Endpoints() {
		assertRefused(t, ep)
	}
	c.Stop(0) // does nothing
	if err := c.Restart(1); !errors.Is(err, ErrEmbedded) {
		t.Fatalf("Restart after Close: err = %v", err)
	}
	if c.Leader() != -1 {
		t.Fatalf("Leader() = %d after Close", c.Leader())
	}
	if err := c.Restart(3); !errors.Is(err, ErrEmbedded) {
		t.Fatalf("Restart(3) of a 3-member cluster: err = %v", err)
	}
	if _, err := StartEmbeddedCluster(dir, 3); !errors.Is(err, ErrEmbedded) {
		t.Fatalf("second cluster on the same dir: err = %v", err)
	}
	if _, err := StartEmbeddedCluster(t.TempDir(), 0); !errors.Is(err, ErrEmbedded) {
		t.Fatalf("0 members: err = %v", err)
	}
}

// Concurrent Stop, Restart, Leader and Close do not race (run with -race).
func TestEmbeddedClusterConcurrentUse(t *testing.T) {
	c := newCluster(t, 3)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			c.Stop(i)
			c.Restart(i) // may fail without a quorum; only races matter here
		}()
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				c.Leader()
				c.Endpoints()
			}
		}()
	}
	wg.Wait()
	c.Close()
}

// Three StartMember calls with one InitialCluster form a cluster, as three
// registry/cmd/etcd processes do.
func TestStartMemberStaticCluster(t *testing.T) {
	var peers []string
	for _, name := range []string{"a", "b", "c"} {
		port, err := freePort()
		assertNoErr(t, err, "freePort")
		peers = append(peers, name+"=http://127.0.0.1:"+port)
	}
	initial := strings.Join(peers, ",")
	members := make([]*Embedded, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i, name := range []string{"a", "b", "c"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			members[i], errs[i] = StartMember(MemberConfig{Name: name, Dir: t.TempDir(), InitialCluster: initial})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		assertNoErr(t, err, "StartMember "+string(rune('a'+i)))
		t.Cleanup(members[i].Close)
	}
	_, err := newClient(t, members[0].Endpoints()).Put(ctxT(t, 5*time.Second), "k", "shared")
	assertNoErr(t, err, "Put via a")
	resp, err := newClient(t, members[2].Endpoints()).Get(ctxT(t, 5*time.Second), "k")
	assertNoErr(t, err, "Get via c")
	if len(resp.Kvs) != 1 || string(resp.Kvs[0].Value) != "shared" {
		t.Fatalf("Get via c = %v", resp.Kvs)
	}
}

func TestStartMemberBadConfig(t *testing.T) {
	for _, cfg := range []MemberConfig{
		{Dir: t.TempDir()},
		{Name: "a"},
		{Name: "a", Dir: t.TempDir(), InitialCluster: "a=http://127.0.0.1"},
		{Name: "a", Dir: t.TempDir(), InitialCluster: "a=not a url"},
		{Name: "a", Dir: t.TempDir(), InitialCluster: "b=http://127.0.0.1:1"},
		{Name: "a", Dir: t.TempDir(), PeerAddr: "127.0.0.1"},
		{Name: "a", Dir: t.TempDir(), ClientAddr: "127.0.0.1:1/path"},
	} {
		if e, err := StartMember(cfg); !errors.Is(err, ErrEmbedded) {
			if e != nil {
				e.Close()
			}
			t.Errorf("StartMember(%+v): err = %v, want ErrEmbedded", cfg, err)
		}
	}
}
