package e2e

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dubbomesh/dubbomesh/registry"
)

// Helpers for the fault tests (faults_test.go): a load that records the end
// time, latency and outcome of every call, so that a test can count failures
// in a window around a fault; a cluster whose etcd can be stopped and started
// again on the same data and port; and agents and providers started with
// chosen flags.

// Outcome statuses that are not HTTP statuses.
const (
	statusTransportError = 0  // the connection failed or timed out (10 s)
	statusWrongAnswer    = -1 // 200 with a body other than the expected hash
)

// callRecord is one finished call of a loadRecording.
type callRecord struct {
	end    time.Time
	lat    time.Duration
	status int    // the HTTP status, statusTransportError or statusWrongAnswer
	body   string // kept for failures only
}

// loadRecording is closed-loop load on conns connections whose every call is
// kept. Its methods are safe for concurrent use with the load.
type loadRecording struct {
	mu    sync.Mutex
	calls []callRecord
	done  chan struct{}
}

// recordLoad starts conns connections to addr, each calling hash(params(i)) in a
// loop until ctx ends, and returns the recording at once. Unlike runLoad it
// never calls t.Fatal from its goroutines: a failed dial is recorded as a
// transport error and retried after 10 ms.
func recordLoad(ctx context.Context, addr string, conns int, params func(i int) string) *loadRecording {
	return recordLoadVia(ctx, func() (net.Conn, error) { return net.Dial("tcp", addr) }, conns, params)
}

// recordLoadVia is recordLoad with each connection made by dial.
func recordLoadVia(ctx context.Context, dial func() (net.Conn, error), conns int, params func(i int) string) *loadRecording {
	r := &loadRecording{done: make(chan struct{})}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cl *client
			defer func() {
				if cl != nil {
					cl.close()
				}
			}()
			for ctx.Err() == nil {
				began := time.Now()
				if cl == nil {
					conn, err := dial()
					if err != nil {
						r.add(callRecord{end: time.Now(), lat: time.Since(began), status: statusTransportError, body: err.Error()})
						time.Sleep(10 * time.Millisecond)
						continue
					}
					cl = &client{conn: conn, r: bufio.NewReader(conn)}
				}
				p := params(int(next.Add(1)))
				status, body, err := cl.call(hashForm(p))
				o := callRecord{end: time.Now(), status: status}
				o.lat = o.end.Sub(began)
				switch {
				case err != nil:
					o.status, o.body = statusTransportError, err.Error()
					cl.close()
					cl = nil
				case status != 200:
					o.body = body
				case body != strconv.Itoa(int(javaHash(p))):
					o.status, o.body = statusWrongAnswer, fmt.Sprintf("hash(%q) = %s, want %d", p, body, javaHash(p))
				}
				r.add(o)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(r.done)
	}()
	return r
}

func (r *loadRecording) add(o callRecord) {
	r.mu.Lock()
	r.calls = append(r.calls, o)
	r.mu.Unlock()
}

// wait waits for every connection to finish its last call after the load's
// context ended. A call that hangs past within fails the test.
func (r *loadRecording) wait(t *testing.T, within time.Duration) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(within):
		t.Fatalf("load did not stop within %v: a call hangs", within)
	}
}

// loadTally sums the calls of a loadRecording that ended in a window.
type loadTally struct {
	ok, failed int
	statuses   map[int]int // failures by status
	maxLat     time.Duration
	maxFailLat time.Duration
	first      string // the first failure's status and body
}

func (s loadTally) String() string {
	keys := make([]int, 0, len(s.statuses))
	for k := range s.statuses {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "ok %d, failed %d", s.ok, s.failed)
	for _, k := range keys {
		fmt.Fprintf(&b, ", %d×%d", s.statuses[k], k)
	}
	fmt.Fprintf(&b, ", max latency %v", s.maxLat.Round(time.Millisecond))
	if s.failed > 0 {
		fmt.Fprintf(&b, " (failures %v), first failure: %s", s.maxFailLat.Round(time.Millisecond), s.first)
	}
	return b.String()
}

// between tallies the calls that ended in [from, to). A zero to means no
// upper bound.
func (r *loadRecording) between(from, to time.Time) loadTally {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := loadTally{statuses: map[int]int{}}
	for _, o := range r.calls {
		if o.end.Before(from) || !to.IsZero() && !o.end.Before(to) {
			continue
		}
		s.maxLat = max(s.maxLat, o.lat)
		if o.status == 200 {
			s.ok++
			continue
		}
		s.failed++
		s.statuses[o.status]++
		s.maxFailLat = max(s.maxFailLat, o.lat)
		if s.first == "" {
			s.first = fmt.Sprintf("%d %s", o.status, strings.TrimSpace(o.body))
		}
	}
	return s
}

// all tallies every call of the recording.
func (r *loadRecording) all() loadTally { return r.between(time.Time{}, time.Time{}) }

// startProvider starts a reference provider on addr, so that a test can
// start one again on the address of one it killed.
func startProvider(t *testing.T, name, addr string, latency time.Duration, threads int) *proc {
	t.Helper()
	p := start(t, name, "provider", "--listen", addr, "--latency", latency.String(),
		"--threads", strconv.Itoa(threads), "--name", name)
	waitListening(t, addr)
	return p
}

// meshSpec describes a cluster built by newMesh (startMesh).
type meshSpec struct {
	latency   time.Duration
	threads   int      // each provider's --threads
	weights   []int    // one provider and one agent per weight
	agentArgs []string // extra flags for every provider agent
	ser       string   // the provider agents' --serialization; "" is hessian2
}

// newMesh starts an embedded etcd and, against it, the mesh of spec
// (startMesh). It returns the etcd data directory too, so that a test can
// restart etcd on it (restartEtcd).
func newMesh(t *testing.T, spec meshSpec) (c *cluster, etcdDir string) {
	t.Helper()
	etcdDir = filepath.Join(t.TempDir(), "etcd")
	if err := os.Mkdir(etcdDir, 0o700); err != nil {
		t.Fatal(err)
	}
	e, err := registry.StartEmbedded(etcdDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	c = &cluster{t: t, etcd: e, endpoints: strings.Join(e.Endpoints(), ","), ser: cmp.Or(spec.ser, "hessian2")}
	c.startMesh(spec)
	return c, etcdDir
}

// restartEtcd starts etcd again on dir and on the client address it had,
// retrying for a few seconds while the old listener's port is released.
func (c *cluster) restartEtcd(dir string) {
	t := c.t
	t.Helper()
	addr := strings.TrimPrefix(c.etcd.Endpoints()[0], "http://")
	deadline := time.Now().Add(5 * time.Second)
	for {
		e, err := registry.StartEmbeddedAt(dir, addr)
		if err == nil {
			t.Cleanup(e.Close)
			c.etcd = e
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("etcd did not start again on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitCounter polls a counter on an admin endpoint until it exceeds above,
// and returns how long that took; it fails the test after within.
func waitCounter(t *testing.T, admin, name string, above float64, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for metric(t, admin, name) <= above {
		if time.Since(start) > within {
			t.Fatalf("%s at %s stayed at or below %v for %v", name, admin, above, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// waitAllServe waits, while load runs, until every agent of the cluster has
// answered a call.
func (c *cluster) waitAllServe() {
	c.t.Helper()
	for _, a := range c.agents {
		waitCounter(c.t, a.admin, "provider_agent_requests_total", 0, 10*time.Second)
	}
}
