package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// Registration keeps a provider agent's endpoints registered in etcd: one
// key per endpoint, all bound to one lease that is kept alive. It is created
// by Register and ended by Close; its methods are safe for concurrent use.
type Registration struct {
	cli *clientv3.Client
	// putMu serialises the puts of the keys, the registration's and
	// SetWeight's, so that a new lease never carries a weight older than
	// the last SetWeight (reweight.go). mu guards eps and lease.
	putMu sync.Mutex
	mu    sync.Mutex
	eps   []Endpoint // owned copy
	ttl   int64
	stop  context.CancelFunc // ends the keep-alive goroutine
	done  chan struct{}      // closed when the keep-alive goroutine has returned

	// lease is the current lease. Register sets it before the goroutine
	// starts, then only the goroutine writes it, under mu.
	lease clientv3.LeaseID

	// alive is when etcd last confirmed the lease (UnixNano): the put,
	// then each keep-alive answer. lost is set while the lease is lost
	// and not yet granted again; regrants counts the new grants.
	alive    atomic.Int64
	lost     atomic.Bool
	regrants atomic.Uint64
	closed   atomic.Bool
	// displaced is why a key is not this registration's (repair.go);
	// repairs counts the keys put back.
	displaced atomic.Pointer[error]
	repairs   atomic.Uint64

	closeOnce sync.Once
	closeErr  error
}

// Register puts one key per endpoint (Key(ep.Interface, ep.Addr) ->
// Value{ep.Weight, ep.TLS}.String()), all bound to one lease with ttl seconds
// (DefaultTTL if ttl < 1), in one transaction, and keeps the lease alive.
// It never takes a key that another lease holds (claim.go): when one does,
// Register waits that lease's remaining TTL out once, and fails with a
// *TakenError (ErrKeyTaken, Live set) if it is still held after that.
//
// If the lease is ever lost (its keep-alive channel closes, for example
// because etcd was unreachable for longer than the TTL, or someone revoked
// it), Register's goroutine grants a new lease and puts the keys again,
// retrying with capped exponential backoff until Close.
//
// Register returns after the first successful put. Until then it retries
// with backoff; ctx bounds only this first registration, and if it ends
// first Register returns its error. Endpoints are validated up front:
// ErrBadEndpoint or ErrBadWeight for an unusable one. Register copies eps.
func Register(ctx context.Context, cli *clientv3.Client, eps []Endpoint, ttl int64) (*Registration, error) {
	if len(eps) == 0 {
		return nil, fmt.Errorf("%w: no endpoints", ErrBadEndpoint)
	}
	for _, ep := range eps {
		if err := ep.validate(); err != nil {
			return nil, err
		}
	}
	if ttl < 1 {
		ttl = DefaultTTL
	}
	runCtx, stop := context.WithCancel(context.Background())
	r := &Registration{
		cli:  cli,
		eps:  append([]Endpoint(nil), eps...),
		ttl:  ttl,
		stop: stop,
		done: make(chan struct{}),
	}
	var bo backoff
	limit := logging.NewLimiter(time.Minute)
	waited := map[clientv3.LeaseID]bool{}
	for {
		ka, err := r.register(ctx, runCtx)
		if err == nil {
			go r.keepAlive(runCtx, ka)
			return r, nil
		}
		// A key held by another lease: wait its remaining TTL out once; a
		// holder that outlives it is a live agent (claim.go).
		if te := (*TakenError)(nil); errors.As(err, &te) {
			if waited[te.Lease] {
				stop()
				te.Live = true
				return nil, te
			}
			waited[te.Lease] = true
			if werr := r.waitOut(ctx, te); werr == nil {
				continue
			}
		}
		if ctx.Err() == nil {
			logRegisterFailure(limit, err)
		}
		if ctx.Err() != nil || !bo.wait(ctx) {
			stop()
			return nil, fmt.Errorf("registry: register: %w (last error: %v)", ctx.Err(), err)
		}
	}
}

// logRegisterFailure logs a failed attempt to register, at most once per
// limit's interval: a refusal for want of permission says what the etcd
// user's role lacks.
func logRegisterFailure(limit *logging.Limiter, err error) {
	if errors.Is(err, rpctypes.ErrPermissionDenied) {
		limit.Log(slog.Default(), slog.LevelError, "registry: "+deniedMsg+"; registering again later", "prefix", Prefix, "err", err)
		return
	}
	limit.Log(slog.Default(), slog.LevelWarn, "registry: register failed, retrying", "err", err)
}

