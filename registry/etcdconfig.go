package registry

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/client/pkg/v3/types"
	"go.etcd.io/etcd/server/v3/embed"
)

// The configuration and start-up shared by every embedded etcd member:
// StartMember (and so StartEmbedded and StartEmbeddedAt) and
// StartEmbeddedCluster.

// memberSpec is one member's identity and addresses. Its fields are fixed
// for the member's life: starting it again on the same spec resumes it.
type memberSpec struct {
	name           string
	dir            string
	client, peer   url.URL // http://host:port
	initialCluster string  // name=http://host:port,...; "" for this member alone
	clientTLS      *TLSFiles
}

// etcdConfig is the embed configuration of a development member: TickMs 10
// and ElectionMs 100 (a leader within a few hundred milliseconds), fatal-only
// logs, no fsync and no gRPC gateway. A member whose data directory already
// holds a WAL resumes from it, whatever the initial cluster says.
func (s *memberSpec) etcdConfig() *embed.Config {
	cfg := embed.NewConfig()
	cfg.Name = s.name
	cfg.Dir = s.dir
	cfg.TickMs = 10
	cfg.ElectionMs = 100
	cfg.LogLevel = "fatal"
	cfg.UnsafeNoFsync = true
	cfg.EnableGRPCGateway = false
	cfg.ListenClientUrls = []url.URL{s.client}
	cfg.AdvertiseClientUrls = []url.URL{s.client}
	cfg.ListenPeerUrls = []url.URL{s.peer}
	cfg.AdvertisePeerUrls = []url.URL{s.peer}
	if t := s.clientTLS; t != nil {
		cfg.ClientTLSInfo = transport.TLSInfo{CertFile: t.Cert, KeyFile: t.Key, TrustedCAFile: t.CA, ClientCertAuth: true}
	}
	cfg.InitialCluster = s.initialCluster
	if cfg.InitialCluster == "" {
		cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	}
	return cfg
}

// launch starts the member without waiting for it to be ready.
func launch(cfg *embed.Config) (*embed.Etcd, error) {
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrEmbedded, cfg.Name, err)
	}
	return e, nil
}

// waitReady waits until e serves clients (for a member of a cluster: until
// the cluster has a leader and e has joined it), e fails, or the timer
// fires. On failure it stops e.
func waitReady(e *embed.Etcd, timer <-chan time.Time, timeout time.Duration) error {
	select {
	case <-e.Server.ReadyNotify():
		return nil
	case err := <-e.Err():
		abort(e)
		return fmt.Errorf("%w: %s: %v", ErrEmbedded, e.Config().Name, err)
	case <-timer:
		abort(e)
		return fmt.Errorf("%w: %s: not ready after %v", ErrEmbedded, e.Config().Name, timeout)
	}
}

// abort stops a member that may never have become ready. embed.Etcd.Close
// alone would wait forever for the client servers of a member that is not
// ready, as they start only once it is; stopping the server first ends
// that wait.
func abort(e *embed.Etcd) {
	e.Server.HardStop()
	e.Close()
}

// hostURL returns http://addr, or http://127.0.0.1:<free port> if addr is
// empty. what names the address in errors.
func hostURL(addr, what string) (url.URL, error) {
	if addr == "" {
		port, err := freePort()
		if err != nil {
			return url.URL{}, err
		}
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	u, err := url.Parse("http://" + addr)
	if err != nil || u.Port() == "" || u.Path != "" || u.RawQuery != "" {
		return url.URL{}, fmt.Errorf("%w: bad %s address %q (want host:port)", ErrEmbedded, what, addr)
	}
	return *u, nil
}

// peerAddrOf returns the host:port of name's peer URL in initialCluster
// (name=http://host:port,...), which must list exactly one http URL for it.
func peerAddrOf(name, initialCluster string) (string, error) {
	m, err := types.NewURLsMap(initialCluster)
	if err != nil {
		return "", fmt.Errorf("%w: bad initial cluster %q: %v", ErrEmbedded, initialCluster, err)
	}
	urls := m[name]
	if len(urls) != 1 {
		return "", fmt.Errorf("%w: initial cluster %q has %d peer URLs for %q, want 1", ErrEmbedded, initialCluster, len(urls), name)
	}
	if urls[0].Scheme != "http" { // no TLS here
		return "", fmt.Errorf("%w: peer URL %q of %q: want http://host:port", ErrEmbedded, urls[0].String(), name)
	}
	return urls[0].Host, nil
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

// addrInUse reports whether err is a failure to bind a port someone else
// holds, the one start-up error worth retrying on fresh ports.
func addrInUse(err error) bool {
	return err != nil && strings.Contains(err.Error(), "address already in use")
}
