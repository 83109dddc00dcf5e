package batch

import (
	"sync"
	"sync/atomic"
	"time"
)

// Group counts the event handlers running or waiting to run in a process,
// so that Writers that joined it can leave their flush to the last handler
// of a burst: a Writer whose last hold is released while other handlers are
// busy is put on the group's dirty list instead of flushing, and the handler
// that brings the count to zero flushes the list. The frames that a burst of
// handlers wrote to one connection then leave in one system call, and wake
// the peer once, without waiting for any timer.
//
// A handler that waits (for the rest of a request, or for room in a
// pipeline) leaves the count while it waits (Drain does). A handler that
// runs long (an answer pass writing many HTTP responses, each a system call)
// keeps the count up; so that nothing waits on it for long, a watchdog
// flushes the dirty list after maxDefer.
//
// The runner that starts handlers calls Enter before queuing one and Leave
// when it returns (internal/server does). All methods are safe for
// concurrent use.
type Group struct {
	busy  atomic.Int32
	mu    sync.Mutex
	dirty []*Writer
	spare []*Writer
	armed atomic.Bool // the watchdog is due to run
	once  sync.Once
	timer *time.Timer // the watchdog, reused
}

// maxDefer bounds how long a deferred flush waits for the handlers to go
// idle. A profile at 512 connections with 1 ms found a fifth of the
// deferred flushes sent by the watchdog, each call waiting the whole
// millisecond on each hop: long answer passes are common.
const maxDefer = 200 * time.Microsecond

// Handlers is the process's group of netpoll handlers.
var Handlers Group

// Enter counts a handler about to be run.
func (g *Group) Enter() { g.busy.Add(1) }

// Leave counts a handler done; the last one flushes the dirty list.
func (g *Group) Leave() {
	if g.busy.Add(-1) == 0 {
		g.flushDirty()
	}
}

// Busy returns the handlers running or waiting to run.
func (g *Group) Busy() int { return int(g.busy.Load()) }

// deferFlush puts w on the dirty list. If the handlers went idle meanwhile,
// it flushes the list itself, so a write is never left behind.
func (g *Group) deferFlush(w *Writer) {
	if w.queued.CompareAndSwap(false, true) {
		g.mu.Lock()
		g.dirty = append(g.dirty, w)
		g.mu.Unlock()
	}
	if g.busy.Load() == 0 {
		g.flushDirty()
		return
	}
	if g.armed.CompareAndSwap(false, true) {
		g.once.Do(func() { g.timer = time.AfterFunc(time.Hour, g.watchdog) })
		g.timer.Reset(maxDefer)
	}
}

func (g *Group) watchdog() {
	g.armed.Store(false)
	g.flushDirty()
}

// flushDirty flushes every Writer on the dirty list.
func (g *Group) flushDirty() {
	g.mu.Lock()
	if len(g.dirty) == 0 {
		g.mu.Unlock()
		return
	}
	ws := g.dirty
	g.dirty, g.spare = g.spare[:0], nil
	g.mu.Unlock()
	for i, w := range ws {
		// Cleared before the flush: a Writer deferred again from now on
		// is queued again, and what it wrote before is carried by this
		// flush.
		w.queued.Store(false)
		w.Flush()
		ws[i] = nil
	}
	g.mu.Lock()
	if g.spare == nil {
		g.spare = ws[:0]
	}
	g.mu.Unlock()
}
