package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Claiming keys. A key names an address, and two provider agents that
// advertise the same address (a copied --advertise, two hosts both saying
// 127.0.0.1) would otherwise take it from each other, and the first to
// leave would delete the other's registration. So a registration puts its
// keys only where no lease holds them (absent, or put by hand without a
// lease), in one transaction, and deregistering revokes only its own lease,
// which deletes only the keys that lease still holds.
//
// A key held by another lease is either another live agent's or a dead
// one's whose lease has not expired yet (an agent killed and restarted
// within its TTL). Register tells them apart by waiting the lease's
// remaining time out once: a lease still holding the key after that was
// renewed, so its holder is alive, and Register fails with a TakenError
// saying so.

// ErrKeyTaken matches a TakenError: a key is held by another provider
// agent's lease.
var ErrKeyTaken = errors.New("registry: key held by another provider agent")

// TakenError reports a key that another lease holds. errors.Is matches it
// with ErrKeyTaken.
type TakenError struct {
	Key   string
	Lease clientv3.LeaseID // the holder's lease
	// Live is set once the lease outlived its remaining TTL: it is being
	// kept alive, so its holder is a live agent.
	Live bool
}

func (e *TakenError) Error() string {
	if e.Live {
		return fmt.Sprintf("registry: %s is held by another live provider agent (lease %x): two agents advertise the same address; give each its own --advertise host:port", e.Key, int64(e.Lease))
	}
	return fmt.Sprintf("registry: %s is held by lease %x of another provider agent", e.Key, int64(e.Lease))
}

// Is reports whether target is ErrKeyTaken.
func (e *TakenError) Is(target error) bool { return target == ErrKeyTaken }

// claim puts every key of r with lease, in one transaction that succeeds
// only if no lease holds any of them. It returns a *TakenError naming a
// key another lease holds.
func (r *Registration) claim(ctx context.Context, lease clientv3.LeaseID) error {
	eps := r.endpoints()
	cmps := make([]clientv3.Cmp, len(eps))
	puts := make([]clientv3.Op, len(eps))
	gets := make([]clientv3.Op, len(eps))
	for i, ep := range eps {
		k := Key(ep.Interface, ep.Addr)
		// A missing key compares as lease 0 too.
		cmps[i] = clientv3.Compare(clientv3.LeaseValue(k), "=", clientv3.NoLease)
		puts[i] = clientv3.OpPut(k, EncodeRecord(ep.Weight, ep.Capacity), clientv3.WithLease(lease))
		gets[i] = clientv3.OpGet(k)
	}
	resp, err := r.cli.Txn(ctx).If(cmps...).Then(puts...).Else(gets...).Commit()
	if err != nil {
		return fmt.Errorf("put: %w", err)
	}
	if resp.Succeeded {
		return nil
	}
	for _, op := range resp.Responses {
		if rr := op.GetResponseRange(); rr != nil && len(rr.Kvs) > 0 && rr.Kvs[0].Lease != 0 {
			return &TakenError{Key: string(rr.Kvs[0].Key), Lease: clientv3.LeaseID(rr.Kvs[0].Lease)}
		}
	}
	return errors.New("put: the keys changed during the transaction")
}

// waitOut waits until lease, which holds a key we want, has had time to
// expire: its remaining TTL plus two seconds, bounded by ctx. It returns at
// once when the lease is already gone.
func (r *Registration) waitOut(ctx context.Context, te *TakenError) error {
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	ttl, err := r.cli.TimeToLive(actx, te.Lease)
	cancel()
	if err != nil {
		return fmt.Errorf("lease %x: %w", int64(te.Lease), err)
	}
	if ttl.TTL < 0 {
		return nil // expired meanwhile
	}
	// TTL counts whole seconds left, rounded down, and etcd revokes an
	// expired lease up to a second late.
	d := time.Duration(ttl.TTL)*time.Second + 2*time.Second
	slog.Warn("registry: key held by another lease; waiting to see whether its holder is alive",
		"key", te.Key, "lease", fmt.Sprintf("%x", int64(te.Lease)), "wait", d)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
