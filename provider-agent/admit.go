package main

import (
	"sync"

	"github.com/dubbomesh/dubbomesh/internal/batch"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// gate keeps one loop's calls to the provider within the provider's thread
// pool. A Dubbo provider refuses a call that finds every thread busy (status
// 100), so the agent holds the excess back instead: a call past the limit
// waits, encoded, in a bounded queue, and leaves as soon as the provider
// answers another. A call is counted from the moment it is written until the
// provider answers it, late answers included, since until then it holds a
// provider thread.
//
// A gate is safe for concurrent use. The fast path, under the limit with
// nobody waiting, takes one short mutex and copies nothing.
type gate struct {
	limit int // 0: no limit
	mu    sync.Mutex
	sent  int // calls the provider holds
	queue []queued
	head  int // index of the oldest waiting call
	n     int // waiting calls
}

// queued is a call waiting for a provider thread: its pending id and its
// whole Dubbo frame. The frame buffers are kept for reuse.
type queued struct {
	id    uint32
	frame []byte
}

func newGate(limit, queue int) *gate {
	return &gate{limit: limit, queue: make([]queued, queue)}
}

// enter admits call id, whose frame is r (which passed dubbo.RequestSize,
// returning size). direct means the caller writes it now, and it is counted;
// otherwise the call waits in the queue, encoded (ok), or the queue is full
// (!ok).
func (g *gate) enter(id uint32, r *dubbo.Request, size int) (direct, ok bool) {
	if g.limit <= 0 {
		return true, true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n == 0 && g.sent < g.limit {
		g.sent++
		return true, true
	}
	if g.n == len(g.queue) {
		return false, false
	}
	e := &g.queue[(g.head+g.n)%len(g.queue)]
	if cap(e.frame) < size {
		e.frame = make([]byte, size)
	}
	e.frame = e.frame[:size]
	dubbo.PutRequest(e.frame, r)
	e.id = id
	g.n++
	return false, true
}

// done records an answer from the provider and writes, to w, the waiting
// calls that now fit; live tells whether a waiting call is still wanted (it
// may have timed out). Writers touched are added to set.
func (g *gate) done(w *batch.Writer, set *batch.Set, live func(uint32) bool) {
	if g.limit <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sent > 0 {
		g.sent--
	}
	for g.n > 0 && g.sent < g.limit {
		e := &g.queue[g.head]
		g.head = (g.head + 1) % len(g.queue)
		g.n--
		if !live(e.id) {
			continue
		}
		set.Add(w)
		bw := w.Lock()
		if bw == nil {
			return // the connection died; its calls fail through OnDown
		}
		if b, err := bw.Malloc(len(e.frame)); err == nil {
			copy(b, e.frame)
			g.sent++
		}
		w.Unlock()
	}
}

// undo uncounts a call that enter admitted but that was never written.
func (g *gate) undo() {
	if g.limit <= 0 {
		return
	}
	g.mu.Lock()
	if g.sent > 0 {
		g.sent--
	}
	g.mu.Unlock()
}

// reset forgets the calls the provider held, after its connection died. The
// waiting calls were tagged with that connection and fail with it.
func (g *gate) reset() {
	g.mu.Lock()
	g.sent, g.head, g.n = 0, 0, 0
	g.mu.Unlock()
}

// waiting returns the number of calls in the queue, live or not.
func (g *gate) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}
