package registry

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Repair: the keys a registration put may be deleted or changed behind its
// back while its lease lives (an `etcdctl del --prefix` by mistake, a
// script writing the prefix): the lease's keep-alive goes on, and nothing
// else would tell. Every keyCheckEvery the registration reads its keys;
// one that is gone, or holds another value or no lease, is put again with
// its lease (never over a key another lease holds, which is another
// agent's: that one is reported by InPlace until it is ours again).

// keyCheckEvery is how often a registration reads its keys back (a
// variable for tests): one read per key, which an idle agent pays in
// wake-ups (see resetCheckEvery).
var keyCheckEvery = 10 * time.Second

// checkKeys reads the keys back and puts again those gone or changed. It
// returns the reason the registration is not whole, or nil. It runs on the
// keep-alive goroutine.
func (r *Registration) checkKeys(ctx context.Context) error {
	r.putMu.Lock()
	defer r.putMu.Unlock()
	lease := r.currentLease()
	for _, ep := range r.endpoints() {
		k, want := Key(ep.Interface, ep.Addr), []byte(ep.value())
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		resp, err := r.cli.Get(actx, k)
		cancel()
		if err != nil {
			return nil // etcd away: the lease's checks say so
		}
		var held clientv3.LeaseID
		if len(resp.Kvs) == 1 {
			kv := resp.Kvs[0]
			held = clientv3.LeaseID(kv.Lease)
			if held == lease && bytes.Equal(kv.Value, want) {
				continue
			}
		}
		if held != 0 && held != lease {
			return fmt.Errorf("%w: %s is held by lease %x, not this agent's: another agent, or a hand-written key", ErrNotRegistered, k, int64(held))
		}
		// Gone, or changed on our lease or without one: put it back,
		// unless another lease took it meanwhile.
		actx, cancel = context.WithTimeout(ctx, attemptTimeout)
		tr, err := r.cli.Txn(actx).
			If(clientv3.Compare(clientv3.LeaseValue(k), "=", held)).
			Then(clientv3.OpPut(k, string(want), clientv3.WithLease(lease))).
			Commit()
		cancel()
		if err != nil {
			return nil
		}
		if !tr.Succeeded {
			return fmt.Errorf("%w: %s changed while being put back", ErrNotRegistered, k)
		}
		r.repairs.Add(1)
		slog.Warn("registry: key gone or changed behind the agent's back; put again", "key", k, "was_present", len(resp.Kvs) == 1)
	}
	return nil
}
