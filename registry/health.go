package registry

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/logging"
	"github.com/dubbomesh/dubbomesh/internal/tick"
)

// Probe timing: etcd is read every ProbeEvery (on the process's grid of
// periodic work, internal/tick), each read bounded by ProbeEvery, and
// declared unreachable after probeFailures failures in a row, so that a
// leader election's second without a leader is not an outage.
const (
	ProbeEvery    = time.Second
	probeFailures = 2
	// healthKey is the key the probe reads (it need not exist): a
	// linearizable read, which needs a quorum and a leader, as writes and
	// lease keep-alives do. It is under Prefix, which a least-privilege
	// role for the agents can read: a key outside it got a permission
	// error, which etcd's client logged as a warning every 30 s.
	healthKey = Prefix
)

// Health says whether etcd answers, from a read every ProbeEvery, and logs
// it losing and regaining etcd, once each change: "etcd unreachable" with
// the error, "etcd reachable again" with how long it was away. It is
// created by WatchHealth and ended by Close; its methods are safe for
// concurrent use.
type Health struct {
	cli       *clientv3.Client
	lg        *slog.Logger
	sw        *logging.Switch
	reachable atomic.Bool
	denied    atomic.Bool   // etcd refuses the user the registry's keys
	checks    atomic.Uint64 // probes made
	stop      context.CancelFunc
	done      chan struct{}
}

// WatchHealth starts probing etcd through cli, logging to lg (nil: no
// log). Reachable is false until the first read succeeds.
func WatchHealth(cli *clientv3.Client, lg *slog.Logger) *Health {
	ctx, stop := context.WithCancel(context.Background())
	h := &Health{cli: cli, lg: logging.Or(lg), sw: logging.NewSwitch(lg, 10*time.Second), stop: stop, done: make(chan struct{})}
	go h.run(ctx)
	return h
}

// Reachable reports whether etcd answered the last probes.
func (h *Health) Reachable() bool { return h.reachable.Load() }

// deniedMsg is the log line of an etcd that refuses the agent's user the
// keys under Prefix (the health probe's, and a failed registration's).
const deniedMsg = "etcd refuses this agent's user the registry's keys: give its role read and write on the prefix"

// Denied reports that etcd answers but refused the last probe for want of
// permission: the agent's etcd user may not read the keys under Prefix.
func (h *Health) Denied() bool { return h.denied.Load() }

// Checks returns the number of probes made so far.
func (h *Health) Checks() uint64 { return h.checks.Load() }

// Close stops probing and waits for the probe goroutine to end.
func (h *Health) Close() {
	h.stop()
	<-h.done
}

func (h *Health) run(ctx context.Context) {
	defer close(h.done)
	t := time.NewTimer(tick.Next(time.Now(), ProbeEvery))
	defer t.Stop()
	fails := 0
	var downSince time.Time
	for {
		pctx, cancel := context.WithTimeout(ctx, ProbeEvery)
		_, err := h.cli.Get(pctx, healthKey, clientv3.WithCountOnly())
		cancel()
		denied := errors.Is(err, rpctypes.ErrPermissionDenied)
		if denied {
			// etcd checks permissions after the linearizable read, so
			// the refusal proves a quorum as well as an answer does;
			// but the agent cannot use the registry.
			err = nil
		}
		if ctx.Err() != nil {
			return
		}
		if h.denied.Swap(denied) != denied {
			if denied {
				h.lg.Error(deniedMsg, "prefix", Prefix)
			} else {
				h.lg.Info("etcd lets this agent's user read the registry's keys again", "prefix", Prefix)
			}
		}
		h.checks.Add(1)
		switch {
		case err == nil:
			fails = 0
			h.reachable.Store(true)
			if downSince.IsZero() {
				h.sw.Set(true, "etcd connected")
			} else {
				h.sw.Set(true, "etcd reachable again", "after", time.Since(downSince).Round(time.Millisecond))
				downSince = time.Time{}
			}
		case fails+1 >= probeFailures || !h.reachable.Load():
			fails++
			if downSince.IsZero() {
				downSince = time.Now()
			}
			h.reachable.Store(false)
			h.sw.Set(false, "etcd unreachable", "err", err)
		default:
			fails++
		}
		t.Reset(tick.Next(time.Now(), ProbeEvery))
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
