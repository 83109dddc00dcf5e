package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/freeport"
)

// ErrNoLeader is returned when the members of the bench's etcd do not
// agree on a leader in time.
var ErrNoLeader = errors.New("bench: etcd members agree on no leader")

// etcdMemberNames names the members of a bench etcd cluster; their
// processes are "etcd-<name>".
var etcdMemberNames = []string{"a", "b", "c"}

// statusTimeout bounds one Status call: a dead member's endpoint would
// otherwise hold it until the caller's deadline.
const statusTimeout = 300 * time.Millisecond

// startEtcd starts the bench's own etcd from bin, with its data under
// dataDir, and returns its processes and client endpoints (in the same
// order). One member is the single-member etcd "etcd" the bench always ran;
// more (at most len(etcdMemberNames)) form one static cluster, each member
// with its own client and peer address and data dir, started together, and
// startEtcd returns once all of them listen and agree on a leader.
func startEtcd(ctx context.Context, sup *supervisor, bin, dataDir string, members int, timeout time.Duration) ([]*proc, []string, error) {
	if members == 1 {
		addr, err := freeport.Addr()
		if err != nil {
			return nil, nil, err
		}
		p, err := sup.start("etcd", bin, "--dir", filepath.Join(dataDir, "etcd"), "--listen-client", addr)
		if err != nil {
			return nil, nil, err
		}
		if err := waitListening(addr, p, timeout); err != nil {
			return nil, nil, err
		}
		return []*proc{p}, []string{"http://" + addr}, nil
	}
	if members < 1 || members > len(etcdMemberNames) {
		return nil, nil, fmt.Errorf("bench: %d etcd members (1 to %d)", members, len(etcdMemberNames))
	}
	clients, peers := make([]string, members), make([]string, members)
	var initial []string
	for i := range members {
		var err error
		if clients[i], err = freeport.Addr(); err != nil {
			return nil, nil, err
		}
		if peers[i], err = freeport.Addr(); err != nil {
			return nil, nil, err
		}
		initial = append(initial, etcdMemberNames[i]+"=http://"+peers[i])
	}
	procs, endpoints := make([]*proc, members), make([]string, members)
	for i, name := range etcdMemberNames[:members] {
		p, err := sup.start("etcd-"+name, bin, "--name", name, "--dir", filepath.Join(dataDir, "etcd-"+name),
			"--listen-client", clients[i], "--listen-peer", peers[i], "--initial-cluster", strings.Join(initial, ","))
		if err != nil {
			return nil, nil, err
		}
		procs[i], endpoints[i] = p, "http://"+clients[i]
	}
	for i, p := range procs {
		if err := waitListening(clients[i], p, timeout); err != nil {
			return nil, nil, err
		}
	}
	cli, err := newEtcdClient(endpoints)
	if err != nil {
		return nil, nil, err
	}
	defer cli.Close()
	if _, err := waitEtcdLeader(ctx, cli, endpoints, 0, timeout); err != nil {
		return nil, nil, err
	}
	return procs, endpoints, nil
}

// newEtcdClient returns a client of endpoints for Status calls; the caller
// closes it.
func newEtcdClient(endpoints []string) (*clientv3.Client, error) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("bench: etcd client: %w", err)
	}
	return cli, nil
}

// memberStatus is what one endpoint says of itself: its member ID and the
// leader it follows (0: none known), or the error of asking.
type memberStatus struct {
	id, leader uint64
	err        error
}

// etcdStatuses asks every endpoint for its status at once, each call
// bounded by statusTimeout, and returns the answers in endpoint order.
func etcdStatuses(ctx context.Context, cli *clientv3.Client, endpoints []string) []memberStatus {
	out := make([]memberStatus, len(endpoints))
	var wg sync.WaitGroup
	for i, ep := range endpoints {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sctx, cancel := context.WithTimeout(ctx, statusTimeout)
			defer cancel()
			resp, err := cli.Status(sctx, ep)
			if err != nil {
				out[i].err = err
				return
			}
			out[i] = memberStatus{id: resp.Header.MemberId, leader: resp.Leader}
		}()
	}
	wg.Wait()
	return out
}

// agreedLeader returns the index of the member every status names as
// leader, if all answered, all name the same leader other than not, and
// that leader is one of them (its own status has Leader == MemberId).
func agreedLeader(st []memberStatus, not uint64) (int, bool) {
	if len(st) == 0 {
		return -1, false
	}
	l := st[0].leader
	for _, s := range st {
		if s.err != nil || s.leader == 0 || s.leader != l || s.leader == not {
			return -1, false
		}
	}
	i := slices.IndexFunc(st, func(s memberStatus) bool { return s.id == l })
	return i, i >= 0
}

// etcdLeader is the leader waitEtcdLeader found: its index in the
// endpoints asked, and its member ID.
type etcdLeader struct {
	index int
	id    uint64
}

// waitEtcdLeader polls the Status of every endpoint in endpoints until they
// agree on a leader among them other than member not (0: any), the context
// ends, or the timeout passes.
func waitEtcdLeader(ctx context.Context, cli *clientv3.Client, endpoints []string, not uint64, timeout time.Duration) (etcdLeader, error) {
	deadline := time.Now().Add(timeout)
	for {
		st := etcdStatuses(ctx, cli, endpoints)
		if i, ok := agreedLeader(st, not); ok {
			return etcdLeader{index: i, id: st[i].id}, nil
		}
		if err := ctx.Err(); err != nil {
			return etcdLeader{}, err
		}
		if time.Now().After(deadline) {
			var last []string
			for i, s := range st {
				if s.err != nil {
					last = append(last, fmt.Sprintf("%s: %v", endpoints[i], s.err))
				} else {
					last = append(last, fmt.Sprintf("%s: member %x follows %x", endpoints[i], s.id, s.leader))
				}
			}
			return etcdLeader{}, fmt.Errorf("%w after %v: %s", ErrNoLeader, timeout, strings.Join(last, "; "))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
