// Copyright 2026 the dubbomesh authors. Licensed under the Apache License,
// Version 2.0, as the rest of this package (see LICENSE).

//go:build !windows

package netpoll

import "sync/atomic"

// Half-close (dubbomesh patch). Upstream netpoll takes a peer's FIN as a
// hang-up: it closes the connection, and answers written afterwards are
// lost. A client that shuts down its write side once it has sent its
// requests (nc -N, some scripts; HTTP/1.1 allows it) then gets no answer.
// A connection that asks (SetOnInputEnd) keeps its write side instead: the
// bytes before the FIN are read and handled as usual, a reader waiting for
// more gets ErrEOF, the connection is no longer polled for reading, and the
// callback is told, so that the owner closes it once it has answered. A
// FIN that comes with a hang-up or an error (the peer is gone both ways)
// closes the connection as before. Linux only: elsewhere the poller never
// offers the FIN (half_close_linux.go), and SetOnInputEnd changes nothing.

// InputEnder is a connection that can keep writing after its peer shut
// down its write side: netpoll's, with this patch.
type InputEnder interface {
	// SetOnInputEnd asks that the peer's FIN end only the connection's
	// input: f is then called, once, on a goroutine of its own, and the
	// connection stays open for writing until its owner closes it (which
	// it must: nothing else will, short of a hang-up or an error). Call it
	// in OnPrepare, before the connection is polled; nil keeps upstream's
	// behaviour.
	SetOnInputEnd(f func(Connection))
	// InputEnded reports whether the peer's FIN has ended the input.
	InputEnded() bool
}

var _ InputEnder = &connection{}

// onInputEnd is what connection.onInputEnd holds.
type onInputEnd struct{ f func(Connection) }

// SetOnInputEnd implements InputEnder.
func (c *connection) SetOnInputEnd(f func(Connection)) {
	c.onInputEnd.Store(onInputEnd{f})
}

// InputEnded implements InputEnder.
func (c *connection) InputEnded() bool {
	return atomic.LoadInt32(&c.inputEnded) == 1
}

// endedShort reports that the input ended with fewer than n bytes
// buffered: a reader waiting for n gets ErrEOF. The poller buffers what
// came before the FIN before it marks the end, so Len is read after.
func (c *connection) endedShort(n int) bool {
	return atomic.LoadInt32(&c.inputEnded) == 1 && c.inputBuffer.Len() < n
}

// onEOF is the connection's FDOperator.OnEOF. It runs on the poller.
func (c *connection) onEOF() bool {
	h, _ := c.onInputEnd.Load().(onInputEnd)
	if h.f == nil || !atomic.CompareAndSwapInt32(&c.inputEnded, 0, 1) {
		return false
	}
	atomic.StoreInt32(&c.operator.inputEnded, 1)
	c.operator.Control(PollPauseRead) // interests without reading (poll_default_linux.go)
	c.triggerRead(Exception(ErrEOF, "the peer shut down its write side"))
	go h.f(c)
	return true
}
