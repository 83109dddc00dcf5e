package registry

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"google.golang.org/grpc"
)

// EmbeddedCluster is a static etcd cluster whose members all run inside this
// process, for tests that take members away: Stop one as if its process
// had died, Restart it on the same data and ports. Members have the
// configuration of StartEmbeddedAt (TickMs 10, ElectionMs 100, fatal-only
// logs, no fsync), so a cluster that loses its leader elects another within
// a few hundred milliseconds.
//
// Members are numbered 0 to n-1 and named m0, m1, ... Member i keeps its
// data in dir/m<i> and its client and peer ports for the cluster's life.
// The methods are safe for concurrent use; Stop, Restart and Close of one
// member run one at a time.
type EmbeddedCluster struct {
	members []*member
	quorum  int

	mu     sync.Mutex // guards every member's run, and closed
	closed bool

	closeOnce sync.Once
}

// member is one member of an EmbeddedCluster.
type member struct {
	spec memberSpec
	id   uint64 // raft member ID: fixed by name, peer URL and cluster token

	op       sync.Mutex      // held by Stop, Restart and Close of this member
	released <-chan struct{} // closed once the last stopped run has released its ports; guarded by op, nil before the first stop

	run *run // nil while stopped; guarded by EmbeddedCluster.mu
}

// run is one start of a member, from launch to hard stop.
type run struct {
	etcd *embed.Etcd

	mu      sync.Mutex
	grpcs   []*grpc.Server // the client gRPC servers, as etcd creates them
	stopped bool
	served  chan struct{} // closed when the first gRPC server is registered
}

// StartEmbeddedCluster starts a new n-member cluster in this process, each
// member on free loopback client and peer ports, and returns once every
// member serves clients and a leader is elected, or an error wrapping
// ErrEmbedded. dir must not already hold the members' directories (m0, m1,
// ...): a cluster is started once, and its members restarted with Restart.
// The caller ends the cluster with Close.
func StartEmbeddedCluster(dir string, n int) (*EmbeddedCluster, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w: a cluster of %d members", ErrEmbedded, n)
	}
	for i := 0; i < n; i++ {
		if _, err := os.Stat(filepath.Join(dir, memberName(i))); err == nil {
			return nil, fmt.Errorf("%w: %s already holds member %s", ErrEmbedded, dir, memberName(i))
		}
	}
	var lastErr error
	// As in StartMember, a free port can be taken before etcd binds it.
	// The members that did start have recorded the lost port in their
	// data, so a retry starts from empty directories on fresh ports.
	for attempt := 0; attempt < 5; attempt++ {
		c, err := startCluster(dir, n)
		if err == nil {
			return c, nil
		}
		lastErr = err
		for i := 0; i < n; i++ {
			os.RemoveAll(filepath.Join(dir, memberName(i)))
		}
		if !addrInUse(err) {
			break
		}
	}
	return nil, lastErr
}

func memberName(i int) string { return fmt.Sprintf("m%d", i) }

func startCluster(dir string, n int) (*EmbeddedCluster, error) {
	c := &EmbeddedCluster{members: make([]*member, n), quorum: n/2 + 1}
	peers := make([]string, n)
	for i := range c.members {
		m := &member{spec: memberSpec{name: memberName(i), dir: filepath.Join(dir, memberName(i))}}
		var err error
		if m.spec.client, err = hostURL("", "client"); err != nil {
			return nil, err
		}
		if m.spec.peer, err = hostURL("", "peer"); err != nil {
			return nil, err
		}
		peers[i] = m.spec.name + "=" + m.spec.peer.String()
		c.members[i] = m
	}
	initial := strings.Join(peers, ",")
	for _, m := range c.members {
		m.spec.initialCluster = initial
	}

	// Launch every member first: none is ready before a quorum runs.
	stopAll := func() {
		var wg sync.WaitGroup
		for _, m := range c.members {
			if m.run != nil {
				wg.Add(1)
				go func(r *run) { defer wg.Done(); <-r.hardStop() }(m.run)
				m.run = nil
			}
		}
		wg.Wait()
	}
	for _, m := range c.members {
		r, err := m.launch()
		if err != nil {
			stopAll()
			return nil, err
		}
		m.run = r
	}
	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	for _, m := range c.members {
		if err := m.run.waitServing(timer.C); err != nil {
			stopAll()
			return nil, err
		}
		m.id = uint64(m.run.etcd.Server.MemberID())
	}
	for c.Leader() < 0 {
		select {
		case <-timer.C:
			stopAll()
			return nil, fmt.Errorf("%w: no leader after %v", ErrEmbedded, readyTimeout)
		case <-time.After(5 * time.Millisecond):
		}
	}
	return c, nil
}

// launch starts the member on its spec, without waiting for it to serve.
func (m *member) launch() (*run, error) {
	r := &run{served: make(chan struct{})}
	cfg := m.spec.etcdConfig()
	cfg.ServiceRegister = r.register
	e, err := launch(cfg)
	if err != nil {
		return nil, err
	}
	r.etcd = e
	return r, nil
}

// register records a client gRPC server of the run, so that hardStop can
// cut its connections. etcd calls it before the server serves.
func (r *run) register(gs *grpc.Server) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		gs.Stop()
		return
	}
	r.grpcs = append(r.grpcs, gs)
	if len(r.grpcs) == 1 {
		close(r.served)
	}
}

