package main

import (
	"sync"
	"time"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// gate keeps the agent's calls to the provider within the provider's thread
// pool. A Dubbo provider refuses a call that finds every thread busy (status
// 100), so the agent holds the excess back instead: a call past the limit
// waits, encoded, in a bounded queue, and leaves as soon as the provider
// answers another, on whichever loop. A call is counted from the moment it is
// written until the provider answers it, late answers included, since until
// then it holds a provider thread.
//
// The limit is --max-provider-calls, or less once the provider refused a
// call for want of a thread (refused, pool.go): a pool smaller than the
// bound would otherwise refuse every call past it, and consumer agents
// would sideline the agent again and again while it had threads free.
//
// One gate serves all loops. It is safe for concurrent use; the fast path,
// under the limit with nobody waiting, takes one short mutex and copies
// nothing.
type gate struct {
	bound int // --max-provider-calls; 0: no limit
	mu    sync.Mutex
	limit int           // the calls the provider may hold: bound, or less (pool.go)
	moved int64         // when limit last moved, or a refusal kept it (UnixNano)
	moves chan struct{} // a token when limit moved, for followLimit
	sent  []int         // calls the provider holds, per loop
	total int
	queue []queued
	head  int // index of the oldest waiting call
	n     int // waiting calls
	// bytes is the waiting calls' frames, in bytes; a call that would
	// take it past maxBytes is refused as the full queue's are, unless
	// the queue is empty.
	bytes, maxBytes int
}

// keepFrame is the largest frame buffer a queue slot keeps for reuse once
// its call left: a burst of large calls does not stay in memory for good.
const keepFrame = 64 << 10

// queued is a call waiting for a provider thread: its loop, the provider
// connection it was admitted for, its pending id and its whole Dubbo frame.
// Frame buffers up to keepFrame are kept for reuse.
type queued struct {
	l     *loop
	w     *batch.Writer
	id    uint32
	frame []byte
	at    int64 // when it was queued (UnixNano)
}

func newGate(limit, queue, maxBytes, loops int) *gate {
	return &gate{bound: limit, limit: limit, moves: make(chan struct{}, 1), sent: make([]int, loops), queue: make([]queued, queue), maxBytes: maxBytes}
}

// enter admits call id of loop l, whose frame is r (which passed
// dubbo.RequestSize, returning size) and goes to w. direct means the caller
// writes it now, and it is counted; otherwise the call waits in the queue,
// encoded (ok), or the queue is full (!ok).
func (g *gate) enter(l *loop, w *batch.Writer, id uint32, r *dubbo.Request, size int) (direct, ok bool) {
	if g.bound <= 0 {
		return true, true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.total >= g.limit {
		g.probeLocked(time.Now().UnixNano())
	}
	if g.n == 0 && g.total < g.limit {
		g.sent[l.idx]++
		g.total++
		return true, true
	}
	if g.n == len(g.queue) || (g.n > 0 && g.bytes+size > g.maxBytes) {
		l.a.m.gateRefused.Inc()
		return false, false
	}
	e := &g.queue[(g.head+g.n)%len(g.queue)]
	if cap(e.frame) < size {
		e.frame = make([]byte, size)
	}
	e.frame = e.frame[:size]
	dubbo.PutRequest(e.frame, r)
	e.l, e.w, e.id, e.at = l, w, id, time.Now().UnixNano()
	g.n++
	g.bytes += size
	return false, true
}

// done records an answer from the provider on loop l and writes the waiting
// calls that now fit, each to its own connection. Writers touched are added
// to set, which the caller flushes.
func (g *gate) done(l *loop, set *batch.Set) {
	if g.bound <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sent[l.idx] > 0 {
		g.sent[l.idx]--
		g.total--
	}
	g.admitLocked(set)
}

// release writes the waiting calls that fit, after a provider connection
// was lost (reset) and its calls failed: only answers drain the queue
// otherwise, and with none owed new calls would wait behind it for good.
// Writers touched are added to set.
func (g *gate) release(set *batch.Set) {
	if g.bound <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.admitLocked(set)
}

// admitLocked writes the waiting calls that now fit, skipping those no
// longer live. g.mu is held.
func (g *gate) admitLocked(set *batch.Set) {
	for g.n > 0 && g.total < g.limit {
		e := &g.queue[g.head]
		g.head = (g.head + 1) % len(g.queue)
		g.n--
		g.bytes -= len(e.frame)
		g.admit(e, set)
		if cap(e.frame) > keepFrame {
			e.frame = nil
		}
	}
}

// admit writes queued call e, unless it is no longer live. g.mu is held.
func (g *gate) admit(e *queued, set *batch.Set) {
	if !e.l.calls.Live(e.id) {
		return // timed out, or its connection died
	}
	set.Add(e.w)
	bw := e.w.Lock()
	if bw == nil {
		return // the connection died; its calls fail through OnDown
	}
	if b, err := bw.Malloc(len(e.frame)); err == nil {
		copy(b, e.frame)
		g.sent[e.l.idx]++
		g.total++
		observeSince(e.l.a.m.queueWait, e.at)
	}
	e.w.Unlock()
}

// undo uncounts a call of loop l that enter admitted but that was never
// written: the thread it was counted for is free, as after an answer
// (done), and the waiting calls that now fit are written.
func (g *gate) undo(l *loop, set *batch.Set) { g.done(l, set) }

// reset forgets the calls the provider held on loop l's connection, after it
// died. That loop's waiting calls were tagged with the connection and fail
// with it; the queue skips them.
func (g *gate) reset(l *loop) {
	g.mu.Lock()
	g.total -= g.sent[l.idx]
	g.sent[l.idx] = 0
	g.mu.Unlock()
}

// held returns the number of calls the provider holds, as counted.
func (g *gate) held() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// waiting returns the number of calls in the queue, live or not.
func (g *gate) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}
