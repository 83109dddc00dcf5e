package registry

import (
	"context"
	"fmt"
	"strconv"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Live weights. A provider agent's weight changes without a restart: the
// registration records the new weight, so that every later put (a lease
// lost and granted again) carries it, and puts its keys again on the
// lease that holds them. Consumer agents watching the prefix see the new
// value as soon as etcd commits it.
//
// SetWeight and the registration's own puts are serialised (putMu), so
// neither can write a weight older than the other's: a registration that
// renews its lease while a new weight is being set puts the new one.

// SetWeight changes the weight of every endpoint of r to weight and puts
// their keys again, on the current lease and only where that lease still
// holds them. It returns inPlace true when etcd now holds the new weight;
// false, with a nil error, when the lease is being renewed (lost, or the
// keys taken from it): the renewal puts the new weight. An error means
// the weight is out of range (ErrBadWeight, nothing changed), the
// registration is closed, or etcd did not answer within ctx; the new
// weight is recorded all the same and goes out with the next put.
// SetWeight is safe for concurrent use.
func (r *Registration) SetWeight(ctx context.Context, weight int) (inPlace bool, err error) {
	if weight < 1 || weight > MaxWeight {
		return false, &formatError{base: ErrBadWeight, why: "weight " + strconv.Itoa(weight)}
	}
	return r.update(ctx, "set weight", func(ep *Endpoint) { ep.Weight = weight })
}

// SetCapacity changes the capacity every endpoint of r registers, as
// SetWeight changes the weight (same results, same rules): a provider agent
// with no bound of its own registers the capacity it measured. 0 takes the
// capacity out of the value. It is safe for concurrent use.
func (r *Registration) SetCapacity(ctx context.Context, capacity int) (inPlace bool, err error) {
	if capacity < 0 || capacity > MaxCapacity {
		return false, &formatError{base: ErrBadCapacity, why: "capacity " + strconv.Itoa(capacity)}
	}
	return r.update(ctx, "set capacity", func(ep *Endpoint) { ep.Capacity = capacity })
}

// update applies set to every endpoint of r, then puts their keys again on
// the current lease, where it still holds them (see SetWeight).
func (r *Registration) update(ctx context.Context, what string, set func(*Endpoint)) (inPlace bool, err error) {
	if r.closed.Load() {
		return false, fmt.Errorf("%w: deregistered", ErrNotRegistered)
	}
	r.putMu.Lock()
	defer r.putMu.Unlock()
	r.mu.Lock()
	for i := range r.eps {
		set(&r.eps[i])
	}
	eps := append([]Endpoint(nil), r.eps...)
	lease := r.lease
	r.mu.Unlock()
	if lease == 0 || r.lost.Load() {
		return false, nil
	}
	cmps := make([]clientv3.Cmp, len(eps))
	puts := make([]clientv3.Op, len(eps))
	for i, ep := range eps {
		k := Key(ep.Interface, ep.Addr)
		cmps[i] = clientv3.Compare(clientv3.LeaseValue(k), "=", lease)
		puts[i] = clientv3.OpPut(k, ep.value(), clientv3.WithLease(lease))
	}
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	resp, err := r.cli.Txn(actx).If(cmps...).Then(puts...).Commit()
	if err != nil {
		return false, fmt.Errorf("registry: %s: %w", what, err)
	}
	return resp.Succeeded, nil
}

// Weight returns the weight r registers now: the last SetWeight's, or
// Register's.
func (r *Registration) Weight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.eps[0].Weight
}

// Capacity returns the capacity r registers now (0: none).
func (r *Registration) Capacity() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.eps[0].Capacity
}
