package server

import (
	"context"
	"sync/atomic"

	"github.com/dubbomesh/dubbomesh/internal/batch"
)

// maxIdleWorkers bounds the handler goroutines kept parked for reuse. A
// poller on one P hands out every event of an epoll_wait before any handler
// runs, so a busy agent needs one worker per connection with an event at
// once: with 64 kept, a profile of the consumer agent at 512 connections
// spent 7% of its CPU starting goroutines and growing their stacks again.
// A parked worker costs its stack, a few KiB, which the garbage collector
// shrinks while it is unused.
const maxIdleWorkers = 1024

// workers runs netpoll's handlers (OnRequest, OnConnect...) on goroutines it
// keeps: a handler goes to a parked worker if one is waiting, else to a new
// one, and a worker that finishes parks again unless maxIdleWorkers already
// wait. netpoll's default pool starts a goroutine for nearly every event
// once the last task has run, and each new goroutine grows its stack again
// to the handler's depth; a kept worker has its stack grown already.
//
// A handler may block (waiting for the rest of a request): the runner then
// simply starts another worker, so no handler waits for another.
type workers struct {
	idle    chan func() // unbuffered: a send succeeds only into a parked worker
	nidle   atomic.Int32
	started atomic.Int64 // worker goroutines started
}

func newWorkers() *workers { return &workers{idle: make(chan func())} }

// run is a netpoll.Config.Runner. It counts each handler in
// batch.Handlers from the moment it is queued until it returns, and in
// handlerRuns (park.go), waking Park's goroutine if it sleeps.
func (w *workers) run(_ context.Context, f func()) {
	handlerRuns.Add(1)
	parkSleeper.Wake()
	batch.Handlers.Enter()
	select {
	case w.idle <- f:
	default:
		w.started.Add(1)
		go w.work(f)
	}
}

func (w *workers) work(f func()) {
	for {
		f()
		batch.Handlers.Leave()
		if w.nidle.Add(1) > maxIdleWorkers {
			w.nidle.Add(-1)
			return
		}
		f = <-w.idle
		w.nidle.Add(-1)
	}
}
