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

// resetCheckEvery is how often a Discovery asks etcd whether it is still
// the cluster, and at the history, that its watch follows (checkReset): a
// rare event, found within seconds for the price of one read (each read
// wakes the client's goroutines about ten times, which an idle agent
// pays). A variable for tests.
var resetCheckEvery = 10 * time.Second

// errReset reports an etcd that lost its data, or was replaced by another
// cluster, under the watch: its revision went back, or its cluster ID
// changed. clientv3 resumes a watch from the last revision it saw, so on
// such an etcd the watch would wait, silent, for a revision the new
// history has not reached, and miss every change until it does.
type errReset struct {
	was, now history
}

func (e *errReset) Error() string {
	if e.was.cluster != e.now.cluster {
		return fmt.Sprintf("registry: etcd is another cluster now (ID %x, was %x): its data was lost or replaced", e.now.cluster, e.was.cluster)
	}
	return fmt.Sprintf("registry: etcd's revision went back from %d to %d: its data was lost or restored from a backup", e.was.rev, e.now.rev)
}

// Discovery keeps an up-to-date view of every endpoint under Prefix. It is
// created by Discover and ended by Close; its methods are safe for
// concurrent use.
type Discovery struct {
	cli      *clientv3.Client
	onUpdate func(Snapshot)
	snap     atomic.Pointer[Snapshot]
	resets   atomic.Uint64
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
// Discover list and watch again, with capped backoff. So does an etcd that
// lost its data or was replaced by another cluster under the watch, found
// by a read every 10 s (resetCheckEvery: its cluster ID changed, or its revision
// went back): clientv3 would resume the watch at a revision the new
// history has not reached, and it would miss every change until then. A key that is not a
// valid Key, or whose value ParseValue rejects, is logged and skipped. While
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

// Resets returns how many times etcd turned out to have lost its data or
// been replaced under the watch (a new cluster ID, or its revision gone
// back), each time followed by a new list.
func (d *Discovery) Resets() uint64 { return d.resets.Load() }

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
		next, hdr, err := d.list(ctx)
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
			err = d.watch(ctx, hdr, cur, &bo)
		}
		if ctx.Err() != nil {
			return
		}
		var reset *errReset
		if errors.As(err, &reset) {
			// Rare and worth its own line, whatever the limiter says.
			d.resets.Add(1)
			slog.Warn("registry: etcd was reset under the watch; listing again", "err", err)
			continue
		}
		limit.Log(slog.Default(), slog.LevelWarn, "registry: discovery lost its watch, listing again", "err", err)
		if !bo.wait(ctx) {
			return
		}
	}
}

// list reads every key under Prefix and returns the view and the header
// of the read: its cluster and revision.
func (d *Discovery) list(ctx context.Context) (view, history, error) {
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	resp, err := d.cli.Get(actx, Prefix, clientv3.WithPrefix())
	if err != nil {
		return nil, history{}, fmt.Errorf("list: %w", err)
	}
	v := make(view, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		v.put(kv.Key, kv.Value)
	}
	return v, history{cluster: resp.Header.ClusterId, rev: resp.Header.Revision}, nil
}

// history is where a watch stands: the cluster it follows and the latest
// revision seen of it.
type history struct {
	cluster uint64
	rev     int64
}

// watch applies changes after h's revision to cur, publishing after each
// response that changed it, until the watch fails, etcd turns out to have
// been reset (checkReset, every resetCheckEvery), or ctx ends. It resets
// bo once the watch is established.
func (d *Discovery) watch(ctx context.Context, h history, cur view, bo *backoff) error {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	wch := d.cli.Watch(wctx, Prefix, clientv3.WithPrefix(), clientv3.WithRev(h.rev+1), clientv3.WithCreatedNotify())
	check := time.NewTicker(resetCheckEvery)
	defer check.Stop()
	for {
		var wr clientv3.WatchResponse
		select {
		case <-check.C:
			if err := d.checkReset(ctx, h); err != nil {
				return err
			}
			continue
		case r, ok := <-wch:
			if !ok {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return errWatchClosed
			}
			wr = r
		}
		if err := wr.Err(); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		if wr.Header.ClusterId == h.cluster && wr.Header.Revision > h.rev {
			h.rev = wr.Header.Revision
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
}

// checkReset reads one key to learn etcd's cluster and revision now, and
// returns an *errReset when they show that the history h watches is gone.
// A failed read says nothing (etcd may be away): it returns nil.
func (d *Discovery) checkReset(ctx context.Context, h history) error {
	cctx, cancel := context.WithTimeout(ctx, resetCheckEvery)
	defer cancel()
	// Prefix itself: a key inside the range a user limited to Prefix
	// may read.
	resp, err := d.cli.Get(cctx, Prefix, clientv3.WithCountOnly())
	if err != nil {
		return nil
	}
	if now := (history{cluster: resp.Header.ClusterId, rev: resp.Header.Revision}); now.cluster != h.cluster || now.rev < h.rev {
		return &errReset{was: h, now: now}
	}
	return nil
}

// put records key = value in v, or removes key if it is not a valid
// endpoint (logging why), and reports whether v changed.
func (v view) put(k, val []byte) bool {
	key := string(k)
	old, had := v[key]
	iface, addr, err := ParseKey(key)
	var value Value
	if err == nil {
		value, err = ParseValue(val)
	}
	if err != nil {
		if ok, repeated := skipLog.Allow("skip"); ok {
			slog.Warn("registry: skipping key", "key", logging.Clip(key, 256), // long enough to name a real key
				"err", err, "others_skipped", repeated)
		}
		delete(v, key)
		return had
	}
	ep := Endpoint{Interface: iface, Addr: addr, Weight: value.Weight, Capacity: value.Capacity, TLS: value.TLS}
	v[key] = ep
	return !had || old != ep
}

// snapshot returns v's endpoints by interface, each slice sorted by Addr.
func (v view) snapshot() Snapshot {
	s := make(Snapshot)
	for _, ep := range v {
		s[ep.Interface] = append(s[ep.Interface], ep)
	}
	for _, eps := range s {
		slices.SortFunc(eps, func(a, b Endpoint) int { return strings.Compare(a.Addr, b.Addr) })
	}
	return s
}

// skipLog bounds the log of keys skipped to one line per 10 s (with how
// many were held back): a storm of bad writes must not flood the log.
var skipLog = logging.NewLimiter(10 * time.Second)

// publish builds a fresh Snapshot from v, stores it and hands it to
// onUpdate.
func (d *Discovery) publish(v view) {
	s := v.snapshot()
	d.snap.Store(&s)
	if d.onUpdate != nil {
		d.onUpdate(s)
	}
}
