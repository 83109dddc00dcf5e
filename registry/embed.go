package registry

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// ErrEmbedded is returned when an embedded etcd fails to start, or is asked
// for something it cannot do.
var ErrEmbedded = errors.New("registry: embedded etcd")

// readyTimeout bounds how long StartEmbeddedAt waits for etcd to serve.
const readyTimeout = 10 * time.Second

// Embedded is one etcd member running inside this process, for tests, the
// benchmark and hand-run topologies: a single-member etcd (StartEmbedded,
// StartEmbeddedAt) or one member of a static cluster whose other members run
// elsewhere (StartMember). It is not tuned for durability: fsync is off. Its
// methods are safe for concurrent use.
type Embedded struct {
	etcd      *embed.Etcd
	endpoints []string
	closeOnce sync.Once
}

// StartEmbedded starts a single-member etcd with its data in dir, on free
// loopback ports for clients and peers. See StartEmbeddedAt.
func StartEmbedded(dir string) (*Embedded, error) {
	return StartEmbeddedAt(dir, "")
}

// StartEmbeddedAt starts a single-member etcd with its data in dir, serving
// clients on clientAddr (host:port, e.g. "127.0.0.1:2379"), or on a free
// loopback port if clientAddr is empty. The peer port is always a free
// loopback port. Starting again on the same dir (after Close) keeps the
// data; starting on the same clientAddr lets existing clients reconnect.
//
// It uses TickMs 10 and ElectionMs 100, so a fresh member elects itself in
// well under a second, and logs only fatal errors. It returns once etcd is
// ready to serve, or an error wrapping ErrEmbedded.
func StartEmbeddedAt(dir, clientAddr string) (*Embedded, error) {
	return StartMember(MemberConfig{Name: "dubbomesh", Dir: dir, ClientAddr: clientAddr})
}

// MemberConfig describes one member of a static etcd cluster for
// StartMember. The zero value of each optional field gives a single-member
// etcd on free loopback ports.
type MemberConfig struct {
	// Name is the member's name, unique in its cluster. Required.
	Name string
	// Dir holds the member's data. Required. A Dir that already holds data
	// resumes that member, and InitialCluster is then ignored.
	Dir string
	// ClientAddr is the host:port to serve clients on; empty means a free
	// loopback port.
	ClientAddr string
	// PeerAddr is the host:port to serve the other members on, and to
	// advertise to them; empty means the member's own entry in
	// InitialCluster, or a free loopback port if InitialCluster is empty.
	PeerAddr string
	// InitialCluster lists every member of a new cluster, this one
	// included, as name=http://host:port,... (the peer URLs). Empty means
	// a cluster of this member alone.
	InitialCluster string
	// ClientTLS, if set, serves clients over TLS (https:// endpoints) with
	// its certificate and key, and requires client certificates that
	// chain to its CA. Auth (users and passwords) is turned on after
	// start, through the API: see EnableAuth.
	ClientTLS *TLSFiles
	// ReadyTimeout bounds the wait for the member to serve; 0 means 10 s.
	// A member of a new cluster is ready only once a quorum of its members
	// has started and elected a leader.
	ReadyTimeout time.Duration
}

// StartMember starts one etcd member in this process with the
// configuration of StartEmbeddedAt (TickMs 10, ElectionMs 100, fatal-only
// logs, no fsync), as described by cfg. It returns once the member is ready
// to serve clients, or an error wrapping ErrEmbedded. Ports that StartMember
// picks itself are picked again if someone takes them first.
//
// Starting three processes, each with StartMember and the same
// InitialCluster, gives a three-member cluster; registry/cmd/etcd does
// that from its flags. StartEmbeddedCluster starts a whole cluster in one
// process.
func StartMember(cfg MemberConfig) (*Embedded, error) {
	if cfg.Name == "" || cfg.Dir == "" {
		return nil, fmt.Errorf("%w: a member needs a name and a data directory", ErrEmbedded)
	}
	peerAddr := cfg.PeerAddr
	if peerAddr == "" && cfg.InitialCluster != "" {
		var err error
		if peerAddr, err = peerAddrOf(cfg.Name, cfg.InitialCluster); err != nil {
			return nil, err
		}
	}
	timeout := cfg.ReadyTimeout
	if timeout <= 0 {
		timeout = readyTimeout
	}
	var lastErr error
	// A free port found by listening and closing can be taken by someone
	// else before etcd binds it; try a few times.
	for attempt := 0; attempt < 5; attempt++ {
		e, err := startMember(cfg, peerAddr, timeout)
		if err == nil {
			return e, nil
		}
		lastErr = err
		if !addrInUse(err) {
			break
		}
	}
	return nil, lastErr
}

func startMember(cfg MemberConfig, peerAddr string, timeout time.Duration) (*Embedded, error) {
	spec := memberSpec{name: cfg.Name, dir: cfg.Dir, initialCluster: cfg.InitialCluster, clientTLS: cfg.ClientTLS}
	var err error
	if spec.client, err = hostURL(cfg.ClientAddr, "client"); err != nil {
		return nil, err
	}
	if spec.peer, err = hostURL(peerAddr, "peer"); err != nil {
		return nil, err
	}
	if spec.clientTLS != nil {
		spec.client.Scheme = "https"
	}
	e, err := launch(spec.etcdConfig())
	if err != nil {
		return nil, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	if err := waitReady(e, t.C, timeout); err != nil {
		return nil, err
	}
	return &Embedded{etcd: e, endpoints: []string{spec.client.String()}}, nil
}

// Endpoints returns the client URLs, e.g. http://127.0.0.1:PORT, for
// clientv3.Config.Endpoints. The caller may modify the returned slice.
func (e *Embedded) Endpoints() []string {
	return append([]string(nil), e.endpoints...)
}

// Err returns a channel that receives an error if etcd fails while running,
// and is closed once etcd has stopped.
func (e *Embedded) Err() <-chan error { return e.etcd.Err() }

// Close stops etcd and releases its ports and data directory lock. It is
// safe to call more than once.
//
// Close is graceful: it refuses new connections at once, lets open client
// streams run for up to etcd's request timeout (about 5 s), and a leader
// hands its leadership to another member before it stops. For a member
// that vanishes at once, see EmbeddedCluster.Stop.
func (e *Embedded) Close() { e.closeOnce.Do(e.etcd.Close) }