// waitServing waits until the run is ready and its gRPC server exists, or
// timer fires; on failure the run is stopped.
func (r *run) waitServing(timer <-chan time.Time) error {
	if err := waitReady(r.etcd, timer, readyTimeout); err != nil {
		return err
	}
	select {
	case <-r.served:
		return nil
	case <-timer:
		<-r.hardStop()
		return fmt.Errorf("%w: %s: no gRPC server after %v", ErrEmbedded, r.etcd.Config().Name, readyTimeout)
	}
}

// hardStop stops the run as a crash of its process would, without the
// graceful steps of embed.Etcd.Close (draining client streams, handing
// leadership over): it closes every client connection and the client and
// peer listeners, and stops the raft node. The returned channel is closed
// once the run has released its ports and data directory.
func (r *run) hardStop() <-chan struct{} {
	r.mu.Lock()
	r.stopped = true
	grpcs := r.grpcs
	r.mu.Unlock()
	for _, gs := range grpcs {
		gs.Stop()
	}
	for _, l := range r.etcd.Clients {
		l.Close()
	}
	for _, p := range r.etcd.Peers {
		p.Listener.Close()
	}
	r.etcd.Server.HardStop()
	released := make(chan struct{})
	go func() {
		r.etcd.Close() // quick now: nothing is left to drain
		close(released)
	}()
	return released
}

// Endpoints returns every member's client URL, e.g. http://127.0.0.1:PORT,
// in member order, stopped members included, for clientv3.Config.Endpoints.
// The caller may modify the returned slice.
func (c *EmbeddedCluster) Endpoints() []string {
	eps := make([]string, len(c.members))
	for i, m := range c.members {
		eps[i] = m.spec.client.String()
	}
	return eps
}

// Leader returns the index of the current leader, or -1 if there is none:
// the running member that a quorum of the running members (a majority of
// the cluster) follow. Right after the leader stops, Leader returns -1
// until the others have elected a new one.
func (c *EmbeddedCluster) Leader() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	votes := make(map[uint64]int, len(c.members))
	for _, m := range c.members {
		if m.run != nil {
			votes[m.run.etcd.Server.Lead()]++
		}
	}
	for i, m := range c.members {
		if m.run != nil && votes[m.id] >= c.quorum {
			return i
		}
	}
	return -1
}

// Stop stops member i at once, as if its process had been killed: its
// client connections are cut, its client and peer ports close, and a
// leader hands nothing over. Its data stays in its directory for Restart.
// Stopping a stopped member, or a member of a closed cluster, does
// nothing. Stop returns before the member has released its data directory;
// Restart waits for that. It panics if i is not a member's index.
func (c *EmbeddedCluster) Stop(i int) {
	m := c.members[i]
	m.op.Lock()
	defer m.op.Unlock()
	c.stop(m)
}

// stop hard-stops m if it runs. The caller holds m.op.
func (c *EmbeddedCluster) stop(m *member) {
	c.mu.Lock()
	r := m.run
	m.run = nil
	c.mu.Unlock()
	if r != nil {
		m.released = r.hardStop()
	}
}

// Restart starts stopped member i again on its data directory and ports,
// and returns once it has rejoined the cluster and serves clients, which
// needs a quorum of the members running with it. On failure the member
// stays stopped and the error wraps ErrEmbedded, as it does for a member
// that is running, an index out of range and a closed cluster.
func (c *EmbeddedCluster) Restart(i int) error {
	if i < 0 || i >= len(c.members) {
		return fmt.Errorf("%w: no member %d in a cluster of %d", ErrEmbedded, i, len(c.members))
	}
	m := c.members[i]
	m.op.Lock()
	defer m.op.Unlock()
	c.mu.Lock()
	closed, running := c.closed, m.run != nil
	c.mu.Unlock()
	switch {
	case closed:
		return fmt.Errorf("%w: restart of member %d: cluster closed", ErrEmbedded, i)
	case running:
		return fmt.Errorf("%w: restart of member %d: it is running", ErrEmbedded, i)
	}

	timer := time.NewTimer(readyTimeout)
	defer timer.Stop()
	select {
	case <-m.released:
	case <-timer.C:
		return fmt.Errorf("%w: member %d did not release its ports within %v", ErrEmbedded, i, readyTimeout)
	}
	var (
		r   *run
		err error
	)
	// The ports are ours again, but the kernel may take a moment to let
	// them go, and someone else may have bound one meanwhile.
	for {
		if r, err = m.launch(); err == nil || !addrInUse(err) {
			break
		}
		select {
		case <-timer.C:
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
	if err != nil {
		return err
	}
	if err := r.waitServing(timer.C); err != nil {
		return err
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		<-r.hardStop()
		return fmt.Errorf("%w: restart of member %d: cluster closed", ErrEmbedded, i)
	}
	m.run = r
	c.mu.Unlock()
	return nil
}

// Close stops every member as Stop does and returns once all have released
// their ports and data directories. The data stays in dir. Close is safe
// to call more than once.
func (c *EmbeddedCluster) Close() {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		var wg sync.WaitGroup
		for _, m := range c.members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.op.Lock()
				defer m.op.Unlock()
				c.stop(m)
				if m.released != nil {
					<-m.released
				}
			}()
		}
		wg.Wait()
	})
}
