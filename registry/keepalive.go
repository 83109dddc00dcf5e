package registry

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/tick"
)

// keepLease keeps lease id (TTL ttl seconds) alive with one KeepAliveOnce
// every ttl/3 (at most; on the process's grid of periodic work,
// internal/tick) and sends each answer on the returned channel, which it
// closes when the lease is gone (etcd no longer knows it), when no answer
// came for a whole TTL (etcd unreachable: the keys may have expired), or
// when ctx ends. It does what clientv3's KeepAlive does for one lease
// without the client's shared lease loops, which tick every 500 ms whether
// or not a keep-alive is due: an idle agent then wakes once per ttl/3
// (with a retry every second while etcd does not answer).
func keepLease(ctx context.Context, cli *clientv3.Client, id clientv3.LeaseID, ttl int64) <-chan *clientv3.LeaseKeepAliveResponse {
	out := make(chan *clientv3.LeaseKeepAliveResponse, 1)
	period := max(time.Duration(ttl)*time.Second/3, 100*time.Millisecond)
	retry := min(period, time.Second)
	go func() {
		defer close(out)
		last := time.Now()
		t := time.NewTimer(tick.Next(time.Now(), period))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			actx, cancel := context.WithTimeout(ctx, period)
			resp, err := cli.KeepAliveOnce(actx, id)
			cancel()
			switch {
			case err == nil && resp.TTL > 0:
				last = time.Now()
				select {
				case out <- resp:
				default: // the reader has one answer pending: enough
				}
				t.Reset(tick.Next(time.Now(), period))
				continue
			case err == nil, errors.Is(err, rpctypes.ErrLeaseNotFound):
				return // the lease expired or was revoked
			case ctx.Err() != nil:
				return
			}
			if time.Since(last) >= time.Duration(ttl)*time.Second {
				return // no answer for a whole TTL: treat the lease as lost
			}
			t.Reset(tick.Next(time.Now(), retry))
		}
	}()
	return out
}
