package registry

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// Connect is NewClient for an agent that must not die of an etcd that is
// away when it starts. Without a user, NewClient returns at once and the
// client reaches etcd when it can; with one (WithAuth), etcd's client logs
// in before it returns and fails after its 5 s dial timeout if etcd cannot
// be reached, or a TLS handshake with it fails. Connect then tries again,
// with the backoff of Register's and Discover's retries, until it gets a
// client or ctx ends, logging the first failure and then at most one a
// minute. An error no retry mends is returned at once: a bad endpoint list
// (ErrEndpoints), or a user and password etcd refused.
func Connect(ctx context.Context, lg *slog.Logger, endpoints string, opts ...ClientOption) (*clientv3.Client, error) {
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	limit := logging.NewLimiter(time.Minute)
	var b backoff
	for tries := 1; ; tries++ {
		cli, err := connectOnce(ctx, endpoints, opts...)
		if err == nil {
			if tries > 1 {
				lg.Info("etcd client connected", "tries", tries)
			}
			return cli, nil
		}
		if permanent(err) {
			return nil, err
		}
		limit.Log(lg, slog.LevelWarn, "etcd client not connected (etcd away, or TLS with it failing); retrying", "err", err, "tries", tries)
		if !b.wait(ctx) {
			return nil, ctx.Err()
		}
	}
}

// connectOnce is NewClient that returns when ctx ends, however long the
// login takes; a client made after that is closed.
func connectOnce(ctx context.Context, endpoints string, opts ...ClientOption) (*clientv3.Client, error) {
	type made struct {
		cli *clientv3.Client
		err error
	}
	done := make(chan made, 1)
	go func() {
		cli, err := NewClient(endpoints, opts...)
		done <- made{cli, err}
	}()
	select {
	case m := <-done:
		return m.cli, m.err
	case <-ctx.Done():
		go func() {
			if m := <-done; m.cli != nil {
				m.cli.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// permanent reports an error of NewClient that no retry mends.
func permanent(err error) bool {
	return errors.Is(err, ErrEndpoints) ||
		errors.Is(err, clientv3.ErrMutuallyExclusiveCfg) ||
		errors.Is(rpctypes.Error(err), rpctypes.ErrAuthFailed)
}
