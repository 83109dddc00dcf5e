package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// Snapshot is every registered endpoint by interface, each slice sorted by
// Addr. A Snapshot is immutable once handed out: callers may keep it and
// read it from any goroutine, and must not modify it.
type Snapshot map[string][]Endpoint

// testHookAfterList, when set by a test, runs between a successful list and
// the watch that follows it.
var testHookAfterList func()

// errWatchClosed reports a watch channel that closed without an error.
var errWatchClosed = errors.New("registry: watch channel closed")

// Discovery keeps an up-to-date view of every endpoint under Prefix. It is
// created by Discover and ended by Close; its methods are safe for
// concurrent use.
type Discovery struct {
	cli      *clientv3.Client
	onUpdate func(Snapshot)
	snap     atomic.Pointer[Snapshot]
	stop     context.CancelFunc
	done     chan struct{}

	closeOnce sync.Once
}

// Discover lists every key under Prefix, then watches the prefix from the
// listed revision on, and calls onUpdate with a fresh Snapshot after the
// initial list and after every change. onUpdate is called from one
// goroutine, serially; it may be nil. It should return promptly, since the
// watch waits for it.
//
// A compacted revision, a canceled or closed watch or any watch error makes
// Discover list and watch again, with capped backoff. A key that is not a
// valid Key, or whose value DecodeValue rejects, is logged and skipped. While
// etcd is unreachable the last known endpoints stay in use: the view is
// never cleared because of an error.
//
// Discover returns once the initial list has succeeded and onUpdate has
// returned from its first call. It retries the list with backoff until
// then; ctx bounds only this wait, and if ctx ends first Discover returns
// its error (onUpdate may then have been called once, and will not be
// called again).
func Discover(ctx context.Context, cli *clientv3.Client, onUpdate func(Snapshot)) (*Discovery, error) {
	runCtx, stop := context.WithCancel(context.Background())
	d := &Discovery{cli: cli, onUpdate: onUpdate, stop: stop, done: make(chan struct{})}
	ready := make(chan struct{})
	go d.run(runCtx, ready)
	select {
	case <-ready:
		return d, nil
	case <-ctx.Done():
		d.Close()
		return nil, fmt.Errorf("registry: discover: %w", ctx.Err())
	}
}

// Snapshot returns the latest snapshot. It is safe for concurrent use; the
// result is immutable and may be kept.
func (d *Discovery) Snapshot() Snapshot {
	if s := d.snap.Load(); s != nil {
		return *s
	}
	return nil
}

// Close stops watching and waits until onUpdate will not be called again.
// It is safe to call more than once, but not from within onUpdate.
func (d *Discovery) Close() {
	d.closeOnce.Do(func() {
		d.stop()
		<-d.done
	})
}

// view is the discoverer's state: every valid endpoint by its full key.
type view map[string]Endpoint

func (d *Discovery) run(ctx context.Context, ready chan struct{}) {
	defer close(d.done)
	var (
		cur   view
		bo    backoff
		limit = logging.NewLimiter(30 * time.Second)
	)
	for {
		next, rev, err := d.list(ctx)
		if err == nil {
			if cur == nil || !maps.Equal(cur, next) {
				cur = next
				d.publish(cur)
			}
			if ready != nil {
				close(ready)
				ready = nil
			}
			if testHookAfterList != nil {
				testHookAfterList()
			}
			err = d.watch(ctx, rev+1, cur, &bo)
		}
		if ctx.Err() != nil {
			return
		}
		limit.Log(slog.Default(), slog.LevelWarn, "registry: discovery lost its watch, listing again", "err", err)
		if !bo.wait(ctx) {
			return
		}
	}
}

// list reads every key under Prefix and returns the view and its revision.
func (d *Discovery) list(ctx context.Context) (view, int64, error) {
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	resp, err := d.cli.Get(actx, Prefix, clientv3.WithPrefix())
	if err != nil {
		return nil, 0, fmt.Errorf("list: %w", err)
	}
	v := make(view, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		v.put(kv.Key, kv.Value)
	}
	return v, resp.Header.Revision, nil
}

// watch applies changes from rev on to cur, publishing after each response
// that changed it, until the watch fails or ctx ends. It resets bo once the
// watch is established.
func (d *Discovery) watch(ctx context.Context, rev int64, cur view, bo *backoff) error {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	wch := d.cli.Watch(wctx, Prefix, clientv3.WithPrefix(), clientv3.WithRev(rev), clientv3.WithCreatedNotify())
	for wr := range wch {
		if err := wr.Err(); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		if wr.Created {
			bo.reset()
			continue
		}
		changed := false
		for _, ev := range wr.Events {
			switch ev.Type {
			case mvccpb.Event_PUT:
				changed = cur.put(ev.Kv.Key, ev.Kv.Value) || changed
			case mvccpb.Event_DELETE:
				key := string(ev.Kv.Key)
				if _, ok := cur[key]; ok {
					delete(cur, key)
					changed = true
				}
			}
		}
		if changed {
			d.publish(cur)
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return errWatchClosed
}

// put records key = value in v, or removes key if it is not a valid
// endpoint (logging why), and reports whether v changed.
func (v view) put(k, val []byte) bool {
	key := string(k)
	old, had := v[key]
	iface, addr, err := ParseKey(key)
	var weight, capacity int
	if err == nil {
		weight, capacity, err = DecodeRecord(val)
	}
	if err != nil {
		slog.Warn("registry: skipping key", "key", clip(key), "err", err)
		delete(v, key)
		return had
	}
	ep := Endpoint{Interface: iface, Addr: addr, Weight: weight, Capacity: capacity}
	v[key] = ep
	return !had || old != ep
}

// publish builds a fresh Snapshot from v, stores it and hands it to
// onUpdate.
func (d *Discovery) publish(v view) {
	s := make(Snapshot)
	for _, ep := range v {
		s[ep.Interface] = append(s[ep.Interface], ep)
	}
	for _, eps := range s {
		slices.SortFunc(eps, func(a, b Endpoint) int { return strings.Compare(a.Addr, b.Addr) })
	}
	d.snap.Store(&s)
	if d.onUpdate != nil {
		d.onUpdate(s)
	}
}
