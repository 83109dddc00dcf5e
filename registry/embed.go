package registry

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// ErrEmbedded is returned when an embedded etcd fails to start.
var ErrEmbedded = errors.New("registry: embedded etcd")

// readyTimeout bounds how long StartEmbeddedAt waits for etcd to serve.
const readyTimeout = 10 * time.Second

// Embedded is a single-member etcd running inside this process, for tests,
// the benchmark and hand-run topologies. It is not tuned for durability:
// fsync is off. Its methods are safe for concurrent use.
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
	var lastErr error
	// A free port found by listening and closing can be taken by someone
	// else before etcd binds it; try a few times.
	for attempt := 0; attempt < 5; attempt++ {
		e, err := startEmbedded(dir, clientAddr)
		if err == nil {
			return e, nil
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	return nil, lastErr
}

func startEmbedded(dir, clientAddr string) (*Embedded, error) {
	if clientAddr == "" {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		clientAddr = net.JoinHostPort("127.0.0.1", port)
	}
	peerPort, err := freePort()
	if err != nil {
		return nil, err
	}
	curl, err := url.Parse("http://" + clientAddr)
	if err != nil || curl.Port() == "" {
		return nil, fmt.Errorf("%w: bad client address %q", ErrEmbedded, clientAddr)
	}
	purl := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", peerPort)}

	cfg := embed.NewConfig()
	cfg.Name = "dubbomesh"
	cfg.Dir = dir
	cfg.TickMs = 10
	cfg.ElectionMs = 100
	cfg.LogLevel = "fatal"
	cfg.UnsafeNoFsync = true
	cfg.ListenClientUrls = []url.URL{*curl}
	cfg.AdvertiseClientUrls = []url.URL{*curl}
	cfg.ListenPeerUrls = []url.URL{purl}
	cfg.AdvertisePeerUrls = []url.URL{purl}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEmbedded, err)
	}
	t := time.NewTimer(readyTimeout)
	defer t.Stop()
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("%w: %v", ErrEmbedded, err)
	case <-t.C:
		e.Close()
		return nil, fmt.Errorf("%w: not ready after %v", ErrEmbedded, readyTimeout)
	}
	return &Embedded{etcd: e, endpoints: []string{curl.String()}}, nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrEmbedded, err)
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
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
func (e *Embedded) Close() { e.closeOnce.Do(e.etcd.Close) }