// register grants a lease, puts every key with it and starts keeping it
// alive. ctx bounds the grant and the put; the keep-alive lives as long as
// runCtx. On success it records the lease in r.lease.
func (r *Registration) register(ctx, runCtx context.Context) (<-chan *clientv3.LeaseKeepAliveResponse, error) {
	r.putMu.Lock()
	defer r.putMu.Unlock()
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	grant, err := r.cli.Grant(actx, r.ttl)
	if err != nil {
		return nil, fmt.Errorf("grant: %w", err)
	}
	err = r.claim(actx, grant.ID)
	if te := (*TakenError)(nil); errors.As(err, &te) && r.currentLease() != 0 && te.Lease == r.currentLease() {
		// Our own previous lease, still alive though we lost its
		// keep-alive: end it and claim again.
		r.cli.Revoke(actx, te.Lease)
		err = r.claim(actx, grant.ID)
	}
	if err != nil {
		r.cli.Revoke(actx, grant.ID) // best effort: it holds nothing
		return nil, err
	}
	ka := keepLease(runCtx, r.cli, grant.ID, grant.TTL)
	r.mu.Lock()
	r.lease = grant.ID
	r.mu.Unlock()
	r.alive.Store(time.Now().UnixNano())
	return ka, nil
}

// currentLease returns the lease the keys were last put with.
func (r *Registration) currentLease() clientv3.LeaseID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lease
}

// endpoints returns a copy of the endpoints as they are to be registered
// now, weights included.
func (r *Registration) endpoints() []Endpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Endpoint(nil), r.eps...)
}

// ErrNotRegistered is the reason InPlace gives for a registration that is
// not (or may no longer be) in etcd; errors.Is matches it.
var ErrNotRegistered = errors.New("registry: not registered")

// InPlace reports whether the registration is in etcd, as far as this side
// knows: nil while the lease is held and etcd confirmed it within its TTL;
// otherwise an error matching ErrNotRegistered that says why (closed, lease
// lost and being registered again, no keep-alive answer for longer than
// the TTL: etcd unreachable, the keys may have expired).
func (r *Registration) InPlace() error {
	switch {
	case r.closed.Load():
		return fmt.Errorf("%w: deregistered", ErrNotRegistered)
	case r.lost.Load():
		return fmt.Errorf("%w: lease lost, registering again", ErrNotRegistered)
	}
	if p := r.displaced.Load(); p != nil {
		return *p
	}
	ttl := time.Duration(r.ttl) * time.Second
	if since := time.Since(time.Unix(0, r.alive.Load())); since > ttl {
		return fmt.Errorf("%w: etcd has not confirmed the lease for %v (TTL %v)", ErrNotRegistered, since.Round(time.Second), ttl)
	}
	return nil
}

// Regrants returns how many times the lease was lost and a new one granted
// (and the keys put again).
func (r *Registration) Regrants() uint64 { return r.regrants.Load() }

// keepAlive drains the keep-alive channel (the client drops responses that
// are not read promptly) and registers again whenever the lease is lost.
func (r *Registration) keepAlive(runCtx context.Context, ka <-chan *clientv3.LeaseKeepAliveResponse) {
	defer close(r.done)
	limit := logging.NewLimiter(30 * time.Second)
	check := time.NewTicker(keyCheckEvery)
	defer check.Stop()
	for {
		r.keep(runCtx, ka, check.C)
		if runCtx.Err() != nil {
			return
		}
		r.lost.Store(true)
		lostAt := time.Now()
		slog.Warn("registry: lease lost, registering again", "lease", fmt.Sprintf("%x", int64(r.currentLease())))
		var bo backoff
		for {
			var err error
			if ka, err = r.register(runCtx, runCtx); err == nil {
				r.regrants.Add(1)
				r.lost.Store(false)
				r.displaced.Store(nil)
				slog.Info("registry: lease granted again, registered", "lease", fmt.Sprintf("%x", int64(r.currentLease())),
					"after", time.Since(lostAt).Round(time.Millisecond))
				break
			}
			if runCtx.Err() != nil {
				return
			}
			logRegisterFailure(limit, err)
			if !bo.wait(runCtx) {
				return
			}
		}
	}
}

// keep reads the keep-alive answers until the channel closes (the lease
// is lost, or runCtx ended), and reads the keys back at each check.
func (r *Registration) keep(runCtx context.Context, ka <-chan *clientv3.LeaseKeepAliveResponse, check <-chan time.Time) {
	for {
		select {
		case resp, ok := <-ka:
			if !ok {
				return
			}
			if resp != nil {
				r.alive.Store(time.Now().UnixNano())
			}
		case <-check:
			if err := r.checkKeys(runCtx); err != nil {
				r.displaced.Store(&err)
			} else {
				r.displaced.Store(nil)
			}
		}
	}
}

// Repairs returns how many keys were put back after they were deleted or
// changed behind the registration's back (repair.go).
func (r *Registration) Repairs() uint64 { return r.repairs.Load() }

// Close revokes the lease, so that watchers see the keys deleted at once,
// and stops keeping it alive. Revoking deletes only the keys this lease
// still holds, never a key another agent holds. If the revoke fails (etcd unreachable, ctx
// ended) Close returns the error and the keys disappear when the lease
// expires, within the TTL. A lease that is already gone is not an error.
// Close is safe to call more than once; later calls return the first
// call's result.
func (r *Registration) Close(ctx context.Context) error {
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		r.stop()
		<-r.done // the goroutine's attempts end with runCtx, so this is prompt
		_, err := r.cli.Revoke(ctx, r.currentLease())
		if err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
			r.closeErr = fmt.Errorf("registry: revoke: %w", err)
		}
	})
	return r.closeErr
}
